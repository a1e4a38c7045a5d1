"""The hub objects reach the hub from Git: `hub/` (applied once) holds a hub-local
Subscription that applies, and prunes, `hub/synced/` (review D5)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import Catalogue

from .samples import fleet
from .schemas import require_crd_schemas, schema_errors
from .tooling import load_yaml, render

APPS = "apps.open-cluster-management.io"
BOOTSTRAP = ("hub/namespace.yaml", "hub/channel.yaml", "hub/subscription.yaml")
PER_MODEL_KINDS = {
    "Placement",
    "PlacementRule",
    "Subscription",
    "Application",
}


def with_kind(catalogue: Catalogue, kind: str) -> Catalogue:
    return replace(catalogue, hub=replace(catalogue.hub, placement_kind=kind))


@pytest.mark.parametrize("kind", ["Placement", "PlacementRule"])
def test_the_bootstrap_subscription_applies_the_folder_of_every_hub_object(kind: str) -> None:
    cat = with_kind(fleet(), kind)
    tree = render(cat)
    sub = load_yaml(tree["hub/subscription.yaml"])
    annotations = sub["metadata"]["annotations"]
    assert sub["kind"] == "Subscription" and sub["metadata"]["namespace"] == cat.hub.namespace
    assert sub["spec"] == {
        "channel": f"{cat.hub.namespace}/{cat.name}",
        "placement": {"local": True},
    }
    assert annotations[f"{APPS}/git-branch"] == cat.git.branch
    # The git-path is in the repository; the tree is its folder spec.git.path.
    assert annotations[f"{APPS}/git-path"] == f"{cat.git.path.strip('/')}/hub/synced"
    folder = "hub/synced"
    assert f"{folder}/kustomization.yaml" in tree
    listed = load_yaml(tree[f"{folder}/kustomization.yaml"])["resources"]
    # Every hub object but the bootstrap's (three, and the bindings) is in the folder, and
    # listed there.
    others = {
        path: load_yaml(data)["kind"]
        for path, data in tree.items()
        if path.startswith("hub/")
        and not path.endswith("/kustomization.yaml")
        and path not in BOOTSTRAP
        and not path.startswith("hub/bindings/")
    }
    assert set(others.values()) <= PER_MODEL_KINDS and kind in others.values()
    assert sorted(f"{folder}/{p}" for p in listed) == sorted(others)


@pytest.mark.parametrize("kind", ["Placement", "PlacementRule"])
def test_the_hub_subscription_matches_the_real_subscription_crd(kind: str) -> None:
    require_crd_schemas()
    sub = load_yaml(render(with_kind(fleet(), kind))["hub/subscription.yaml"])
    assert schema_errors(sub) == []
    sub["spec"]["placement"]["local"] = "yes"  # the schema does look at it
    assert schema_errors(sub)


def test_the_hub_subscription_follows_the_deploy_folder_and_keeps_a_label_sized_name() -> None:
    cat = fleet()
    cat = replace(cat, name="c" * 63, git=replace(cat.git, path="/clusters/plant/", branch="b7"))
    sub = load_yaml(render(cat)["hub/subscription.yaml"])
    annotations = sub["metadata"]["annotations"]
    assert annotations[f"{APPS}/git-path"] == "clusters/plant/hub/synced"
    assert annotations[f"{APPS}/git-branch"] == "b7"
    # RHACM labels what it deploys with the Subscription's name: it must be a label value.
    assert (
        len(sub["metadata"]["name"]) <= 63
        and sub["metadata"]["labels"]["app"] == (sub["metadata"]["name"])
    )


def test_a_removed_model_leaves_the_synced_folder_so_rhacm_deletes_its_hub_objects() -> None:
    cat = fleet()
    before = render(cat)
    gone = cat.models[0].name
    after = render(replace(cat, models=cat.models[1:]))
    mine = {p for p in before if p.startswith("hub/synced/") and f"/{gone}" in p}
    assert f"hub/synced/applications/{gone}.yaml" in mine
    assert any(p.startswith(f"hub/synced/subscriptions/{gone}--") for p in mine)
    assert not mine & set(after)
    listed = load_yaml(after["hub/synced/kustomization.yaml"])["resources"]
    assert not [p for p in listed if f"/{gone}" in p]
    # The bootstrap does not change: nothing to apply by hand.
    assert before["hub/kustomization.yaml"] == after["hub/kustomization.yaml"]
    assert before["hub/subscription.yaml"] == after["hub/subscription.yaml"]


def test_the_bindings_are_applied_by_hand_with_the_bootstrap_not_synced() -> None:
    """The webhook lets only a creator allowed to bind a set make its binding (review s16
    D4): the admin applying hub/ has that right, the subscription controller may not."""
    cat = fleet()
    tree = render(cat)
    bindings = sorted(p for p in tree if "bindings/" in p)
    assert bindings == [f"hub/bindings/{s}.yaml" for s in sorted(cat.hub.cluster_sets)]
    assert all(load_yaml(tree[p])["kind"] == "ManagedClusterSetBinding" for p in bindings)
    listed = load_yaml(tree["hub/kustomization.yaml"])["resources"]
    assert listed[0] == "namespace.yaml"  # the bindings live in it
    assert {f"hub/{p}" for p in listed} == {*BOOTSTRAP, *bindings}
    synced = load_yaml(tree["hub/synced/kustomization.yaml"])["resources"]
    assert synced and not [p for p in synced if "binding" in p]
    kinds = {load_yaml(d)["kind"] for p, d in tree.items() if p.startswith("hub/synced/")}
    assert "ManagedClusterSetBinding" not in kinds and "Placement" in kinds


def test_placement_rules_have_no_bindings_in_the_bootstrap_either() -> None:
    tree = render(with_kind(fleet(), "PlacementRule"))
    assert not [p for p in tree if "binding" in p]
    listed = load_yaml(tree["hub/kustomization.yaml"])["resources"]
    assert {f"hub/{p}" for p in listed} == set(BOOTSTRAP)


@pytest.mark.parametrize("kind", ["Placement", "PlacementRule"])
def test_the_tree_readme_says_who_may_apply_hub_and_when_again(kind: str) -> None:
    text = render(with_kind(fleet(), kind))["README.md"].decode()
    assert ("managedclustersets/bind" in text) == (kind == "Placement")
    assert ("  bindings/<set>.yaml" in text) and "    bindings/" not in text
    for setting in ("spec.hub.clusterSets", "spec.hub.reconcileRate", "credentialsSecret"):
        assert setting in text


@pytest.mark.parametrize("rate", [None, "high"])
def test_subscriptions_carry_the_labels_the_hub_sets(rate: str | None) -> None:
    """The hub sets `app.kubernetes.io/part-of` (equal to `app`) and the Channel's
    reconcile rate on every Subscription; without them in Git, each full re-apply of
    hub/synced/ (nested Subscriptions are replaced) would strip them and the hub add them
    back, on every Subscription of the fleet."""
    cat = fleet()
    cat = replace(cat, hub=replace(cat.hub, reconcile_rate=rate))
    tree = render(cat)
    subs = [
        load_yaml(data)
        for path, data in tree.items()
        if path.startswith("hub/synced/subscriptions/") or path == "hub/subscription.yaml"
    ]
    assert len(subs) > 2
    for sub in subs:
        labels = sub["metadata"]["labels"]
        assert labels["app.kubernetes.io/part-of"] == labels["app"]
        assert labels.get(f"{APPS}/reconcile-rate") == rate
