"""D135: models placed on the hub itself.

RHACM registers the hub as a managed cluster of its own, `local-cluster`, labelled
`local-cluster=true` (the label by which RHACM's Argo CD pull controller, too, tells it
apart: stolostron/multicloud-integrations, propagation-controller, isLocalCluster). It is
in a cluster set like any site, so a target whose selector does not exclude it (`line
NotIn [paint]`, an `Exists` on a label the hub carries, or an empty selector) deploys
models on the hub. An inventory taken from the hub (`kubectl get managedclusters`) lists
it. A warning, not an error: a hub that is also a site is possible, and the plan places
models there as the hub would.
"""

from __future__ import annotations

from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.output import plural
from edgemodels.plan.evaluate import Evaluation
from edgemodels.plan.sitelist import about, cut
from edgemodels.plan.sitemasks import Sites

HUB_LABEL = ("local-cluster", "true")


def hub_cluster_findings(after: Evaluation, sites: Sites) -> list[Diagnostic]:
    """One per placement that gives the hub models, at the placement (where a suppression
    comment goes), naming them."""
    found = []
    targets = {t.name for t in after.catalogue.targets}
    for number, site in enumerate(sites.inventory.sites):
        if HUB_LABEL not in site.labels:
            continue
        for placement, location in after.placement_locations.items():
            if not after.placements.get(placement, 0) >> number & 1:
                continue
            models = [m.name for m in after.models if placement in m.placements_at(number)]
            if models:
                follows = placement not in targets
                found.append(
                    _placed(site.name, placement, models, follows, location, sites, number)
                )
    return found


def _placed(
    hub: str,
    placement: str,
    models: list[str],
    follows: bool,
    location: Location,
    sites: Sites,
    number: int,
) -> Diagnostic:
    where = (
        "A workload it follows runs there: keep the hub out of that workload's selector or sites"
        if follows
        else "Keep it out of the target (matchExpressions: {key: local-cluster, operator: "
        "DoesNotExist})"
    )
    message = (
        f"placement {placement} selects site {hub}, the hub itself (label "
        f"local-cluster=true), and gives it {plural(len(models), 'model')}: {cut(models)}; "
        f"they would run on the hub, not at a site. {where} or of spec.hub.clusterSets, or "
        "suppress this here where the hub is meant to run them"
    )
    placed = finding(location, "D135", "hub-cluster-placed", message, "warning")
    return about(placed, sites, 1 << number)
