"""Positioned trees (yamltree.PosMap / PosSeq) as JSON, for generate's parse cache.

A map is ["m", line, col, [key, key line, key col, value line, value col, value, ...]], a
sequence ["s", line, col, [item line, item col, item, ...]]; a scalar is itself. Lists are
only ever nodes (every YAML sequence is a PosSeq), so the shape is unambiguous.
"""

from __future__ import annotations

import json
from hashlib import sha256
from typing import Any

from edgemodels.yamltree import MAX_DEPTH, PosMap, PosSeq


def encode_positioned(data: Any) -> bytes | None:
    """`data` as JSON, or None when it holds a value JSON cannot carry exactly (a date,
    bytes, a non-finite float): such a file is simply parsed every time."""
    try:
        return json.dumps(_encode(data), separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError):
        return None


def _encode(value: Any) -> Any:
    kind = type(value)
    if kind is PosMap:
        flat: list[Any] = []
        for key, item in value.items():
            flat += (key, *value.key_pos[key], *value.value_pos[key], _encode(item))
        return ["m", *value.pos, flat]
    if kind is PosSeq:
        flat = []
        for pos, item in zip(value.item_pos, value, strict=True):
            flat += (*pos, _encode(item))
        return ["s", *value.pos, flat]
    if value is None or kind in (str, int, bool, float):
        return value
    raise TypeError(f"not kept: {kind.__name__}")


def content_digest(data: Any) -> str:
    """sha256 hex of what a parsed file says: keys sorted, no positions, so a comment, a
    blank line, quoting or indentation leaves it alone. A value JSON cannot carry (a date)
    goes in as its type and text."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=_tagged)
    return sha256(text.encode()).hexdigest()


def _tagged(value: Any) -> dict[str, str]:
    return {"!" + type(value).__name__: str(value)}


def decode_positioned(raw: bytes) -> Any:
    """The tree `encode_positioned` wrote. Raises ValueError on anything else."""
    try:
        return _decode(json.loads(raw), 0)
    except (TypeError, IndexError, KeyError) as exc:
        raise ValueError(f"not an encoded tree: {exc}") from exc


def _decode(value: Any, depth: int) -> Any:
    if type(value) is not list:
        return value
    if depth > MAX_DEPTH:
        raise ValueError("nesting too deep")
    tag, line, col, flat = value
    if tag == "m":
        out = PosMap((line, col))
        for i in range(0, len(flat), 6):
            key = flat[i]
            if type(key) is not str or key in out:
                raise ValueError("bad key")
            out.key_pos[key] = (flat[i + 1], flat[i + 2])
            out.value_pos[key] = (flat[i + 3], flat[i + 4])
            out[key] = _decode(flat[i + 5], depth + 1)
        return out
    if tag != "s":
        raise ValueError("bad node")
    seq = PosSeq((line, col))
    for i in range(0, len(flat), 3):
        seq.item_pos.append((flat[i], flat[i + 1]))
        seq.append(_decode(flat[i + 2], depth + 1))
    return seq
