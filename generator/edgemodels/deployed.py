"""What a generated tree deploys (model -> version, placements) and how two trees differ.

Read from the tree itself, so a publish can say what changed on the deploy branch without
the previous catalogue: the version comes from the chart (`Chart.yaml` appVersion) or the
model descriptor (ConfigMap `<model>-model`, `data.version`), the placements from the hub
Subscriptions (`hub/synced/subscriptions/<model>--<placement>.yaml`). The README's model table
(generated too) fills what those do not say (kustomize HTTP models, Argo CD delivery).
The same reading is applied to both trees, so a change is never an artefact of reading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass
from typing import Literal

import yaml

from edgemodels.plan.versions import compare

Reader = Callable[[str], bytes | None]
ChangeKind = Literal["added", "removed", "upgraded", "downgraded", "changed"]
UNPLACED = "(no placement)"
UNKNOWN_VERSION = "?"

_README_ROW = re.compile(r"^\| `([a-z0-9-]+)` \| ([^|]+?) \|.*\|([^|]*)\|\s*$")
_BACKTICKED = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class DeployedModel:
    version: str
    placements: frozenset[str]


@dataclass(frozen=True)
class Change:
    target: str
    kind: ChangeKind
    model: str
    old: str | None = None
    new: str | None = None

    def render(self) -> str:
        if self.kind == "added":
            return f"added {self.model} {self.new}"
        if self.kind == "removed":
            return f"removed {self.model} {self.old}"
        return f"{self.kind} {self.model} {self.old} -> {self.new}"


def _load_yaml(data: bytes | None) -> object:
    if data is None:
        return None
    try:
        return yaml.load(data, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None  # a templated or hand-broken file says nothing about versions


def _str_at(doc: object, *keys: str) -> str | None:
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return str(doc) if isinstance(doc, str | int | float) and doc != "" else None


def _readme_rows(read: Reader) -> dict[str, tuple[str, frozenset[str]]]:
    data = read("README.md")
    rows: dict[str, tuple[str, frozenset[str]]] = {}
    in_models = False
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        if line.startswith("## "):
            in_models = line.strip() == "## Models"
        match = _README_ROW.match(line) if in_models else None
        if match:
            name, version, last = match.groups()
            rows[name] = (version.strip(), frozenset(_BACKTICKED.findall(last)))
    return rows


def _version(model: str, paths: set[str], read: Reader, readme: str | None) -> str:
    chart = f"models/{model}/chart/Chart.yaml"
    if chart in paths:
        found = _str_at(_load_yaml(read(chart)), "appVersion")
        if found:
            return found
    descriptor = f"models/{model}/base/descriptor.yaml"
    if descriptor in paths:
        found = _str_at(_load_yaml(read(descriptor)), "data", "version")
        if found:
            return found
    return readme or UNKNOWN_VERSION


# Where the Subscriptions are: hub/synced/ since the hub objects are delivered from Git,
# hub/ in trees published before (a deploy branch still has one until its next publish).
SUBSCRIPTION_FOLDERS = ("hub/synced/subscriptions/", "hub/subscriptions/")
# A model's own hub files, per placement: its Subscriptions, or with Argo CD delivery its
# ApplicationSets (`<model>--<placement>.yaml`, which carry a Helm model's target values).
OWNED_FOLDERS = (*SUBSCRIPTION_FOLDERS, "hub/argocd/synced/applicationsets/")


def _subscription_placements(models: Set[str], paths: Iterable[str]) -> dict[str, set[str]]:
    """`hub/synced/subscriptions/<model>--<placement>.yaml`, per model of `models`."""
    found: dict[str, set[str]] = {}
    for path in paths:
        match = _subscription_of(path, models)
        if match is not None:
            found.setdefault(match[0], set()).add(match[1])
    return found


def _subscription_of(
    path: str, models: Set[str], folders: tuple[str, ...] = SUBSCRIPTION_FOLDERS
) -> tuple[str, str] | None:
    """(model, placement) of a hub Subscription file. A model name may itself contain `--`:
    the longest name in `models` the stem starts with, followed by `--`, wins. Each `--`
    of the stem is tried from the right (a set lookup each), so the cost is the path's
    length, not the number of models: a fleet has a Subscription per model and target."""
    folder = next((f for f in folders if path.startswith(f)), None)
    if folder is None or not path.endswith(".yaml"):
        return None
    stem = path.removeprefix(folder).removesuffix(".yaml")
    at = stem.rfind("--")
    while at >= 0:
        if stem[:at] in models:
            return stem[:at], stem[at + 2 :]
        at = stem.rfind("--", 0, at + 1)  # overlapping too: `a---b` is `a-`+`b` or `a`+`-b`
    return None


def files_by_model(
    paths: Iterable[str], models: Iterable[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """The files of a change by the model they belong to (`models/<model>/...`, named
    within that folder, and its hub Subscriptions or ApplicationSets), and the files of
    no model."""
    known = set(models)
    owned: dict[str, list[str]] = {}
    shared: list[str] = []
    for path in sorted(paths):
        parts = path.split("/", 2)
        if parts[0] == "models" and len(parts) == 3 and parts[1] in known:
            owned.setdefault(parts[1], []).append(parts[2])
        elif (match := _subscription_of(path, known, OWNED_FOLDERS)) is not None:
            owned.setdefault(match[0], []).append(path)
        else:
            shared.append(path)
    return owned, shared


def index_tree(paths: Iterable[str], read: Reader) -> dict[str, DeployedModel]:
    """Every model a tree deploys. `paths` are the tree's files, `read` gives their bytes."""
    all_paths = set(paths)
    models = {p.split("/")[1] for p in all_paths if p.startswith("models/") and p.count("/") >= 2}
    subscriptions = _subscription_placements(models, all_paths)
    readme = _readme_rows(read) if "README.md" in all_paths else {}
    index = {}
    for model in sorted(models):
        row = readme.get(model)
        placements = subscriptions.get(model) or (set(row[1]) if row else set())
        version = _version(model, all_paths, read, row[0] if row else None)
        index[model] = DeployedModel(version, frozenset(placements))
    return index


def index_files(tree: Mapping[str, bytes]) -> dict[str, DeployedModel]:
    return index_tree(tree, tree.get)


def diff_models(old: Mapping[str, DeployedModel], new: Mapping[str, DeployedModel]) -> list[Change]:
    """Per placement: models added, removed, or whose version moved."""
    changes = []
    for model in sorted(set(old) | set(new)):
        before, after = old.get(model), new.get(model)
        old_targets = (before.placements or {UNPLACED}) if before else set()
        new_targets = (after.placements or {UNPLACED}) if after else set()
        for target in sorted(old_targets | new_targets):
            if before is None or target not in old_targets:
                changes.append(Change(target, "added", model, new=after.version if after else None))
            elif after is None or target not in new_targets:
                changes.append(Change(target, "removed", model, old=before.version))
            elif before.version != after.version:
                direction = compare(before.version, after.version)
                kind: ChangeKind = "changed" if direction == "same" else direction
                changes.append(Change(target, kind, model, before.version, after.version))
    return sorted(changes, key=lambda c: (c.target, c.model))


def summarize(changes: Iterable[Change]) -> str:
    """`1 added, 2 upgraded` counted per model (a model on two targets counts once)."""
    order: tuple[ChangeKind, ...] = ("added", "upgraded", "downgraded", "changed", "removed")
    models: dict[str, set[str]] = {kind: set() for kind in order}
    for change in changes:
        models[change.kind].add(change.model)
    return ", ".join(f"{len(models[k])} {k}" for k in order if models[k])


def by_target(changes: Iterable[Change]) -> list[str]:
    """Lines of a commit message: each target, then its changes."""
    lines: list[str] = []
    current = None
    for change in sorted(changes, key=lambda c: (c.target, c.model)):
        if change.target != current:
            current = change.target
            lines.append(f"  {current}:")
        lines.append(f"    {change.render()}")
    return lines
