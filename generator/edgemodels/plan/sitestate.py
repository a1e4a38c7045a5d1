"""D133 and D134: sites the hub export shows the hub cannot deliver to now.

A kubectl export of ManagedClusters holds their status (edgemodels.clusterstatus). A site
being deleted is selected by no placement, so the plan places nothing there, and D134 names
the ones a placement matches. A site that is not accepted, or whose Available condition is
not True, is still selected (the generated Placements tolerate the hub's unreachable and
unavailable taints, PlacementRules read neither), so the plan places models there as the
hub does, and D133 says that they arrive only once the site is back; with
`spec.hub.offlineTolerationSeconds`, it names the sites offline longer than that by the
export's newest time, which the hub has already dropped. Notes, not warnings: an edge fleet
always has a site or two offline, and the merge is not what took them there.
"""

from __future__ import annotations

from collections.abc import Callable

from edgemodels.clusterstatus import ClusterState, parse_time
from edgemodels.diagnostics import Diagnostic, finding
from edgemodels.output import are, plural
from edgemodels.plan.evaluate import Evaluation, cluster_sets
from edgemodels.plan.sitelist import about, first_site, name_list
from edgemodels.plan.sitemasks import MaskCache, Sites
from edgemodels.selectors import Mask, count, members, placement_mask

_NOT_ACCEPTED = "not accepted"
# (how the message names the state, the catalogue-independent detail, which sites)
_STATES: tuple[tuple[str, str, Callable[[ClusterState], bool]], ...] = (
    (
        _NOT_ACCEPTED,
        "spec.hubAcceptsClient false",
        lambda s: not s.accepted,
    ),
    (
        "unavailable",
        "ManagedClusterConditionAvailable False",
        lambda s: s.accepted and s.available == "False",
    ),
    (
        "unreachable",
        "ManagedClusterConditionAvailable Unknown or never reported",
        lambda s: s.accepted and s.available not in ("True", "False"),
    ),
)


def site_state_findings(after: Evaluation, sites: Sites, cache: MaskCache) -> list[Diagnostic]:
    if not any(site.state for site in sites.inventory.sites):
        return []  # not a hub export with status: nothing known
    matched = _matched(after, sites, cache)
    found = _deleting_findings(sites, matched & sites.deleting)
    placed = matched & after.dropped
    for model in after.models:
        placed |= model.sites
    for state, detail, chosen in _STATES:
        mask = _with_state(sites, placed, chosen)
        if mask:
            found.append(_unavailable(after, sites, mask, state, detail))
    return found


def _matched(after: Evaluation, sites: Sites, cache: MaskCache) -> Mask:
    """The sites the catalogue's placements match by label and cluster set, whatever their
    state."""
    matched = 0
    for predicates in after.predicates.values():
        for selector in predicates:
            matched |= cache.selector(selector)
    sets = cluster_sets(after.catalogue)
    return matched & placement_mask(sites.index, (), sets) if sets is not None else matched


def _with_state(sites: Sites, within: Mask, chosen: Callable[[ClusterState], bool]) -> Mask:
    mask = 0
    for n in members(within):
        state = sites.inventory.sites[n].state
        if state is not None and not state.deleting and chosen(state):
            mask |= 1 << n
    return mask


def _unavailable(
    after: Evaluation, sites: Sites, mask: Mask, state: str, detail: str
) -> Diagnostic:
    first = first_site(sites, mask)
    since = _oldest(sites, mask)
    newest = sites.inventory.newest
    message = (
        f"{plural(count(mask), 'site')} the placements match {are(count(mask))} {state} on the hub "
        f"({detail}{f'; the oldest since {since}' if since else ''}"
        f"{f'; the export is of {newest} or later' if newest else ''}): "
        f"{name_list(sites, mask)}; {_selected(after, sites, mask, state)}"
    )
    return about(finding(first.location, "D133", "site-unavailable", message, "info"), sites, mask)


def _selected(after: Evaluation, sites: Sites, mask: Mask, state: str) -> str:
    """What the hub does with such sites, for the catalogue's kind of placement."""
    back = "accepted" if state == _NOT_ACCEPTED else "back"
    if cluster_sets(after.catalogue) is None:
        return (
            "PlacementRules read no condition or taint, so the plan places models there as "
            f"the hub does; the models reach them once they are {back}"
        )
    seconds = after.catalogue.hub.offline_toleration_seconds
    if seconds is None:
        return (
            "the generated Placements tolerate the hub's unreachable and unavailable taints, "
            f"so the plan places models there as the hub does; the models reach them once "
            f"they are {back}"
        )
    dropped = mask & after.dropped
    text = (
        "the generated Placements tolerate the hub's unreachable and unavailable taints for "
        f"{seconds} s (spec.hub.offlineTolerationSeconds), then drop the site and remove its "
        f"models, which it gets again once {back}"
    )
    if dropped:
        text += (
            "; tainted longer than that by the export's newest time, so dropped already, and "
            f"the plan places no model there: {name_list(sites, dropped)}"
        )
    return text


def _oldest(sites: Sites, mask: Mask) -> str:
    stamps = []
    for n in members(mask):
        state = sites.inventory.sites[n].state
        when = parse_time(state.since) if state is not None else None
        if when is not None and state is not None:
            stamps.append((when, state.since))
    return min(stamps)[1] if stamps else ""


def _deleting_findings(sites: Sites, matched: Mask) -> list[Diagnostic]:
    """D134: the sites being deleted that the placements match."""
    if not matched:
        return []
    first = first_site(sites, matched)
    message = (
        f"{plural(count(matched), 'site')} the placements match {are(count(matched))} being "
        f"deleted on the hub (metadata.deletionTimestamp): {name_list(sites, matched)}; no "
        "Placement or PlacementRule selects a cluster being deleted, so the plan places no "
        "model there"
    )
    deleting = finding(first.location, "D134", "site-being-deleted", message, "info")
    return [about(deleting, sites, matched)]
