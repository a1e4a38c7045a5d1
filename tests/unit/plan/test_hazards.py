"""D114 copy-volume-resized, D115 packaging-hand-over and D123 copy-volume-class-changed,
through build_plan."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import ArgoSpec, Catalogue, ContainerDelivery, HubSpec, Model
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.plan.core import build_plan
from edgemodels.plan.diff import site_changes
from edgemodels.plan.reports import build_view, detail_text
from edgemodels.plan.sitemasks import Sites

from .builders import (
    CATALOGUE_FILE,
    catalogue,
    container_model,
    http_model,
    sel,
    site,
    sites,
    target,
)

SIZE_LINE = Location(CATALOGUE_FILE, 63, 15)
PACKAGING_LINE = Location(CATALOGUE_FILE, 62, 18)
FLEET = sites(site("a-01", {"line": "a"}), site("a-02", {"line": "a"}), site("b-01", {"line": "b"}))
TARGETS = (target("line-a", sel({"line": "a"})), target("line-b", sel({"line": "b"})))


def weights(
    size: str | None,
    delivery: ContainerDelivery | None = None,
    targets: tuple[str, ...] = ("line-a",),
    located: bool = True,
) -> Model:
    model = container_model("weights", targets=targets, size=size, delivery=delivery)
    spots = (("packaging", PACKAGING_LINE),) + ((("container.size", SIZE_LINE),) if located else ())
    return replace(model, key_locations=spots)


def found(base: Catalogue, work: Catalogue, code: str, where: Sites = FLEET) -> list[Diagnostic]:
    _, diags = build_plan(work, where, base, compared=True)
    return [d for d in diags if d.code == code]


def test_a_smaller_copy_volume_is_an_error_at_the_size_line() -> None:
    base = catalogue(TARGETS, (weights("2Gi"),))
    work = catalogue(TARGETS, (weights("1Gi"),))
    (d114,) = found(base, work, "D114")
    assert (d114.severity, d114.location) == ("error", SIZE_LINE)
    assert d114.message.startswith(
        "container model weights: container.size 2Gi -> 1Gi on 2 sites that keep it with "
        "copy delivery (a-01, a-02): the API server refuses to shrink its claim weights-model"
    )
    assert "new name" in d114.message and "remove it in one merge" in d114.message


def test_a_bigger_copy_volume_is_a_warning_naming_volume_expansion() -> None:
    base = catalogue(TARGETS, (weights("2Gi"),))
    work = catalogue(TARGETS, (weights("3Gi"),))
    (d114,) = found(base, work, "D114")
    assert (d114.severity, d114.location) == ("warning", SIZE_LINE)
    assert "2Gi -> 3Gi on 2 sites" in d114.message
    assert "allowVolumeExpansion: true), which k3s's default local-path lacks" in d114.message


def test_a_size_that_falls_back_to_the_default_points_at_the_model() -> None:
    """No size: the claim gets the default (5Gi), so 2Gi -> absent grows it."""
    base = catalogue(TARGETS, (weights("2Gi"),))
    work = catalogue(TARGETS, (weights(None, located=False),))
    (d114,) = found(base, work, "D114")
    assert (d114.severity, d114.location.line) == ("warning", 60)
    assert "container.size 2Gi -> 5Gi" in d114.message


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (weights("2Gi"), weights("2048Mi")),  # the same quantity, written otherwise
        (weights(None), weights("5Gi")),  # the default, now written out
        (weights("2Gi", "imageVolume"), weights("1Gi", "imageVolume")),  # no claim
        (weights("2Gi", targets=()), weights("1Gi")),  # a new deployment: a new claim
        (weights("2Gi"), weights("1Gi", targets=("line-b",))),  # left and added: no site keeps it
    ],
)
def test_no_resize_where_no_claim_changes(before: Model, after: Model) -> None:
    assert found(catalogue(TARGETS, (before,)), catalogue(TARGETS, (after,)), "D114") == []


def test_a_moved_site_is_not_a_resize() -> None:
    """A move purges the old claim with its Subscription and makes a new one."""
    wide = (*TARGETS, target("all", sel()))
    base = catalogue(wide, (weights("2Gi", targets=("line-a",)),))
    work = catalogue(wide, (weights("1Gi", targets=("all",)),))
    assert found(base, work, "D114") == []


def test_a_resize_from_copy_to_image_volume_is_not_a_resize() -> None:
    base = catalogue(TARGETS, (weights("2Gi", "copy"),))
    work = catalogue(TARGETS, (weights("1Gi", "imageVolume"),))
    assert found(base, work, "D114") == []


def test_a_packaging_change_is_an_error_at_the_packaging_line() -> None:
    base = catalogue(TARGETS, (weights("2Gi"),))
    work = catalogue(TARGETS, (replace(weights("2Gi"), packaging="helm"),))
    (d115,) = found(base, work, "D115")
    assert (d115.severity, d115.location) == ("error", PACKAGING_LINE)
    assert d115.message.startswith(
        "model weights: packaging kustomize -> helm on 2 sites that keep it (a-01, a-02): "
        "the same objects pass from one deployer to the other"
    )
    assert "its copy volume weights-model is deleted and made again" in d115.message
    assert "remove the model in one merge and add it back" in d115.message


def test_a_packaging_change_of_an_http_model_has_no_volume() -> None:
    base = catalogue(TARGETS, (http_model("scorer", targets=("line-b",)),))
    changed = replace(http_model("scorer", targets=("line-b",)), packaging="kustomize")
    (d115,) = found(base, catalogue(TARGETS, (changed,)), "D115")
    assert (d115.severity, d115.location.line) == ("error", 40)  # no packaging line: the model
    assert "helm -> kustomize on 1 site that keeps it (b-01)" in d115.message
    assert "volume" not in d115.message


def test_no_hand_over_without_a_kept_site_or_with_argo_cd() -> None:
    base = catalogue(TARGETS, (weights("2Gi"),))
    elsewhere = replace(weights("2Gi", targets=("line-b",)), packaging="helm")
    assert found(base, catalogue(TARGETS, (elsewhere,)), "D115") == []
    work = catalogue(TARGETS, (replace(weights("2Gi"), packaging="helm"),))
    argo = HubSpec(namespace="models", delivery="argocd", argocd=ArgoSpec())
    assert found(replace(base, hub=argo), replace(work, hub=argo), "D115") == []
    during = HubSpec(
        namespace="models", delivery="argocd", argocd=ArgoSpec(migration="keep-subscriptions")
    )
    assert len(found(replace(base, hub=during), replace(work, hub=during), "D115")) == 1


@pytest.mark.parametrize(
    ("delivery", "volume"),
    [
        ("copy", ", its copy volume deleted and the weights copied again"),
        ("imageVolume", ", its copy volume deleted"),  # the new placement copies nothing
    ],
)
def test_a_moved_copy_model_says_its_volume_goes(delivery: ContainerDelivery, volume: str) -> None:
    wide = (*TARGETS, target("all", sel()))
    base = catalogue(wide, (weights("2Gi", "copy", targets=("line-a",)),))
    work = catalogue(wide, (weights("2Gi", delivery, targets=("all",)),))
    plan, _ = build_plan(work, FLEET, base, compared=True)
    details = {detail_text(c) for changes in site_changes(plan.diffs).values() for c in changes}
    moved = (
        "placement line-a -> all, redeployed: without the model until the new Subscription "
        f"applies it (up to a reconcile period){volume}; same version 1.0.0"
    )
    assert any(d == moved or d.startswith(moved + "; delivery, container changed") for d in details)


@pytest.mark.parametrize(
    ("argo", "gap"),
    [
        (None, ": without the model until the new Subscription applies it"),
        (
            ArgoSpec(preserve_resources_on_deletion=False),
            ": without the model until the new Application applies it",
        ),
        (ArgoSpec(), "; same version"),  # the old Application leaves the objects in place
        (ArgoSpec(preserve_resources_on_deletion=False, migration="keep-subscriptions"), "; same"),
    ],
)
def test_a_move_leaves_a_gap_only_where_the_objects_are_deleted(
    argo: ArgoSpec | None, gap: str
) -> None:
    wide = (*TARGETS, target("all", sel()))
    hub = (
        HubSpec(namespace="models")
        if argo is None
        else HubSpec(namespace="models", delivery="argocd", argocd=argo)
    )
    base = replace(catalogue(wide, (http_model("scorer", targets=("line-a",)),)), hub=hub)
    work = replace(catalogue(wide, (http_model("scorer", targets=("all",)),)), hub=hub)
    plan, diags = build_plan(work, FLEET, base, compared=True)
    view = build_view(plan, diags)
    (moved,) = {view.detail(c) for cs in view.changes.values() for c in cs if c.kind == "moved"}
    assert moved.startswith("placement line-a -> all, redeployed" + gap)


def test_a_moved_site_is_resized_where_argo_cd_keeps_the_claim() -> None:
    """Argo CD preserving resources leaves the old claim for the new Application to patch."""
    wide = (*TARGETS, target("all", sel()))
    argo = HubSpec(namespace="models", delivery="argocd", argocd=ArgoSpec())
    base = replace(catalogue(wide, (weights("2Gi", targets=("line-a",)),)), hub=argo)
    work = replace(catalogue(wide, (weights("1Gi", targets=("all",)),)), hub=argo)
    (d114,) = found(base, work, "D114")
    assert "2Gi -> 1Gi on 2 sites that keep it with copy delivery (a-01, a-02)" in d114.message


def test_a_hub_namespace_change_is_a_removal_guard() -> None:
    """The hub Subscription would delete every model Subscription (every site loses its
    models) and create new ones naming a Channel that does not exist yet."""
    base = catalogue(TARGETS, (http_model("scorer", "1.0.0", ("line-a",)),))
    moved = replace(base, hub=replace(base.hub, namespace="edge-hub2"))
    _, diags = build_plan(moved, FLEET, base, compared=True)
    (d116,) = [d for d in diags if d.code == "D116"]
    assert d116.severity == "error"
    assert f"spec.hub.namespace {base.hub.namespace} -> edge-hub2" in d116.message
    assert "--allow-removals" in d116.message
    _, allowed = build_plan(moved, FLEET, base, compared=True, allow_removals=True)
    assert [(d.code, d.severity) for d in allowed if d.code == "D116"] == [("D116", "warning")]
    renamed = replace(base, name="other")
    _, diags = build_plan(renamed, FLEET, base, compared=True)
    assert any(d.code == "D116" and "metadata.name" in d.message for d in diags)


def test_a_bootstrap_setting_says_to_apply_hub_again() -> None:
    base = catalogue(TARGETS, (http_model("scorer", "1.0.0", ("line-a",)),))
    faster = replace(base, hub=replace(base.hub, reconcile_rate="high"))
    _, diags = build_plan(faster, FLEET, base, compared=True)
    (d117,) = [d for d in diags if d.code == "D117"]
    assert d117.severity == "warning"
    assert d117.message.startswith("spec.hub.reconcileRate (not set) -> high: ")
    assert "kubectl apply -k hub/" in d117.message
    below = replace(base, git=replace(base.git, path="models"))
    _, diags = build_plan(below, FLEET, base, compared=True)
    (d117,) = [d for d in diags if d.code == "D117"]
    assert d117.message.startswith('spec.git.path "" -> models: ')  # the empty root path
    _, same = build_plan(base, FLEET, base, compared=True)
    assert not [d for d in same if d.code in ("D116", "D117")]


def argo_hub(base: Catalogue, **settings: object) -> Catalogue:
    argo = replace(ArgoSpec(namespace="gitops"), **settings)
    return replace(base, hub=replace(base.hub, delivery="argocd", argocd=argo))


def test_an_argo_cd_hub_move_is_a_removal_guard_naming_the_hub_application() -> None:
    """The running hub Application `<catalogue>-hub` prunes every ApplicationSet of
    hub/argocd/synced/ once their names or namespace change."""
    base = argo_hub(catalogue(TARGETS, (http_model("scorer", "1.0.0", ("line-a",)),)))
    moved = argo_hub(base, namespace="gitops2")
    _, diags = build_plan(moved, FLEET, base, compared=True)
    (d116,) = [d for d in diags if d.code == "D116"]
    assert d116.severity == "error"
    assert "spec.hub.argocd.namespace gitops -> gitops2" in d116.message
    assert f"hub Application {base.name}-hub (namespace gitops) prunes" in d116.message
    renamed = replace(base, name="other")
    _, diags = build_plan(renamed, FLEET, base, compared=True, allow_removals=True)
    assert [(d.code, d.severity) for d in diags if d.code == "D116"] == [("D116", "warning")]
    # spec.hub.namespace names nothing of the Argo CD side
    unused = replace(base, hub=replace(base.hub, namespace="elsewhere"))
    _, diags = build_plan(unused, FLEET, base, compared=True)
    assert not [d for d in diags if d.code in ("D116", "D117")]


def test_an_argo_cd_hub_application_setting_says_to_apply_hub_again() -> None:
    base = argo_hub(catalogue(TARGETS, (http_model("scorer", "1.0.0", ("line-a",)),)))
    _, diags = build_plan(argo_hub(base, project="edge"), FLEET, base, compared=True)
    (d117,) = [d for d in diags if d.code == "D117"]
    assert d117.message.startswith("spec.hub.argocd.project default -> edge: ")
    assert "the hub Application" in d117.message and "Channel" not in d117.message
    # a Subscription-only setting is no hazard for the Argo CD side
    faster = replace(base, hub=replace(base.hub, reconcile_rate="high"))
    _, diags = build_plan(faster, FLEET, base, compared=True)
    assert not [d for d in diags if d.code in ("D116", "D117")]


def test_a_migration_checks_both_hub_sides() -> None:
    base = argo_hub(
        catalogue(TARGETS, (http_model("scorer", "1.0.0", ("line-a",)),)),
        migration="keep-subscriptions",
    )
    _, diags = build_plan(replace(base, name="other"), FLEET, base, compared=True)
    runners = sorted(
        d.message.split("running hub ")[1].split()[0] for d in diags if d.code == "D116"
    )
    assert runners == ["Application", "Subscription"]
    moved = replace(base.git, branch="deploy2")
    _, diags = build_plan(replace(base, git=moved), FLEET, base, compared=True)
    (d117,) = [d for d in diags if d.code == "D117"]
    assert d117.message.count("spec.git.branch") == 1
    assert "hub Application" in d117.message and "hub Subscription" in d117.message


CLASS_LINE = Location(CATALOGUE_FILE, 64, 25)


def classed(storage_class: str | None, delivery: ContainerDelivery | None = None) -> Model:
    model = weights("2Gi", delivery)
    assert model.container is not None
    container = replace(model.container, storage_class=storage_class)
    spot = (("container.storageClassName", CLASS_LINE),) if storage_class else ()
    spots = model.key_locations + spot
    return replace(model, container=container, key_locations=spots)


@pytest.mark.parametrize(
    ("was", "now", "says"),
    [
        ("local-path", "longhorn", "local-path -> longhorn"),
        (None, "longhorn", "(cluster default) -> longhorn"),
        ("longhorn", None, "longhorn -> (cluster default)"),
    ],
)
def test_a_storage_class_change_on_kept_copy_sites_is_an_error(
    was: str | None, now: str | None, says: str
) -> None:
    base = catalogue(TARGETS, (classed(was),))
    work = catalogue(TARGETS, (classed(now),))
    (d123,) = found(base, work, "D123")
    assert d123.severity == "error"
    assert d123.location == (CLASS_LINE if now else Location(CATALOGUE_FILE, 60, 7))
    assert d123.message.startswith(
        f"container model weights: container.storageClassName {says} on 2 sites that keep it "
        "with copy delivery (a-01, a-02): the API server refuses to change the storageClassName "
        "of its claim weights-model"
    )
    assert found(base, work, "D114") == []


def test_no_storage_class_finding_without_a_kept_claim() -> None:
    same = catalogue(TARGETS, (classed("longhorn"),))
    assert found(same, same, "D123") == []
    # image volumes have no claim
    base = catalogue(TARGETS, (classed(None, "imageVolume"),))
    work = catalogue(TARGETS, (classed("longhorn", "imageVolume"),))
    assert found(base, work, "D123") == []
    # a moved site's claim is purged and made anew by the new Subscription
    wide = (*TARGETS, target("all", sel()))
    moved = replace(classed("longhorn"), targets=("all",))
    assert found(catalogue(wide, (classed(None),)), catalogue(wide, (moved,)), "D123") == []
