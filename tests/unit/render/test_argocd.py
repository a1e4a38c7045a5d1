"""Delivery argocd: the hub side that replaces Channel and Subscriptions, and the marks that
make the move from Subscriptions safe. Objects are checked against the real upstream schemas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edgemodels.catalogue.model import ArgoSpec, Catalogue
from edgemodels.render.argocd import argo_name
from edgemodels.render.migration import DO_NOT_DELETE, RESOURCE_POLICY, mark_helpers
from edgemodels.validate.run import ParsedDocument, ValidateOptions, validate_documents

from .samples import fleet
from .schemas import require_crd_schemas, schema_errors
from .tooling import helm_render, kustomize_build, load_yaml, render, write_out

PULL_LABEL = "apps.open-cluster-management.io/pull-to-ocm-managed-cluster"


def argocd(catalogue: Catalogue, **settings: Any) -> Catalogue:
    argo = replace(ArgoSpec(namespace="gitops"), **settings)
    return replace(catalogue, hub=replace(catalogue.hub, delivery="argocd", argocd=argo))


def hub_objects(tree: dict[str, bytes], folder: str) -> dict[str, dict[str, Any]]:
    # The bindings are applied by hand; the hub Application syncs the others from the branch.
    prefix = f"hub/argocd/{folder}/" if folder == "bindings" else f"hub/argocd/synced/{folder}/"
    return {
        p.removeprefix(prefix).removesuffix(".yaml"): load_yaml(data)
        for p, data in tree.items()
        if p.startswith(prefix)
    }


def site_files(tree: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files of models/ the sites get: not the models' README.md."""
    return {p: d for p, d in tree.items() if p.startswith("models/") and p.count("/") > 2}


def test_one_application_set_per_subscription_and_the_same_placements() -> None:
    subscription = render(fleet())
    argo = render(argocd(fleet()))
    subs = {
        p.removeprefix("hub/synced/subscriptions/").removesuffix(".yaml")
        for p in subscription
        if p.startswith("hub/synced/subscriptions/")
    }
    assert set(hub_objects(argo, "applicationsets")) == subs and len(subs) == 9
    assert not any(p.startswith(("hub/channel", "hub/synced/subscriptions/")) for p in argo)
    placements = hub_objects(argo, "placements")
    for name, placement in placements.items():
        legacy = load_yaml(subscription[f"hub/synced/placements/{name}.yaml"])
        assert placement["spec"] == legacy["spec"], name  # the same sites in both modes
        assert placement["metadata"]["name"] == f"acme-{name}"
        assert placement["metadata"]["namespace"] == "gitops"
    assert set(hub_objects(argo, "gitopsclusters")) == set(placements)
    assert set(hub_objects(argo, "bindings")) == {"edge", "lab"}
    # the site files differ by nothing at all (a model's README names its hub objects)
    assert site_files(subscription) == site_files(argo)


def test_application_sets_deploy_what_the_subscriptions_deploy() -> None:
    subscription = render(fleet())
    argo = render(argocd(fleet()))
    for key, appset in hub_objects(argo, "applicationsets").items():
        sub = load_yaml(subscription[f"hub/synced/subscriptions/{key}.yaml"])
        template = appset["spec"]["template"]
        source = template["spec"]["source"]
        annotations = sub["metadata"]["annotations"]
        assert source["path"] == annotations["apps.open-cluster-management.io/git-path"]
        assert source["targetRevision"] == annotations["apps.open-cluster-management.io/git-branch"]
        assert source["repoURL"] == "https://git.example.com/acme/deploy.git"
        overrides = sub["spec"].get("packageOverrides")
        values = source.get("helm", {}).get("valuesObject")
        assert values == (overrides[0]["packageOverrides"][0]["value"] if overrides else None)
        placement = sub["spec"]["placement"]["placementRef"]["name"]
        selector = appset["spec"]["generators"][0]["clusterDecisionResource"]
        assert selector["configMapRef"] == "acm-placement"
        assert selector["labelSelector"]["matchLabels"] == {
            "cluster.open-cluster-management.io/placement": f"acme-{placement}"
        }
        assert template["metadata"]["name"] == f"{appset['metadata']['name']}-{{{{name}}}}"
        # Where the Subscription's release goes, and its overlay's objects (R208 holds).
        namespace = sub["metadata"]["namespace"]
        assert template["spec"]["destination"] == {"server": "{{server}}", "namespace": namespace}
        assert appset["spec"]["syncPolicy"] == {"preserveResourcesOnDeletion": True}


def test_helm_values_of_a_placement_reach_the_chart_through_the_application_set(
    tmp_path: Path,
) -> None:
    tree = render(argocd(fleet()))
    appset = hub_objects(tree, "applicationsets")["weights--arm"]
    helm = appset["spec"]["template"]["spec"]["source"]["helm"]
    assert helm["releaseName"] == "weights"
    assert helm["valuesObject"] == {"image": "quay.io/acme/weights-arm64:2024.05"}
    root = write_out(tree, tmp_path)
    rendered = helm_render(root / "models/weights/chart", helm["valuesObject"], "models")
    config = next(o for o in rendered if o["kind"] == "ConfigMap")
    assert config["data"]["image"] == "quay.io/acme/weights-arm64:2024.05"


def test_sync_settings_come_from_the_catalogue() -> None:
    def template(**settings: Any) -> dict[str, Any]:
        tree = render(argocd(fleet(), **settings))
        return hub_objects(tree, "applicationsets")["detector--edge"]["spec"]["template"]

    default = template()["spec"]
    assert default["project"] == "default"
    assert default["syncPolicy"] == {
        "automated": {"prune": True, "selfHeal": True},
        "syncOptions": ["CreateNamespace=true"],
    }
    custom = template(
        project="edge",
        automated=True,
        prune=False,
        self_heal=False,
        sync_options=("ServerSideApply=true", "CreateNamespace=true"),
    )["spec"]
    assert custom["project"] == "edge"
    assert custom["syncPolicy"] == {
        "automated": {"prune": False, "selfHeal": False},
        "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
    }
    manual = template(automated=False, create_namespace=False)["spec"]
    assert "syncPolicy" not in manual
    tree = render(argocd(fleet(), preserve_resources_on_deletion=False))
    appset = hub_objects(tree, "applicationsets")["detector--edge"]
    assert appset["spec"]["syncPolicy"] == {"preserveResourcesOnDeletion": False}


def test_pull_model_marks_applications_for_the_sites_argo_cd() -> None:
    tree = render(argocd(fleet(), pull_model=True))
    template = hub_objects(tree, "applicationsets")["weights--edge"]["spec"]["template"]
    assert template["metadata"]["labels"][PULL_LABEL] == "true"
    assert template["metadata"]["annotations"] == {
        "apps.open-cluster-management.io/ocm-managed-cluster": "{{name}}",
        "apps.open-cluster-management.io/ocm-managed-cluster-app-namespace": "gitops",
        "argocd.argoproj.io/skip-reconcile": "true",
    }
    for cluster in hub_objects(tree, "gitopsclusters").values():
        assert cluster["spec"]["createBlankClusterSecrets"] is True
    push = render(argocd(fleet()))
    pushed = hub_objects(push, "applicationsets")["weights--edge"]["spec"]["template"]
    assert (
        PULL_LABEL not in pushed["metadata"]["labels"] and "annotations" not in pushed["metadata"]
    )
    assert all(
        "createBlankClusterSecrets" not in c["spec"]
        for c in hub_objects(push, "gitopsclusters").values()
    )


def test_gitops_cluster_registers_its_placement_with_argo_cd() -> None:
    tree = render(argocd(fleet()))
    cluster = hub_objects(tree, "gitopsclusters")["follow-weights"]
    assert cluster["metadata"] == {
        "name": "acme-follow-weights",
        "namespace": "gitops",
        "labels": {
            "app.kubernetes.io/managed-by": "edgemodels",
            "edgemodels.io/catalogue": "acme",
            "edgemodels.io/placement": "follow-weights",
        },
        "annotations": {"edgemodels.io/source": "catalogue.yaml#models/weights"},
    }
    assert cluster["spec"] == {
        "argoServer": {"argoNamespace": "gitops"},
        "placementRef": {
            "kind": "Placement",
            "apiVersion": "cluster.open-cluster-management.io/v1beta1",
            "name": "acme-follow-weights",
        },
    }


def test_hub_kustomizations_split_the_hand_applied_part_from_the_synced_one() -> None:
    tree = render(argocd(fleet()))
    listed = load_yaml(tree["hub/kustomization.yaml"])["resources"]
    bindings = ["argocd/bindings/edge.yaml", "argocd/bindings/lab.yaml"]
    assert listed == [*bindings, "argocd/application.yaml"]
    synced = load_yaml(tree["hub/argocd/synced/kustomization.yaml"])["resources"]
    files = [
        p.removeprefix("hub/argocd/synced/")
        for p in tree
        if p.startswith("hub/argocd/synced/") and not p.endswith("/kustomization.yaml")
    ]
    assert sorted(synced) == sorted(files) and len(set(synced)) == len(synced) == 17
    kinds = [p.split("/")[0] for p in synced]
    assert kinds == sorted(kinds, key=["placements", "gitopsclusters", "applicationsets"].index)


def test_the_hub_application_syncs_the_synced_folder_to_the_hub_itself() -> None:
    cat = argocd(fleet(), project="edge", automated=False, prune=False)
    cat = replace(cat, git=replace(cat.git, path="/fleet/", branch="deploy"))
    app = load_yaml(render(cat)["hub/argocd/application.yaml"])
    assert (app["apiVersion"], app["kind"]) == ("argoproj.io/v1alpha1", "Application")
    assert (app["metadata"]["name"], app["metadata"]["namespace"]) == ("acme-hub", "gitops")
    assert app["spec"] == {
        "project": "edge",
        "source": {
            "repoURL": cat.git.url,
            "targetRevision": "deploy",
            "path": "fleet/hub/argocd/synced",
        },
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "gitops"},
        # the sites' settings (automated, prune) do not apply to edgemodels' own hub objects
        "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
    }
    # The same folder rule as the hub Subscription's git-path to hub/synced/.
    sub = load_yaml(
        render(replace(cat, hub=replace(cat.hub, delivery="subscription")))["hub/subscription.yaml"]
    )
    git_path = sub["metadata"]["annotations"]["apps.open-cluster-management.io/git-path"]
    assert git_path.replace("hub/synced", "hub/argocd/synced") == app["spec"]["source"]["path"]


def test_argo_names_fit_a_label_value_and_stay_distinct() -> None:
    cat = replace(fleet(), name="a" * 40)
    long_one, other = argo_name(cat, "b" * 40), argo_name(cat, "b" * 39 + "c")
    assert len(long_one) == len(other) == 63 and long_one != other
    assert long_one == argo_name(cat, "b" * 40)
    assert argo_name(fleet(), "edge") == "acme-edge"


def test_every_argo_cd_object_validates_against_the_upstream_schemas() -> None:
    require_crd_schemas()
    for settings in ({}, {"pull_model": True, "automated": False}):
        tree = render(argocd(fleet(), **settings))
        for path, data in tree.items():
            if path.startswith("hub/argocd/") and not path.endswith("/kustomization.yaml"):
                assert schema_errors(load_yaml(data)) == [], path


def strip_marks(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for obj in objects:
        annotations = obj["metadata"].get("annotations", {})
        assert annotations.pop(DO_NOT_DELETE) == "true", obj["metadata"]["name"]
        assert annotations.pop(RESOURCE_POLICY) == "keep", obj["metadata"]["name"]
    return objects


def test_migration_marks_every_site_object_and_changes_nothing_else(tmp_path: Path) -> None:
    plain = write_out(render(argocd(fleet())), tmp_path / "plain")
    marked_tree = render(argocd(fleet(), migration="subscriptions-removed"))
    marked = write_out(marked_tree, tmp_path / "marked")
    for overlay in sorted((plain / "models").glob("*/overlays/*")):
        relative = overlay.relative_to(plain)
        built = kustomize_build(marked / relative)
        assert strip_marks(built) == kustomize_build(overlay), relative
    chart = "models/weights/chart"
    rendered = helm_render(marked / chart, {}, "models")
    assert strip_marks(rendered) == helm_render(plain / chart, {}, "models")
    both = render(argocd(fleet(), migration="keep-subscriptions"))
    assert site_files(marked_tree) == site_files(both)


def test_keep_subscriptions_holds_both_hub_sides_and_the_other_phases_do_not() -> None:
    both = render(argocd(fleet(), migration="keep-subscriptions"))
    assert {"hub/channel.yaml", "hub/synced/subscriptions/weights--edge.yaml"} <= set(both)
    assert "hub/argocd/synced/applicationsets/weights--edge.yaml" in both
    listed = load_yaml(both["hub/kustomization.yaml"])["resources"]
    # The Subscription side's objects are applied by its hub Subscription, from hub/synced/.
    assert sorted(listed) == sorted(
        p.removeprefix("hub/")
        for p in both
        if p.startswith("hub/")
        and not p.endswith("/kustomization.yaml")
        and not p.startswith(("hub/synced/", "hub/argocd/synced/"))
    )
    assert listed[:5] == [
        "namespace.yaml",
        "bindings/edge.yaml",
        "bindings/lab.yaml",
        "channel.yaml",
        "subscription.yaml",
    ]
    synced = load_yaml(both["hub/synced/kustomization.yaml"])["resources"]
    assert "subscriptions/weights--edge.yaml" in synced
    removed = render(argocd(fleet(), migration="subscriptions-removed"))
    assert not any(
        p.startswith(("hub/channel", "hub/synced/subscriptions/", "hub/synced/placements/"))
        for p in removed
    )
    assert "models/embeddings/components/keep-on-sites/kustomization.yaml" in removed
    done = render(argocd(fleet()))
    assert not any("keep-on-sites" in p for p in done)
    assert b"do-not-delete" not in b"".join(done.values())


def test_a_changed_chart_helper_is_a_bug_not_a_silent_skip() -> None:
    with pytest.raises(RuntimeError, match="metadata helper changed"):
        mark_helpers(b'{{- define "edgemodels.metadata" -}}\nname: x\n{{- end }}\n')


def test_a_hub_namespace_shared_with_argo_cd_gets_each_object_once(tmp_path: Path) -> None:
    cat = argocd(fleet(), migration="keep-subscriptions")
    cat = replace(cat, hub=replace(cat.hub, namespace="gitops"))
    tree = render(cat)
    assert not any(p.startswith(("hub/bindings/", "hub/synced/bindings/")) for p in tree)
    assert "hub/namespace.yaml" not in tree  # Argo CD's namespace is not ours to delete
    assert {"hub/argocd/bindings/edge.yaml", "hub/synced/placements/edge.yaml"} <= set(tree)
    documents = [
        ParsedDocument(p, load_yaml(d), d.decode())
        for p, d in tree.items()
        if p.startswith("hub/") and p != "hub/kustomization.yaml"
    ]
    options = ValidateOptions(cache_dir=tmp_path, validator="builtin")
    assert [f.render() for f in validate_documents(documents, options)] == []


@pytest.mark.parametrize("method", ["label", "annotation", "annotation+label"])
def test_the_tracking_method_changes_no_generated_file(method: str) -> None:
    """edgemodels configures no Argo CD: the setting only tells check and plan which
    Application names Argo CD can use, so the tree is the same with it as without."""
    for pull_model in (False, True):
        unset = render(argocd(fleet(), pull_model=pull_model))
        declared = argocd(fleet(), pull_model=pull_model, resource_tracking_method=method)
        assert render(declared) == unset
