"""YAML in and out. Every read of a user file goes through `load_positioned`.

Reading uses libyaml (PyYAML's C parser) to compose a node graph, then builds plain dict/list
subclasses that remember where each key and value stood, so findings can name file:line:col.
The tree is built here, not by PyYAML's constructor, to refuse alias bombs, deep nesting,
duplicate and non-string keys with a finding instead of an exception or a silent overwrite.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.yamlhints import STRAY_BOM, explain, stray_bom

try:  # libyaml is in PyYAML's wheels; the pure parser is a slow but correct fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# Limits for every YAML input (documented in README, "Limits").
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000  # nodes built again because an alias refers to them
MAX_NODES = 5_000_000

Pos = tuple[int, int]  # 1-based line, column


class PosMap(dict[str, Any]):
    """A mapping that remembers the position of itself, its keys and its values."""

    __slots__ = ("key_pos", "pos", "value_pos")

    def __init__(self, pos: Pos) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[str, Pos] = {}
        self.value_pos: dict[str, Pos] = {}


class PosSeq(list[Any]):
    """A sequence that remembers the position of itself and of each item."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: Pos) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Pos] = []


@dataclass(frozen=True)
class YamlFile:
    path: str
    text: str
    data: Any  # PosMap / PosSeq / scalar, or None when the file could not be read
    # The tree holds no credential-looking value: it came from generate's cache or went
    # into it, and the cache keeps only such trees (ParseMemo.store scans each one).
    vetted: bool = False


class _Refusal(Exception):
    def __init__(self, code: str, name: str, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.code, self.name, self.message, self.pos = code, name, message, pos


_STR_TAG = "tag:yaml.org,2002:str"


@lru_cache(maxsize=1 << 16)
def _plain_tag(value: str) -> str:
    """The tag of a plain (unquoted) scalar: a function of its text alone, so it is cached.

    Same rules as PyYAML's `BaseResolver.resolve` (safe loaders have no path resolvers);
    catalogues repeat the same keys and values in every file, which this makes cheap.
    """
    resolvers = _Loader.yaml_implicit_resolvers
    for tag, regexp in resolvers.get(value[:1], []) + resolvers.get(None, []):
        if regexp.match(value):
            return str(tag)
    return _STR_TAG


class _PositionLoader(_Loader):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _plain_tag(value)
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


Construct = Callable[[Any, yaml.Node], Any]


def check_tagged_scalars(loader: type[yaml.constructor.SafeConstructor]) -> None:
    """An explicit tag the value does not fit (`!!int foo`, `!!bool maybe`, `!!timestamp x`)
    made PyYAML's constructors raise ValueError, KeyError or AttributeError: a crash. With
    this, the loader raises a ConstructorError at the value, reported like any YAML error.
    The value is not repeated in the message (it may be a secret)."""
    for name in ("int", "float", "bool", "timestamp"):
        tag = f"tag:yaml.org,2002:{name}"
        loader.add_constructor(tag, _checked(loader.yaml_constructors[tag], name))


def _checked(construct: Construct, name: str) -> Construct:
    def build(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            problem = f"a value tagged !!{name} that is not a valid {name}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from exc

    return build


check_tagged_scalars(_PositionLoader)


def _mark(node: yaml.Node) -> Pos:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turns a composed node graph into PosMap/PosSeq/scalars, within the limits."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.nodes = 0
        self.alias_nodes = 0

    def build(self, node: yaml.Node, depth: int = 0, aliased: bool = False) -> Any:
        if depth > MAX_DEPTH:
            raise _Refusal(
                "Y009", "nesting-too-deep", f"nesting deeper than {MAX_DEPTH} levels", _mark(node)
            )
        ident = id(node)
        if ident in self.active:
            raise _Refusal(
                "Y007", "alias-limit", "recursive alias: a node contains itself", _mark(node)
            )
        aliased = aliased or ident in self.seen
        self.seen.add(ident)
        self.nodes += 1
        if aliased:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                raise _Refusal(
                    "Y007",
                    "alias-limit",
                    f"aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing (alias bomb?)",
                    _mark(node),
                )
        if self.nodes > MAX_NODES:
            raise _Refusal(
                "Y008", "input-too-large", f"more than {MAX_NODES} YAML nodes", _mark(node)
            )
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG:
                return node.value  # what construct_yaml_str gives, without its bookkeeping
            value = self.loader.construct_object(node, deep=True)
            if value is None or isinstance(value, bool | int | float | str):
                return value
            # A timestamp (`version: 2024-01-01`) or `!!binary` has no JSON counterpart and
            # crashed the schema check: keep the text as written, which is what was meant.
            return node.value
        self.active.add(ident)
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, depth, aliased)
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, depth, aliased)
        finally:
            self.active.discard(ident)

    def _sequence(self, node: yaml.SequenceNode, depth: int, aliased: bool) -> PosSeq:
        seq = PosSeq(_mark(node))
        for item in node.value:
            seq.append(self.build(item, depth + 1, aliased))
            seq.item_pos.append(_mark(item))
        return seq

    def _mapping(self, node: yaml.MappingNode, depth: int, aliased: bool) -> PosMap:
        out = PosMap(_mark(node))
        for key_node, value_node in self._pairs(node):
            key = self.build(key_node, depth + 1, aliased)
            if not isinstance(key, str):
                raise _Refusal(
                    "Y003",
                    "non-string-key",
                    f"mapping key {key!r} is not a string (quote it)",
                    _mark(key_node),
                )
            if key in out:
                first = out.key_pos[key]
                raise _Refusal(
                    "Y002",
                    "duplicate-key",
                    f"duplicate key '{key}' (first defined at line {first[0]})",
                    _mark(key_node),
                )
            out[key] = self.build(value_node, depth + 1, aliased)
            out.key_pos[key] = _mark(key_node)
            out.value_pos[key] = _mark(value_node)
        return out

    def _pairs(self, node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refusal(
                    "Y013",
                    "merge-key",
                    "YAML merge keys ('<<') are not supported; write the fields out",
                    _mark(key_node),
                )
            yield key_node, value_node


def _finding(path: str, code: str, name: str, message: str, pos: Pos = (1, 1)) -> Diagnostic:
    return Diagnostic(Location(path, pos[0], pos[1]), code, message, "error", name)


def read_text(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's text, or findings when it is too large, unreadable or not UTF-8."""
    try:
        raw = _read_bytes(path)
    except OSError as exc:
        return None, [_finding(shown, "Y011", "unreadable", f"cannot read: {exc.strerror or exc}")]
    if isinstance(raw, int):
        return None, [
            _finding(
                shown,
                "Y008",
                "input-too-large",
                f"file is {raw} bytes; the limit is {MAX_FILE_BYTES}",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [_finding(shown, "Y004", "not-utf8", "file is not valid UTF-8", (line, col))]
    return text.removeprefix("\ufeff"), []


def _read_bytes(path: Path) -> bytes | int:
    """The file's bytes, or its size when that is over MAX_FILE_BYTES. With the system's
    calls on one descriptor: pathlib's stat, then open and read through Python's file
    objects, cost a regenerate of 1,000 catalogue files 2% of its time."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            return size
        chunks = []
        while chunk := os.read(fd, max(size, 1) + 1):  # more, if it grew meanwhile
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def parse_text(text: str, shown: str) -> tuple[Any, list[Diagnostic]]:
    """One YAML document with positions. An empty document gives (None, [])."""
    with collector_paused():
        return _parse_text(text, shown)


def collect_rarely() -> None:
    """Cyclic garbage collection every 100,000 allocations instead of 700, for a whole run.

    A run builds hundreds of thousands of small objects and frees them at exit; the default
    thresholds rescan them over and over for cycles they do not have (10-20% of a
    generate). mypy raises them for the same reason.
    """
    gc.set_threshold(100_000, 20, 20)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a while. Building a large tree makes hundreds of
    thousands of small containers and no cycles; the collector would only walk them again
    and again (half the time of loading a 5,000-site inventory, a sixth of a 5,000-file
    catalogue)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What was built is kept (the catalogue, the inventory): moved out of the
            # collector's sight, or its first pass after this would walk all of it once
            # more (a tenth of a regenerate). It is still freed when no longer referenced.
            gc.freeze()
            gc.enable()


def _parse_text(text: str, shown: str) -> tuple[Any, list[Diagnostic]]:
    loader = _PositionLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        return _Builder(loader).build(node), []
    except _Refusal as r:
        return None, [_finding(shown, r.code, r.name, r.message, r.pos)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_finding(shown, exc, text)]
    except yaml.YAMLError as exc:
        return None, [_finding(shown, "Y001", "yaml-syntax", str(exc).splitlines()[0])]
    except RecursionError:
        return None, [_finding(shown, "Y009", "nesting-too-deep", "nesting too deep")]
    finally:
        loader.dispose()


def _syntax_finding(shown: str, exc: yaml.MarkedYAMLError, text: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    at_tab = (
        mark is not None and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]
    )
    problem = exc.problem or exc.context or "invalid YAML"
    if "expected a single document" in str(exc):
        return _finding(
            shown,
            "Y006",
            "multiple-documents",
            "more than one YAML document; use one file per document",
            pos,
        )
    if at_tab:
        return _finding(
            shown, "Y012", "tab-indentation", "tab character where YAML allows only spaces", pos
        )
    start = exc.context_mark
    bom = stray_bom((mark.line, mark.column) if mark else (0, 0), lines)
    if bom is not None:
        return _finding(shown, "Y001", "yaml-syntax", STRAY_BOM, (bom[0] + 1, bom[1] + 1))
    plain = explain(
        str(exc.problem or ""),
        (mark.line, mark.column) if mark else (0, 0),
        (start.line, start.column) if start else None,
        lines,
    )
    if plain:
        return _finding(shown, "Y001", "yaml-syntax", plain, pos)
    parts = [exc.context, started_at(exc)] if exc.context and exc.problem else []
    context = f" ({'; '.join(p for p in parts if p)})" if parts else ""
    return _finding(shown, "Y001", "yaml-syntax", f"{problem}{context}", pos)


_CONSTRUCT = re.compile(r"while \w+ an? (.+)")


def started_at(exc: yaml.MarkedYAMLError) -> str:
    """Where the construct being parsed began, when on another line than the problem:
    libyaml reports an unclosed `[` at the token after it, often a line below, and names
    where the sequence started only in its context mark. Empty when on the same line."""
    start, at = exc.context_mark, exc.problem_mark
    if start is None or at is None or start.line == at.line:
        return ""
    construct = _CONSTRUCT.fullmatch(exc.context or "")
    what = f"the {construct.group(1)}" if construct else "it"
    return f"{what} started at {start.line + 1}:{start.column + 1}"


class ParseMemo(Protocol):
    """Trees parsed by an earlier run, by text (generate's cache, treecache.py)."""

    def recall(self, text: str) -> Any | None: ...

    def store(self, text: str, data: Any) -> bool:
        """Keep `data` for the next run; True if kept. A tree holding a credential-looking
        value is never kept (nor written to disk): it is parsed and scanned every time."""
        ...


def load_positioned(
    path: Path, shown: str | None = None, memo: ParseMemo | None = None
) -> tuple[YamlFile, list[Diagnostic]]:
    """Read and parse one YAML file. Problems come back as findings, never exceptions."""
    name = shown or path.as_posix()
    text, diags = read_text(path, name)
    if text is None:
        return YamlFile(name, "", None), diags
    data = memo.recall(text) if memo is not None else None
    if data is not None:
        return YamlFile(name, text, data, vetted=True), []
    data, diags = parse_text(text, name)
    if data is None and not diags:
        diags = [_finding(name, "Y005", "empty-file", "file is empty")]
    elif memo is not None and data is not None and not diags:
        return YamlFile(name, text, data, vetted=memo.store(text, data)), diags
    return YamlFile(name, text, data), diags


def locate(root: Any, path: tuple[str | int, ...], key: bool = False) -> Pos:
    """Position of the deepest node on `path`; with `key`, the key of the last step."""
    node, pos = root, getattr(root, "pos", (1, 1))
    for step in path:
        if isinstance(node, PosMap) and isinstance(step, str) and step in node:
            pos = node.key_pos[step] if key else node.value_pos[step]
            node = node[step]
        elif isinstance(node, PosSeq) and isinstance(step, int) and 0 <= step < len(node):
            pos = node.item_pos[step]
            node = node[step]
        else:
            break
    return pos


def to_plain(data: Any) -> Any:
    """Plain dicts/lists (no positions), e.g. for CEL or JSON."""
    if isinstance(data, dict):
        return {k: to_plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_plain(v) for v in data]
    return data


# --- canonical dump: the one writer of generated YAML (see LAYOUT.md) ----------------------

try:  # libyaml's emitter: ~3x faster than the pure one, byte-identical output
    from yaml import CSafeDumper as _DumperBase
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _DumperBase  # type: ignore[assignment]


class _CanonicalDumper(_DumperBase):
    """Block style, no aliases: a shared dict must never come out as `&id001`."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# Plain scalars PyYAML leaves unquoted but Go's YAML (Helm, kubectl, kustomize) reads as a
# boolean or a number: `y`/`n` (YAML 1.1), `1e3` and `0o17` (YAML 1.2). A model named `y`
# made Helm read its Chart.yaml name as `true`.
_NOT_A_STRING_IN_GO = re.compile(
    r"^(?:[yYnN]|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|0o[0-7]+)$"
)


def _represent_str(dumper: _CanonicalDumper, data: str) -> yaml.Node:
    # Multi-line text (scripts, embedded patches) reads best as a literal block; the emitter
    # falls back to a quoted style by itself when a block cannot hold the text exactly.
    style = "|" if "\n" in data else ("'" if _NOT_A_STRING_IN_GO.match(data) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_CanonicalDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """One YAML document, deterministic: insertion order kept, width 4096, block style.

    Generated trees hold tens of thousands of small documents, and PyYAML's representer
    (Python, even with the C emitter) dominates their cost. So documents made only of
    dicts, lists, single-line strings, ints, bools and None are laid out here, with each
    distinct string rendered once by PyYAML itself (so quoting is PyYAML's); anything else
    goes through PyYAML whole. Both paths give the same bytes (tested property).
    """
    try:
        return _fast_dump(data)
    except _NotSimple:
        return pyyaml_dump(data)


def pyyaml_dump(data: Any) -> str:
    """The reference dumper: PyYAML with the canonical settings."""
    text: str = yaml.dump(
        data,
        Dumper=_CanonicalDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
        indent=2,
    )
    return text


class _NotSimple(Exception):
    """The document needs PyYAML's full layout."""


_MAX_SIMPLE_SCALAR = 1000  # far below the width: PyYAML never folds such a line
_MAX_SIMPLE_KEY = 127  # PyYAML writes longer keys in the explicit `? key` form
_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")  # ... and keys holding a line break


# Strings PyYAML writes plain: a letter, then letters, digits and `._/-`. No YAML 1.1 or
# Go resolver reads one as anything but a string, except the words below (which go
# through PyYAML). Names and paths of generated objects are of this shape: asking PyYAML
# for each (tens of microseconds) was most of the cost of dumping a hub kustomization.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")
_PLAIN_WORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})


@lru_cache(maxsize=1 << 17)
def _render_str(text: str) -> str | None:
    """How PyYAML writes `text` as a block-context scalar, or None if not one line."""
    if len(text) > _MAX_SIMPLE_SCALAR:
        return None
    if _PLAIN.fullmatch(text) and text.lower() not in _PLAIN_WORDS:
        return text
    out = pyyaml_dump([text])
    if not out.startswith("- ") or out.count("\n") != 1:
        return None
    return out[2:-1]


@lru_cache(maxsize=1 << 12)
def _render_block(text: str) -> tuple[str, tuple[str, ...]] | None:
    """PyYAML's literal block for multi-line `text`: header (`|`, `|-`, `|2`...) and body
    lines relative to the block's indentation; None when it is not a plain literal."""
    if len(text) > 100 * _MAX_SIMPLE_SCALAR or not _LINE_BREAKS.isdisjoint(text.replace("\n", "")):
        return None
    out = pyyaml_dump([text])
    lines = out.split("\n")
    header = lines[0][2:]
    if not lines[0].startswith("- |") or "+" in header or lines[-1] != "":
        return None  # keep-chomping blocks also end the document with `...`
    body = lines[1:-1]
    if any(line and not line.startswith("  ") for line in body):
        return None
    return header, tuple(line[2:] for line in body)


def _block(head: str, text: str, column: int, lines: list[str]) -> bool:
    """Append `head` with a literal block of `text` whose lines start at column + 2."""
    if "\n" not in text:
        return False
    rendered = _render_block(text)
    if rendered is None:
        raise _NotSimple
    header, body = rendered
    lines.append(f"{head} {header}")
    pad = " " * (column + 2)
    lines.extend(pad + line if line else "" for line in body)
    return True


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        rendered = _render_str(value)
        if rendered is None:
            raise _NotSimple
        return rendered
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    raise _NotSimple


def _fast_dump(data: Any) -> str:
    lines: list[str] = []
    if type(data) is dict and data:
        _mapping(data, 0, lines, "")
    elif type(data) is list and data:
        _sequence(data, 0, lines)
    else:
        raise _NotSimple
    return "\n".join(lines) + "\n"


def _mapping(data: dict[Any, Any], indent: int, lines: list[str], first: str) -> None:
    pad = " " * indent
    for key, value in data.items():
        if type(key) is not str or not key or len(key) > _MAX_SIMPLE_KEY:
            raise _NotSimple
        if not _LINE_BREAKS.isdisjoint(key):
            raise _NotSimple
        head = (first or pad) + _scalar(key) + ":"
        first = ""
        kind = type(value)
        if kind is dict and value:
            lines.append(head)
            _mapping(value, indent + 2, lines, "")
        elif kind is list and value:
            lines.append(head)
            _sequence(value, indent, lines)  # PyYAML does not indent a list under a key
        elif kind is dict:
            lines.append(head + " {}")
        elif kind is list:
            lines.append(head + " []")
        elif not (kind is str and _block(head, value, indent, lines)):
            lines.append(head + " " + _scalar(value))


def _sequence(data: list[Any], indent: int, lines: list[str]) -> None:
    dash = " " * indent + "- "
    for item in data:
        kind = type(item)
        if kind is dict and item:
            _mapping(item, indent + 2, lines, dash)
        elif kind is list:
            raise _NotSimple  # nested sequences: rare, left to PyYAML
        elif kind is dict:
            lines.append(dash + "{}")
        elif not (kind is str and _block(dash.rstrip(), item, indent, lines)):
            lines.append(dash + _scalar(item))


def dump_documents(docs: list[Any]) -> str:
    """Several documents in one stream, each introduced by `---`."""
    return "".join("---\n" + dump_yaml(doc) for doc in docs)
