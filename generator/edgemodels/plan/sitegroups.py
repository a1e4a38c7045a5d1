"""The per-site rows of a plan's report in groups: sites whose rows read the same together,
the label that names a group's sites, how many whole groups fit in `max_rows` and the line
that says what was left out. For report_text.py; report_markdown.py groups with it too."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from edgemodels.output import plural
from edgemodels.plan.reports import View

NAMED_SITES = 3  # a group's label names this many sites, then "and N more"

T = TypeVar("T", bound=Hashable)


def site_groups(
    per_site: Iterable[tuple[int, Sequence[T]]], first: Callable[[Sequence[T]], bool] = bool
) -> list[tuple[list[int], list[T]]]:
    """Sites with equal entries together: (site numbers, entries). The groups `first` picks
    come first, then the larger ones, then by first site."""
    by_entries: dict[tuple[T, ...], list[int]] = {}
    for number, entries in per_site:
        by_entries.setdefault(tuple(entries), []).append(number)
    groups = [(numbers, list(entries)) for entries, numbers in by_entries.items()]
    return sorted(groups, key=lambda g: (not first(g[1]), -len(g[0]), g[0][0]))


def group_label(view: View, numbers: Sequence[int]) -> str:
    """`lrt-1`, `lrt-1, lrt-2`, `site-00000, site-00006, site-00022 and 285 more`."""
    names = [view.site_name(n) for n in numbers[:NAMED_SITES]]
    more = len(numbers) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


def fitting(rows: Sequence[int], max_rows: int) -> int:
    """How many groups of these row counts fit in `max_rows`, whole (at least one; 0: no
    limit)."""
    used = 0
    for shown, size in enumerate(rows):
        used += size
        if max_rows and shown and used > max_rows:
            return shown
    return len(rows)


def cut_line(left_out: Sequence[tuple[list[int], object]], max_rows: int) -> list[str]:
    if not left_out:
        return []
    sites = sum(len(numbers) for numbers, _ in left_out)
    return [
        f"  ... and {sites} more {'site' if sites == 1 else 'sites'} in "
        f"{plural(len(left_out), 'group')}, left out at "
        f"--max-text-rows {max_rows} (0 shows all; --format json lists every site)"
    ]
