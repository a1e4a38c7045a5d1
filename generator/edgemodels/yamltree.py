"""YAML text as a positioned tree: what catalogues, inventories, policy files and
kustomizations are parsed into.

libyaml (PyYAML's C parser, with the loader of yamlloader.py) composes a node graph; the
tree is built here from it, as plain dict/list subclasses (PosMap, PosSeq) that remember
where each key and value stood, so findings can name file:line:col. It is built here, not
by PyYAML's constructor, to refuse alias bombs, deep nesting, duplicate and non-string keys
with a finding instead of an exception or a silent overwrite. Text comes from files
(yamlio.py) and from elsewhere (inventories, kustomize patches), so parsing is apart from
reading. The garbage collector's settings are here too: building these trees is what makes
a run's hundreds of thousands of small objects.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from edgemodels.diagnostics import Diagnostic
from edgemodels.yamlfindings import syntax_finding, yaml_finding
from edgemodels.yamlloader import STR_TAG, PositionLoader

# Limits for every YAML input (documented in README, "Limits").
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


class _Refusal(Exception):
    def __init__(self, code: str, name: str, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.code, self.name, self.message, self.pos = code, name, message, pos


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
            if node.tag == STR_TAG:
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
    loader = PositionLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        return _Builder(loader).build(node), []
    except _Refusal as r:
        return None, [yaml_finding(shown, r.code, r.name, r.message, r.pos)]
    except yaml.MarkedYAMLError as exc:
        return None, [syntax_finding(shown, exc, text)]
    except yaml.YAMLError as exc:
        return None, [yaml_finding(shown, "Y001", "yaml-syntax", str(exc).splitlines()[0])]
    except RecursionError:
        return None, [yaml_finding(shown, "Y009", "nesting-too-deep", "nesting too deep")]
    finally:
        loader.dispose()
