"""What a hub export read fast gives (exportread.py): the items, what the plan reads of
each (lean), where each is, and a positioned tree of a piece placed where the piece is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from edgemodels.yamltree import Pos, PosMap, PosSeq

LISTS = frozenset({"List", "ManagedClusterList"})
# What managedclusters.py, clusterstatus.py and clustersets.py read of an item.
READ = {
    "metadata": ("name", "labels", "creationTimestamp", "deletionTimestamp"),
    "spec": ("taints", "hubAcceptsClient", "clusterSelector"),
    "status": ("conditions",),
}


class Unreadable(Exception):
    """An item read again with positions did not read: the export is read whole instead."""


@dataclass(frozen=True)
class Export:
    kind: str
    items: list[Any]  # what the plan reads of each item (lean), or its positioned tree
    positions: list[Pos]
    items_pos: Pos  # where the list is
    positioned: Callable[[int], Any]  # item N with positions


def lean(item: Any) -> Any:
    """The part of an item the plan reads (READ): the rest of a cluster's status, its
    claims, CA bundle and managedFields are most of an export."""
    if not isinstance(item, dict):
        return item
    out = {"kind": item["kind"]} if "kind" in item else {}
    for key, fields in READ.items():
        if key in item:
            value = item[key]
            out[key] = (
                {f: value[f] for f in fields if f in value} if isinstance(value, dict) else value
            )
    return out


def shifted(node: Any, lines: int) -> Any:
    """A positioned tree parsed from a piece of the file, placed where the piece is."""
    if isinstance(node, PosMap):
        node.pos = (node.pos[0] + lines, node.pos[1])
        node.key_pos = {k: (line + lines, col) for k, (line, col) in node.key_pos.items()}
        node.value_pos = {k: (line + lines, col) for k, (line, col) in node.value_pos.items()}
        for value in node.values():
            shifted(value, lines)
    elif isinstance(node, PosSeq):
        node.pos = (node.pos[0] + lines, node.pos[1])
        node.item_pos = [(line + lines, col) for line, col in node.item_pos]
        for value in node:
            shifted(value, lines)
    return node


def places(text: str, offsets: list[int]) -> list[Pos]:
    """(line, column) of each offset, in order."""
    places, line, last = [], 1, 0
    for offset in offsets:
        line += text.count("\n", last, offset)
        places.append((line, offset - text.rfind("\n", 0, offset)))
        last = offset
    return places
