"""RHACM objects for the hub (namespace spec.hub.namespace), under `hub/`.

API versions and fields follow the RHACM/OCM sources (the CRDs in
stolostron/multicloud-operators-subscription `deploy/` and open-cluster-management-io/api
`cluster/`): Channel, Subscription, PlacementRule apps.open-cluster-management.io/v1;
Placement cluster.open-cluster-management.io/v1beta1 (no v1 exists);
ManagedClusterSetBinding v1beta2; Application app.k8s.io/v1beta1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edgemodels.catalogue.model import Catalogue, Selector
from edgemodels.clusterstatus import OFFLINE_TAINTS
from edgemodels.placement import TargetPlacement, hub_objects
from edgemodels.render.common import (
    HUB_SYNCED,
    SOURCE_ANNOTATION,
    SourceInfo,
    git_path,
    hub_labels,
    prefixed_name,
    yaml_file,
)
from edgemodels.render.helm import placement_values
from edgemodels.render.hubkustomization import with_hub_kustomization
from edgemodels.render.settings import ModelPlan, Placed

APPS = "apps.open-cluster-management.io"
CLUSTER = "cluster.open-cluster-management.io"
PLACEMENT_API = f"{CLUSTER}/v1beta1"
BINDING_API = f"{CLUSTER}/v1beta2"
RULE_API = f"{APPS}/v1"

NAMESPACE_FILE = "hub/namespace.yaml"
HUB_SUBSCRIPTION_FILE = "hub/subscription.yaml"
BINDINGS = "hub/bindings/"  # applied once, with the bootstrap (hub_common)

Files = dict[str, bytes]


@dataclass(frozen=True)
class HubPlacement:
    """One Placement or PlacementRule object on the hub."""

    name: str
    predicates: tuple[Selector, ...]
    origin: str
    of: TargetPlacement


def hub_placements(catalogue: Catalogue, placed: Placed, origin: str) -> list[HubPlacement]:
    """A PlacementRule cannot OR selectors: one rule per selector, suffixed -1, -2, ..."""
    tp = placed.placement
    return [HubPlacement(h.name, h.predicates, origin, tp) for h in hub_objects(catalogue, tp)]


def render_hub(catalogue: Catalogue, plans: list[ModelPlan], source: SourceInfo) -> Files:
    files = hub_common(catalogue, source)
    targets = target_origins(catalogue, source)
    for plan in plans:
        for path, data in hub_model_files(catalogue, plan, source, targets).items():
            files.setdefault(path, data)  # targets are shared: the first render stands
    return with_hub_kustomization(catalogue, files, source)


def hub_common(catalogue: Catalogue, source: SourceInfo) -> Files:
    """What is applied once, by hand: the Namespace, the Channel, the Subscription that
    applies `hub/synced/` to the hub, and a ManagedClusterSetBinding per cluster set. The
    bindings are not synced: the webhook lets only a creator with `create` on
    `managedclustersets/bind` make one (open-cluster-management-io/ocm,
    pkg/registration/webhook/v1beta2/managedclustersetbinding_validating.go), and the
    admin applying hub/ is known to have it, the subscription controller is not. They
    change only with hub.clusterSets, which needs a re-apply of hub/ anyway (docs/generated-tree.md,
    "Who applies `hub/`")."""
    top = source.where(catalogue.location)
    files: Files = {
        NAMESPACE_FILE: yaml_file(namespace_object(catalogue), top),
        "hub/channel.yaml": yaml_file(channel(catalogue), top),
        HUB_SUBSCRIPTION_FILE: yaml_file(hub_subscription(catalogue, top), top),
    }
    if catalogue.hub.placement_kind == "Placement":
        for cluster_set in catalogue.hub.cluster_sets:
            ns = catalogue.hub.namespace
            path = f"{BINDINGS}{cluster_set}.yaml"
            files[path] = yaml_file(binding(ns, cluster_set), top)
    return files


def target_origins(catalogue: Catalogue, source: SourceInfo) -> dict[str, str]:
    return {t.name: source.where(t.location, "targets", t.name) for t in catalogue.targets}


def hub_model_files(
    catalogue: Catalogue, plan: ModelPlan, source: SourceInfo, targets: dict[str, str]
) -> Files:
    """One model's Subscriptions and Application, and the Placements they use."""
    files: Files = {}
    model_origin = source.where(plan.model.location, "models", plan.model.name)
    for placed in plan.placed:
        origin = targets.get(placed.placement.name, model_origin)
        for hp in hub_placements(catalogue, placed, origin):
            placement_file = f"{HUB_SYNCED}/placements/{hp.name}.yaml"
            if placement_file not in files:
                files[placement_file] = yaml_file(placement_object(catalogue, hp), hp.origin)
            sub = subscription(catalogue, plan, placed, hp, model_origin)
            files[f"{HUB_SYNCED}/subscriptions/{plan.model.name}--{hp.name}.yaml"] = yaml_file(
                sub, model_origin
            )
    files[f"{HUB_SYNCED}/applications/{plan.model.name}.yaml"] = yaml_file(
        application(catalogue, plan, model_origin), model_origin
    )
    return files


def _meta(name: str, namespace: str, labels: dict[str, str], origin: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": namespace,
        "labels": labels,
        "annotations": {SOURCE_ANNOTATION: origin},
    }


def namespace_object(catalogue: Catalogue) -> dict[str, Any]:
    """The hub namespace, so `kubectl apply -k hub/` works on a fresh hub. RHACM needs
    nothing on it (no label or annotation): Channel, Placements and Subscriptions only have
    to share it, and the Channel's credentials Secret is read from it."""
    meta = {"name": catalogue.hub.namespace, "labels": hub_labels(catalogue)}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def channel(catalogue: Catalogue) -> dict[str, Any]:
    git, hub = catalogue.git, catalogue.hub
    meta: dict[str, Any] = {
        "name": catalogue.name,
        "namespace": hub.namespace,
        "labels": hub_labels(catalogue),
    }
    if hub.reconcile_rate:
        meta["annotations"] = {f"{APPS}/reconcile-rate": hub.reconcile_rate}
    spec: dict[str, Any] = {"type": "Git", "pathname": git.url}
    if git.credentials_secret:
        spec["secretRef"] = {"name": git.credentials_secret}
    if git.ca_configmap:
        spec["configMapRef"] = {"name": git.ca_configmap}
    if git.insecure_skip_verify:
        spec["insecureSkipVerify"] = True
    return {"apiVersion": f"{APPS}/v1", "kind": "Channel", "metadata": meta, "spec": spec}


def app_labels(catalogue: Catalogue, app: str) -> dict[str, str]:
    """The labels RHACM's hub sets on a Subscription itself (`app`,
    `app.kubernetes.io/part-of` equal to it, the Channel's reconcile rate:
    stolostron/multicloud-operators-subscription, pkg/controller/mcmhub/hub.go), written
    here so that re-applying `hub/synced/` (nested Subscriptions are always replaced) does
    not strip them and have the hub put them back on every Subscription at every full
    reconcile."""
    labels = {"app": app, "app.kubernetes.io/part-of": app}
    if catalogue.hub.reconcile_rate:
        labels[f"{APPS}/reconcile-rate"] = catalogue.hub.reconcile_rate
    return labels


def hub_subscription(catalogue: Catalogue, origin: str) -> dict[str, Any]:
    """The Subscription that keeps the hub objects of `hub/synced/` as the branch has them:
    RHACM applies them to the hub itself (placement.local) and deletes those that leave the
    folder (stolostron/multicloud-operators-subscription, pkg/controller/mcmhub/ and
    pkg/synchronizer/kubernetes/sync_appsubstatus.go), so a publish reaches the hub too.
    mergeAndOwn: on a hub where an earlier edgemodels had them applied by hand, it takes
    them over (as a subscription-admin's Subscription) and so prunes them later; plain merge
    would strip its ownership and never delete them."""
    hub = catalogue.hub
    name = prefixed_name(catalogue, "hub")
    labels = {**app_labels(catalogue, name), **hub_labels(catalogue)}
    meta = _meta(name, hub.namespace, labels, origin)
    meta["annotations"] = {
        f"{APPS}/git-branch": catalogue.git.branch,
        f"{APPS}/git-path": git_path(catalogue, HUB_SYNCED),
        f"{APPS}/reconcile-option": "mergeAndOwn",
        **meta["annotations"],
    }
    spec = {"channel": f"{hub.namespace}/{catalogue.name}", "placement": {"local": True}}
    return {"apiVersion": f"{APPS}/v1", "kind": "Subscription", "metadata": meta, "spec": spec}


def binding(namespace: str, cluster_set: str) -> dict[str, Any]:
    """The set must be bound to the hub namespace, or the Placements there select nothing."""
    return {
        "apiVersion": BINDING_API,
        "kind": "ManagedClusterSetBinding",
        "metadata": {"name": cluster_set, "namespace": namespace},
        "spec": {"clusterSet": cluster_set},
    }


def label_selector(selector: Selector) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if selector.match_labels:
        out["matchLabels"] = dict(selector.match_labels)
    if selector.match_expressions:
        out["matchExpressions"] = [
            {
                "key": r.key,
                "operator": r.operator,
                **({"values": list(r.values)} if r.values else {}),
            }
            for r in selector.match_expressions
        ]
    return out


def placement_object(catalogue: Catalogue, hp: HubPlacement) -> dict[str, Any]:
    hub = catalogue.hub
    labels = hub_labels(catalogue, placement=hp.of.name)
    meta = _meta(hp.name, hub.namespace, labels, hp.origin)
    if hub.placement_kind == "PlacementRule":
        spec: dict[str, Any] = {"clusterSelector": label_selector(hp.predicates[0])}
        return {"apiVersion": RULE_API, "kind": "PlacementRule", "metadata": meta, "spec": spec}
    tolerations = []
    for key in OFFLINE_TAINTS:
        toleration: dict[str, Any] = {"key": key, "operator": "Exists"}
        if hub.offline_toleration_seconds is not None:
            toleration["tolerationSeconds"] = hub.offline_toleration_seconds
        tolerations.append(toleration)
    spec = {
        "clusterSets": list(hub.cluster_sets),
        "predicates": [
            {"requiredClusterSelector": {"labelSelector": label_selector(sel)}}
            for sel in hp.predicates
        ],
        "tolerations": tolerations,
    }
    return {"apiVersion": PLACEMENT_API, "kind": "Placement", "metadata": meta, "spec": spec}


def subscription(
    catalogue: Catalogue, plan: ModelPlan, placed: Placed, hp: HubPlacement, origin: str
) -> dict[str, Any]:
    model, hub = plan.model, catalogue.hub
    if model.packaging == "helm":
        path = git_path(catalogue, "models", model.name, "chart")
    else:
        path = git_path(catalogue, "models", model.name, "overlays", placed.placement.name)
    labels = {
        **app_labels(catalogue, model.name),
        **hub_labels(catalogue, model.name, placed.placement.name),
    }
    meta = _meta(f"{model.name}-{hp.name}", hub.namespace, labels, origin)
    meta["annotations"] = {
        f"{APPS}/git-branch": catalogue.git.branch,
        f"{APPS}/git-path": path,
        **meta["annotations"],
    }
    kind = hub.placement_kind
    api = PLACEMENT_API if kind == "Placement" else RULE_API
    spec: dict[str, Any] = {"channel": f"{hub.namespace}/{catalogue.name}"}
    if model.packaging == "helm":
        spec["name"] = model.name  # the chart (package) this Subscription deploys
    spec["placement"] = {"placementRef": {"kind": kind, "apiVersion": api, "name": hp.name}}
    values = placement_values(plan, placed) if model.packaging == "helm" else {}
    if values:
        spec["packageOverrides"] = [
            {"packageName": model.name, "packageOverrides": [{"path": "spec", "value": values}]}
        ]
    return {"apiVersion": f"{APPS}/v1", "kind": "Subscription", "metadata": meta, "spec": spec}


def application(catalogue: Catalogue, plan: ModelPlan, origin: str) -> dict[str, Any]:
    model = plan.model
    labels = hub_labels(catalogue, model.name)
    spec: dict[str, Any] = {
        "componentKinds": [{"group": APPS, "kind": "Subscription"}],
        "selector": {
            "matchExpressions": [{"key": "app", "operator": "In", "values": [model.name]}]
        },
    }
    if model.description:
        spec["descriptor"] = {"description": model.description}
    return {
        "apiVersion": "app.k8s.io/v1beta1",
        "kind": "Application",
        "metadata": _meta(model.name, catalogue.hub.namespace, labels, origin),
        "spec": spec,
    }


# The order the kustomizations list their files in, for the reader: dependencies first
# (argocd.py extends HUB_ORDER). It is not the order they are applied in: kubectl and
# RHACM build a kustomization with kustomize's legacy reorder, which sorts by kind
# (Namespace first; the others by group, version, kind, so the bindings, in group
# cluster.open-cluster-management.io, come after Channel and Subscription). Nothing needs
# more: a Placement without its binding selects nothing until the binding exists, then the
# placement controller decides again, and RHACM retries what failed at its next reconcile.
