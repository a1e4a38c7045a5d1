"""A hub export's JSON (`kubectl get managedclusters -o json`) read item by item with
`json`, where YAML 1.1 reads it alike (exportread.py)."""

from __future__ import annotations

import json
import re
from typing import Any

from edgemodels.exportitems import LISTS, Export, Unreadable, lean, places, shifted
from edgemodels.yamltree import MAX_DEPTH, parse_text

_SPACE = re.compile(r"[ \t\n]*")  # JSON's white space (`\r\n` read as `\n` before)
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def json_export(text: str, name: str) -> Export | None:
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
    positions = places(text, [start for start, _ in spans])

    def positioned(index: int) -> Any:
        (line, col), (start, end) = positions[index], spans[index]
        data, diags = parse_text(" " * (col - 1) + text[start:end], name)
        if diags:
            raise Unreadable(name)
        return shifted(data, line - 1)

    list_pos = places(text, [text.rfind("[", 0, spans[0][0])])[0]
    return Export("", items, positions, list_pos, positioned), at + 1


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
