"""Merged, checked catalogue data -> the typed model in `model.py`."""

from __future__ import annotations

from functools import partial
from typing import Any

from edgemodels.catalogue.envvars import build_env, build_env_from
from edgemodels.catalogue.model import (
    HELPER_IMAGE,
    ArgoSpec,
    Catalogue,
    ContainerSpec,
    Defaults,
    GitSpec,
    HttpSpec,
    HubSpec,
    Model,
    Overrides,
    Requirement,
    Resources,
    SecurityException,
    Selector,
    Target,
    Workload,
)
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Location
from edgemodels.kubequantity import quantity_text
from edgemodels.recall import NOTHING, Recall


def _pairs(mapping: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in (mapping or {}).items()))


def selector_of(data: dict[str, Any]) -> Selector:
    exprs = tuple(
        Requirement(e["key"], e["operator"], tuple(str(v) for v in e.get("values") or ()))
        for e in data.get("matchExpressions") or ()
    )
    return Selector(_pairs(data.get("matchLabels")), exprs)


def _integer(value: Any) -> int | None:
    """JSON Schema's `integer` admits 8080.0; the generated YAML must say 8080: Go's typed
    JSON decoding, which Kubernetes' int fields use, refuses 8080.0."""
    return None if value is None else int(value)


def _quantities(mapping: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), quantity_text(v)) for k, v in (mapping or {}).items()))


def build_resources(data: dict[str, Any] | None) -> Resources | None:
    if data is None:
        return None
    return Resources(_quantities(data.get("requests")), _quantities(data.get("limits")))


def build_overrides(data: dict[str, Any] | None) -> Overrides:
    data = data or {}
    return Overrides(
        replicas=_integer(data.get("replicas")),
        resources=build_resources(data.get("resources")),
        env=build_env(data.get("env")),
        image=data.get("image"),
        arch=data.get("arch"),
    )


def _target(name: str, node: Node) -> Target:
    d = node.data
    return Target(
        name=name,
        selector=selector_of(d),
        overrides=build_overrides(d.get("overrides")),
        production=bool(d.get("production", False)),
        allow_all_clusters=bool(d.get("allowAllClusters", False)),
        description=str(d.get("description", "")),
        location=node.path_key(),
        key_locations=(*_selector_locations(node), *_env_locations(node, ("overrides",))),
    )


SELECTOR_KEYS = ("matchLabels", "matchExpressions")


def _selector_locations(node: Node) -> tuple[tuple[str, Location], ...]:
    """The selector's keys, each label (`matchLabels.KEY`) and each expression
    (`matchExpressions.N`): D101 stands at the one a change made."""
    found = []
    for key in SELECTOR_KEYS:
        value = node.data.get(key)
        if value is None:
            continue
        found.append((key, node.at(key, key=True)))
        if isinstance(value, dict):
            found += [(f"{key}.{label}", node.at(key, label, key=True)) for label in value]
        elif isinstance(value, list):
            for n, expression in enumerate(value):
                found.append((f"{key}.{n}", node.at(key, n)))
                values = expression.get("values") if isinstance(expression, dict) else None
                if isinstance(values, list):
                    found += [
                        (f"{key}.{n}.values.{m}", node.at(key, n, "values", m))
                        for m in range(len(values))
                    ]
    return tuple(found)


def _model(node: Node, defaults: Defaults) -> Model:
    d = node.data
    http = d.get("http")
    container = d.get("container")
    if d["wrapper"] == "container" and container is None:
        container = {}
    security = d.get("security") or {}
    return Model(
        name=d["name"],
        version=str(d["version"]),
        wrapper=d["wrapper"],
        packaging=d.get("packaging", defaults.packaging),
        image=d["image"],
        targets=tuple(d.get("targets") or ()),
        follow_workloads=bool(d.get("followWorkloads", False)),
        http=HttpSpec(
            port=int(http["port"]),
            health_path=http.get("healthPath", "/health"),
            readiness_path=http.get("readinessPath"),
            ingress_path=http.get("ingressPath"),
            run_as_user=_integer(http.get("runAsUser")),
        )
        if http
        else None,
        container=ContainerSpec(
            model_path=container.get("modelPath", "/model"),
            size=None if container.get("size") is None else quantity_text(container["size"]),
            delivery=container.get("delivery"),
            storage_class=container.get("storageClassName"),
        )
        if container is not None
        else None,
        resources=build_resources(d.get("resources")) or Resources(),
        replicas=int(d.get("replicas", 1)),
        env=build_env(d.get("env")),
        env_from=build_env_from(d.get("envFrom")),
        images=_pairs(d.get("images")),
        target_overrides=tuple(
            sorted((t, build_overrides(o)) for t, o in (d.get("overrides") or {}).items())
        ),
        security=SecurityException(
            run_as_root=bool(security.get("runAsRoot", False)),
            writable_root_filesystem=bool(security.get("writableRootFilesystem", False)),
            reason=str(security.get("reason", "")),
        ),
        description=str(d.get("description", "")),
        location=node.at(),
        key_locations=_key_locations(node),
    )


LOCATED_KEYS = (
    ("version",),
    ("packaging",),
    ("container", "size"),
    ("container", "storageClassName"),
    ("images",),
    ("targets",),
    ("followWorkloads",),
    ("env",),
    ("envFrom",),
)


def _key_locations(node: Node) -> tuple[tuple[str, Location], ...]:
    """The lines of the keys that plan findings point at, for those the entry has."""
    found = []
    for path in LOCATED_KEYS:
        data = node.data
        for step in path:
            data = data.get(step) if isinstance(data, dict) else None
        if data is not None:
            found.append((".".join(path), node.at(*path)))
    overrides = node.data.get("overrides")
    for target in overrides if isinstance(overrides, dict) else ():
        found += _env_locations(node, ("overrides", str(target)))
    return (*found, *_env_locations(node, ()), *_entries(node, "targets"))


def _env_locations(node: Node, at: tuple[str, ...]) -> list[tuple[str, Location]]:
    """Each env variable's key (`env.NAME`, `overrides.T.env.NAME`): D138 stands at the
    one that names the Secret or ConfigMap."""
    data = node.data
    for step in (*at, "env"):
        data = data.get(step) if isinstance(data, dict) else None
    if not isinstance(data, dict):
        return []
    where = ".".join((*at, "env"))
    return [(f"{where}.{name}", node.at(*at, "env", name, key=True)) for name in data]


def _entries(node: Node, key: str) -> list[tuple[str, Location]]:
    """Each entry of a list (`targets.N`): D101 stands at the one a change made."""
    value = node.data.get(key)
    if not isinstance(value, list):
        return []
    return [(f"{key}.{n}", node.at(key, n)) for n in range(len(value))]


def build_workload(node: Node) -> Workload:
    d = node.data
    has_selector = "matchLabels" in d or "matchExpressions" in d
    return Workload(
        name=d["name"],
        uses=tuple(d["uses"]),
        selector=selector_of(d) if has_selector else None,
        sites=tuple(d.get("sites") or ()),
        location=node.at(),
        key_locations=(*_selector_locations(node), *_entries(node, "sites")),
    )


def build_hub(d: dict[str, Any]) -> HubSpec:
    argo = d.get("argocd") or {}
    return HubSpec(
        namespace=d["namespace"],
        placement_kind=d.get("placementKind", "Placement"),
        cluster_sets=tuple(d.get("clusterSets") or ("default",)),
        delivery=d.get("delivery", "subscription"),
        reconcile_rate=d.get("reconcileRate"),
        offline_toleration_seconds=d.get("offlineTolerationSeconds"),
        argocd=ArgoSpec(
            namespace=argo.get("namespace", "openshift-gitops"),
            project=argo.get("project", "default"),
            automated=argo.get("automated", True),
            prune=argo.get("prune", True),
            self_heal=argo.get("selfHeal", True),
            preserve_resources_on_deletion=argo.get("preserveResourcesOnDeletion", True),
            create_namespace=argo.get("createNamespace", True),
            pull_model=argo.get("pullModel", False),
            sync_options=tuple(argo.get("syncOptions") or ()),
            migration=argo.get("migration"),
            resource_tracking_method=argo.get("resourceTrackingMethod"),
        ),
    )


def build_catalogue(merged: Merged, recall: Recall = NOTHING) -> Catalogue:
    """The typed catalogue. Call only after `check_merged` found no errors. A model is
    built from its entry's data and the defaults alone: `recall` gives back the model of
    an entry whose data is the very object it was built from."""
    assert merged.name is not None
    git = merged.sections["git"].data
    d = merged.sections["defaults"].data
    defaults = Defaults(
        namespace=d["namespace"],
        image_pull_secrets=tuple(d.get("imagePullSecrets") or ()),
        packaging=d.get("packaging", "helm"),
        container_delivery=d.get("containerDelivery", "auto"),
        helper_image=d.get("helperImage", HELPER_IMAGE),
    )
    built = recall.table("model", defaults)
    return Catalogue(
        name=merged.name.data,
        git=GitSpec(
            url=git["url"],
            branch=git["branch"],
            path=str(git.get("path", "")).strip("/"),
            credentials_secret=git.get("credentialsSecret"),
            ca_configmap=git.get("caConfigMap"),
            insecure_skip_verify=bool(git.get("insecureSkipVerify", False)),
        ),
        hub=build_hub(merged.sections["hub"].data),
        defaults=defaults,
        targets=tuple(_target(n, node) for n, node in merged.targets.items()),
        models=tuple(built.get(n.data, partial(_model, n, defaults)) for n in merged.models),
        workloads=tuple(build_workload(n) for n in merged.workloads),
        location=merged.name.at(),
    )
