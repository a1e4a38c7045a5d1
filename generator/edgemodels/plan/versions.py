"""Ordering model versions: semantic versions first, then versions of the same shape.

- Two semantic versions (an optional leading `v` is ignored) are ordered by SemVer 2.0
  precedence: 1.9.0 < 1.10.0, 2.0.0-rc.1 < 2.0.0; build metadata does not order.
- Otherwise two versions are ordered only when they have the same shape: the same text
  once every run of digits is replaced by one placeholder (`2024.05.01` and `2024.11.30`,
  `r9` and `r10`, `llama3-q4` and `llama3-q8`); their numbers are then compared in turn.
- Anything else (`latest` -> `1.2`, two digests, `1.0.0+a` -> `1.0.0+b`) is a version that
  changed without a known direction.
"""

from __future__ import annotations

import re
from typing import Literal

Direction = Literal["upgraded", "downgraded", "changed", "same"]

_SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
_DIGITS = re.compile(r"\d+")

# A pre-release part compares as (0, number) for numeric identifiers, (1, text) otherwise,
# so numbers sort before text as SemVer requires.
PreKey = tuple[tuple[int, int, str], ...]
SemKey = tuple[int, int, int, int, PreKey]


def semver_key(version: str) -> SemKey | None:
    match = _SEMVER.match(version)
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    if pre is None:
        # A release sorts after all of its pre-releases.
        return int(major), int(minor), int(patch), 1, ()
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return int(major), int(minor), int(patch), 0, parts


def shape_key(version: str) -> tuple[str, tuple[int, ...]]:
    """(text with digits replaced by '#', the numbers in order)."""
    return _DIGITS.sub("#", version), tuple(int(n) for n in _DIGITS.findall(version))


def compare(old: str, new: str) -> Direction:
    """How a model's version moved from `old` to `new`."""
    if old == new:
        return "same"
    old_sem, new_sem = semver_key(old), semver_key(new)
    if old_sem is not None and new_sem is not None:
        order = (new_sem > old_sem) - (new_sem < old_sem)
    else:
        old_shape, new_shape = shape_key(old), shape_key(new)
        if old_shape[0] != new_shape[0]:
            return "changed"
        order = (new_shape[1] > old_shape[1]) - (new_shape[1] < old_shape[1])
    if order > 0:
        return "upgraded"
    if order < 0:
        return "downgraded"
    return "changed"
