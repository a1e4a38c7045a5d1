"""Checks on a plan. Each returns findings; none of them stops the plan from being shown.

- D103 over-capacity (error): a site's container models exceed its `capacity.storage`.
- D104 workload-without-model (error): a workload runs on a site without a model it uses.
- D105 model-without-workload (warning): a container model is placed where no workload
  uses it.
- D106 placement-selects-nothing (warning): a target or follow-<model> placement selects
  no site; the message says why (plan/unmatched.py, plan/exclusions.py).
- D107 unsized-model (info): a container model without `container.size` goes to sites that
  declare a capacity, so it is not counted.
- D108 image-volume-unsupported (error): an `imageVolume` container model goes to a site
  that declares it has no image volumes.
- D120 unlabelled-site (warning): a site with no labels (but its name) that no placement
  selects: it gets no model, and the plan would only show it as `(none)`.
- D112 placed-twice (error): a model reaches a site through two or more of its placements
  (as generated: with PlacementRules, a follow placement is one rule per workload selector),
  so two Subscriptions (or Applications) deploy the same objects there.
D104/D105 apply when the catalogue declares workloads. The removal guards (D101, D102,
D111) are in plan/removals.py; D114, D115 and D123, changes of a kept model that sites
refuse, in plan/hazards.py; D116 and D117, changes of the hub side, in plan/hubside.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.managedclusters import STORAGE_LABEL
from edgemodels.output import plural
from edgemodels.placement import CLUSTER_NAME_LABEL
from edgemodels.plan.diff import generated
from edgemodels.plan.evaluate import Evaluation, PlacedModel, cluster_sets
from edgemodels.plan.exclusions import (
    all_tainted,
    outside_sets,
    tainted_sites,
    why_deleting,
    why_tainted,
)
from edgemodels.plan.quantity import format_bytes
from edgemodels.plan.sitelist import about, about_names, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.plan.unmatched import why_unmatched
from edgemodels.selectors import Mask, count, mask_of, members, placement_mask
from edgemodels.sites import Site


def setting_at(settings: Mapping[str, Location], key: str, catalogue: Catalogue) -> Location:
    """Where setting `key` (`spec.hub.argocd.pullModel`) stands, else the section that holds
    it (a setting left out for its default), else the catalogue's metadata.name."""
    while key:
        if key in settings:
            return settings[key]
        key = key.rpartition(".")[0]
    return catalogue.location


def capacity_findings(after: Evaluation, sites: Sites) -> list[Diagnostic]:
    """D103 over-capacity and D107 unsized-model."""
    inventory = sites.inventory.sites
    # Where the capacity is written: a ManagedCluster has it as a label (inventory.py).
    field = (
        "capacity.storage"
        if sites.inventory.kind == "SiteInventory"
        else f"its label {STORAGE_LABEL}"
    )
    bounded = mask_of(
        (n for n, s in enumerate(inventory) if s.capacity is not None), len(inventory)
    )
    usage = [0] * len(inventory)
    sized = []
    found: list[Diagnostic] = []
    for model in after.models:
        if model.wrapper != "container" or not model.sites & bounded:
            continue
        if model.size is None:
            message = (
                f"container model {model.name} has no container.size, so its storage on "
                f"{plural(count(model.sites & bounded), 'site')} with a declared capacity is not "
                "checked"
            )
            found.append(finding(model.location, "D107", "unsized-model", message, "info"))
            continue
        sized.append(model)
        for number in members(model.sites & bounded):
            usage[number] += model.size
    for number, need in enumerate(usage):
        capacity = inventory[number].capacity
        if capacity is not None and need > capacity:
            found.append(_over_capacity(inventory[number], need, sized, number, field))
    return found


def _over_capacity(
    site: Site, need: int, sized: list[PlacedModel], number: int, field: str
) -> Diagnostic:
    placed = [(m.name, m.size or 0) for m in sized if m.sites >> number & 1]
    biggest = sorted(placed, key=lambda p: (-p[1], p[0]))[:5]
    detail = ", ".join(f"{name} {format_bytes(size)}" for name, size in biggest)
    more = ", ..." if len(placed) > 5 else ""
    need_text = (
        f"container model {placed[0][0]} needs {format_bytes(need)}"
        if len(placed) == 1
        else f"container models need {format_bytes(need)} ({detail}{more})"
    )
    message = f"site {site.name}: {need_text} but {field} is {format_bytes(site.capacity or 0)}"
    return about_names(
        finding(site.location, "D103", "over-capacity", message, "error"), [site.name]
    )


def workload_findings(after: Evaluation, sites: Sites) -> list[Diagnostic]:
    """D104 workload-without-model and D105 model-without-workload."""
    catalogue = after.catalogue
    if not catalogue.workloads:
        return []
    found: list[Diagnostic] = []
    users: dict[str, Mask] = {}
    sets = cluster_sets(catalogue)
    bound = placement_mask(sites.index, (), sets) if sets is not None else -1
    for workload in catalogue.workloads:
        runs = after.workloads[workload.name]
        for used in workload.uses:
            users[used] = users.get(used, 0) | runs
            placed = after.model(used)
            # A site being deleted, or offline past the tolerated time, gets no model from
            # any placement, and runs nothing anyone can see: the hub's doing, not the merge's.
            missing = runs & ~placed.sites & ~(sites.deleting | after.dropped) if placed else 0
            if missing:
                message = (
                    f"workload {workload.name} runs on {plural(count(missing), 'site')} "
                    f"without model "
                    f"{used}: {name_list(sites, missing)}"
                ) + outside_sets(sites, missing & ~bound, sets)
                if sets is not None:  # Placements: taints keep them off a site
                    message += tainted_sites(sites, missing, missing & bound & sites.untolerated)
                missed = finding(
                    workload.location, "D104", "workload-without-model", message, "error"
                )
                found.append(about(missed, sites, missing))
    for model in after.models:
        idle = model.sites & ~users.get(model.name, 0) if model.wrapper == "container" else 0
        if idle:
            message = (
                f"container model {model.name} is placed on {plural(count(idle), 'site')} where no "
                f"workload uses it: {name_list(sites, idle)}"
            )
            unused = finding(model.location, "D105", "model-without-workload", message, "warning")
            found.append(about(unused, sites, idle))
    return found


def placement_findings(after: Evaluation, sites: Sites) -> list[Diagnostic]:
    """D106 placement-selects-nothing, with the reason in the inventory's terms."""
    found = []
    sets = cluster_sets(after.catalogue)
    for name, mask in generated(after).items():  # a target no model uses is no placement
        if not mask:
            predicates = after.predicates.get(name, ())
            tainted = all_tainted(sites, predicates, sets)
            why = (
                why_deleting(sites, predicates, sets)
                or why_tainted(sites, tainted)
                or why_unmatched(sites.index, predicates, sets)
            )
            message = f"placement {name} selects no site of the inventory{why}"
            where = after.placement_locations[name]
            empty = finding(where, "D106", "placement-selects-nothing", message, "warning")
            found.append(about(empty, sites, tainted) if tainted else empty)
    return found


def unlabelled_site_findings(after: Evaluation, sites: Sites) -> list[Diagnostic]:
    """D120 unlabelled-site: a NotIn or a name selector could still select such a site, so
    it is reported only when no placement does."""
    selected = 0
    for mask in after.placements.values():
        selected |= mask
    hint = _label_example(after.catalogue)
    return [
        about_names(
            finding(
                site.location,
                "D120",
                "unlabelled-site",
                f"site {site.name} has no labels, and no target can select it: no model goes"
                f" there (give it the labels its targets select on{hint})",
                "warning",
            ),
            [site.name],
        )
        for number, site in enumerate(sites.inventory.sites)
        if not selected >> number & 1 and all(key == CLUSTER_NAME_LABEL for key, _ in site.labels)
    ]


def _label_example(catalogue: Catalogue) -> str:
    """The matchLabels of the catalogue's first target that has any, as an example of what
    a site needs: this catalogue's own labels, not some other fleet's."""
    for target in catalogue.targets:
        if target.selector.match_labels:
            labels = ", ".join(f"{k}: {v}" for k, v in target.selector.match_labels)
            return f", such as {labels} for target {target.name}"
    return ""


def placed_twice_findings(after: Evaluation, sites: Sites) -> list[Diagnostic]:
    """D112 placed-twice: one finding per model and set of placements that overlap, naming
    the sites (the first ten): two targets that overlap on 580 sites were 580 findings
    with one message each, at the same line."""
    found = []
    for model in after.models:
        for route in model.routes():
            if len(route.placements) < 2:
                continue
            n = count(route.sites)
            where = (
                f"site {name_list(sites, route.sites)}"
                if n == 1
                else f"{n} sites ({name_list(sites, route.sites)})"
            )
            message = (
                f"{where}: model {model.name} is placed there by {len(route.placements)} "
                f"placements ({', '.join(route.placements)}), so "
                f"{'it gets' if n == 1 else 'each gets'} the same objects twice (RHACM: the "
                "second Subscription fails, 'exists and owned by others', and which overrides "
                "win is undefined); make the placements disjoint"
            )
            twice = finding(model.location, "D112", "placed-twice", message, "error")
            found.append(about(twice, sites, route.sites))
    return found


def image_volume_findings(after: Evaluation, sites: Sites) -> list[Diagnostic]:
    """D108 image-volume-unsupported: only sites that declare they lack image volumes."""
    inventory = sites.inventory.sites
    lacking = mask_of(
        (n for n, s in enumerate(inventory) if s.image_volumes is False), len(inventory)
    )
    found = []
    for model in after.models:
        bad = model.sites & lacking if model.delivery == "imageVolume" else 0
        if bad:
            message = (
                f"container model {model.name} is delivered as an image volume to "
                f"{plural(count(bad), 'site')} without image volume support: "
                f"{name_list(sites, bad)}"
            )
            lacking_sites = finding(
                model.location, "D108", "image-volume-unsupported", message, "error"
            )
            found.append(about(lacking_sites, sites, bad))
    return found
