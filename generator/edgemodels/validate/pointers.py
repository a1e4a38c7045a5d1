"""JSON pointers into YAML documents: parsed and printed, looked up in loaded data, and
placed on the line:col of the node they name. Positions are not kept while loading (nearly
every document is valid); a document with a finding is composed again, once, to place it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Pointer = tuple[str | int, ...]


@lru_cache(maxsize=128)
def _compose(text: str) -> tuple[Node | None, ...]:
    try:
        return tuple(yaml.compose_all(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return ()


def _child(node: Node, segment: str | int) -> tuple[Node, Node] | None:
    """(key-or-item node, value node) for one pointer segment, or None."""
    if isinstance(node, MappingNode):
        hit = None
        for key_node, value_node in node.value:  # the last duplicate wins, as when loading
            if isinstance(key_node, ScalarNode) and key_node.value == str(segment):
                hit = (key_node, value_node)
        return hit
    if isinstance(node, SequenceNode):
        index = segment if isinstance(segment, int) else _index(segment)
        if index is not None and 0 <= index < len(node.value):
            item: Node = node.value[index]
            return item, item
    return None


def _index(segment: str) -> int | None:
    return int(segment) if segment.isdigit() else None


def position(text: str, index: int, pointer: Pointer, at_key: bool = False) -> tuple[int, int]:
    """1-based (line, col) of the deepest node of `pointer` in document `index` of `text`.

    A scalar is placed on its value; a mapping or sequence (or `at_key`) on the key that
    holds it, which is where a reader looks for "missing field" or "unknown field".
    """
    nodes = _compose(text)
    root = nodes[index] if index < len(nodes) else None
    if root is None:
        return 1, 1
    node: Node = root
    key_node: Node | None = None
    for segment in pointer:
        step = _child(node, segment)
        if step is None:
            break
        key_node, node = step
    chosen = node
    if key_node is not None and (at_key or not isinstance(node, ScalarNode)):
        chosen = key_node
    return chosen.start_mark.line + 1, chosen.start_mark.column + 1


def parse_pointer(text: str) -> Pointer:
    """A JSON pointer string ('/spec/containers/0') as segments ('spec', 'containers', '0')."""
    if not text or text == "/":
        return ()
    parts = text.lstrip("/").split("/")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in parts)


def pointer_text(pointer: Sequence[str | int]) -> str:
    if not pointer:
        return "/"
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


def value_at(data: object, pointer: Pointer) -> object:
    """The value `pointer` names in `data`, or None when it does not exist."""
    node = data
    for segment in pointer:
        if isinstance(node, dict):
            node = node.get(str(segment))
        elif isinstance(node, list):
            index = segment if isinstance(segment, int) else _index(segment)
            if index is None or not 0 <= index < len(node):
                return None
            node = node[index]
        else:
            return None
    return node
