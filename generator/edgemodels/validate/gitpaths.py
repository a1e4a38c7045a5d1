"""Where each Subscription (git-path annotation), ApplicationSet (its template's source
path) or Argo CD Application (source path: the hub Application of `hub/argocd/synced/`)
points.

Those paths are relative to the repository root, and the tree being validated is the
folder `spec.git.path` inside it. That folder is read from `.edgemodels/manifest.json`
(`gitPath`) when the generator wrote it there; otherwise it is inferred from the paths
themselves: what precedes `models/` in them, which must then be the same for all.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from edgemodels.validate.manifests import Manifest
from edgemodels.validate.pointers import Pointer, value_at

GIT_PATH = "apps.open-cluster-management.io/git-path"
GITHUB_PATH = "apps.open-cluster-management.io/github-path"
SUBSCRIPTION = ("apps.open-cluster-management.io/v1", "Subscription")
APPLICATION_SET = ("argoproj.io/v1alpha1", "ApplicationSet")
ARGO_APPLICATION = ("argoproj.io/v1alpha1", "Application")
APPSET_PATH: Pointer = ("spec", "template", "spec", "source", "path")
APPLICATION_PATH: Pointer = ("spec", "source", "path")
_MODELS = "models/"


@dataclass(frozen=True)
class PackageRef:
    """One Subscription, ApplicationSet or Application and the tree folder it deploys."""

    manifest: Manifest
    pointer: Pointer  # where the path is written
    raw: str  # as written
    relative: str | None  # tree-relative folder; None when it leaves the tree
    problem: str = ""  # why `relative` is None


def _annotation_pointer(manifest: Manifest) -> tuple[Pointer, str] | None:
    # github-path wins over git-path in RHACM when both are set
    # (stolostron/multicloud-operators-subscription, pkg/subscriber/git/git_subscriber_item.go).
    for key in (GITHUB_PATH, GIT_PATH):
        value = manifest.annotation(key)
        if value is not None:
            return ("metadata", "annotations", key), value
    return None


def written_path(manifest: Manifest) -> tuple[Pointer, str] | None:
    """(pointer, value) of the repository path a Subscription/ApplicationSet/Application
    deploys."""
    key = (manifest.api_version, manifest.kind)
    if key == SUBSCRIPTION:
        return _annotation_pointer(manifest)
    pointer = {APPLICATION_SET: APPSET_PATH, ARGO_APPLICATION: APPLICATION_PATH}.get(key)
    if pointer is None:
        return None
    value = value_at(manifest.data, pointer)
    return (pointer, value) if isinstance(value, str) else None


def _clean(raw: str) -> str:
    return posixpath.normpath(raw.strip()).removeprefix("./") if raw.strip() else "."


def declared_prefix(root: Path) -> str | None:
    try:
        data = json.loads((root / ".edgemodels" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("gitPath") if isinstance(data, dict) else None
    if not isinstance(value, str):
        return None
    path = _clean(value).strip("/")
    return "" if path == "." else path


def infer_prefix(raws: Iterable[str]) -> str:
    """The most common part before `models/` (empty: the tree is the repository root)."""
    counts: Counter[str] = Counter()
    for raw in raws:
        path = _clean(raw)
        at = ("/" + path + "/").find("/" + _MODELS)
        if at >= 0:
            counts[path[:at].strip("/")] += 1
    return counts.most_common(1)[0][0] if counts else ""


def resolve(raw: str, prefix: str) -> tuple[str | None, str]:
    """(tree-relative folder, problem) for a repository path."""
    path = _clean(raw)
    if raw.strip().startswith("/") or path == ".." or path.startswith("../"):
        return None, f"'{raw}' leaves the repository (RHACM refuses paths outside its root)"
    if not prefix:
        return ("" if path == "." else path), ""
    if path == prefix:
        return "", ""
    if path.startswith(prefix + "/"):
        return path[len(prefix) + 1 :], ""
    return None, f"'{raw}' is not under this tree's repository folder '{prefix}'"


def package_refs(manifests: Sequence[Manifest], root: Path) -> list[PackageRef]:
    written = [(m, w) for m in manifests if (w := written_path(m)) is not None]
    prefix = declared_prefix(root)
    if prefix is None:
        prefix = infer_prefix(raw for _, (_, raw) in written)
    refs = []
    for manifest, (pointer, raw) in written:
        relative, problem = resolve(raw, prefix)
        refs.append(PackageRef(manifest, pointer, raw, relative, problem))
    return refs
