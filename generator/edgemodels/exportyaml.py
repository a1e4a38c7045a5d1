"""A hub export's YAML (`kubectl get managedclusters -o yaml`) cut into its items at the
lines of its `items:` list, each read by yaml-rs where nothing can read differently
(exportread.py)."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from edgemodels.exportitems import LISTS, Export, Unreadable, lean, places, shifted
from edgemodels.validate.quickyaml import documents, may_nest_deeper, risky_tokens
from edgemodels.yamltree import MAX_DEPTH, Pos, PosMap, PosSeq, parse_text

_TAB = re.compile("\t")
_ITEMS_KEY = re.compile(r"^items:[ ]*(?:#[^\n]*)?\n", re.M)
_DASH = re.compile(r"-[ ]+(?=[^ \n#])")
_FIRST_ITEM = re.compile(r"(?:[ ]*(?:#[^\n]*)?\n)*( *)-[ ]+(?=[^ \n#])")


def yaml_export(text: str, name: str) -> Export | None:
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
    lines = places(text, starts)
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
    return shifted(data, line - 1)[0]
