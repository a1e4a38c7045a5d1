"""The Application each ApplicationSet of the Argo CD hub makes per selected cluster: its
metadata (pushed, or pulled to the cluster by OCM's pull model), where its source is (the
model's overlay, or its chart with the placement's values) and its sync policy."""

from __future__ import annotations

from typing import Any

from edgemodels.catalogue.model import Catalogue
from edgemodels.render.common import git_path, hub_labels
from edgemodels.render.helm import placement_values
from edgemodels.render.settings import ModelPlan, Placed

APPS = "apps.open-cluster-management.io"
PULL_LABEL = f"{APPS}/pull-to-ocm-managed-cluster"
PULL_CLUSTER = f"{APPS}/ocm-managed-cluster"
PULL_APP_NAMESPACE = f"{APPS}/ocm-managed-cluster-app-namespace"
SKIP_RECONCILE = "argocd.argoproj.io/skip-reconcile"


def application_template(
    catalogue: Catalogue, plan: ModelPlan, placed: Placed, prefix: str
) -> dict[str, Any]:
    """One Application per selected cluster (`{{name}}`, `{{server}}` come from the generator)."""
    argo = catalogue.hub.argocd
    metadata: dict[str, Any] = {
        "name": prefix + "-{{name}}",
        "labels": hub_labels(catalogue, plan.model.name, placed.placement.name),
    }
    if argo.pull_model:
        metadata["labels"][PULL_LABEL] = "true"
        metadata["annotations"] = {
            PULL_CLUSTER: "{{name}}",
            PULL_APP_NAMESPACE: argo.namespace,
            SKIP_RECONCILE: "true",  # the hub's Argo CD must not apply it too
        }
    spec: dict[str, Any] = {
        "project": argo.project,
        "source": application_source(catalogue, plan, placed),
        "destination": {"server": "{{server}}", "namespace": catalogue.defaults.namespace},
    }
    sync = sync_policy(catalogue)
    if sync:
        spec["syncPolicy"] = sync
    return {"metadata": metadata, "spec": spec}


def application_source(catalogue: Catalogue, plan: ModelPlan, placed: Placed) -> dict[str, Any]:
    model = plan.model
    source: dict[str, Any] = {"repoURL": catalogue.git.url, "targetRevision": catalogue.git.branch}
    if model.packaging != "helm":
        # The overlay already carries the placement's differences as kustomize patches.
        source["path"] = git_path(
            catalogue, "models", model.name, "overlays", placed.placement.name
        )
        return source
    source["path"] = git_path(catalogue, "models", model.name, "chart")
    helm: dict[str, Any] = {"releaseName": model.name}
    values = placement_values(plan, placed)
    if values:
        helm["valuesObject"] = values
    source["helm"] = helm
    return source


def sync_policy(catalogue: Catalogue) -> dict[str, Any]:
    argo = catalogue.hub.argocd
    policy: dict[str, Any] = {}
    if argo.automated:
        policy["automated"] = {"prune": argo.prune, "selfHeal": argo.self_heal}
    options = ["CreateNamespace=true"] if argo.create_namespace else []
    options += [o for o in argo.sync_options if o not in options]
    if options:
        policy["syncOptions"] = options
    return policy
