"""The hub side of delivery argocd, under `hub/argocd/` (RHACM's GitOps integration).

Facts (open-cluster-management-io/api cluster/v1beta1/types_placement.go,
stolostron/multicloud-integrations):
- GitOpsCluster reads its Placement from its own namespace and registers the placed clusters
  with the Argo CD instance of `argoServer.argoNamespace`; it also creates the ConfigMap
  `acm-placement` there, which the clusterDecisionResource generator reads.
- The ApplicationSet controller lists PlacementDecisions in the ApplicationSet's namespace,
  and the pull-model controller only sends an Application to a cluster that a decision in
  the Application's namespace selects. So everything here lives in the Argo CD namespace,
  where a ManagedClusterSetBinding must bind the cluster sets.

Decisions (docs/argocd.md):
- One Placement and one GitOpsCluster per placement, named `<catalogue>-<placement>`: the
  Argo CD namespace is shared by every catalogue, so names carry the catalogue. Overlapping
  GitOpsClusters are safe: the controller reconciles them all together and keeps the union
  of their cluster secrets.
- One ApplicationSet per model and placement, `<catalogue>-<model>-<placement>`; its
  Applications are `<that>-<cluster>`, one per selected cluster. That is a DNS-1123
  subdomain of at most 127 characters (the ApplicationSet's name is kept within 63, a
  ManagedCluster's name is a DNS-1123 label), but it can pass 63, a label value's limit,
  which matters to how Argo CD tracks what an Application deploys (argoproj/argo-cd
  docs/user-guide/resource_tracking.md; util/argo/resource_tracking.go, SetAppInstance):
  `label` tracking sets the label `app.kubernetes.io/instance` to the Application's name
  uncut on every object, so the API server refuses them all ("must be no more than 63
  characters") and every sync fails (argo-cd issues #10843, #14637: only
  `annotation+label` cuts the value); `annotation+label` cuts the label to 63 (and since
  PR #18256 drops a trailing '-' or '.'); `annotation` writes the annotation
  `argocd.argoproj.io/tracking-id` and no label, introduced to allow longer names
  (docs/proposals/application-name-identifier.md). `label` is Argo CD 2's default,
  `annotation` Argo CD 3's (docs/operator-manual/upgrading/2.14-3.0.md), and the OpenShift
  GitOps operator writes `label` into argocd-cm unless its ArgoCD's
  `spec.resourceTrackingMethod` says otherwise (argoproj-labs/argocd-operator,
  controllers/argocd/configmap.go, getResourceTrackingMethod). With the pull model the
  site's Application keeps the name (stolostron/multicloud-integrations,
  propagation-controller/application/helper.go, prepareApplicationForWorkPayload), so the
  site's Argo CD setting decides there. Argo CD's docs answer long names with annotation
  tracking, not with a naming scheme; a name cut in the template (goTemplate's `trunc`)
  could give two clusters one Application and renames (redeploys) every long one. So names
  stay as they are and `check` (R232) and `plan` (D128) warn where one passes 63, unless
  `spec.hub.argocd.resourceTrackingMethod` declares annotation or annotation+label
  tracking (under annotation+label, `plan` warns where two Applications' cut labels meet on
  one site: D130). That setting is the catalogue's word about an Argo CD edgemodels does
  not configure: nothing rendered here reads it.
- Bindings are shared by every catalogue of the namespace: they ask a hub-side Argo CD not
  to prune them.
- The hub side follows the branch like the Subscription side's `hub/synced/`: an Argo CD
  Application `<catalogue>-hub`, applied once by hand with the bindings, syncs (and prunes)
  `hub/argocd/synced/` (Placements, GitOpsClusters, ApplicationSets) to the hub itself. The
  bindings stay hand-applied for the same reason as there (render/acm.hub_common): only a
  creator allowed to bind the set may make one. The application controller needs no Role
  for it: the Argo CD operator (OpenShift GitOps) gives it every verb on every resource of
  its own namespace (argocd-operator, controllers/argocd/policyrule.go,
  policyRuleForApplicationController, reconciled as a Role in the instance's namespace).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from edgemodels.catalogue.model import Catalogue
from edgemodels.render.acm import (
    BINDINGS,
    NAMESPACE_FILE,
    HubPlacement,
    binding,
    placement_object,
    render_hub,
)
from edgemodels.render.argoapps import APPS, application_template
from edgemodels.render.common import (
    ARGOCD_SYNCED,
    SOURCE_ANNOTATION,
    SourceInfo,
    git_path,
    hub_labels,
    prefixed_name,
    yaml_file,
)
from edgemodels.render.hubkustomization import HUB_ORDER, with_hub_kustomization
from edgemodels.render.hubkustomization import hub_kustomization as acm_kustomization
from edgemodels.render.migration import mark_site_objects
from edgemodels.render.settings import ModelPlan, Placed
from edgemodels.tree import FileTree

PLACEMENT_LABEL = "cluster.open-cluster-management.io/placement"
PLACEMENT_CONFIGMAP = "acm-placement"  # created by the GitOpsCluster controller
REQUEUE_SECONDS = 180
SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
ROOT = "hub/argocd"
HUB_APPLICATION_FILE = f"{ROOT}/application.yaml"
IN_CLUSTER = "https://kubernetes.default.svc"  # Argo CD's name for its own cluster

Files = dict[str, bytes]


def with_argocd(
    catalogue: Catalogue, plans: list[ModelPlan], source: SourceInfo, tree: FileTree
) -> FileTree:
    """`tree` (site files) with the Argo CD hub side, and what a migration needs."""
    migration = catalogue.hub.argocd.migration
    out = dict(tree)
    hub = render_argocd_hub(catalogue, plans, source)
    if migration == "keep-subscriptions":
        hub = {**legacy_hub(catalogue, plans, source), **hub}
    if migration is not None:
        out = mark_site_objects(out, catalogue, plans, source)
    out.update(hub)
    top = source.where(catalogue.location)
    out["hub/kustomization.yaml"] = yaml_file(hub_kustomization(hub), top)
    out[f"{ARGOCD_SYNCED}/kustomization.yaml"] = yaml_file(
        acm_kustomization(hub, _SYNCED_ORDER, ARGOCD_SYNCED), top
    )
    return out


def legacy_hub(catalogue: Catalogue, plans: list[ModelPlan], source: SourceInfo) -> Files:
    """The Subscription side, kept during the migration; bindings of a namespace it shares
    with Argo CD are the Argo CD side's (one object, one file)."""
    files = render_hub(catalogue, plans, source)
    if catalogue.hub.namespace == catalogue.hub.argocd.namespace:
        files = {p: d for p, d in files.items() if not p.startswith(BINDINGS)}
        # Argo CD's own namespace exists already and is not ours: `kubectl delete -k hub/`
        # must never take it (and Argo CD) away.
        del files[NAMESPACE_FILE]
    files = with_hub_kustomization(catalogue, files, source)  # hub/synced/'s, without those
    del files["hub/kustomization.yaml"]  # with_argocd writes the one of the whole hub/
    return files


def argo_name(catalogue: Catalogue, *parts: str) -> str:
    """`<catalogue>-<parts>`, kept within a label value (decisions carry Placement names)."""
    return prefixed_name(catalogue, *parts)


def render_argocd_hub(catalogue: Catalogue, plans: list[ModelPlan], source: SourceInfo) -> Files:
    top = source.where(catalogue.location)
    argo = catalogue.hub.argocd
    files: Files = {}
    for cluster_set in catalogue.hub.cluster_sets:
        files[f"{ROOT}/bindings/{cluster_set}.yaml"] = yaml_file(
            shared_binding(argo.namespace, cluster_set), top
        )
    files[HUB_APPLICATION_FILE] = yaml_file(hub_application(catalogue, top), top)
    targets = {t.name: source.where(t.location, "targets", t.name) for t in catalogue.targets}
    for plan in plans:
        model_origin = source.where(plan.model.location, "models", plan.model.name)
        for placed in plan.placed:
            name = placed.placement.name
            origin = targets.get(name, model_origin)
            placement_file = f"{ARGOCD_SYNCED}/placements/{name}.yaml"
            if placement_file not in files:  # targets are shared: render each once
                files[placement_file] = yaml_file(argo_placement(catalogue, placed, origin), origin)
                files[f"{ARGOCD_SYNCED}/gitopsclusters/{name}.yaml"] = yaml_file(
                    gitops_cluster(catalogue, name, origin), origin
                )
            files[f"{ARGOCD_SYNCED}/applicationsets/{plan.model.name}--{name}.yaml"] = yaml_file(
                application_set(catalogue, plan, placed, model_origin), model_origin
            )
    return files


def hub_application(catalogue: Catalogue, origin: str) -> dict[str, Any]:
    """The Application that keeps the hub objects of `hub/argocd/synced/` as the branch has
    them: the hub's Argo CD applies them to its own cluster and prunes those that leave the
    folder, so a publish reaches the hub too. Automated with prune and selfHeal whatever
    spec.hub.argocd says of the sites' Applications: these objects are edgemodels' own, and
    a mass removal is what plan's removal guards stop (D113, D116). No resources finalizer:
    deleting this Application leaves the hub objects in place."""
    argo = catalogue.hub.argocd
    name = argo_name(catalogue, "hub")
    spec = {
        "project": argo.project,
        "source": {
            "repoURL": catalogue.git.url,
            "targetRevision": catalogue.git.branch,
            "path": git_path(catalogue, ARGOCD_SYNCED),
        },
        "destination": {"server": IN_CLUSTER, "namespace": argo.namespace},
        "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
    }
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": _meta(catalogue, name, hub_labels(catalogue), origin),
        "spec": spec,
    }


def shared_binding(namespace: str, cluster_set: str) -> dict[str, Any]:
    obj = binding(namespace, cluster_set)
    # Every catalogue delivered through this Argo CD namespace needs the binding: removing
    # one catalogue's tree must not take it from the others.
    obj["metadata"]["annotations"] = {SYNC_OPTIONS: "Prune=false"}
    return obj


def argo_placement(catalogue: Catalogue, placed: Placed, origin: str) -> dict[str, Any]:
    """The same Placement as delivery subscription renders, in the Argo CD namespace."""
    hub = replace(
        catalogue.hub, namespace=catalogue.hub.argocd.namespace, placement_kind="Placement"
    )
    tp = placed.placement
    hp = HubPlacement(argo_name(catalogue, tp.name), tp.predicates, origin, tp)
    return placement_object(replace(catalogue, hub=hub), hp)


def _meta(catalogue: Catalogue, name: str, labels: dict[str, str], origin: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": catalogue.hub.argocd.namespace,
        "labels": labels,
        "annotations": {SOURCE_ANNOTATION: origin},
    }


def gitops_cluster(catalogue: Catalogue, placement: str, origin: str) -> dict[str, Any]:
    argo = catalogue.hub.argocd
    name = argo_name(catalogue, placement)
    spec: dict[str, Any] = {
        "argoServer": {"argoNamespace": argo.namespace},
        "placementRef": {
            "kind": "Placement",
            "apiVersion": "cluster.open-cluster-management.io/v1beta1",
            "name": name,
        },
    }
    if argo.pull_model:
        # Pull model: Argo CD on the site applies; the hub needs no credentials for it.
        spec["createBlankClusterSecrets"] = True
    return {
        "apiVersion": f"{APPS}/v1beta1",
        "kind": "GitOpsCluster",
        "metadata": _meta(catalogue, name, hub_labels(catalogue, placement=placement), origin),
        "spec": spec,
    }


def application_set(
    catalogue: Catalogue, plan: ModelPlan, placed: Placed, origin: str
) -> dict[str, Any]:
    model, placement = plan.model.name, placed.placement.name
    name = argo_name(catalogue, model, placement)
    labels = hub_labels(catalogue, model, placement)
    generator = {
        "clusterDecisionResource": {
            "configMapRef": PLACEMENT_CONFIGMAP,
            "labelSelector": {"matchLabels": {PLACEMENT_LABEL: argo_name(catalogue, placement)}},
            "requeueAfterSeconds": REQUEUE_SECONDS,
        }
    }
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": _meta(catalogue, name, labels, origin),
        "spec": {
            "generators": [generator],
            "template": application_template(catalogue, plan, placed, name),
            "syncPolicy": {
                "preserveResourcesOnDeletion": catalogue.hub.argocd.preserve_resources_on_deletion
            },
        },
    }


_ORDER = (*HUB_ORDER, "argocd/bindings/", "argocd/application.yaml")
_SYNCED_ORDER = ("placements/", "gitopsclusters/", "applicationsets/")


def hub_kustomization(files: Files) -> dict[str, Any]:
    """The hand-applied hub files (none of the synced folders), bindings first for the
    reader: kustomize applies them sorted by kind."""
    return acm_kustomization(files, _ORDER)
