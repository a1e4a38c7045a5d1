"""The objects a container model runs as on a site, built as data (kustomize packaging):
the descriptor a workload reads, and with copy delivery the claim and the Job that copies
the files into it, or with image volumes the Deployment that pulls the image ahead.

The helpers both kinds of model share (metadata, security, the pod) are in `site.py`; the
chart writes the same objects in `helm_container_templates.py`.
"""

from __future__ import annotations

from edgemodels.catalogue.model import Catalogue, Model
from edgemodels.render.common import (
    content_dir,
    copy_job_name,
    image_digest,
    selector_labels,
    site_labels,
)
from edgemodels.render.site import (
    FILES,
    PREFETCH,
    Obj,
    container_security,
    meta,
    pod_security,
    pod_spec,
)

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
    pod = pod_spec(catalogue, pod_security(user=COPY_UID, group=COPY_UID), [copy])
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
    pod = pod_spec(catalogue, pod_security(user=COPY_UID, group=COPY_UID), [hold])
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
