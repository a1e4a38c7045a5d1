"""What the folder each git-path names must hold (stolostron/multicloud-operators-subscription
`pkg/subscriber/git/git_subscriber_item.go` `sortClonedGitRepo`).

Unlike the other RHACM checks these read the tree on disk, not only its objects: the folder
a Subscription, ApplicationSet or Application deploys must lie in the tree (K310), exist
(K308) and hold a chart or a kustomization (K309); for a chart from Git, a Subscription's
spec.name must be the chart's (K326), or RHACM deploys nothing.
"""

from __future__ import annotations

from pathlib import Path

from edgemodels.validate.discover import KUSTOMIZATION_NAMES
from edgemodels.validate.gitpaths import SUBSCRIPTION, PackageRef
from edgemodels.validate.hubindex import string_at
from edgemodels.validate.report import Finding, finding
from edgemodels.validate.streamload import load_stream


def chart_name(folder: Path, names: dict[Path, str | None]) -> str | None:
    """The `name` in the Chart.yaml of `folder` (read once per folder in `names`)."""
    if folder not in names:
        try:
            text = (folder / "Chart.yaml").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        docs = load_stream("Chart.yaml", text).documents
        data = docs[0][0] if len(docs) == 1 else None
        name = data.get("name") if isinstance(data, dict) else None
        names[folder] = name if isinstance(name, str) else None  # else the chart lint says
    return names[folder]


def check_chart_name(ref: PackageRef, folder: Path, names: dict[Path, str | None]) -> list[Finding]:
    """For Helm from Git, spec.name picks the chart in the git-path (`FilterCharts`):
    a name that is not the chart's deploys nothing."""
    if (ref.manifest.api_version, ref.manifest.kind) != SUBSCRIPTION:
        return []
    wanted = string_at(ref.manifest.data, ("spec", "name"))
    chart = chart_name(folder, names)
    if wanted is None or chart is None or wanted == chart:
        return []
    message = (
        f"spec.name '{wanted}' is not the name of the chart at '{ref.raw}' ('{chart}'): "
        "RHACM picks the chart by this name and deploys nothing"
    )
    return [finding(ref.manifest, ("spec", "name"), "K326", message)]


def check_package(
    ref: PackageRef, root: Path, names: dict[Path, str | None] | None = None
) -> list[Finding]:
    if ref.relative is None:
        return [finding(ref.manifest, ref.pointer, "K310", f"path {ref.problem}")]
    folder = root / ref.relative
    if not folder.is_dir():
        where = "" if ref.relative == ref.raw else f" (tree folder '{ref.relative or '.'}')"
        message = f"path '{ref.raw}' does not exist in the tree{where}"
        return [finding(ref.manifest, ref.pointer, "K308", message)]
    if (folder / "Chart.yaml").is_file():
        return check_chart_name(ref, folder, {} if names is None else names)
    if not any((folder / n).is_file() for n in KUSTOMIZATION_NAMES):
        message = f"path '{ref.raw}' holds neither Chart.yaml nor kustomization.yaml"
        return [finding(ref.manifest, ref.pointer, "K309", message)]
    return []
