"""Every object a generated tree puts on the sites, as RHACM would apply it, and the pod
security rules the issue asks of each: non-root, no privilege escalation, a read-only root
filesystem, all capabilities dropped, a memory limit.

Objects come from validate's own pipeline: plain manifests, every chart rendered with each
placement's values (Helm SDK), every overlay built (`kubectl kustomize`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from edgemodels.validate.discover import discover
from edgemodels.validate.gitpaths import package_refs
from edgemodels.validate.helm import render_chart
from edgemodels.validate.kustomize import build
from edgemodels.validate.pipeline import load_plain

WORKLOAD_KINDS = ("Deployment", "Job", "StatefulSet", "DaemonSet", "ReplicaSet", "CronJob")


def site_objects(root: Path) -> list[Mapping[str, Any]]:
    layout = discover(root)
    plain, _, _ = load_plain(root, layout.plain_files)
    refs = package_refs(plain, root)
    objects = [m.data for m in plain]
    for chart in layout.charts:
        objects += [m.data for m in render_chart(root, chart, refs, "1.33.0").manifests]
    objects += [m.data for m in build(root, layout.builds, layout.listings).manifests]
    return objects


def pod_spec(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    spec = obj.get("spec", {})
    if obj.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    template = spec.get("template", {})
    return template.get("spec") if isinstance(template, Mapping) else None


def containers(pod: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for key in ("initContainers", "containers"):
        yield from pod.get(key) or []


def violations(obj: Mapping[str, Any], root_ok: bool, writable_ok: bool) -> list[str]:
    """What in one workload loosens the defaults; `*_ok` when the catalogue said so."""
    pod = pod_spec(obj)
    name = f"{obj.get('kind')} {obj.get('metadata', {}).get('name')}"
    if pod is None:
        return [f"{name}: no pod template"]
    found = []
    security = pod.get("securityContext") or {}
    if security.get("runAsNonRoot") is not True and not root_ok:
        found.append(f"{name}: pod may run as root")
    if (security.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        found.append(f"{name}: no RuntimeDefault seccomp profile")
    if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
        found.append(f"{name}: pod shares a host namespace")
    for container in containers(pod):
        where = f"{name} container {container.get('name')}"
        ctx = container.get("securityContext") or {}
        if ctx.get("allowPrivilegeEscalation") is not False:
            found.append(f"{where}: privilege escalation allowed")
        if ctx.get("privileged"):
            found.append(f"{where}: privileged")
        if ctx.get("readOnlyRootFilesystem") is not True and not writable_ok:
            found.append(f"{where}: writable root filesystem")
        caps = ctx.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []) or caps.get("add"):
            found.append(f"{where}: capabilities not all dropped")
        if ctx.get("runAsUser") == 0 and not root_ok:
            found.append(f"{where}: runs as user 0")
        if not (container.get("resources") or {}).get("limits", {}).get("memory"):
            found.append(f"{where}: no memory limit")
    return found


def workloads(objects: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [o for o in objects if o.get("kind") in WORKLOAD_KINDS]
