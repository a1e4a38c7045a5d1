"""Where models land: named targets, followWorkloads, cluster sets, workload exports."""

from __future__ import annotations

from dataclasses import replace

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Location
from edgemodels.plan.core import build_plan
from edgemodels.plan.evaluate import evaluate
from edgemodels.plan.sitemasks import MaskCache
from edgemodels.selectors import CLUSTER_SET_LABEL, members
from edgemodels.workloadsites import WorkloadSites

from .builders import (
    catalogue,
    container_model,
    http_model,
    req,
    sel,
    site,
    sites,
    target,
    workload,
)

SITES = sites(
    site("a", {"line": "assembly"}),
    site("b", {"line": "assembly", "kubernetes.io/arch": "arm64"}),
    site("c", {"line": "paint"}),
    site("d", {"line": "logistics", CLUSTER_SET_LABEL: "lab"}),
)
NAMES = SITES.names


def placed(cat: Catalogue, name: str) -> set[str]:
    model = evaluate(cat, MaskCache(SITES)).model(name)
    assert model is not None
    return {NAMES[n] for n in members(model.sites)}


WORKLOADS = (
    workload("inspection", ("detector",), sel({"line": "assembly"})),
    workload("logistics", ("detector", "painter"), sites=("d",)),
    workload("paint", ("painter",), sel({}, req("line", "In", "paint"))),
)


def test_named_targets_are_unioned() -> None:
    cat = catalogue(
        (
            target("arm", sel({}, req("kubernetes.io/arch", "In", "arm64"))),
            target("paint", sel({"line": "paint"})),
        ),
        (http_model("scorer", targets=("arm", "paint")),),
    )
    assert placed(cat, "scorer") == {"b", "c"}


def test_follow_workloads_is_the_union_of_the_users_placements() -> None:
    cat = catalogue(
        (),
        (container_model("detector", follow=True), container_model("painter", follow=True)),
        WORKLOADS,
        kind="PlacementRule",
    )
    assert placed(cat, "detector") == {"a", "b", "d"}
    assert placed(cat, "painter") == {"c", "d"}


def test_follow_placement_is_limited_to_the_cluster_sets() -> None:
    cat = catalogue((), (container_model("detector", follow=True),), WORKLOADS)
    assert placed(cat, "detector") == {"a", "b"}  # d is in cluster set `lab`, not bound
    _, diags = build_plan(cat, SITES)
    missing = [d for d in diags if d.code == "D104"]
    assert [(d.location, d.severity) for d in missing] == [
        (Location("catalogue.yaml", 80, 7), "error")
    ]
    assert "workload logistics runs on 1 site without model detector: d" in missing[0].message
    assert missing[0].message.endswith(
        "(1 site of them outside spec.hub.clusterSets [default], which limit every placement"
        " of a model, follow-<model> too: d; bind its cluster set there)"
    )


def test_follow_with_no_user_lands_nowhere() -> None:
    cat = catalogue((), (container_model("orphan", follow=True),), WORKLOADS)
    assert placed(cat, "orphan") == set()
    _, diags = build_plan(cat, SITES)
    assert [(d.code, d.message) for d in diags if d.code == "D106"] == [
        (
            "D106",
            "placement follow-orphan selects no site of the inventory: no workload uses the model",
        )
    ]


def test_workload_export_moves_workloads_not_models() -> None:
    """The export says where workloads run; the generated follow-detector rules still follow
    the catalogue's workloads, so a workload moved by the export is left without its model."""
    cat = catalogue(
        (), (container_model("detector", follow=True),), WORKLOADS, kind="PlacementRule"
    )
    exported = (
        WorkloadSites("logistics", ("c",), Location("w.yaml", 4, 5)),
        WorkloadSites("ghost", ("a",), Location("w.yaml", 6, 5)),
        WorkloadSites("inspection", ("a", "zz"), Location("w.yaml", 8, 5)),
    )
    plan, diags = build_plan(cat, SITES, exported=exported)
    model = plan.after.model("detector")
    assert model is not None
    assert {NAMES[n] for n in members(model.sites)} == {"a", "b", "d"}  # as generated
    # logistics runs on c instead of d; inspection runs on a alone: the export replaces its
    # selector (assembly: a, b) too, as the placement system knows where it runs
    assert {NAMES[n] for n in members(plan.after.workloads["logistics"])} == {"c"}
    assert {NAMES[n] for n in members(plan.after.workloads["inspection"])} == {"a"}
    found = [(d.code, d.location.line, d.severity) for d in diags if d.code.startswith("D1")]
    assert found[:2] == [("D109", 6, "warning"), ("D110", 8, "warning")]
    missing = [d.message for d in diags if d.code == "D104"]
    assert missing == ["workload logistics runs on 1 site without model detector: c"]
    idle = [d.message for d in diags if d.code == "D105"]
    assert idle == ["container model detector is placed on 2 sites where no workload uses it: b, d"]


def test_an_export_that_differs_from_the_catalogue_is_noted() -> None:
    """Where the export and the catalogue's selector or sites part, the plan takes the export
    and says so, at the workload's line: a site the selector covers but the export does
    not list no longer counts as one the workload runs on (no D104 there)."""
    cat = catalogue(
        (target("arm", sel({"kubernetes.io/arch": "arm64"})),),
        (container_model("detector", follow=True), http_model("scorer", targets=("arm",))),
        (
            workload("inspection", ("detector", "scorer"), sel({"line": "assembly"})),
            workload("logistics", ("detector",), sites=("c",)),
            workload("paint", ("detector",), sel({"line": "paint"})),
        ),
    )
    exported = (
        WorkloadSites("inspection", ("b",), Location("w.yaml", 4, 5)),
        WorkloadSites("logistics", ("a", "c"), Location("w.yaml", 6, 5)),
        WorkloadSites("paint", ("c",), Location("w.yaml", 8, 5)),  # as the catalogue: no note
    )
    _, diags = build_plan(cat, SITES, exported=exported)
    notes = [(d.location.line, d.severity, d.message) for d in diags if d.code == "D125"]
    assert notes == [
        (
            80,
            "info",
            "workload inspection runs where --workload-sites says (1 site), not where the "
            "catalogue places it (by its selector): the catalogue also places it on 1 site the "
            "export does not list, where the plan does not count it as running: a; "
            "follow-detector follows the catalogue",
        ),
        (
            80,
            "info",
            "workload logistics runs where --workload-sites says (2 sites), not where the "
            "catalogue places it (by its sites): the export also lists 1 site the catalogue "
            "leaves out: a; follow-detector follows the catalogue",
        ),
    ]
    # scorer is on b alone, where inspection runs: a, which its selector covers, is no
    # longer a site it runs on without scorer
    assert [d.code for d in diags if d.code in {"D104", "D105"}] == []
    # without the export the selector is all the plan knows
    _, diags = build_plan(cat, SITES)
    assert [d.message for d in diags if d.code == "D104"] == [
        "workload inspection runs on 1 site without model scorer: a"
    ]
    assert [d for d in diags if d.code == "D125"] == []


def test_a_workload_without_selector_or_sites_runs_nowhere() -> None:
    cat = catalogue(
        (), (container_model("detector", follow=True),), (workload("idle", ("detector",)),)
    )
    assert placed(cat, "detector") == set()


def test_selector_masks_are_shared_between_catalogues() -> None:
    cache = MaskCache(SITES)
    cat = catalogue(
        (target("paint", sel({"line": "paint"})),), (http_model("x", targets=("paint",)),)
    )
    evaluate(cat, cache)
    evaluate(cat, cache)
    assert len(cache.selectors) == 1


def test_placement_rules_split_a_follow_placement_as_generated() -> None:
    """One rule per workload selector, as render/acm.py writes them; with Placements (and with
    Argo CD delivery, which always writes Placements) one ORed placement."""
    users = (
        workload("inspection", ("detector",), sel({"line": "assembly"})),
        workload("arm", ("detector",), sel({"kubernetes.io/arch": "arm64"})),
    )
    rules = catalogue((), (container_model("detector", follow=True),), users, kind="PlacementRule")
    model = evaluate(rules, MaskCache(SITES)).model("detector")
    assert model is not None
    assert [(p.name, {NAMES[n] for n in members(p.sites)}) for p in model.placements] == [
        ("follow-detector-1", {"a", "b"}),
        ("follow-detector-2", {"b"}),
    ]
    _, diags = build_plan(rules, SITES)
    (twice,) = [d.message for d in diags if d.code == "D112"]
    assert twice.startswith(
        "site b: model detector is placed there by 2 placements "
        "(follow-detector-1, follow-detector-2)"
    )
    for cat in (
        replace(rules, hub=replace(rules.hub, placement_kind="Placement")),
        replace(rules, hub=replace(rules.hub, delivery="argocd")),
    ):
        model = evaluate(cat, MaskCache(SITES)).model("detector")
        assert model is not None and [p.name for p in model.placements] == ["follow-detector"]
        assert not [d for d in build_plan(cat, SITES)[1] if d.code == "D112"]


def test_argo_cd_delivery_limits_placement_rules_to_the_cluster_sets() -> None:
    """Argo CD delivery writes a Placement (with clusterSets) whatever placementKind says."""
    cat = catalogue((), (container_model("detector", follow=True),), WORKLOADS, "PlacementRule")
    assert placed(cat, "detector") == {"a", "b", "d"}
    argo = replace(cat, hub=replace(cat.hub, delivery="argocd"))
    assert placed(argo, "detector") == {"a", "b"}  # d is in cluster set `lab`


def test_a_workload_retired_while_the_export_still_runs_it_keeps_its_models() -> None:
    """The base knows what a workload the change removes used: a site the export still runs
    it on that loses one of those models is an error (D121), not 'unknown workload'."""
    base = catalogue(
        (target("paint", sel({"line": "paint"})),),
        (container_model("detector", follow=True), container_model("painter", follow=True)),
        WORKLOADS,
    )
    working = replace(
        base,
        models=(base.models[1],),  # detector goes with its only users
        workloads=(WORKLOADS[2],),  # inspection and logistics are retired
    )
    exported = (
        WorkloadSites("inspection", ("a", "b"), Location("w.yaml", 4, 5)),
        WorkloadSites("logistics", ("c",), Location("w.yaml", 6, 5)),
    )
    _, diags = build_plan(working, SITES, base, compared=True, exported=exported)
    found = [(d.code, d.location.line, d.severity) for d in diags if d.code in {"D109", "D121"}]
    # logistics, on c now, used detector too (painter is still there, through paint)
    assert found == [("D121", 4, "error"), ("D121", 6, "error")]
    assert diags[[d.code for d in diags].index("D121")].message.startswith(
        "workload inspection is no longer in the catalogue, but the export says it still runs"
        " on 2 sites where model detector, which it used at the base, is removed from the"
        " catalogue: a, b;"
    )
    # without a base the export's workload is unknown, as before
    _, diags = build_plan(working, SITES, exported=exported)
    assert [d.code for d in diags if d.code in {"D109", "D121"}] == ["D109", "D109"]


def test_a_follow_placement_over_two_architectures_gives_one_the_wrong_image() -> None:
    """inspection runs on a (no arch stated) and b (arm64): follow-detector pins no
    architecture, so b gets `image` though the model names its arm64 image."""
    detector = replace(
        container_model("detector", follow=True),
        images=(("arm64", "r.io/detector-arm64@sha256:" + "1" * 64),),
        key_locations=(("images", Location("catalogue.yaml", 33, 7)),),
    )
    cat = catalogue((), (detector,), WORKLOADS[:1])
    _, diags = build_plan(cat, SITES)
    found = [(d.location.line, d.code, d.severity) for d in diags if d.code == "D122"]
    assert found == [(33, "D122", "error")]
    assert "placement follow-detector deploys " + detector.image + " to 1 arm64 site, but " in (
        diags[-1].message
    )
    # pinned by the workload's selector, the placement takes the arm64 image: no finding
    pinned = workload("inspection", ("detector",), sel({"kubernetes.io/arch": "arm64"}))
    _, diags = build_plan(catalogue((), (detector,), (pinned,)), SITES)
    assert [d for d in diags if d.code == "D122"] == []


def test_a_target_of_one_architecture_is_told_to_say_so() -> None:
    """A small fleet's arm64 line has a target of its own that pins no architecture: all
    its sites get `image`, and the remedy is one setting on the target, not a split. A
    target over both architectures keeps the general remedy."""
    scorer = replace(
        http_model("scorer", targets=("paint", "lrt")),
        images=(("arm64", "r.io/scorer-arm64@sha256:" + "1" * 64),),
    )
    where = sites(
        site("asm-01", {"line": "assembly", "kubernetes.io/arch": "amd64"}),
        site("paint-01", {"line": "paint", "kubernetes.io/arch": "arm64"}),
    )
    targets = (target("paint", sel({"line": "paint"})), target("lrt", sel()))
    _, diags = build_plan(catalogue(targets, (scorer,)), where)
    messages = {d.message.split(" deploys ")[0]: d.message for d in diags if d.code == "D122"}
    assert messages["model scorer: placement paint"].endswith(
        "; every site of target paint is arm64: give it `overrides: {arch: arm64}` (or "
        "require kubernetes.io/arch In [arm64] in its selector), and it deploys images.arm64"
    )
    assert messages["model scorer: placement lrt"].endswith(
        "; a placement deploys one image to all its sites (give `image` one multi-architecture"
        " reference, or place the model per architecture: targets with kubernetes.io/arch In"
        " [arm64] / NotIn [arm64])"
    )


def test_a_catalogue_workload_naming_a_site_not_in_the_inventory() -> None:
    misspelt = workload("logistics", ("detector",), sites=("dd", "d"))
    cat = catalogue((), (container_model("detector", follow=True),), (misspelt,))
    _, diags = build_plan(cat, SITES)
    assert [(d.code, d.severity, d.message) for d in diags if d.code == "D110"] == [
        (
            "D110",
            "warning",
            "workload logistics names a site that is not in the inventory: dd (did you mean d?);"
            " the models that follow it are not placed on the site it meant",
        )
    ]
    # an export that replaces the workload's sites is checked as the export
    exported = (WorkloadSites("logistics", ("d",), Location("w.yaml", 4, 5)),)
    _, diags = build_plan(cat, SITES, exported=exported)
    assert [d for d in diags if d.code == "D110"] == []


def test_a_placement_skips_sites_with_a_taint_it_does_not_tolerate() -> None:
    """OCM leaves a ManagedCluster with a NoSelect taint out of every Placement that does
    not tolerate it; the generated ones tolerate only the unreachable/unavailable taints.
    PreferNoSelect only lowers a score, and PlacementRules do not read taints at all."""
    tainted = sites(
        replace(site("a", {"line": "assembly"}), taints=(("maintenance", "NoSelect"),)),
        replace(
            site("b", {"line": "assembly"}),
            taints=(("cluster.open-cluster-management.io/unreachable", "NoSelect"),),
        ),
        replace(site("c", {"line": "assembly"}), taints=(("slow-link", "PreferNoSelect"),)),
    )
    targets = (target("assembly", sel({"line": "assembly"})),)
    models = (http_model("scorer", targets=("assembly",)),)
    for kind, expected in (("Placement", {"b", "c"}), ("PlacementRule", {"a", "b", "c"})):
        model = evaluate(catalogue(targets, models, kind=kind), MaskCache(tainted)).model("scorer")
        assert model is not None
        assert {tainted.names[n] for n in members(model.sites)} == expected, kind
    _, diags = build_plan(catalogue(targets, models), tainted)
    assert not [d for d in diags if d.code == "D106"]
    only_a = sites(replace(site("a", {"line": "assembly"}), taints=(("maintenance", "NoSelect"),)))
    _, diags = build_plan(catalogue(targets, models), only_a)
    (unmatched,) = [d for d in diags if d.code == "D106"]
    assert unmatched.message == (
        "placement assembly selects no site of the inventory: the site it matches is "
        "tainted NoSelect (a), which the generated Placements do not tolerate: maintenance"
    )


def test_a_workload_on_a_tainted_site_is_told_why_its_model_is_missing() -> None:
    """The workload runs on a site whose NoSelect taint keeps the model's Placement off it:
    D104 says so, as it says when a cluster set is the reason."""
    tainted = sites(
        site("a", {"line": "assembly"}),
        replace(site("b", {"line": "assembly"}), taints=(("maintenance", "NoSelect"),)),
    )
    users = (workload("inspection", ("detector",), sel({"line": "assembly"})),)
    cat = catalogue((), (container_model("detector", follow=True),), users)
    _, diags = build_plan(cat, tainted)
    assert [d.message for d in diags if d.code == "D104"] == [
        "workload inspection runs on 1 site without model detector: b (it has a NoSelect "
        "taint that the generated Placements do not tolerate: maintenance; remove the taint "
        "or move the workload)"
    ]
    two = sites(*tainted.inventory.sites, site("d", {"line": "assembly", CLUSTER_SET_LABEL: "lab"}))
    _, diags = build_plan(cat, two)
    (missing,) = [d.message for d in diags if d.code == "D104"]
    assert missing.startswith("workload inspection runs on 2 sites without model detector: b, d")
    assert missing.endswith(
        " (1 site of them (b) has a NoSelect taint that the generated Placements do not "
        "tolerate: maintenance; remove the taint or move the workload)"
    )
