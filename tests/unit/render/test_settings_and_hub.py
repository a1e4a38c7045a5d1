"""What each placement gets, and the hub objects that deliver it."""

from __future__ import annotations

from dataclasses import replace

from edgemodels.catalogue.model import HubSpec, Overrides, Requirement, Selector
from edgemodels.render.settings import plan_model, required_value

from .samples import fleet, seed
from .tooling import load_yaml, render


def test_arch_of_a_placement_picks_the_model_image_for_it() -> None:
    cat = fleet()
    plan = plan_model(cat, cat.model("detector"))
    images = {p.placement.name: p.settings.image for p in plan.placed}
    assert images == {
        "edge": "quay.io/acme/detector:2.1.0",
        "arm": "quay.io/acme/detector-arm64:2.1.0",
    }
    assert {p.placement.name: p.arch for p in plan.placed} == {"edge": None, "arm": "arm64"}


def test_explicit_override_image_wins_over_arch() -> None:
    cat = fleet()
    model = replace(
        cat.model("detector"), target_overrides=(("arm", Overrides(image="x/custom:1")),)
    )
    plan = plan_model(cat, model)
    assert [p.settings.image for p in plan.placed if p.placement.name == "arm"] == ["x/custom:1"]


def test_overrides_merge_target_then_model() -> None:
    cat = fleet()
    edge = next(
        p for p in plan_model(cat, cat.model("detector")).placed if p.placement.name == "edge"
    )
    assert edge.settings.replicas == 2  # from the target
    assert dict(edge.settings.resources.requests) == {"cpu": "1"}  # the model's override wins
    assert dict(edge.settings.resources.limits) == {"memory": "512Mi"}  # kept from the model


def test_auto_delivery_uses_image_volumes_only_where_the_selector_requires_them() -> None:
    cat = fleet()
    plan = plan_model(cat, cat.model("weights"))
    deliveries = {p.placement.name: p.settings.delivery for p in plan.placed}
    assert deliveries == {
        "edge": "copy",
        "arm": "copy",
        "modern": "imageVolume",
        "follow-weights": "copy",
    }
    assert plan.deliveries == ("copy", "imageVolume")


def test_required_value_needs_every_predicate_to_pin_the_same_single_value() -> None:
    arm = Selector((("kubernetes.io/arch", "arm64"),))
    arm2 = Selector((), (Requirement("kubernetes.io/arch", "In", ("arm64",)),))
    both = Selector((), (Requirement("kubernetes.io/arch", "In", ("arm64", "amd64")),))
    assert required_value((arm, arm2), "kubernetes.io/arch") == "arm64"
    assert required_value((arm, both), "kubernetes.io/arch") is None
    assert required_value((arm, Selector()), "kubernetes.io/arch") is None


def test_follow_placement_ors_the_workload_selectors() -> None:
    tree = render(fleet())
    placement = load_yaml(tree["hub/synced/placements/follow-weights.yaml"])
    selectors = [
        p["requiredClusterSelector"]["labelSelector"] for p in placement["spec"]["predicates"]
    ]
    assert selectors == [
        {"matchLabels": {"line": "a"}},
        {"matchExpressions": [{"key": "name", "operator": "In", "values": ["site-1", "site-2"]}]},
    ]


def test_follow_placement_without_workloads_is_not_generated() -> None:
    cat = fleet()
    cat = replace(cat, workloads=())
    tree = render(cat)
    assert "hub/synced/placements/follow-weights.yaml" not in tree
    assert "hub/synced/subscriptions/weights--follow-weights.yaml" not in tree
    assert b"`follow-weights`: not deployed anywhere" in tree["models/weights/README.md"]


def test_placements_tolerate_offline_sites_for_the_configured_time() -> None:
    tree = render(fleet())
    tolerations = load_yaml(tree["hub/synced/placements/edge.yaml"])["spec"]["tolerations"]
    assert tolerations == [
        {
            "key": "cluster.open-cluster-management.io/unreachable",
            "operator": "Exists",
            "tolerationSeconds": 86400,
        },
        {
            "key": "cluster.open-cluster-management.io/unavailable",
            "operator": "Exists",
            "tolerationSeconds": 86400,
        },
    ]
    forever = load_yaml(render(seed())["hub/synced/placements/lrt.yaml"])["spec"]["tolerations"]
    assert all("tolerationSeconds" not in t for t in forever) and len(forever) == 2


def test_one_binding_per_cluster_set_named_after_it() -> None:
    tree = render(fleet())
    for cluster_set in ("edge", "lab"):
        binding = load_yaml(tree[f"hub/bindings/{cluster_set}.yaml"])
        assert binding["metadata"]["name"] == binding["spec"]["clusterSet"] == cluster_set
        assert binding["metadata"]["namespace"] == "acme-models"


def test_placement_rules_split_ored_selectors_and_need_no_binding() -> None:
    cat = fleet()
    cat = replace(cat, hub=replace(cat.hub, placement_kind="PlacementRule"))
    tree = render(cat)
    assert not any("bindings/" in p for p in tree)
    assert "hub/synced/placements/follow-weights.yaml" not in tree
    rules = [load_yaml(tree[f"hub/synced/placements/follow-weights-{i}.yaml"]) for i in (1, 2)]
    assert [r["kind"] for r in rules] == ["PlacementRule", "PlacementRule"]
    assert rules[0]["spec"]["clusterSelector"] == {"matchLabels": {"line": "a"}}
    for i in (1, 2):
        sub = load_yaml(tree[f"hub/synced/subscriptions/weights--follow-weights-{i}.yaml"])
        assert sub["spec"]["placement"]["placementRef"] == {
            "kind": "PlacementRule",
            "apiVersion": "apps.open-cluster-management.io/v1",
            "name": f"follow-weights-{i}",
        }
        assert sub["metadata"]["labels"]["edgemodels.io/placement"] == "follow-weights"


def test_subscriptions_point_at_exactly_the_model_folder() -> None:
    tree = render(fleet())
    sub = load_yaml(tree["hub/synced/subscriptions/detector--arm.yaml"])
    notes = sub["metadata"]["annotations"]
    assert notes["apps.open-cluster-management.io/git-branch"] == "main"
    assert (
        notes["apps.open-cluster-management.io/git-path"] == "deploy/models/detector/overlays/arm"
    )
    assert "models/detector/overlays/arm/kustomization.yaml" in tree
    assert "packageOverrides" not in sub["spec"] and "name" not in sub["spec"]
    helm = load_yaml(tree["hub/synced/subscriptions/weights--arm.yaml"])
    assert helm["metadata"]["annotations"]["apps.open-cluster-management.io/git-path"] == (
        "deploy/models/weights/chart"
    )
    assert helm["spec"]["channel"] == "acme-models/acme"
    assert helm["spec"]["packageOverrides"] == [
        {
            "packageName": "weights",
            "packageOverrides": [
                {"path": "spec", "value": {"image": "quay.io/acme/weights-arm64:2024.05"}}
            ],
        }
    ]
    assert helm["metadata"]["labels"]["app"] == "weights"


def test_a_placement_with_model_defaults_has_no_package_overrides() -> None:
    sub = load_yaml(render(fleet())["hub/synced/subscriptions/weights--edge.yaml"])
    assert "packageOverrides" not in sub["spec"]


def test_application_groups_the_model_subscriptions_by_label() -> None:
    app = load_yaml(render(fleet())["hub/synced/applications/weights.yaml"])
    assert app["spec"]["selector"] == {
        "matchExpressions": [{"key": "app", "operator": "In", "values": ["weights"]}]
    }
    assert app["spec"]["componentKinds"] == [
        {"group": "apps.open-cluster-management.io", "kind": "Subscription"}
    ]


def test_channel_carries_credentials_reference_and_reconcile_rate() -> None:
    channel = load_yaml(render(fleet())["hub/channel.yaml"])
    assert channel["spec"] == {
        "type": "Git",
        "pathname": "https://git.example.com/acme/deploy.git",
        "secretRef": {"name": "git-creds"},
    }
    assert channel["metadata"]["annotations"] == {
        "apps.open-cluster-management.io/reconcile-rate": "high"
    }


def test_hub_kustomizations_list_every_hub_file_once() -> None:
    tree = render(fleet())
    listed = load_yaml(tree["hub/kustomization.yaml"])["resources"]
    # Applied once by hand: what RHACM needs to apply the rest from Git, and the bindings,
    # which need a creator allowed to bind the sets.
    assert listed == [
        "namespace.yaml",
        "bindings/edge.yaml",
        "bindings/lab.yaml",
        "channel.yaml",
        "subscription.yaml",
    ]
    synced = load_yaml(tree["hub/synced/kustomization.yaml"])["resources"]
    files = sorted(
        p.removeprefix("hub/synced/")
        for p in tree
        if p.startswith("hub/synced/") and not p.endswith("kustomization.yaml")
    )
    assert sorted(synced) == files and len(set(synced)) == len(synced)
    assert len(listed) + len(synced) == sum(
        p.startswith("hub/") and not p.endswith("kustomization.yaml") for p in tree
    )


def test_argocd_delivery_leaves_the_hub_to_its_own_renderer() -> None:
    cat = seed()
    cat = replace(cat, hub=HubSpec(namespace="x", delivery="argocd"))
    tree = render(cat)
    # Only the Argo CD side (tested in test_argocd.py): no Channel, no Subscriptions.
    hub = [p for p in tree if p.startswith("hub/")]
    assert hub and all(p.startswith("hub/argocd/") or p == "hub/kustomization.yaml" for p in hub)
    assert "hub/subscription.yaml" not in tree
    assert "models/lrt/chart/Chart.yaml" in tree


def test_hub_kustomization_creates_the_hub_namespace_first() -> None:
    cat = fleet()
    tree = render(cat)
    namespace = load_yaml(tree["hub/namespace.yaml"])
    assert namespace["kind"] == "Namespace" and namespace["apiVersion"] == "v1"
    assert namespace["metadata"]["name"] == cat.hub.namespace
    assert load_yaml(tree["hub/kustomization.yaml"])["resources"][0] == "namespace.yaml"
    assert "hub/namespace.yaml" not in render(replace(cat, hub=replace(cat.hub, delivery="argocd")))


def test_the_helper_image_comes_from_the_catalogue_defaults() -> None:
    cat = fleet()
    default = b"".join(render(cat).values())
    assert b"docker.io/library/busybox:1.36.1-musl" in default
    mirror = "mirror.example.com/busybox@sha256:" + "e" * 64
    cat = replace(cat, defaults=replace(cat.defaults, helper_image=mirror))
    tree = render(cat)
    assert b"docker.io/library/busybox" not in b"".join(tree.values())
    assert sum(mirror.encode() in data for data in tree.values()) >= 2  # copy Job and prefetch
