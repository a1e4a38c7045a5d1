"""The objects a model runs as on a site, built as data (kustomize packaging): an HTTP
model's here, with the helpers both kinds share; a container model's in site_container.py.

The Helm chart (`helm_templates.py`, `helm_container_templates.py`) writes the same
objects as Go templates; a test renders both and compares them, so the two packagings
cannot drift apart.
Namespaces are left out: kustomize sets them, Helm uses the release namespace.
"""

from __future__ import annotations

from typing import Any

from edgemodels.catalogue.envvars import container_env
from edgemodels.catalogue.model import Catalogue, Model, Resources
from edgemodels.render.common import (
    SOURCE_ANNOTATION,
    selector_labels,
    site_labels,
)
from edgemodels.render.settings import Settings

Obj = dict[str, Any]

SERVER = "model-server"
FILES = "model-files"
PREFETCH = "model-prefetch"
# RHACM updates an object with a JSON merge patch that never removes a key
# (stolostron/multicloud-operators-subscription, pkg/synchronizer/kubernetes/synchronizer.go
# `updateResourceByTemplateUnit`): a descriptor key of the old delivery, a removed security
# exception, pull secrets or runAsUser would stay on the site. `replace` makes it PUT the
# object, so the site's equals the generated one. Only where a generated map loses keys and
# a PUT is safe: the descriptor ConfigMap and the Deployments (their one immutable field, the
# selector, is fixed by the model's name, so RHACM ignoring an Invalid PUT hides nothing).
# Not the PVC (a PUT without the bound volumeName is refused, and RHACM ignores that
# refusal: a resize would be dropped silently), not the Job (its template is immutable; a
# new template gets a new name), and RHACM always merges Services (their keys never change).
RECONCILE_OPTION = "apps.open-cluster-management.io/reconcile-option"
REPLACED = {RECONCILE_OPTION: "replace"}


def meta(name: str, labels: dict[str, str], origin: str, replaced: bool = False) -> Obj:
    annotations = {SOURCE_ANNOTATION: origin, **(REPLACED if replaced else {})}
    return {"name": name, "labels": labels, "annotations": annotations}


RUN_AS_ROOT = "edgemodels.io/run-as-root"
WRITABLE_ROOT = "edgemodels.io/writable-root-filesystem"


def exception_annotations(model: Model) -> dict[str, str]:
    """A declared security exception, visible on the object (the pod policies honour it)."""
    found = {}
    if model.security.run_as_root:
        found[RUN_AS_ROOT] = model.security.reason
    if model.security.writable_root_filesystem:
        found[WRITABLE_ROOT] = model.security.reason
    return found


def container_security(writable_root: bool = False) -> Obj:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": not writable_root,
        "capabilities": {"drop": ["ALL"]},
    }


def pod_security(
    run_as_root: bool = False, user: int | None = None, group: int | None = None
) -> Obj:
    out: Obj = {"runAsNonRoot": not run_as_root}
    if user is not None:
        out["runAsUser"] = user
    if group is not None:
        out.update(runAsGroup=group, fsGroup=group)
    out["seccompProfile"] = {"type": "RuntimeDefault"}
    return out


def pull_secrets(catalogue: Catalogue) -> list[Obj]:
    return [{"name": s} for s in catalogue.defaults.image_pull_secrets]


def resources(res: Resources) -> Obj:
    out: Obj = {}
    if res.requests:
        out["requests"] = dict(res.requests)
    if res.limits:
        out["limits"] = dict(res.limits)
    return out


# --- HTTP models ---------------------------------------------------------------------------


def deployment(catalogue: Catalogue, model: Model, s: Settings, origin: str) -> Obj:
    http = model.http
    assert http is not None  # the catalogue builder guarantees it for wrapper http
    probe = {"httpGet": {"path": http.health_path, "port": "http"}}
    container: Obj = {
        "name": "model",
        "image": s.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": http.port, "protocol": "TCP"}],
    }
    if s.env:
        container["env"] = container_env(s.env)
    if model.env_from:
        container["envFrom"] = [source.env_from() for source in model.env_from]
    container.update(
        startupProbe={**probe, "periodSeconds": 10, "failureThreshold": 60},
        readinessProbe={"httpGet": {"path": http.readiness, "port": "http"}, "periodSeconds": 10},
        livenessProbe={**probe, "periodSeconds": 20, "failureThreshold": 3},
    )
    if not s.resources.is_empty:
        container["resources"] = resources(s.resources)
    container["securityContext"] = container_security(model.security.writable_root_filesystem)
    container["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
    metadata = meta(model.name, site_labels(model, SERVER), origin, replaced=True)
    metadata["annotations"].update(exception_annotations(model))
    security = pod_security(model.security.run_as_root, http.run_as_user)
    # The Pods get only the template's metadata, and the admission policies check them.
    pod_metadata: Obj = {"labels": site_labels(model, SERVER)}
    if exceptions := exception_annotations(model):
        pod_metadata["annotations"] = exceptions
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {
            "replicas": s.replicas,
            "selector": {"matchLabels": selector_labels(model, SERVER)},
            "template": {
                "metadata": pod_metadata,
                "spec": pod_spec(catalogue, security, [container])
                | {"volumes": [{"name": "tmp", "emptyDir": {}}]},
            },
        },
    }


def pod_spec(catalogue: Catalogue, security: Obj, containers: list[Obj]) -> Obj:
    pod: Obj = {"automountServiceAccountToken": False}
    if catalogue.defaults.image_pull_secrets:
        pod["imagePullSecrets"] = pull_secrets(catalogue)
    pod["securityContext"] = security
    pod["containers"] = containers
    return pod


def service(model: Model, origin: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(model.name, site_labels(model, SERVER), origin),
        "spec": {
            "type": "ClusterIP",
            "selector": selector_labels(model, SERVER),
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def ingress(model: Model, path: str, origin: str) -> Obj:
    backend = {"service": {"name": model.name, "port": {"name": "http"}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta(model.name, site_labels(model, SERVER), origin),
        "spec": {
            "rules": [
                {"http": {"paths": [{"path": path, "pathType": "Prefix", "backend": backend}]}}
            ]
        },
    }
