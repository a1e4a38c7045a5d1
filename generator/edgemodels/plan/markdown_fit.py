"""Fit a markdown comment into a size budget, whole blocks and rows only.

A merge-request comment has a hard size limit (GitHub: 65,536 characters for a comment,
1 MiB for a job summary). The report is a list of parts in priority order; each is kept
whole when it fits, a table or a list is cut after its last row that fits, and a part
whose opening and closing do not fit is left out. A cut never splits a row, a
`<details>` fold or a code fence: their lines open and close in one part. One line at the
end says what was left out and where the whole plan is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Longest possible closing note, kept free from the start so it always fits.
NOTE_ROOM = 600


def _no_more(left: int) -> list[str]:
    return []


@dataclass(frozen=True)
class Part:
    """`head` and `tail` open and close the part (a table's header row, a fold, a fence)
    and are kept or left out together. `items` are rows (one or more lines each), kept in
    order while they fit, at most `limit`; `more(n)` gives the line(s) saying n were left
    out. `what(n)` names n left-out items for the closing note ("12 models"); a part
    with no items is all or nothing."""

    what: Callable[[int], str]
    head: tuple[str, ...]
    items: tuple[str, ...] = ()
    tail: tuple[str, ...] = ()
    more: Callable[[int], list[str]] = field(default=_no_more)
    limit: int | None = None


def size(lines: Sequence[str]) -> int:
    """Characters the lines take, each with its newline."""
    return sum(len(line) + 1 for line in lines)


def fit(parts: Sequence[Part], budget: int) -> str:
    """The parts joined, in at most `budget` characters (code points); the first part is
    always kept (the headline), so the budget must leave room for it."""
    room = budget - NOTE_ROOM
    lines: list[str] = []
    left_out: list[str] = []
    for index, part in enumerate(parts):
        kept, cut = _fit_part(part, room - size(lines), force=index == 0)
        lines += kept
        if cut:
            left_out.append(part.what(cut))
    if left_out:
        lines += ["", "---", note(left_out, budget)]
    return "\n".join(lines) + "\n"


def note(left_out: list[str], budget: int) -> str:
    listed = "; ".join(left_out)
    if len(listed) > NOTE_ROOM - 200:
        listed = listed[: NOTE_ROOM - 201] + "…"
    return (
        f"✂️ Cut to fit {budget:,} characters (`--max-markdown-chars`), left out: {listed}. "
        "The whole plan is in `edgemodels plan --format json` and in the text output with "
        "`--max-text-rows 0`."
    )


def _fit_part(part: Part, room: int, force: bool) -> tuple[list[str], int]:
    """The lines of `part` that fit in `room`, and how many of its items were left out
    (1 for an itemless part left out whole)."""
    items = list(part.items)
    if not (items or part.head or part.tail):
        return [], 0
    whole = 1 if not items else len(items)
    fixed = size(part.head) + size(part.tail)
    if fixed > room and not force:
        return [], whole
    limit = len(items) if part.limit is None else min(part.limit, len(items))
    spare = size(part.more(len(items)))  # the longest "n more" line, when one is needed
    kept: list[str] = []
    used = fixed
    for number, item in enumerate(items[:limit]):
        last = number == len(items) - 1
        if used + len(item) + 1 + (0 if last else spare) > room:
            break
        kept.append(item)
        used += len(item) + 1
    if items and not kept:
        return [], whole
    cut = len(items) - len(kept)
    more = part.more(cut) if cut else []
    return [*part.head, *kept, *more, *part.tail], cut
