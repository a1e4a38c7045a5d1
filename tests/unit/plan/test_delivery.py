"""D118 delivery-switched, D119 pull-model-dropped and D132 pull-model-enabled: plan --base
across a change of the hub's deployer, or of which Argo CD syncs the sites' Applications."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import ArgoSpec, Catalogue
from edgemodels.diagnostics import Diagnostic
from edgemodels.plan.core import build_plan

from .builders import catalogue, container_model, http_model, sel, site, sites, target

FLEET = sites(site("a-01", {"line": "a"}), site("a-02", {"line": "a"}))
BASE = catalogue(
    (target("line-a", sel({"line": "a"})),), (http_model("scorer", "1.0.0", ("line-a",)),)
)


def argo(base: Catalogue, **settings: object) -> Catalogue:
    spec = replace(ArgoSpec(namespace="gitops"), **settings)
    return replace(base, hub=replace(base.hub, delivery="argocd", argocd=spec))


def found(before: Catalogue, after: Catalogue, code: str, allow: bool = False) -> list[Diagnostic]:
    _, diags = build_plan(after, FLEET, before, compared=True, allow_removals=allow)
    return [d for d in diags if d.code == code]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (BASE, argo(BASE)),  # straight to Argo CD: the Subscriptions purge the models
        (BASE, argo(BASE, migration="subscriptions-removed")),  # marks and removal at once
        (argo(BASE, migration="keep-subscriptions"), argo(BASE)),  # marks leave with them
        (argo(BASE), BASE),  # back: the hub Application stops updating and pruning
    ],
)
def test_a_delivery_switch_outside_the_migration_is_a_removal_guard(
    before: Catalogue, after: Catalogue
) -> None:
    (d118,) = found(before, after, "D118")
    assert d118.severity == "error"
    assert "2 sites (a-01, a-02)" in d118.message
    assert "--allow-removals" in d118.message
    assert [d.severity for d in found(before, after, "D118", allow=True)] == ["warning"]


def test_the_message_names_the_migration_step_that_was_skipped() -> None:
    (d118,) = found(BASE, argo(BASE), "D118")
    assert d118.message.startswith(
        "delivery subscription -> delivery argocd, migration none: this publish drops"
    )
    assert "migration: keep-subscriptions first" in d118.message
    (back,) = found(argo(BASE), BASE, "D118")
    assert f"hub Application {BASE.name}-hub fails to compare" in back.message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (BASE, argo(BASE, migration="keep-subscriptions")),
        (argo(BASE, migration="keep-subscriptions"), argo(BASE, migration="subscriptions-removed")),
        (argo(BASE, migration="subscriptions-removed"), argo(BASE)),
        (argo(BASE), argo(BASE, project="edge")),
        (BASE, BASE),
    ],
)
def test_the_documented_steps_are_no_switch(before: Catalogue, after: Catalogue) -> None:
    assert found(before, after, "D118") == []


def test_dropping_the_pull_model_says_to_delete_the_manifestworks() -> None:
    pulled = argo(BASE, pull_model=True)
    (d119,) = found(pulled, argo(BASE), "D119")
    assert d119.severity == "warning"
    assert "ManifestWorks" in d119.message
    assert f"edgemodels.io/catalogue={BASE.name}" in d119.message
    assert "resources finalizer" not in d119.message
    # The ManifestWorks hold the site Applications as the base wrote them: the base's
    # preserveResourcesOnDeletion decides whether deleting them takes the objects along.
    (safe,) = found(pulled, argo(BASE, preserve_resources_on_deletion=False), "D119")
    assert "resources finalizer" not in safe.message
    purging_base = argo(BASE, pull_model=True, preserve_resources_on_deletion=False)
    for after in (argo(BASE), argo(BASE, preserve_resources_on_deletion=False)):
        (purging,) = found(purging_base, after, "D119")
        assert "removes the objects from the site" in purging.message
        assert "first publish preserveResourcesOnDeletion: true with pullModel" in purging.message
    assert found(argo(BASE), pulled, "D119") == []
    assert found(pulled, pulled, "D119") == []


def test_turning_the_pull_model_on_names_the_models_and_sites_that_change_hands() -> None:
    before = argo(BASE)
    after = argo(BASE, pull_model=True)
    (d132,) = found(before, after, "D132")
    assert d132.severity == "warning" and d132.name == "pull-model-enabled"
    assert d132.sites == ("a-01", "a-02")
    assert "pullModel false -> true" in d132.message
    assert "take over 1 model (scorer) on 2 sites (a-01, a-02)" in d132.message
    assert "does not watch namespace gitops (or that has none)" in d132.message
    assert "gets no later change, new model or removal" in d132.message
    # Nothing is deleted: a warning, whatever --allow-removals says, and no removal guard
    assert [d.severity for d in found(before, after, "D132", allow=True)] == ["warning"]
    _, diags = build_plan(after, FLEET, before, compared=True)
    assert {d.code for d in diags if d.severity == "error"} == set()
    assert not {"D101", "D102", "D118", "D119"} & {d.code for d in diags}


def test_the_pull_model_finding_names_the_models_kept_not_those_added_or_removed() -> None:
    line_b = target("line-b", sel({"line": "b"}))
    fleet = sites(*FLEET.inventory.sites, site("b-01", {"line": "b"}))
    base = catalogue(
        (BASE.targets[0], line_b),
        (
            http_model("scorer", "1.0.0", ("line-a",)),
            container_model("weights", targets=("line-b",)),
            http_model("retired", "1.0.0", ("line-b",)),
        ),
    )
    work = replace(
        base,
        models=(
            http_model("scorer", "1.1.0", ("line-a",)),
            container_model("weights", targets=("line-a", "line-b")),
            http_model("fresh", "1.0.0", ("line-a",)),
        ),
    )
    _, diags = build_plan(argo(work, pull_model=True), fleet, argo(base), compared=True)
    (d132,) = [d for d in diags if d.code == "D132"]
    assert "2 models (scorer, weights) on 3 sites (a-01, a-02, b-01)" in d132.message
    assert d132.sites == ("a-01", "a-02", "b-01")


def test_no_pull_model_finding_without_an_argo_cd_hub_on_both_sides() -> None:
    pulled = argo(BASE, pull_model=True)
    assert found(pulled, pulled, "D132") == []
    assert found(pulled, argo(BASE), "D132") == []  # off again: D119
    assert found(BASE, pulled, "D132") == []  # from Subscriptions: D118, or the migration
    migrating = argo(BASE, pull_model=True, migration="keep-subscriptions")
    assert found(BASE, migrating, "D132") == []
    # Sites that hold nothing of the catalogue yet: still said, as every site needs Argo CD
    empty = replace(BASE, models=())
    (bare,) = found(argo(empty), argo(empty, pull_model=True), "D132")
    assert "must take over the models on their sites" in bare.message and bare.sites == ()
