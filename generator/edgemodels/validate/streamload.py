"""Reading one YAML stream of a generated tree strictly: its documents, their first lines
and the findings that kept the rest out.

Loading uses PyYAML's C parser (CSafeLoader) for speed, with one addition: duplicate mapping
keys are recorded (the API server and kubeconform -strict reject them; plain PyYAML keeps the
last value silently). Positions are not kept for every node while loading, because nearly all
documents are valid; a document with a finding is composed again, once, to place it
(pointers.py: a JSON pointer turned into line:col). What one stream may hold is limited
(MAX_STREAM_CHARS, MAX_DEPTH, MAX_EXPANDED_NODES) before anything is built from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.validate import quickyaml
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.fastload import Duplicate, FastResolver, NotPlain, plain_data
from edgemodels.yamlfindings import started_at
from edgemodels.yamlloader import check_tagged_scalars


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
