"""The sites a plan finding is about: its message names the first MAX_NAMED of them and how
many more (a summary is for people), and the finding carries every one in `sites`, which
the JSON reports (plan's, publish's) list, so a CI script that acts on the sites (opens a
ticket per site, tells their owners) reads them rather than parsing prose.

Every plan finding about a set of sites goes through `about`: D101, D102, D103, D104, D105,
D106 (the tainted sites it would select), D108, D110, D111, D112, D114, D115, D118, D121,
D122, D123, D124, D125, D126, D128, D130, D132, D133, D134, D135 and D120. Its `sites` are in the
order its message names them: the inventory's, else (D110, names the inventory lacks) sorted
by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from edgemodels.diagnostics import Diagnostic
from edgemodels.plan.sitemasks import Sites
from edgemodels.selectors import Mask, count, members
from edgemodels.sites import Site

MAX_NAMED = 10  # sites named in one message; the finding carries them all


def cut(names: Sequence[str], limit: int = MAX_NAMED) -> str:
    """'a, b and 3 more': the first `limit` names, then how many the message leaves out."""
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def name_list(sites: Sites, mask: Mask, limit: int = MAX_NAMED) -> str:
    """The sites of `mask` as a message names them: the first `limit`, then how many more."""
    # The lowest `limit` bits one at a time, not `members`: a finding names ten of perhaps
    # thousands, and `about` lists them all once more (4 us instead of 90 on 5,000 sites).
    inventory = sites.inventory.sites
    names: list[str] = []
    rest = mask
    while rest and len(names) < limit:
        lowest = rest & -rest
        names.append(inventory[lowest.bit_length() - 1].name)
        rest ^= lowest
    more = count(mask) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def first_site(sites: Sites, mask: Mask) -> Site:
    """The first site of `mask` in the inventory's order: the one a message names first."""
    return sites.inventory.sites[(mask & -mask).bit_length() - 1]


def site_names(sites: Sites, mask: Mask) -> tuple[str, ...]:
    """Every site of `mask`, in the inventory's order (the order `name_list` names them)."""
    inventory = sites.inventory.sites
    return tuple(inventory[n].name for n in members(mask))


def about(found: Diagnostic, sites: Sites, mask: Mask) -> Diagnostic:
    """`found`, carrying every site of `mask`: the sites it is about."""
    return replace(found, sites=site_names(sites, mask))


def about_names(found: Diagnostic, names: Iterable[str]) -> Diagnostic:
    """`found`, carrying `names` (sites named as given, such as ones the inventory lacks)."""
    return replace(found, sites=tuple(names))
