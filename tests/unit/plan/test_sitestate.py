"""What a hub export's status does to a plan: clusters being deleted get nothing (D134),
clusters not accepted, unavailable or unreachable are named (D133), and with
offlineTolerationSeconds the ones the hub has already dropped get nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic
from edgemodels.inventory import load_inventory
from edgemodels.plan.core import build_plan
from edgemodels.plan.sitemasks import Sites, index_sites
from edgemodels.selectors import members

from .builders import catalogue, container_model, http_model, sel, target, workload

UNREACHABLE = "cluster.open-cluster-management.io/unreachable"
EXPORT = """\
apiVersion: v1
kind: List
items:
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: ok-01
    labels: {line: assembly}
    creationTimestamp: "2026-01-05T10:00:00Z"
  spec: {hubAcceptsClient: true}
  status:
    conditions:
    - {type: ManagedClusterConditionAvailable, status: "True",
       lastTransitionTime: "2026-11-30T12:00:00Z"}
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: gone-01
    labels: {line: assembly}
    deletionTimestamp: "2026-11-29T08:00:00Z"
  spec: {hubAcceptsClient: true}
  status:
    conditions:
    - {type: ManagedClusterConditionAvailable, status: "True",
       lastTransitionTime: "2026-11-01T12:00:00Z"}
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: new-01
    labels: {line: assembly}
  spec: {hubAcceptsClient: false}
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: off-01
    labels: {line: assembly}
  spec:
    hubAcceptsClient: true
    taints:
    - {key: cluster.open-cluster-management.io/unreachable, effect: NoSelect,
       timeAdded: "2026-09-01T10:00:00Z"}
  status:
    conditions:
    - {type: ManagedClusterConditionAvailable, status: "Unknown",
       lastTransitionTime: "2026-09-01T10:00:00Z"}
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: off-02
    labels: {line: assembly}
  spec:
    hubAcceptsClient: true
    taints:
    - {key: cluster.open-cluster-management.io/unavailable, effect: NoSelect,
       timeAdded: "2026-11-30T11:30:00Z"}
  status:
    conditions:
    - {type: ManagedClusterConditionAvailable, status: "False",
       lastTransitionTime: "2026-11-30T11:30:00Z"}
"""
TARGETS = (target("assembly", sel({"line": "assembly"})),)
MODELS = (http_model("scorer", targets=("assembly",)),)


def exported(tmp_path: Path, text: str = EXPORT) -> Sites:
    path = tmp_path / "clusters.yaml"
    path.write_text(text, encoding="utf-8")
    loaded, diags = load_inventory(path, "clusters.yaml")
    assert diags == [] and loaded is not None
    return index_sites(loaded)


def placed(cat: Catalogue, sites: Sites) -> set[str]:
    plan, _ = build_plan(cat, sites)
    (model,) = plan.after.models
    return {sites.names[n] for n in members(model.sites)}


def codes(diags: list[Diagnostic], *wanted: str) -> list[Diagnostic]:
    return [d for d in diags if d.code in wanted]


def test_the_export_says_how_old_it_is_and_each_clusters_state(tmp_path: Path) -> None:
    sites = exported(tmp_path)
    assert sites.inventory.newest == "2026-11-30T12:00:00Z"
    states = {s.name: s.state for s in sites.inventory.sites}
    assert states["ok-01"] is not None and states["ok-01"].ready
    assert states["gone-01"] is not None and states["gone-01"].deleting
    assert states["new-01"] is not None and not states["new-01"].accepted
    assert states["off-01"] is not None
    assert (states["off-01"].available, states["off-01"].offline_since) == (
        "Unknown",
        "2026-09-01T10:00:00Z",
    )


@pytest.mark.parametrize("kind", ["Placement", "PlacementRule"])
def test_a_cluster_being_deleted_gets_no_model(tmp_path: Path, kind: str) -> None:
    """Neither kind selects a terminating cluster (OCM GetAvailableClusters; the
    PlacementRule controller's PlaceByGenericPlacmentFields)."""
    sites = exported(tmp_path)
    cat = catalogue(TARGETS, MODELS, kind=kind)  # type: ignore[arg-type]
    assert placed(cat, sites) == {"ok-01", "new-01", "off-01", "off-02"}
    _, diags = build_plan(cat, sites)
    (deleting,) = codes(diags, "D134")
    assert deleting.render() == (
        "clusters.yaml:15:3: D134 [info] 1 site the placements match is being deleted on the hub "
        "(metadata.deletionTimestamp): gone-01; no Placement or PlacementRule selects a "
        "cluster being deleted, so the plan places no model there"
    )
    assert deleting.sites == ("gone-01",) and deleting.severity == "info"


def test_a_placement_whose_only_site_is_being_deleted_says_so(tmp_path: Path) -> None:
    sites = exported(tmp_path)
    only = (target("gone", sel({"name": "gone-01"})),)
    _, diags = build_plan(catalogue(only, (http_model("scorer", targets=("gone",)),)), sites)
    (empty,) = codes(diags, "D106")
    assert empty.message == (
        "placement gone selects no site of the inventory: the site it matches is being "
        "deleted on the hub (gone-01), and a cluster being deleted is selected by no placement"
    )


def test_a_workload_on_a_cluster_being_deleted_is_no_error(tmp_path: Path) -> None:
    sites = exported(tmp_path)
    users = (workload("inspection", ("detector",), sel({"line": "assembly"})),)
    cat = catalogue((), (container_model("detector", follow=True),), users)
    _, diags = build_plan(cat, sites)
    assert codes(diags, "D104") == []


def test_clusters_that_cannot_take_models_now_are_named(tmp_path: Path) -> None:
    """The hub selects them (tolerated taints), so the plan places models there, and says
    they arrive only once the sites are back."""
    sites = exported(tmp_path)
    _, diags = build_plan(catalogue(TARGETS, MODELS), sites)
    found = codes(diags, "D133")
    assert [(d.line, d.sites, d.severity) for d in found] == [
        (26, ("new-01",), "info"),
        (46, ("off-02",), "info"),
        (32, ("off-01",), "info"),
    ]
    assert found[2].message == (
        "1 site the placements match is unreachable on the hub (ManagedClusterConditionAvailable "
        "Unknown or never reported; the oldest since 2026-09-01T10:00:00Z; the export is of "
        "2026-11-30T12:00:00Z or later): off-01; the generated Placements tolerate the hub's "
        "unreachable and unavailable taints, so the plan places models there as the hub does; "
        "the models reach them once they are back"
    )
    assert "once they are accepted" in found[0].message
    rules = build_plan(catalogue(TARGETS, MODELS, kind="PlacementRule"), sites)[1]
    assert "PlacementRules read no condition or taint" in codes(rules, "D133")[0].message


def test_offline_longer_than_tolerated_by_the_exports_time_gets_no_model(
    tmp_path: Path,
) -> None:
    """off-01 was tainted three months before the export's newest time: a Placement that
    tolerates an hour had dropped it; off-02, tainted 30 minutes before, is still kept.
    PlacementRules read no taint."""
    sites = exported(tmp_path)
    work = catalogue(TARGETS, MODELS)
    hour = replace(work, hub=replace(work.hub, offline_toleration_seconds=3600))
    assert placed(hour, sites) == {"ok-01", "new-01", "off-02"}
    long = replace(work, hub=replace(work.hub, offline_toleration_seconds=200 * 86400))
    assert placed(long, sites) == {"ok-01", "new-01", "off-01", "off-02"}
    rules = replace(hour, hub=replace(hour.hub, placement_kind="PlacementRule"))
    assert placed(rules, sites) == {"ok-01", "new-01", "off-01", "off-02"}
    _, diags = build_plan(hour, sites)
    unreachable = next(d for d in codes(diags, "D133") if d.sites == ("off-01",))
    assert unreachable.message.endswith(
        "tolerate the hub's unreachable and unavailable taints for 3600 s "
        "(spec.hub.offlineTolerationSeconds), then drop the site and remove its models, "
        "which it gets again once back; tainted longer than that by the export's newest "
        "time, so dropped already, and the plan places no model there: off-01"
    )


def test_adding_a_toleration_that_drops_a_long_offline_site_is_a_removal(
    tmp_path: Path,
) -> None:
    """The merge that sets offlineTolerationSeconds purges the models of the sites offline
    longer than that: the removal guards see it."""
    sites = exported(tmp_path)
    base = catalogue(TARGETS, MODELS)
    work = replace(base, hub=replace(base.hub, offline_toleration_seconds=3600))
    _, diags = build_plan(work, sites, base, compared=True)
    (left,) = codes(diags, "D102")
    assert left.sites == ("off-01",)


def test_an_export_without_status_and_a_site_inventory_say_nothing(tmp_path: Path) -> None:
    bare = "kind: List\nitems:\n- kind: ManagedCluster\n  metadata: {name: a, labels: {x: y}}\n"
    sites = exported(tmp_path, bare)
    assert sites.inventory.newest == "" and sites.inventory.sites[0].state is None
    _, diags = build_plan(catalogue(TARGETS, MODELS), sites)
    assert codes(diags, "D133", "D134") == []
