"""Every generated manifest is valid for the real APIs, renders and builds with real tools."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import helm_python
import pytest

from edgemodels.catalogue.envvars import EnvRef, EnvSource
from edgemodels.catalogue.model import Catalogue, Overrides, SecurityException, Selector, Target
from edgemodels.diagnostics import Location
from edgemodels.policy import Manifest, check_manifests, load_policies
from edgemodels.tree import FileTree

from .samples import fleet, fleet_plus, seed
from .schemas import require_crd_schemas, schema_errors
from .tooling import by_key, helm_render, kustomize_build, load_yaml, render, write_out


def all_packaged(catalogue: Catalogue, packaging: str) -> Catalogue:
    models = tuple(replace(m, packaging=packaging) for m in catalogue.models)  # type: ignore[arg-type]
    return replace(catalogue, models=models)


def with_rules(catalogue: Catalogue) -> Catalogue:
    return replace(catalogue, hub=replace(catalogue.hub, placement_kind="PlacementRule"))


CATALOGUES = {
    "seed": seed,
    "fleet": fleet,
    "fleet-rules": lambda: with_rules(fleet()),
    "fleet-helm": lambda: all_packaged(fleet_plus(), "helm"),
    "fleet-kustomize": lambda: all_packaged(fleet_plus(), "kustomize"),
}


def site_outputs(tree: FileTree, root: Path) -> dict[str, list[dict[str, Any]]]:
    """Objects each Subscription would put on a site: rendered chart or built overlay. RHACM
    installs a chart as a release in the Subscription's namespace (its HelmRelease's)."""
    out = {}
    for path in sorted(p for p in tree if p.startswith("hub/synced/subscriptions/")):
        sub = load_yaml(tree[path])
        git_path = sub["metadata"]["annotations"]["apps.open-cluster-management.io/git-path"]
        folder = root / git_path.removeprefix("deploy/")
        if (folder / "Chart.yaml").is_file():
            values: dict[str, Any] = {}
            for pkg in sub["spec"].get("packageOverrides", []):
                for override in pkg["packageOverrides"]:
                    assert override["path"] == "spec"
                    values.update(override["value"])
            out[path] = helm_render(folder, values, sub["metadata"]["namespace"])
        else:
            out[path] = kustomize_build(folder)
    return out


Outputs = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Outputs]:
    """Site objects per Subscription of a named catalogue, built once per module."""
    cache: dict[str, Outputs] = {}

    def get(name: str) -> Outputs:
        if name not in cache:
            catalogue = CATALOGUES[name]()
            tree = render(catalogue)
            root = write_out(tree, tmp_path_factory.mktemp(name))
            cache[name] = site_outputs(tree, root)
        return cache[name]

    return get


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_hub_objects_match_the_upstream_crd_schemas(name: str) -> None:
    require_crd_schemas()
    tree = render(CATALOGUES[name]())
    checked = 0
    for path, data in tree.items():
        if path.startswith("hub/") and not path.endswith("/kustomization.yaml"):
            assert schema_errors(load_yaml(data)) == [], path
            checked += 1
    assert checked >= 4


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_what_each_subscription_deploys_is_valid_kubernetes(
    name: str, deployed: Callable[[str], Outputs]
) -> None:
    catalogue = CATALOGUES[name]()
    outputs = deployed(name)
    assert outputs
    for path, objects in outputs.items():
        assert objects, f"{path} deploys nothing"
        for obj in objects:
            assert schema_errors(obj) == [], f"{path}: {obj['kind']} {obj['metadata']['name']}"
            assert obj["metadata"]["namespace"] == catalogue.defaults.namespace


def test_the_schemas_do_catch_a_mistake() -> None:
    require_crd_schemas()
    tree = render(seed())
    sub = load_yaml(tree["hub/synced/subscriptions/lrt--lrt.yaml"])
    sub["spec"]["placement"]["placementRef"]["nmae"] = "x"
    assert any("nmae" in e for e in schema_errors(sub))
    deployment = load_yaml(
        render(all_packaged(seed(), "kustomize"))["models/lrt/base/deployment.yaml"]
    )
    deployment["spec"]["template"]["spec"]["containers"][0]["resource"] = {}
    assert any("resource" in e for e in schema_errors(deployment))


def test_helm_and_kustomize_packagings_deploy_the_same_objects(
    deployed: Callable[[str], Outputs],
) -> None:
    helm, kust = deployed("fleet-helm"), deployed("fleet-kustomize")
    assert sorted(helm) == sorted(kust) and len(helm) > 10
    for path in helm:
        assert by_key(helm[path]) == by_key(kust[path]), path


def test_overlays_and_components_patch_with_json_patches_on_named_targets() -> None:
    # A strategic-merge patch makes kustomize load its OpenAPI document first (about 0.08 s
    # of CPU per build, on the hub too) and walk it: 15% of validate's kustomize CPU on
    # the benchmark fleet. The test above shows the objects are still the charts'.
    tree = render(all_packaged(fleet_plus(), "kustomize"))
    patches = [
        (path, patch)
        for path, data in tree.items()
        if path.endswith("/kustomization.yaml")
        for patch in load_yaml(data).get("patches", [])
    ]
    assert len(patches) >= 8
    for path, patch in patches:
        assert set(patch) == {"target", "patch"} and patch["target"]["name"], path
        ops = load_yaml(patch["patch"])
        assert isinstance(ops, list) and all(set(op) >= {"op", "path"} for op in ops), path


def test_the_seed_model_answers_on_port_80_under_its_ingress_path(
    deployed: Callable[[str], Outputs],
) -> None:
    objects = by_key(deployed("seed")["hub/synced/subscriptions/lrt--lrt.yaml"])
    assert set(objects) == {("Deployment", "lrt"), ("Service", "lrt"), ("Ingress", "lrt")}
    ingress = objects[("Ingress", "lrt")]["spec"]
    assert "ingressClassName" not in ingress  # the site's default class (Traefik on k3s)
    path = ingress["rules"][0]["http"]["paths"][0]
    assert path["path"] == "/api" and path["pathType"] == "Prefix"
    assert path["backend"]["service"] == {"name": "lrt", "port": {"name": "http"}}
    assert objects[("Service", "lrt")]["spec"]["ports"][0]["port"] == 80
    pod = objects[("Deployment", "lrt")]["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": "i4qregistry"}]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/ui"
    assert container["livenessProbe"]["httpGet"]["path"] == "/api/ui"
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert pod["securityContext"]["runAsNonRoot"] is True


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
def test_security_exceptions_loosen_only_what_they_name(packaging: str, tmp_path: Path) -> None:
    cat = all_packaged(seed(), packaging)
    exception = SecurityException(writable_root_filesystem=True, reason="writes a cache")
    cat = replace(cat, models=(replace(cat.models[0], security=exception),))
    tree = render(cat)
    outputs = site_outputs(tree, write_out(tree, tmp_path))
    objects = by_key(outputs["hub/synced/subscriptions/lrt--lrt.yaml"])
    deployment = objects[("Deployment", "lrt")]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    # The pod policies (P124, P125) honour a declared exception through these annotations.
    annotations = deployment["metadata"]["annotations"]
    assert annotations["edgemodels.io/writable-root-filesystem"] == "writes a cache"
    assert "edgemodels.io/run-as-root" not in annotations
    assert (
        "edgemodels.io/writable-root-filesystem"
        not in (objects[("Service", "lrt")]["metadata"]["annotations"])
    )


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
def test_the_pods_of_a_model_with_an_exception_pass_the_pod_rules(
    packaging: str, tmp_path: Path
) -> None:
    cat = all_packaged(seed(), packaging)
    exception = SecurityException(
        run_as_root=True, writable_root_filesystem=True, reason="vendor image needs root"
    )
    cat = replace(cat, models=(replace(cat.models[0], security=exception),))
    tree = render(cat)
    outputs = site_outputs(tree, write_out(tree, tmp_path))
    deployment = by_key(outputs["hub/synced/subscriptions/lrt--lrt.yaml"])[("Deployment", "lrt")]
    template = deployment["spec"]["template"]
    # What the ReplicaSet controller creates: the template's metadata and spec, nothing more.
    metadata = {"name": "lrt-7d4b9c-x2x7p", **template["metadata"]}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]}
    assert template["spec"]["securityContext"]["runAsNonRoot"] is False
    policies = load_policies(None, None)
    found = check_manifests(
        policies, [Manifest("pod.yaml", 1, pod), Manifest("d.yaml", 1, deployment)]
    )
    assert [d.render() for d in found] == []


def test_container_model_delivery_per_placement(deployed: Callable[[str], Outputs]) -> None:
    outputs = deployed("fleet-helm")
    copy = by_key(outputs["hub/synced/subscriptions/weights--arm.yaml"])
    kinds = sorted(k for k, _ in copy)
    assert kinds == ["ConfigMap", "Job", "PersistentVolumeClaim"]
    descriptor = copy[("ConfigMap", "weights-model")]["data"]
    assert descriptor == {
        "name": "weights",
        "version": "2024.05",
        "image": "quay.io/acme/weights-arm64:2024.05",
        "path": "/weights",
        "delivery": "copy",
        "claimName": "weights-model",
        "subPath": "current",
    }
    job = next(o for (k, _), o in copy.items() if k == "Job")
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == descriptor["image"]
    volume = by_key(outputs["hub/synced/subscriptions/weights--modern.yaml"])
    assert sorted(k for k, _ in volume) == ["ConfigMap", "Deployment"]
    prefetch = volume[("Deployment", "weights-prefetch")]["spec"]["template"]["spec"]
    assert prefetch["volumes"][0]["image"]["reference"] == "quay.io/acme/weights@sha256:" + "a" * 64
    data = volume[("ConfigMap", "weights-model")]["data"]
    assert data["delivery"] == "imageVolume" and data["digest"] == "sha256:" + "a" * 64
    arm = by_key(outputs["hub/synced/subscriptions/weights--modern-arm.yaml"])
    reference = "quay.io/acme/weights-arm64:2024.05"
    volume = arm[("Deployment", "weights-prefetch")]["spec"]["template"]["spec"]["volumes"][0]
    assert volume["image"]["reference"] == reference
    assert arm[("ConfigMap", "weights-model")]["data"]["reference"] == reference
    assert "digest" not in arm[("ConfigMap", "weights-model")]["data"]


def with_user(catalogue: Catalogue, user: int) -> Catalogue:
    model = catalogue.models[0]
    assert model.http is not None
    return replace(catalogue, models=(replace(model, http=replace(model.http, run_as_user=user)),))


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
@pytest.mark.parametrize("user", [10001, 2147483647])
def test_run_as_user_sets_the_pods_uid(packaging: str, user: int, tmp_path: Path) -> None:
    # An image whose USER is a name cannot start under runAsNonRoot without a numeric UID.
    tree = render(with_user(all_packaged(seed(), packaging), user))
    outputs = site_outputs(tree, write_out(tree, tmp_path))
    objects = by_key(outputs["hub/synced/subscriptions/lrt--lrt.yaml"])
    pod = objects[("Deployment", "lrt")]["spec"]["template"]["spec"]
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert type(pod["securityContext"]["runAsUser"]) is int  # not 2.147483647e+09
    if packaging == "kustomize":
        base = load_yaml(tree["models/lrt/base/deployment.yaml"])
        assert base["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == user
    else:
        assert load_yaml(tree["models/lrt/chart/values.yaml"])["runAsUser"] == user


def test_run_as_user_deploys_the_same_objects_from_both_packagings(tmp_path: Path) -> None:
    deployed = {}
    for packaging in ("helm", "kustomize"):
        tree = render(with_user(all_packaged(seed(), packaging), 10001))
        outputs = site_outputs(tree, write_out(tree, tmp_path / packaging))
        deployed[packaging] = by_key(outputs["hub/synced/subscriptions/lrt--lrt.yaml"])
    assert deployed["helm"] == deployed["kustomize"]


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
def test_without_run_as_user_nothing_names_a_uid(packaging: str, tmp_path: Path) -> None:
    tree = render(all_packaged(seed(), packaging))
    assert not [path for path, data in tree.items() if b"runAsUser" in data]
    outputs = site_outputs(tree, write_out(tree, tmp_path))
    pod = by_key(outputs["hub/synced/subscriptions/lrt--lrt.yaml"])[("Deployment", "lrt")]
    assert pod["spec"]["template"]["spec"]["securityContext"] == {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_the_chart_takes_another_uid_from_its_values_but_not_root(tmp_path: Path) -> None:
    # What a Subscription's packageOverrides could pass, were overrides to carry the field.
    tree = render(with_user(seed(), 10001))
    chart = write_out(tree, tmp_path) / "models/lrt/chart"
    objects = by_key(helm_render(chart, {"runAsUser": 20002}, "i4q-lrt"))
    pod = objects[("Deployment", "lrt")]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsUser"] == 20002
    with pytest.raises(helm_python.HelmValuesError, match="runAsUser"):
        helm_render(chart, {"runAsUser": 0}, "i4q-lrt")


def with_storage_class(catalogue: Catalogue, storage_class: str) -> Catalogue:
    models = tuple(
        replace(m, container=replace(m.container, storage_class=storage_class))
        if m.name == "weights" and m.container is not None
        else m
        for m in catalogue.models
    )
    return replace(catalogue, models=models)


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
@pytest.mark.parametrize("storage_class", [None, "longhorn"])
def test_the_copy_claim_names_a_storage_class_only_when_set(
    packaging: str, storage_class: str | None, tmp_path: Path
) -> None:
    # A site without a default StorageClass leaves a claim that names none Pending for ever.
    catalogue = all_packaged(fleet_plus(), packaging)
    if storage_class is not None:
        catalogue = with_storage_class(catalogue, storage_class)
    tree = render(catalogue)
    outputs = site_outputs(tree, write_out(tree, tmp_path))
    copy = by_key(outputs["hub/synced/subscriptions/weights--arm.yaml"])
    spec = copy[("PersistentVolumeClaim", "weights-model")]["spec"]
    assert spec.get("storageClassName") == storage_class
    assert spec["resources"] == {"requests": {"storage": "3Gi"}}
    named = sorted(path for path, data in tree.items() if b"storageClassName" in data)
    if storage_class is None:
        assert named == []  # the trees of catalogues without it are what they were
    elif packaging == "helm":
        chart = "models/weights/chart/"
        files = ("templates/claim.yaml", "values.schema.json", "values.yaml")
        assert named == [chart + f for f in files]
        assert load_yaml(tree[chart + "values.yaml"])["storageClassName"] == storage_class
    else:
        assert named == ["models/weights/components/copy/claim.yaml"]


def test_storage_class_deploys_the_same_claim_from_both_packagings(tmp_path: Path) -> None:
    deployed = {}
    for packaging in ("helm", "kustomize"):
        catalogue = with_storage_class(all_packaged(fleet_plus(), packaging), "longhorn")
        tree = render(catalogue)
        outputs = site_outputs(tree, write_out(tree, tmp_path / packaging))
        objects = by_key(outputs["hub/synced/subscriptions/weights--arm.yaml"])
        deployed[packaging] = objects[("PersistentVolumeClaim", "weights-model")]["spec"]
    assert deployed["helm"] == deployed["kustomize"]
    assert deployed["helm"]["storageClassName"] == "longhorn"


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
def test_a_model_moved_to_another_file_changes_no_pod_template(
    packaging: str, tmp_path: Path
) -> None:
    """Only the edgemodels.io/source annotation of the objects' metadata names the file: a
    move restarts no pod (publish says the model moved, commitmessage.py)."""
    outputs = {}
    for where in ("catalogue.yaml", "models/lrt.yaml"):
        cat = all_packaged(seed(), packaging)
        model = replace(cat.models[0], location=Location(where, 3, 5))
        tree = render(replace(cat, models=(model,)))
        site = site_outputs(tree, write_out(tree, tmp_path / where.replace("/", "-")))
        outputs[where] = by_key(site["hub/synced/subscriptions/lrt--lrt.yaml"])
    before, after = outputs["catalogue.yaml"], outputs["models/lrt.yaml"]
    assert set(before) == set(after)
    changed = set()
    for key, obj in before.items():
        moved = after[key]
        old, new = obj["metadata"].pop("annotations"), moved["metadata"].pop("annotations")
        assert obj == moved, key  # the pod template, and all else but the annotations
        changed |= {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    assert changed == {"edgemodels.io/source"}
    assert "edgemodels.io/source" not in str(after[("Deployment", "lrt")]["spec"])


def with_env_refs(catalogue: Catalogue) -> Catalogue:
    """seed()'s model with a Secret's key and a plain value, on a second target that swaps
    them: the token plain (a test site), the log level from an optional ConfigMap."""
    model = catalogue.models[0]
    dev = Target("lrt-dev", Selector((("env", "lrt-dev"),)), location=Location("c.yaml", 9, 5))
    swapped = Overrides(
        env=(
            ("API_TOKEN", "not-a-secret"),
            ("LOG_LEVEL", EnvRef("ConfigMap", "lrt-logging", "level", optional=True)),
        )
    )
    model = replace(
        model,
        env_from=(EnvSource("Secret", "lrt-settings"), EnvSource("ConfigMap", "lrt", True)),
        targets=("lrt", "lrt-dev"),
        env=(("API_TOKEN", EnvRef("Secret", "lrt-credentials", "token")), ("LOG_LEVEL", "info")),
        target_overrides=(("lrt-dev", swapped),),
    )
    return replace(catalogue, targets=(*catalogue.targets, dev), models=(model,))


ENV_ON_SITES = {
    "lrt": [
        {
            "name": "API_TOKEN",
            "valueFrom": {"secretKeyRef": {"name": "lrt-credentials", "key": "token"}},
        },
        {"name": "LOG_LEVEL", "value": "info"},
    ],
    "lrt-dev": [
        {"name": "API_TOKEN", "value": "not-a-secret"},
        {
            "name": "LOG_LEVEL",
            "valueFrom": {
                "configMapKeyRef": {"name": "lrt-logging", "key": "level", "optional": True}
            },
        },
    ],
}


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
def test_env_refs_reach_each_placements_pods_with_nothing_of_the_other_left(
    packaging: str, tmp_path: Path
) -> None:
    # Helm merges a placement's values over the chart's key by key: a reference turned
    # plain (or back) must not keep the other's fields, nor `optional` linger.
    tree = render(with_env_refs(all_packaged(seed(), packaging)))
    outputs = site_outputs(tree, write_out(tree, tmp_path))
    for target, env in ENV_ON_SITES.items():
        objects = by_key(outputs[f"hub/synced/subscriptions/lrt--{target}.yaml"])
        container = objects[("Deployment", "lrt")]["spec"]["template"]["spec"]["containers"][0]
        assert container["env"] == env, target
        assert container["envFrom"] == [
            {"secretRef": {"name": "lrt-settings"}},
            {"configMapRef": {"name": "lrt", "optional": True}},
        ], target
        assert not schema_errors(objects[("Deployment", "lrt")]), target


def test_env_refs_deploy_the_same_objects_from_both_packagings(tmp_path: Path) -> None:
    deployed = {}
    for packaging in ("helm", "kustomize"):
        tree = render(with_env_refs(all_packaged(seed(), packaging)))
        deployed[packaging] = site_outputs(tree, write_out(tree, tmp_path / packaging))
    assert sorted(deployed["helm"]) == sorted(deployed["kustomize"])
    for path in deployed["helm"]:
        assert by_key(deployed["helm"][path]) == by_key(deployed["kustomize"][path]), path


def test_charts_without_env_refs_are_as_before() -> None:
    tree = render(all_packaged(fleet_plus(), "helm"))
    assert not [path for path, data in tree.items() if b"envVars" in data or b"envFrom" in data]
    refs = render(with_env_refs(seed()))
    assert b"envVars" in refs["models/lrt/chart/templates/deployment.yaml"]
