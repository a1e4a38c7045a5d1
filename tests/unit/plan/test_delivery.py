"""D118 delivery-switched and D119 pull-model-dropped: plan --base across a change of the
hub's deployer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import ArgoSpec, Catalogue
from edgemodels.diagnostics import Diagnostic
from edgemodels.plan.core import build_plan

from .builders import catalogue, http_model, sel, site, sites, target

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
