"""The inventory's sites numbered for a plan, and the masks of the sites selectors and
placements select, shared by the base and the working catalogue (evaluate.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from edgemodels.catalogue.model import Selector
from edgemodels.clusterstatus import OFFLINE_TAINTS, parse_time
from edgemodels.selectors import LabelIndex, Mask, build_index, placement_mask, selector_mask
from edgemodels.sites import Inventory, site_labels


@dataclass(frozen=True)
class Sites:
    """The inventory's sites, numbered, and their label index."""

    inventory: Inventory
    index: LabelIndex
    number: dict[str, int]
    # Sites with a NoSelect taint the generated Placements do not tolerate (they tolerate
    # only OFFLINE_TAINTS): OCM selects them for no Placement. PlacementRules ignore taints.
    untolerated: Mask = 0
    # Sites a hub export shows being deleted: no Placement or PlacementRule selects them
    # (edgemodels.clusterstatus).
    deleting: Mask = 0

    @property
    def names(self) -> list[str]:
        return [site.name for site in self.inventory.sites]


def index_sites(inventory: Inventory) -> Sites:
    numbers = {site.name: n for n, site in enumerate(inventory.sites)}
    untolerated = deleting = 0
    for n, site in enumerate(inventory.sites):
        if untolerated_taints(site.taints):
            untolerated |= 1 << n
        if site.state is not None and site.state.deleting:
            deleting |= 1 << n
    sets = {each.name: each.selector for each in inventory.cluster_sets}
    index = build_index(site_labels(inventory), sets)
    return Sites(inventory, index, numbers, untolerated, deleting)


def untolerated_taints(taints: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The keys of the NoSelect taints a generated Placement does not tolerate. Only
    NoSelect keeps a cluster out of every decision; PreferNoSelect lowers its score, which
    matters only with numberOfClusters (never generated), and NoSelectIfNew depends on the
    hub's current decisions, which an inventory does not hold."""
    return tuple(k for k, effect in taints if effect == "NoSelect" and k not in OFFLINE_TAINTS)


@dataclass
class MaskCache:
    """Selector and placement masks, shared by the base and the working catalogue."""

    sites: Sites
    selectors: dict[Selector, Mask] = field(default_factory=dict)
    placements: dict[tuple[tuple[Selector, ...], tuple[str, ...] | None], Mask] = field(
        default_factory=dict
    )

    def selector(self, selector: Selector) -> Mask:
        mask = self.selectors.get(selector)
        if mask is None:
            mask = selector_mask(self.sites.index, selector)
            self.selectors[selector] = mask
        return mask

    def placement(self, predicates: tuple[Selector, ...], sets: tuple[str, ...] | None) -> Mask:
        key = (predicates, sets)
        mask = self.placements.get(key)
        if mask is None:
            if predicates:
                union = 0
                for selector in predicates:
                    union |= self.selector(selector)
                mask = placement_mask(self.sites.index, (), sets) & union
            else:
                mask = placement_mask(self.sites.index, (), sets)
            if sets is not None:  # a Placement, not a PlacementRule
                mask &= ~self.sites.untolerated
            mask &= ~self.sites.deleting
            self.placements[key] = mask
        return mask


def offline_dropped(sites: Sites, seconds: int | None) -> Mask:
    """The sites whose unreachable or unavailable taint is more than `seconds` older than
    the hub export's newest time: a Placement tolerating it for that long had dropped them
    when the export was taken (and, as the export may be older than now, perhaps more)."""
    newest = parse_time(sites.inventory.newest)
    if seconds is None or newest is None:
        return 0
    dropped = 0
    for n, site in enumerate(sites.inventory.sites):
        added = parse_time(site.state.offline_since) if site.state is not None else None
        if added is not None and added + timedelta(seconds=seconds) <= newest:
            dropped |= 1 << n
    return dropped
