"""A hub export (`kubectl get managedclusters -o yaml`, or `-o json`) read fast, without a
position for every value, where nothing in it can read differently from the positioned
tree (yamltree.py); None where it might, for the caller to read it that way.

A 3,000-cluster export is some 17 MB of YAML (27 MB as JSON) of which a plan reads a
tenth (names, labels, taints, the Available condition, times); building its positioned
tree took about 3 s and 450 MB. Here:

- JSON goes to `json` item by item, each one's place taken from where it starts. It reads
  as YAML 1.1 reads it except for what is refused: a number with an exponent (`1e3` is
  text to YAML 1.1), `NaN` and `Infinity`, a duplicate key, an escaped surrogate (libyaml
  refuses one), a key long enough that YAML would not take it as a key (1,024 characters
  as written), and tabs (kubectl writes none).
- YAML is cut into its items at the lines of the `items:` list (a `- ` at the list's
  column), each read by yaml-rs when validate/quickyaml.py's guard finds nothing that YAML
  1.1 could read differently, by the positioned loader otherwise (an anchor, a `yes`, a
  date...); what is around the items (apiVersion, kind, metadata) is read positioned.
- A tab is a risky token: the item holding one is looked at alone, and read positioned
  where it matters; the other items are read fast.
- Line ends of `\r\n` (an export saved on Windows) are read as `\n`, as libyaml reads them,
  in values too; a `\r` alone is left to the positioned tree.
- One ManagedCluster on its own (`kubectl get managedcluster NAME -o yaml`) is read
  positioned: some 5 KB, 1.6 ms.
- Only what the plan reads of an item is kept (READ); an item with a finding is read
  again with positions (`positioned`), so the finding names its line and column.
- Anything unusual (no `items:` list of its own lines, a list empty, a value nested near
  MAX_DEPTH, a text that may hold near MAX_NODES values, an item that does not read) is
  left to the positioned tree, which says what is wrong as it always has.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from edgemodels.validate.quickyaml import (
    documents,
    may_nest_deeper,
    odd_characters,
    risky_tokens,
)
from edgemodels.yamltree import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_NODES,
    Pos,
    PosMap,
    PosSeq,
    collector_paused,
    parse_text,
)

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


def read_export(text: str, name: str) -> Export | None:
    with collector_paused():  # a fifth of the time otherwise, as for the positioned tree
        return _read_export(text, name)


def _read_export(text: str, name: str) -> Export | None:
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None  # a line ended by `\r` alone
        # libyaml reads `\r\n` as `\n`, in values too, and counts lines and columns alike
        text = text.replace("\r\n", "\n")
    if odd_characters(text):
        return None
    if text.lstrip(" \n").startswith("{"):
        if "\t" in text or _json_nodes(text) > MAX_NODES:
            return None
        return _json_export(text, name)
    return _yaml_export(text, name) if _yaml_nodes(text) <= MAX_NODES else None


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


def _json_nodes(text: str) -> int:
    """At least as many values as the JSON holds: two a member (a `:`), one an element."""
    return 2 * text.count(":") + text.count(",") + text.count("[") + 1


def _yaml_nodes(text: str) -> int:
    """At least as many values as the YAML holds: every key has a `:` or a `?` (a flow
    entry may have neither: commas and brackets count for those), every block item a
    `- `; aliases add at most MAX_ALIAS_NODES."""
    marks = text.count(":") + text.count("?") + text.count("- ") + text.count("-\n")
    marks += text.count(",") + text.count("[") + text.count("{") + 1
    return 3 * marks + MAX_ALIAS_NODES


def _shifted(node: Any, lines: int) -> Any:
    """A positioned tree parsed from a piece of the file, placed where the piece is."""
    if isinstance(node, PosMap):
        node.pos = (node.pos[0] + lines, node.pos[1])
        node.key_pos = {k: (line + lines, col) for k, (line, col) in node.key_pos.items()}
        node.value_pos = {k: (line + lines, col) for k, (line, col) in node.value_pos.items()}
        for value in node.values():
            _shifted(value, lines)
    elif isinstance(node, PosSeq):
        node.pos = (node.pos[0] + lines, node.pos[1])
        node.item_pos = [(line + lines, col) for line, col in node.item_pos]
        for value in node:
            _shifted(value, lines)
    return node


# --- JSON -----------------------------------------------------------------------------------

_SPACE = re.compile(r"[ \n]*")
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _json_export(text: str, name: str) -> Export | None:
    if _SURROGATE.search(text):
        return None
    longest = _longest_key(text)
    decoder = json.JSONDecoder(
        object_pairs_hook=lambda pairs: _unique(pairs, longest),
        parse_float=_float,
        parse_constant=_refused,
    )
    try:
        return _json_document(text, name, decoder, longest)
    except (ValueError, RecursionError):
        return None


def _json_document(text: str, name: str, decoder: json.JSONDecoder, longest: int) -> Export | None:
    at = _SPACE.match(text).end()  # type: ignore[union-attr]
    if not text.startswith("{", at):
        return None
    found: Export | None = None
    kind: Any = None
    seen: set[str] = set()
    while True:
        at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
        if not text.startswith('"', at):
            return None
        key, at = decoder.raw_decode(text, at)
        if key in seen or len(key) > longest:
            return None
        seen.add(key)
        at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        if not text.startswith(":", at):
            return None
        at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
        if key == "items":
            found, at = _json_items(text, at, name, decoder)
            if found is None:
                return None
        else:
            start = at
            value, at = decoder.raw_decode(text, at)
            if _too_deep(text, start, at, value, 1):
                return None
            kind = value if key == "kind" else kind
        at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        if not text.startswith(",", at):
            break
    if not text.startswith("}", at) or _SPACE.match(text, at + 1).end() != len(text):  # type: ignore[union-attr]
        return None
    if found is None or not isinstance(kind, str) or kind not in LISTS:
        return None
    return Export(kind, found.items, found.positions, found.items_pos, found.positioned)


def _longest_key(text: str) -> int:
    """YAML takes a key of at most 1,024 characters as written; an escape writes one in up
    to six (`\\u0026`), any other in two."""
    return 160 if "\\u" in text else 500


def _json_items(
    text: str, at: int, name: str, decoder: json.JSONDecoder
) -> tuple[Export | None, int]:
    if not text.startswith("[", at):
        return None, at
    items: list[Any] = []
    spans: list[tuple[int, int]] = []
    while True:
        at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
        start = at
        value, at = decoder.raw_decode(text, at)
        if _too_deep(text, start, at, value, 2):
            return None, at
        items.append(lean(value))
        spans.append((start, at))
        at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        if not text.startswith(",", at):
            break
    if not text.startswith("]", at):
        return None, at
    positions = _places(text, [start for start, _ in spans])

    def positioned(index: int) -> Any:
        (line, col), (start, end) = positions[index], spans[index]
        data, diags = parse_text(" " * (col - 1) + text[start:end], name)
        if diags:
            raise Unreadable(name)
        return _shifted(data, line - 1)

    list_pos = _places(text, [text.rfind("[", 0, spans[0][0])])[0]
    return Export("", items, positions, list_pos, positioned), at + 1


def _places(text: str, offsets: list[int]) -> list[Pos]:
    """(line, column) of each offset, in order."""
    places, line, last = [], 1, 0
    for offset in offsets:
        line += text.count("\n", last, offset)
        places.append((line, offset - text.rfind("\n", 0, offset)))
        last = offset
    return places


def _too_deep(text: str, start: int, end: int, value: Any, depth: int) -> bool:
    """Could the value at `depth`, written at text[start:end], hold a value deeper than
    MAX_DEPTH? Its brackets bound its depth; counted, then walked when they do not."""
    if depth + text.count("{", start, end) + text.count("[", start, end) <= MAX_DEPTH:
        return False
    return _depth(value) + depth > MAX_DEPTH


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _unique(pairs: list[tuple[str, Any]], longest: int) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs) or any(len(key) > longest for key in out):
        raise ValueError("a duplicate key, or a key YAML would not read as one")
    return out


def _float(written: str) -> float:
    if "e" in written or "E" in written:
        raise ValueError("an exponent: text to YAML 1.1")
    return float(written)


def _refused(written: str) -> Any:
    raise ValueError(f"{written}: text to YAML")


# --- YAML -----------------------------------------------------------------------------------

_TAB = re.compile("\t")
_ITEMS_KEY = re.compile(r"^items:[ ]*(?:#[^\n]*)?\n", re.M)
_DASH = re.compile(r"-[ ]+(?=[^ \n#])")
_FIRST_ITEM = re.compile(r"(?:[ ]*(?:#[^\n]*)?\n)*( *)-[ ]+(?=[^ \n#])")


def _yaml_export(text: str, name: str) -> Export | None:
    keys = list(_ITEMS_KEY.finditer(text))
    if len(keys) != 1:
        return None
    body = keys[0].end()
    first = _FIRST_ITEM.match(text, body)
    if first is None:
        return None
    indent = len(first.group(1))
    starts, end = _item_lines(text, body, indent)
    if starts is None:
        return None
    skeleton = text[:body] + "\n" * text.count("\n", body, end) + text[end:]
    top, diags = parse_text(skeleton, name)
    if diags or not isinstance(top, PosMap) or top.get("kind") not in LISTS:
        return None
    if "items" not in top or top["items"] is not None:
        return None
    return _yaml_items(text, name, top["kind"], starts, end)


def _item_lines(text: str, body: int, indent: int) -> tuple[list[int] | None, int]:
    """Where each item's line starts, and where the list ends: at the first line (not
    blank, not a comment) indented less, or as far without a `- `."""
    line_at = re.compile(rf"^( {{0,{indent}}})(?=[^ \n#])", re.M)
    starts: list[int] = []
    for found in line_at.finditer(text, body):
        lead = found.end()
        if len(found.group(1)) == indent and text.startswith("-", lead):
            if not _DASH.match(text, lead):
                return None, 0  # the item starts on a line of its own, or `-x` is no item
            starts.append(found.start())
        else:
            return starts, found.start()
    return starts, len(text)


def _yaml_items(text: str, name: str, kind: str, starts: list[int], end: int) -> Export | None:
    bounds = [*starts, end]
    lines = _places(text, starts)
    items: list[Any] = []
    positions: list[Pos] = []
    clean = _clean(text, bounds)  # else each item is looked at alone
    for index, (line, _) in enumerate(lines):
        piece = text[bounds[index] : bounds[index + 1]]
        checked = clean[index]
        read = documents(piece, MAX_DEPTH - 1, characters_checked=True, tokens_checked=checked)
        if read is not None and len(read) == 1 and _one_item(read[0][0]):
            item = lean(read[0][0][0])  # type: ignore[index]
        elif may_nest_deeper(piece, MAX_DEPTH - 1):
            return None  # read alone it would be a level higher: the limit is the file's
        else:
            try:
                item = _positioned_piece(piece, name, line)
            except Unreadable:
                return None
        items.append(item)
        dash = piece.index("-")
        positions.append((line, len(piece) - len(piece[dash + 1 :].lstrip(" ")) + 1))

    def positioned(index: int) -> Any:
        piece = text[bounds[index] : bounds[index + 1]]
        return _positioned_piece(piece, name, lines[index][0])

    indent = text.index("-", starts[0]) - starts[0]
    return Export(kind, items, positions, (lines[0][0], indent + 1), positioned)


def _clean(text: str, bounds: list[int]) -> list[bool]:
    """Which items hold no risky token: asked once of each run of items without a tab (a
    tab is a risky token: the item holding one is looked at alone, the others not)."""
    tabs = _TAB.finditer(text, bounds[0], bounds[-1])
    tabbed = {bisect_right(bounds, tab.start()) - 1 for tab in tabs}
    clean = [False] * (len(bounds) - 1)
    first = 0
    for last in (*sorted(tabbed), len(clean)):
        if first < last and not risky_tokens(text[bounds[first] : bounds[last]]):
            clean[first:last] = [True] * (last - first)
        first = last + 1
    return clean


def _one_item(data: object) -> bool:
    return isinstance(data, list) and len(data) == 1


def _positioned_piece(piece: str, name: str, line: int) -> Any:
    data, diags = parse_text(piece, name)
    if diags or not isinstance(data, PosSeq) or len(data) != 1:
        raise Unreadable(name)
    return _shifted(data, line - 1)[0]
