"""Why a model's placements leave out sites their selectors reach, in the inventory's terms:
outside spec.hub.clusterSets, tainted NoSelect, being deleted on the hub. The reasons that
end D104's and D106's messages, apart from the checks themselves in guards.py."""

from __future__ import annotations

from edgemodels.catalogue.model import Selector
from edgemodels.output import plural
from edgemodels.plan.sitelist import name_list
from edgemodels.plan.sitemasks import Sites, untolerated_taints
from edgemodels.selectors import Mask, count, members, placement_mask


def outside_sets(sites: Sites, outside: Mask, sets: tuple[str, ...] | None) -> str:
    """Why a model's placements cannot reach a workload's site: a workload has its own
    placement, while the model's Placements see only hub.clusterSets."""
    if not outside:
        return ""
    return (
        f" ({plural(count(outside), 'site')} of them outside spec.hub.clusterSets "
        f"[{', '.join(sets or ())}], which limit every placement of a model, follow-<model> "
        f"too: {name_list(sites, outside)}; bind its cluster set there)"
    )


def tainted_sites(sites: Sites, missing: Mask, tainted: Mask) -> str:
    """Why a model's Placements cannot reach a workload's site: its NoSelect taint."""
    if not tainted:
        return ""
    keys = sorted(
        {k for n in members(tainted) for k in untolerated_taints(sites.inventory.sites[n].taints)}
    )
    if tainted == missing:
        which = "it has" if count(tainted) == 1 else "they have"
    else:
        verb = "has" if count(tainted) == 1 else "have"
        which = f"{plural(count(tainted), 'site')} of them ({name_list(sites, tainted)}) {verb}"
    return (
        f" ({which} a NoSelect taint that the generated Placements do not tolerate: "
        f"{', '.join(keys)}; remove the taint or move the workload)"
    )


def all_tainted(
    sites: Sites, predicates: tuple[Selector, ...], sets: tuple[str, ...] | None
) -> Mask:
    """The sites the placement's selectors and cluster sets match when each has a taint that
    keeps it out of the Placement (0 if that is not why it selects none)."""
    if sets is None or not predicates:
        return 0
    matched = placement_mask(sites.index, predicates, sets)
    return 0 if matched & ~sites.untolerated else matched


def why_deleting(
    sites: Sites, predicates: tuple[Selector, ...], sets: tuple[str, ...] | None
) -> str:
    """The reason when every site the placement matches is being deleted ("" otherwise)."""
    matched = placement_mask(sites.index, predicates, sets) if predicates else 0
    if not matched or matched & ~sites.deleting:
        return ""
    which = (
        "the site it matches is"
        if count(matched) == 1
        else f"the {count(matched)} sites it matches are"
    )
    return (
        f": {which} being deleted on the hub ({name_list(sites, matched)}), and a cluster "
        "being deleted is selected by no placement"
    )


def why_tainted(sites: Sites, matched: Mask) -> str:
    """The reason when the placement matches sites, all tainted ("" when none: `matched` 0)."""
    if not matched:
        return ""
    keys = sorted(
        {
            key
            for n in members(matched)
            for key in untolerated_taints(sites.inventory.sites[n].taints)
        }
    )
    which = (
        "the site it matches is"
        if count(matched) == 1
        else f"the {count(matched)} sites it matches are"
    )
    return (
        f": {which} tainted NoSelect ({name_list(sites, matched)}), which the generated "
        f"Placements do not tolerate: {', '.join(keys)}"
    )
