"""What the Argo CD path needs beyond the schemas (open-cluster-management-io/api
cluster/v1beta1, stolostron/multicloud-integrations).

- An ApplicationSet generates one Application per cluster only if the Application's name
  depends on the cluster, and only for clusters some GitOpsCluster registered with the
  Argo CD of its namespace, through the ConfigMap `acm-placement` that GitOpsCluster creates.
- A pull-model Application needs the label, the cluster annotation and skip-reconcile
  together (stolostron/multicloud-integrations, propagation-controller).
- While a catalogue moves from Subscriptions to Argo CD, a folder delivered by both must
  carry the marks that make RHACM keep its objects when the Subscription is deleted
  (render/migration.py), and both must deploy into the same namespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from edgemodels.validate.gitpaths import APPLICATION_SET, SUBSCRIPTION, PackageRef
from edgemodels.validate.hubindex import GITOPS_CLUSTER, PLACEMENT, Index
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.pointers import Pointer, value_at
from edgemodels.validate.report import Finding, finding

PLACEMENT_LABEL = "cluster.open-cluster-management.io/placement"
DECISION_CONFIGMAPS = ("acm-placement",)  # what GitOpsCluster creates for Placements
PULL_LABEL = "apps.open-cluster-management.io/pull-to-ocm-managed-cluster"
PULL_CLUSTER = "apps.open-cluster-management.io/ocm-managed-cluster"
SKIP_RECONCILE = "argocd.argoproj.io/skip-reconcile"
DO_NOT_DELETE = "apps.open-cluster-management.io/do-not-delete"
RESOURCE_POLICY = "helm.sh/resource-policy"
LABEL_BUDGET = 63
TEMPLATE: Pointer = ("spec", "template")
SOURCE: Pointer = (*TEMPLATE, "spec", "source")
_PER_CLUSTER = re.compile(r"\{\{[^}]*\b(name|nameNormalized|server|clusterName)\b[^}]*\}\}")


def argocd_findings(
    hub: Sequence[Manifest], every: Sequence[Manifest], refs: Sequence[PackageRef], root: Path
) -> list[Finding]:
    index = Index(hub)
    found: list[Finding] = []
    for placement in index.of(PLACEMENT):
        found.extend(check_placement_name(placement))
    for appset in index.of(APPLICATION_SET):
        found.extend(check_generators(appset, index))
        found.extend(check_template(appset))
        found.extend(check_pull_model(appset))
    found.extend(check_migration(refs, every, root))
    return found


def check_placement_name(placement: Manifest) -> list[Finding]:
    if len(placement.name) <= LABEL_BUDGET:
        return []
    message = (
        f"name is {len(placement.name)} characters: its PlacementDecisions carry it in the label "
        f"{PLACEMENT_LABEL}, whose values are limited to {LABEL_BUDGET}"
    )
    return [finding(placement, ("metadata", "name"), "K316", message)]


def _decision_generators(appset: Manifest) -> Iterator[tuple[Pointer, Mapping[str, object]]]:
    generators = value_at(appset.data, ("spec", "generators"))
    for i in range(len(generators) if isinstance(generators, list) else 0):
        pointer: Pointer = ("spec", "generators", i, "clusterDecisionResource")
        found = value_at(appset.data, pointer)
        if isinstance(found, dict):
            yield pointer, found


def check_generators(appset: Manifest, index: Index) -> list[Finding]:
    found = []
    for pointer, generator in _decision_generators(appset):
        configmap = generator.get("configMapRef")
        if isinstance(configmap, str) and configmap not in DECISION_CONFIGMAPS:
            message = (
                f"configMapRef '{configmap}': GitOpsCluster creates 'acm-placement' for Placement "
                "decisions; any other ConfigMap must be created by hand"
            )
            found.append(
                finding(appset, (*pointer, "configMapRef"), "K319", message, severity="warning")
            )
        name = value_at(appset.data, (*pointer, "labelSelector", "matchLabels", PLACEMENT_LABEL))
        known = isinstance(name, str) and index.has(PLACEMENT, appset.namespace, name)
        if known and not _registered(index, appset.namespace, str(name)):  # else: K304
            message = (
                f"no GitOpsCluster in '{appset.namespace}' registers the clusters of Placement "
                f"{name} with Argo CD: unless another one registers the same clusters, no "
                "Application is generated"
            )
            where = (*pointer, "labelSelector", "matchLabels", PLACEMENT_LABEL)
            found.append(finding(appset, where, "K318", message, severity="warning"))
    return found


def _registered(index: Index, namespace: str, placement: str) -> bool:
    for gitops in index.of(GITOPS_CLUSTER):
        argo = value_at(gitops.data, ("spec", "argoServer", "argoNamespace"))
        ref = value_at(gitops.data, ("spec", "placementRef", "name"))
        if gitops.namespace == namespace and argo == namespace and ref == placement:
            return True
    return False


def check_template(appset: Manifest) -> list[Finding]:
    found = []
    name = value_at(appset.data, (*TEMPLATE, "metadata", "name"))
    if isinstance(name, str) and not _PER_CLUSTER.search(name):
        message = (
            f"Application name '{name}' is the same for every cluster: the ApplicationSet "
            "cannot create one Application per cluster (add {{name}})"
        )
        found.append(finding(appset, (*TEMPLATE, "metadata", "name"), "K317", message))
    found.extend(check_destination(appset))
    revision = value_at(appset.data, (*SOURCE, "targetRevision"))
    if value_at(appset.data, SOURCE) is not None and revision in (None, "", "HEAD"):
        message = "no targetRevision: Argo CD follows the default branch, not the deploy branch"
        found.append(finding(appset, SOURCE, "K322", message, severity="warning"))
    for pointer in _templated_strings(value_at(appset.data, SOURCE), SOURCE):
        message = "'{{' in the source: the ApplicationSet controller replaces parameters here"
        found.append(finding(appset, pointer, "K325", message, severity="warning"))
    return found


def check_destination(appset: Manifest) -> list[Finding]:
    pointer: Pointer = (*TEMPLATE, "spec", "destination")
    destination = value_at(appset.data, pointer)
    if not isinstance(destination, dict):
        return []
    problem = ""
    if bool(destination.get("server")) == bool(destination.get("name")):
        problem = "needs exactly one of server and name"
    elif not destination.get("namespace"):
        problem = (
            "has no namespace: namespaced objects without one go to the site's default namespace"
        )
    if not problem:
        return []
    return [finding(appset, pointer, "K320", f"Application destination {problem}")]


def _templated_strings(node: object, pointer: Pointer) -> Iterator[Pointer]:
    if isinstance(node, str) and "{{" in node:
        yield pointer
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _templated_strings(value, (*pointer, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _templated_strings(value, (*pointer, i))


def check_pull_model(appset: Manifest) -> list[Finding]:
    meta: Pointer = (*TEMPLATE, "metadata")
    labels = value_at(appset.data, (*meta, "labels"))
    annotations = value_at(appset.data, (*meta, "annotations"))
    labels = labels if isinstance(labels, dict) else {}
    annotations = annotations if isinstance(annotations, dict) else {}
    pulled = str(labels.get(PULL_LABEL, "")).lower() == "true"
    if not pulled and PULL_CLUSTER not in annotations:
        return []
    missing = []
    if not pulled:
        missing.append(f"label {PULL_LABEL}: 'true'")
    if not annotations.get(PULL_CLUSTER):
        missing.append(f"annotation {PULL_CLUSTER}: '{{{{name}}}}'")
    if str(annotations.get(SKIP_RECONCILE, "")).lower() != "true":
        missing.append(
            f"annotation {SKIP_RECONCILE}: 'true' (else the hub's Argo CD deploys it too)"
        )
    if not missing:
        return []
    message = "pull model half set: the Application template also needs " + "; ".join(missing)
    return [finding(appset, meta, "K321", message)]


def _pairs(refs: Sequence[PackageRef]) -> list[tuple[str, PackageRef, PackageRef]]:
    """(folder, Subscription, ApplicationSet) for each Subscription of a folder that an
    ApplicationSet delivers too."""
    appsets: dict[str, PackageRef] = {}
    for ref in refs:
        if (
            ref.relative is not None
            and (ref.manifest.api_version, ref.manifest.kind) == APPLICATION_SET
        ):
            appsets.setdefault(ref.relative, ref)
    return [
        (ref.relative, ref, appsets[ref.relative])
        for ref in refs
        if ref.relative in appsets and (ref.manifest.api_version, ref.manifest.kind) == SUBSCRIPTION
    ]


def _delivered(folder: str, every: Sequence[Manifest]) -> list[Manifest]:
    """The rendered or built objects of one chart or overlay folder."""
    if "/overlays/" in folder:
        family, overlay = folder.split("/overlays/", 1)
        return [
            m
            for m in every
            if m.context == f"overlay {overlay}" and m.source.path.startswith(family + "/")
        ]
    return [
        m for m in every if m.source.template is not None and m.source.path.startswith(folder + "/")
    ]


def unmarked(folder: str, every: Sequence[Manifest], root: Path) -> dict[str, list[str]]:
    """Mark -> the objects of `folder` that lack it."""
    marks = {DO_NOT_DELETE: "true"}
    if (root / folder / "Chart.yaml").is_file():
        marks[RESOURCE_POLICY] = "keep"  # a HelmRelease's deletion is a helm uninstall
    delivered = _delivered(folder, every)
    found = {}
    for key, value in marks.items():
        bare = sorted({f"{m.kind} {m.name}" for m in delivered if m.annotation(key) != value})
        if bare:
            found[f'{key}: "{value}"'] = bare
    return found


def check_migration(
    refs: Sequence[PackageRef], every: Sequence[Manifest], root: Path
) -> list[Finding]:
    found = []
    for folder, sub, appset in _pairs(refs):
        for mark, bare in unmarked(folder, every, root).items():
            message = (
                f"'{folder}' is also delivered by ApplicationSet {appset.manifest.name}, but "
                f"{', '.join(bare)} lack {mark}: deleting this Subscription removes them from "
                "the sites (set spec.hub.argocd.migration)"
            )
            found.append(finding(sub.manifest, sub.pointer, "K323", message))
        pointer = (*TEMPLATE, "spec", "destination", "namespace")
        destination = value_at(appset.manifest.data, pointer)
        if isinstance(destination, str) and destination != sub.manifest.namespace:
            message = (
                f"Subscription {sub.manifest.name} deploys '{folder}' into its namespace "
                f"'{sub.manifest.namespace}', this ApplicationSet into '{destination}': "
                "the model runs twice"
            )
            found.append(finding(appset.manifest, pointer, "K324", message, severity="warning"))
    return found
