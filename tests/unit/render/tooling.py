"""Real tools over a rendered tree: write it out, build overlays, render charts."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from edgemodels.catalogue.model import Catalogue
from edgemodels.render import render_catalogue
from edgemodels.tree import FileTree

from .samples import SOURCE


def render(catalogue: Catalogue) -> FileTree:
    return render_catalogue(catalogue, SOURCE)


def write_out(tree: FileTree, root: Path) -> Path:
    for path, data in tree.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        pytest.skip("kubectl (kustomize) is not installed")
    return found


_BUILDS: dict[str, str] = {}  # identical model folders are built once per test run


def kustomize_build(folder: Path) -> list[dict[str, Any]]:
    """`kubectl kustomize` of an overlay (`models/<m>/overlays/<p>`)."""
    model_dir = folder.parent.parent
    key = hashlib.sha256(folder.name.encode())
    for path in sorted(model_dir.rglob("*")):
        if path.is_file():
            key.update(path.relative_to(model_dir).as_posix().encode() + path.read_bytes())
    text = _BUILDS.get(key.hexdigest())
    if text is None:
        done = subprocess.run(
            [kubectl(), "kustomize", str(folder)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"kubectl kustomize {folder} failed:\n{done.stderr}"
        text = _BUILDS[key.hexdigest()] = done.stdout
    return [d for d in yaml.safe_load_all(text) if d]


def helm_render(
    chart: Path, values: dict[str, Any], namespace: str, release: str = "r"
) -> list[dict[str, Any]]:
    with helm_python.Chart.load(str(chart)) as loaded:
        out = loaded.render(values, name=release, namespace=namespace)
    docs: list[dict[str, Any]] = []
    for text in out.values():
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def load_yaml(data: bytes) -> Any:
    return yaml.safe_load(data)
