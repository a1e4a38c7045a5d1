"""A faster way from PyYAML nodes to Python data, for the documents nearly every tree holds.

Rendered charts and built overlays are parsed by the thousand (the 1,000-model benchmark
fleet: 6,000 streams, 9 MB). PyYAML's C parser composes nodes quickly, but its Python
constructor then spends more than the parser did: a generator per mapping, recursion
bookkeeping, and the alias walk of `manifests._check_limits`. A Kubernetes object is
mappings, sequences and core scalars, without anchors, tags or merge keys; such a
document is built here in one recursive pass (2.3x faster for the whole load).
Anything else raises `NotPlain`, and the caller builds that document PyYAML's way.

The result is the same as `SafeConstructor`'s, duplicate keys included: the property
tests in tests/unit/validate/test_fastload.py compare both on generated and odd input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_CORE = "tag:yaml.org,2002:"
STR, MAP, SEQ = _CORE + "str", _CORE + "map", _CORE + "seq"
_SCALARS = frozenset(_CORE + t for t in ("int", "float", "bool", "null"))
_IMPLICIT = dict(yaml.CSafeLoader.yaml_implicit_resolvers)
# resolve() below relies on the safe loader resolving by first character only: no
# wildcard resolvers and no path resolvers.
assert None not in _IMPLICIT and not yaml.CSafeLoader.yaml_path_resolvers

Duplicate = tuple[str, yaml.Mark]


class NotPlain(Exception):
    """The document needs PyYAML's own constructor (or its limit checks)."""


class FastResolver:
    """`BaseResolver.resolve` without the branches the safe loader never takes.

    The C parser calls it for every node, half a million times on the benchmark fleet.
    """

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return cast(str, tag)
            return STR
        return SEQ if kind is SequenceNode else MAP


Construct = Callable[[SafeConstructor, Node], object]


def plain_data(
    loader: SafeConstructor, node: Node, max_depth: int, duplicates: list[Duplicate]
) -> object:
    """The data of a document holding only maps, sequences and core scalars.

    Raises NotPlain for anything else, and for a mapping or sequence `max_depth` levels
    down (the caller's limit check refuses that document and words why). Duplicate keys
    are appended to `duplicates`.
    """
    constructors = cast(dict[str, Construct], loader.yaml_constructors)
    return _Build(loader, constructors, max_depth, duplicates).data(node, 0)


class _Build:
    def __init__(
        self,
        loader: SafeConstructor,
        constructors: dict[str, Construct],
        max_depth: int,
        duplicates: list[Duplicate],
    ) -> None:
        self.loader, self.constructors = loader, constructors
        self.max_depth, self.duplicates = max_depth, duplicates
        # An alias makes one node appear twice. Aliased mappings and sequences are what
        # alias bombs are made of, so those documents take the checked way.
        self.containers: set[int] = set()

    def data(self, node: Node, depth: int) -> object:
        tag, cls = node.tag, node.__class__
        if cls is ScalarNode:
            if tag == STR:
                return node.value
            if tag in _SCALARS:
                return self.constructors[tag](self.loader, node)
            raise NotPlain
        if depth >= self.max_depth or id(node) in self.containers:
            raise NotPlain  # too deep for `_check_limits`, or an alias
        self.containers.add(id(node))
        if isinstance(node, MappingNode) and tag == MAP:
            return self.mapping(node, depth)
        if cls is SequenceNode and tag == SEQ:
            return [self.data(item, depth + 1) for item in node.value]
        raise NotPlain

    def mapping(self, node: MappingNode, depth: int) -> dict[object, object]:
        out: dict[object, object] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                raise NotPlain  # a complex key: PyYAML says why it is refused
            key = key_node.value
            if key in seen:
                self.duplicates.append((key, key_node.start_mark))
            seen.add(key)
            if key_node.tag != STR:
                if key_node.tag not in _SCALARS:
                    raise NotPlain  # merge keys (<<), `=` and explicit tags
                key = self.constructors[key_node.tag](self.loader, key_node)
            if value_node.__class__ is ScalarNode and value_node.tag == STR:
                out[key] = value_node.value
            else:
                out[key] = self.data(value_node, depth + 1)
        return out
