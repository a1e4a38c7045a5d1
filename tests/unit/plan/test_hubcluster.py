"""D135: a placement that gives models to the hub itself (the site labelled
local-cluster=true, which RHACM registers as a managed cluster)."""

from __future__ import annotations

from edgemodels.diagnostics import Diagnostic
from edgemodels.plan.core import build_plan

from .builders import catalogue, http_model, req, sel, site, sites, target, workload

HUB = site("local-cluster", {"local-cluster": "true", "line": "hub"}, line=3)
PLANT = site("plant-01", {"line": "assembly"}, line=7)
EVERY_LINE_BUT_PAINT = target("not-paint", sel(None, req("line", "NotIn", "paint")), line=12)


def d135(diags: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.code == "D135"]


def test_a_target_that_does_not_exclude_the_hub_gives_it_models() -> None:
    models = (
        http_model("scorer", targets=("not-paint",)),
        http_model("ranker", targets=("not-paint",)),
    )
    _, diags = build_plan(catalogue((EVERY_LINE_BUT_PAINT,), models), sites(HUB, PLANT))
    (found,) = d135(diags)
    assert found.render() == (
        "catalogue.yaml:12:5: D135 [warning] placement not-paint selects site local-cluster, "
        "the hub itself (label local-cluster=true), and gives it 2 models: scorer, ranker; "
        "they would run on the hub, not at a site. Keep it out of the target "
        "(matchExpressions: {key: local-cluster, operator: DoesNotExist}) or of "
        "spec.hub.clusterSets, or suppress this here where the hub is meant to run them"
    )
    assert found.sites == ("local-cluster",)


def test_a_target_that_excludes_the_hub_is_quiet() -> None:
    excluding = target(
        "not-paint",
        sel(None, req("line", "NotIn", "paint"), req("local-cluster", "DoesNotExist")),
    )
    cat = catalogue((excluding,), (http_model("scorer", targets=("not-paint",)),))
    plan, diags = build_plan(cat, sites(HUB, PLANT))
    assert d135(diags) == []
    assert [m.sites for m in plan.after.models] == [0b10]  # the plant only


def test_only_the_label_local_cluster_true_is_the_hub() -> None:
    other = site("local-ish", {"local-cluster": "false", "line": "hub"})
    cat = catalogue((EVERY_LINE_BUT_PAINT,), (http_model("scorer", targets=("not-paint",)),))
    _, diags = build_plan(cat, sites(other, PLANT))
    assert d135(diags) == []


def test_a_hub_outside_the_bound_cluster_sets_gets_nothing() -> None:
    set_label = "cluster.open-cluster-management.io/clusterset"
    hub = site("local-cluster", {"local-cluster": "true", set_label: "hub-only"})
    cat = catalogue((EVERY_LINE_BUT_PAINT,), (http_model("scorer", targets=("not-paint",)),))
    _, diags = build_plan(cat, sites(hub, PLANT))  # the catalogue binds `default` only
    assert d135(diags) == []


def test_a_follow_placement_names_only_the_model_that_follows_onto_the_hub() -> None:
    users = (workload("inspection", ("detector",), sel({"line": "hub"})),)
    models = (
        http_model("detector", follow=True),
        http_model("scorer", targets=("not-paint",)),
    )
    cat = catalogue((EVERY_LINE_BUT_PAINT,), models, users)
    _, diags = build_plan(cat, sites(HUB, PLANT))
    found = {d.message.split(" selects")[0]: d for d in d135(diags)}
    assert set(found) == {"placement not-paint", "placement follow-detector"}
    assert "gives it 1 model: detector;" in found["placement follow-detector"].message
    assert "A workload it follows runs there: keep the hub out of that workload's selector" in (
        found["placement follow-detector"].message
    )
    assert "gives it 1 model: scorer;" in found["placement not-paint"].message
