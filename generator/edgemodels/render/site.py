"""The objects a model runs as on a site, built as data (kustomize packaging).

The Helm chart (`helm_templates.py`, `helm_container_templates.py`) writes the same
objects as Go templates; a test renders both and compares them, so the two packagings
cannot drift apart.
Namespaces are left out: kustomize sets them, Helm uses the release namespace.
"""

from __future__ import annotations

from typing import Any

from edgemodels.catalogue.model import Catalogue, Model, Resources
from edgemodels.render.common import (
    SOURCE_ANNOTATION,
    content_dir,
    copy_job_name,
    image_digest,
    selector_labels,
    site_labels,
)
from edgemodels.render.settings import Settings

Obj = dict[str, Any]

SERVER = "model-server"
FILES = "model-files"
PREFETCH = "model-prefetch"
COPY_UID = 65532  # the copy Job runs as this non-root user (files stay world-readable)
# Sleep until told to stop (a shell as PID 1 must trap TERM itself, or stopping waits 30 s).
HOLD_SCRIPT = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"
# The copy Job's containers run busybox cp: a memory limit keeps a stuck copy from taking
# a small node's memory (the page cache it fills is reclaimed within the limit).
COPY_RESOURCES = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}}
# A copy that fails (the node's disk full: local-path enforces no size; an eviction, a
# reboot) is retried for a week: with restartPolicy OnFailure every restart counts, and the
# kubelet restarts at most every 5 minutes. Kubernetes' default, 6, fails the Job for good
# after some 10 minutes, and nothing retries it: RHACM and Helm re-apply the same Job, so the
# site kept the old files until someone deleted the Job. Waiting for the model image's pull
# (an offline site) never counts. backoffLimit is outside the pod template: no new Job name.
COPY_BACKOFF_LIMIT = 7 * 24 * 12

# The claim holds two versions (`container.size` says so): before it copies a new one the
# script removes all but the current one, and after the switch it keeps the one replaced,
# for pods that still read it. A complete folder is never copied again: its name changes
# with the content (common.content_dir). A Job stopped (TERM: pruned because a newer Job
# replaced it) ends before its next step, so it never switches `current` after the newer
# one did (a shell as PID 1 ignores TERM without a trap, and would run on for 30 s).
# `current` may be an empty folder, not a symlink: kubelet creates a missing subPath, so a
# workload that mounted `subPath: current` before the first copy finished made it, and
# `mv -T` cannot replace a folder (the Job would fail for ever). It is removed; such a pod
# sees an empty folder until it restarts. A folder with files in it is left, and the Job fails.
COPY_SCRIPT = """\
set -eu
trap 'exit 143' TERM INT
root="${MODELS_ROOT:-/models}"
dest="$root/versions/$MODEL_VERSION_DIR"
current="$(readlink "$root/current" 2>/dev/null || true)"
if [ ! -f "$dest/.edgemodels-complete" ]; then
  for old in "$root"/versions/*; do
    [ -e "$old" ] || continue
    if [ "versions/${old##*/}" != "$current" ]; then
      rm -rf "$old"
    fi
  done
  rm -rf "$dest.partial"
  mkdir -p "$dest.partial"
  cp -R "$MODEL_PATH/." "$dest.partial/"
  touch "$dest.partial/.edgemodels-complete"
  rm -rf "$dest"
  mv "$dest.partial" "$dest"
fi
if [ "$current" != "versions/$MODEL_VERSION_DIR" ]; then
  if [ -d "$root/current" ] && [ ! -L "$root/current" ]; then
    rmdir "$root/current" || {
      echo "$root/current is a folder with files, not a symlink: move it away" >&2
      exit 1
    }
  fi
  ln -sfn "versions/$MODEL_VERSION_DIR" "$root/.current.new"
  mv -fT "$root/.current.new" "$root/current"
  for old in "$root"/versions/*; do
    [ -e "$old" ] || continue
    name="versions/${old##*/}"
    if [ "$name" != "versions/$MODEL_VERSION_DIR" ] && [ "$name" != "$current" ]; then
      rm -rf "$old"
    fi
  done
fi
echo "model files $MODEL_VERSION_DIR are current in $root"
"""


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
        container["env"] = [{"name": k, "value": v} for k, v in s.env]
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
                "spec": _pod(catalogue, security, [container])
                | {"volumes": [{"name": "tmp", "emptyDir": {}}]},
            },
        },
    }


def _pod(catalogue: Catalogue, security: Obj, containers: list[Obj]) -> Obj:
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


# --- container models ------------------------------------------------------------------------


def descriptor(model: Model, image: str, origin: str) -> Obj:
    """What a workload reads to find the model: name, version, image, digest, path."""
    data = {
        "name": model.name,
        "version": model.version,
        "image": image,
        "digest": image_digest(image),
        "path": model_path(model),
    }
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(f"{model.name}-model", site_labels(model, FILES), origin, True),
        "data": {k: v for k, v in data.items() if v},
    }


def descriptor_delivery(model: Model, delivery: str, image: str) -> dict[str, str]:
    """Descriptor keys that depend on the delivery."""
    if delivery == "copy":
        return {"delivery": "copy", "claimName": f"{model.name}-model", "subPath": "current"}
    return {"delivery": "imageVolume", "reference": image}


def model_path(model: Model) -> str:
    return model.container.model_path if model.container else "/model"


def claim(model: Model, size: str, origin: str) -> Obj:
    """The copy volume, `container.size`: room for the two versions the script keeps. Its
    StorageClass only where `container.storageClassName` names one (else the default's)."""
    spec: Obj = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    storage_class = model.container.storage_class if model.container else None
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta(f"{model.name}-model", site_labels(model, FILES), origin),
        "spec": spec,
    }


def copy_job(catalogue: Catalogue, model: Model, image: str, tools: str, origin: str) -> Obj:
    path = model_path(model)
    tools_mount = {"name": "tools", "mountPath": "/tools"}
    init = {
        "name": "tools",
        "image": tools,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/bin/cp", "/bin/busybox", "/tools/busybox"],
        "resources": COPY_RESOURCES,
        "securityContext": container_security(),
        "volumeMounts": [tools_mount],
    }
    copy = {
        "name": "copy",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/tools/busybox", "sh", "-c", COPY_SCRIPT],
        "env": [
            {"name": "MODEL_PATH", "value": path},
            {"name": "MODEL_VERSION_DIR", "value": content_dir(model.version, image, path)},
        ],
        "resources": COPY_RESOURCES,
        "securityContext": container_security(),
        "volumeMounts": [
            {**tools_mount, "readOnly": True},
            {"name": "models", "mountPath": "/models"},
        ],
    }
    pod = _pod(catalogue, pod_security(user=COPY_UID, group=COPY_UID), [copy])
    pod = {"restartPolicy": "OnFailure", **pod, "initContainers": [init]}
    pod["volumes"] = [
        {"name": "tools", "emptyDir": {}},
        {"name": "models", "persistentVolumeClaim": {"claimName": f"{model.name}-model"}},
    ]
    template = {"metadata": {"labels": site_labels(model, FILES)}, "spec": pod}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta(copy_job_name(model.name, template), site_labels(model, FILES), origin),
        "spec": {"backoffLimit": COPY_BACKOFF_LIMIT, "template": template},
    }


def prefetch(catalogue: Catalogue, model: Model, image: str, tools: str, origin: str) -> Obj:
    """Holds the model image mounted as an image volume, so the site pulls and keeps it.

    The holder is the busybox tools image (already needed by the copy Job, so an offline
    site mirrors one helper image): it sleeps, and its probes report whether the model's
    folder is there in the mounted image.
    """
    probe = {"exec": {"command": ["/bin/test", "-d", f"/model{model_path(model)}"]}}
    hold = {
        "name": "hold",
        "image": tools,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/bin/sh", "-c", HOLD_SCRIPT],
        "readinessProbe": {**probe, "periodSeconds": 30},
        "livenessProbe": {**probe, "periodSeconds": 60},
        "resources": {"requests": {"cpu": "1m", "memory": "8Mi"}, "limits": {"memory": "32Mi"}},
        "securityContext": container_security(),
        "volumeMounts": [{"name": "model", "mountPath": "/model", "readOnly": True}],
    }
    pod = _pod(catalogue, pod_security(user=COPY_UID, group=COPY_UID), [hold])
    pod["volumes"] = [
        {"name": "model", "image": {"reference": image, "pullPolicy": "IfNotPresent"}}
    ]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(
            f"{model.name}-prefetch", site_labels(model, PREFETCH), origin, replaced=True
        ),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": selector_labels(model, PREFETCH)},
            "template": {"metadata": {"labels": site_labels(model, PREFETCH)}, "spec": pod},
        },
    }
