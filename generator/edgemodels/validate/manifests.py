"""YAML documents as Manifests: load strictly, with the first line of each document.

Loading uses PyYAML's C parser (CSafeLoader) for speed, with one addition: duplicate mapping
keys are recorded (the API server and kubeconform -strict reject them; plain PyYAML keeps the
last value silently). Positions are not kept for every node while loading, because nearly all
documents are valid; a document with a finding is composed again, once, to place it
(pointers.py: a JSON pointer turned into line:col).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.origins import SOURCE_ANNOTATION, parse_source
from edgemodels.validate import quickyaml
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.fastload import Duplicate, FastResolver, NotPlain, plain_data
from edgemodels.yamlfindings import started_at
from edgemodels.yamlloader import check_tagged_scalars


@dataclass(frozen=True)
class Template:
    """A chart template's text, read when a finding first needs it: on the 600-chart
    benchmark fleet reading every rendered template up front cost ~0.2 s of a validate
    that places no finding on one. `fallback` stands in when the file cannot be read."""

    file: str
    fallback: str = ""
    _read: list[str] = field(default_factory=list, compare=False, repr=False)

    @property
    def text(self) -> str:
        if not self._read:
            try:
                with open(self.file, encoding="utf-8", errors="replace") as handle:
                    self._read.append(handle.read())
            except OSError:
                self._read.append(self.fallback)
        return self._read[0]


@dataclass(frozen=True)
class Source:
    """The text a document was parsed from, to place findings on it.

    `path` is the tree-relative file that findings name. For Helm output `text` is the
    rendered template and `template` the template it came from: findings move onto its
    lines.
    """

    path: str
    text: str = ""
    index: int = 0
    template: Template | None = None


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object to validate. `context` says which render/build produced it;
    `overlay` is the tree-relative folder of the kustomization that built it; `size` the
    bytes of its YAML text, measured only in a stream over ETCD_REQUEST_BYTES (0 in any
    other, where no document can be over it: document_sizes)."""

    data: Mapping[str, object]
    source: Source
    context: str = ""
    line: int = 1
    overlay: str = ""
    size: int = 0

    @property
    def api_version(self) -> str:
        value = self.data.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.data.get("kind")
        return value if isinstance(value, str) else ""

    @property
    def metadata(self) -> Mapping[str, object]:
        value = self.data.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def name(self) -> str:
        value = self.metadata.get("name")
        return value if isinstance(value, str) else ""

    @property
    def namespace(self) -> str:
        value = self.metadata.get("namespace")
        return value if isinstance(value, str) else ""

    def annotation(self, key: str) -> str | None:
        annotations = self.metadata.get("annotations")
        if isinstance(annotations, dict):
            value = annotations.get(key)
            return value if isinstance(value, str) else None
        return None


class _StrictLoader(FastResolver, yaml.CSafeLoader):
    """CSafeLoader that records duplicate keys instead of silently keeping the last one."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[str, yaml.Mark]] = []

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    self.duplicates.append((key_node.value, key_node.start_mark))
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)


def _as_json(loader: _StrictLoader, node: Node) -> object:
    """What the API server would see for a YAML 1.1 type without a JSON counterpart (a date
    in an edited annotation, `!!set` in a template): those crashed the schema check."""
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


for _tag in ("timestamp", "binary", "set", "omap", "pairs"):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _as_json)
check_tagged_scalars(_StrictLoader)  # `!!int foo` is a K108, not a crash


@dataclass(frozen=True)
class Loaded:
    """The documents of one YAML stream (empty ones included, as None) and its findings."""

    documents: tuple[tuple[object, int], ...]  # (data, 1-based first line)
    diagnostics: tuple[Diagnostic, ...]


# Limits on what one file (or one render/build output) may hold; docs/reliability.md.
MAX_STREAM_CHARS = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 1_000_000  # nodes once every alias is expanded
REFUSED = "YAML refused"  # a K108 of the limits above (discover.py looks for it)


class _Refused(Exception):
    pass


def _expanded(node: Node, depth: int, active: set[int], memo: dict[int, tuple[int, int]]) -> int:
    """Height of `node`'s subtree; counts its nodes with aliases expanded into memo."""
    if isinstance(node, ScalarNode):
        return 0
    if depth > MAX_DEPTH:
        raise _Refused(f"nesting deeper than {MAX_DEPTH} levels")
    key = id(node)
    if key in active:
        raise _Refused("a recursive alias: a node contains itself")
    if key not in memo:
        active.add(key)
        pairs = node.value
        children = pairs if isinstance(node, SequenceNode) else [n for kv in pairs for n in kv]
        heights = [_expanded(c, depth + 1, active, memo) for c in children]
        sizes = sum(memo[id(c)][0] if id(c) in memo else 1 for c in children)
        memo[key] = (1 + sizes, 1 + max(heights, default=0))
        active.discard(key)
    size, height = memo[key]
    if depth + height > MAX_DEPTH:
        raise _Refused(f"nesting deeper than {MAX_DEPTH} levels")
    if size > MAX_EXPANDED_NODES:
        raise _Refused(f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb?)")
    return height


def _check_limits(node: Node) -> None:
    """Refuse what would make every later step loop or explode, before it is built."""
    _expanded(node, 0, set(), {})


def load_stream(path: str, text: str, fast: bool = True) -> Loaded:
    """Parse every document of `text`; a syntax error ends the stream with a K108.

    `fast=False` builds every document with PyYAML's constructor (tests compare both).
    """
    if len(text) > MAX_STREAM_CHARS:
        message = f"{len(text)} characters; the limit is {MAX_STREAM_CHARS}"
        return Loaded((), (diagnostic("K108", Location(path, 1, 1), message),))
    if fast:
        quick = quickyaml.documents(text, MAX_DEPTH)
        if quick is not None:
            return Loaded(quick, ())
    loader = _StrictLoader(text)
    documents: list[tuple[object, int]] = []
    found: list[Diagnostic] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            if fast:
                try:
                    own: list[Duplicate] = []
                    data = plain_data(loader, node, MAX_DEPTH, own)
                    documents.append((data, node.start_mark.line + 1))
                    loader.duplicates += own
                    continue
                except NotPlain:
                    pass  # built PyYAML's way below, its limits checked first
            try:
                _check_limits(node)
            except (_Refused, RecursionError) as refused:
                where = Location(path, node.start_mark.line + 1, node.start_mark.column + 1)
                found.append(diagnostic("K108", where, f"{REFUSED}: {refused}"))
                break
            documents.append((loader.construct_document(node), node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        started = f" ({start})" if (start := started_at(exc)) else ""
        found.append(diagnostic("K108", where, f"YAML does not parse: {problem}{started}"))
    except yaml.YAMLError as exc:
        found.append(diagnostic("K108", Location(path, 1, 1), f"YAML does not parse: {exc}"))
    finally:
        loader.dispose()
    for key, mark in loader.duplicates:
        where = Location(path, mark.line + 1, mark.column + 1)
        found.append(diagnostic("K109", where, f"duplicate key '{key}': the last value wins here"))
    return Loaded(tuple(documents), tuple(found))


# A line that holds no YAML content: blank, a comment, or a document marker (with a
# comment). Atomic and possessive: without them, the first line with content made the
# engine give back a comment's characters one by one (36 ms for the 9,081 files of the
# benchmark tree, against 8 ms).
_EMPTY_LINE = rb"(?>(?:(?:---|\.\.\.)(?=[ \t\r\n]|$))?[ \t]*+(?:#[^\r\n]*+)?)"
_NO_CONTENT = re.compile(rb"(?:%s\r?\n)*+%s" % (_EMPTY_LINE, _EMPTY_LINE))


def holds_no_object(data: bytes) -> bool:
    """Whether a file holds nothing but blank lines, comments and document markers: no
    object, like an empty file. Fails at the first line with content (a generated file's
    second), so it costs nothing worth measuring on files read anyway."""
    return _NO_CONTENT.fullmatch(data) is not None


def not_utf8(path: str, data: bytes, error: UnicodeDecodeError) -> Diagnostic:
    """K108 at the first byte of `data` that is not UTF-8 (the API server reads UTF-8 only)."""
    before = data[: error.start]
    line = before.count(b"\n") + 1
    col = len(before) - (before.rfind(b"\n") + 1) + 1
    message = f"not UTF-8: byte 0x{data[error.start]:02x} cannot be read (save the file as UTF-8)"
    return diagnostic("K108", Location(path, line, col), message)


def manifests_of(
    path: str, text: str, context: str = ""
) -> tuple[list[Manifest], list[Diagnostic]]:
    """The non-empty documents of a stream as Manifests, and what kept others out."""
    loaded = load_stream(path, text)
    found: list[Manifest] = []
    problems = list(loaded.diagnostics)
    sizes = document_sizes(text, [line for _, line in loaded.documents])
    for index, (data, line) in enumerate(loaded.documents):
        if data is None:
            continue
        if not isinstance(data, dict):
            where = Location(path, line, 1)
            message = f"document is a {json_type(data)}, not a Kubernetes object"
            problems.append(diagnostic("K107", where, message))
            continue
        size = sizes[index] if sizes else 0
        found.append(Manifest(data, Source(path, text, index), context, line, size=size))
    return found, problems


# etcd's default --max-request-bytes: the largest object the API server can store
# (objectsizes.py says where the figure comes from)
ETCD_REQUEST_BYTES = 3 * 1024 * 1024 // 2


def document_sizes(text: str, starts: Sequence[int]) -> list[int] | None:
    """The bytes of each document of `text` (from its first line, `starts`, to the next
    one's) when the stream is over ETCD_REQUEST_BYTES; None for a smaller one, none of
    whose documents can be over it: nothing is measured on the streams of a usual tree
    (str.isascii() is O(1); a stream of other text is encoded only past a quarter of it)."""
    if not starts or len(text) <= ETCD_REQUEST_BYTES // 4:
        return None  # no document: refused (too long), or a YAML error before the first
    ascii_only = text.isascii()
    if ascii_only and len(text) <= ETCD_REQUEST_BYTES:
        return None
    offsets = _line_offsets(text, starts)
    ends = [*offsets[1:], len(text)]
    if ascii_only:
        return [end - start for start, end in zip(offsets, ends, strict=True)]
    return [
        len(text[start:end].encode("utf-8", "surrogatepass"))
        for start, end in zip(offsets, ends, strict=True)
    ]


def _line_offsets(text: str, lines: Sequence[int]) -> list[int]:
    """The offset in `text` where each of `lines` (1-based, ascending) starts."""
    offsets = []
    line, pos = 1, 0
    for wanted in lines:
        while line < wanted:
            found = text.find("\n", pos)
            if found < 0:
                break
            pos, line = found + 1, line + 1
        offsets.append(pos)
    return offsets


def shape_problem(data: Mapping[str, object]) -> str | None:
    """Why a mapping is not a Kubernetes object (no apiVersion or kind), or None."""
    for key in ("apiVersion", "kind"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            return f"no string '{key}'"
    return None


def json_type(value: object) -> str:
    """The JSON Schema type name of a parsed YAML value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__  # dates and other YAML-only types


def origin_of(manifest: Manifest) -> Location | None:
    """The catalogue entry that produced an object (`edgemodels.io/source`, origins.py)."""
    return parse_source(manifest.annotation(SOURCE_ANNOTATION))
