"""An old and a new catalogue (every kind of change between them), and their generated trees."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from edgemodels.tree import LOCK_PATH, STAGING_DIR, WORKING_FILES
from edgemodels.treecache import BLOB_PATH, CACHE_PATH

from .workspace import EXAMPLE, run

# Left behind by an interrupted run and cleaned by the next one; never part of the tree.
RUN_FILES = WORKING_FILES
# What an interrupted run leaves and the next one removes (the lock and cache stay).
LEFTOVER_FILES = WORKING_FILES - {LOCK_PATH, CACHE_PATH, BLOB_PATH}


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _model(path: Path) -> dict[str, Any]:
    model: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))["spec"]["models"][0]
    return model


def _bump(data: dict[str, Any]) -> None:
    model = data["spec"]["models"][0]
    model["version"] = "9.9.9"
    model["image"] = model["image"].split("@")[0].rsplit(":", 1)[0] + ":9.9.9"


def _rename(name: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        model = data["spec"]["models"][0]
        model["name"] = name
        if "ingressPath" in model.get("http", {}):
            model["http"]["ingressPath"] = f"/{name}"  # a copy's Ingress would meet (R223)

    return change


def old_and_new(root: Path) -> tuple[Path, Path]:
    """`old` is the example; `new` upgrades one model, removes one and adds one, so applying
    it changes, removes and adds files (and folders)."""
    old, new = root / "old", root / "new"
    shutil.copytree(EXAMPLE, old)
    shutil.copytree(EXAMPLE, new)
    models = sorted((new / "models").glob("*.yaml"))
    targeted = [p for p in models if "targets" in _model(p)]
    following = [p for p in models if _model(p).get("followWorkloads")]
    assert targeted and following, "the example needs a targeted and a workload-following model"
    _edit(targeted[0], _bump)
    added = new / "models" / "zz-added.yaml"
    shutil.copy(targeted[-1], added)
    _edit(added, _rename("zz-added"))
    following[0].unlink()
    _drop_uses(new)
    return old, new


def _drop_uses(catalogue: Path) -> None:
    """Workloads may use the removed model: keep the new catalogue valid by dropping them."""
    names = set()
    for path in (catalogue / "models").glob("*.yaml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["spec"].get("models", []):
            names.add(model["name"])
    for path in catalogue.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        workloads = data.get("spec", {}).get("workloads")
        if not workloads:
            continue

        def keep(data: dict[str, Any]) -> None:
            data["spec"]["workloads"] = [
                w for w in data["spec"]["workloads"] if set(w.get("uses", [])) <= names
            ]

        _edit(path, keep)


def generated(catalogue: Path, out: Path) -> dict[str, bytes]:
    result = run(["generate", str(catalogue), "-o", str(out)])
    assert result.code == 0, result.err
    return snapshot(out)


def snapshot(root: Path) -> dict[str, bytes]:
    """The tree a reader sees: every file except the run's own working files."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel in RUN_FILES or rel.startswith(STAGING_DIR + "/") or rel == STAGING_DIR:
            continue
        if path.is_symlink() or not path.is_file():
            continue
        found[rel] = path.read_bytes()
    return found


def leftovers(root: Path) -> list[str]:
    """Working files an interrupted run left behind (the next run removes them)."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.relative_to(root).as_posix() in LEFTOVER_FILES
        or p.relative_to(root).as_posix().startswith(STAGING_DIR)
    )
