"""The project's own JSON Schemas for the RHACM, app.k8s.io and Argo CD kinds it emits.

They live in `schemas/crds/{group}/{kind lowercase}_{version}.json` (kubeconform's CRD
layout) and are strict: every object closed with `additionalProperties: false`. The relaxed
(non-strict) variant is derived by opening those objects again. For kubeconform both
variants are written to the cache as `crds/` and `crds-strict/`, so one `{{ .StrictSuffix }}`
template serves both modes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path

from edgemodels.data import data_path

Json = object
# kubeconform fills these from the resource: -strict picks crds-strict/, the full group is used.
_TEMPLATE = "{{ .StrictSuffix }}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"


def crd_root() -> Path:
    return data_path("schemas") / "crds"


@cache
def _catalogue() -> dict[tuple[str, str], Path]:
    """(apiVersion, Kind) -> schema file, read from each file's own apiVersion/kind enums."""
    found: dict[tuple[str, str], Path] = {}
    for path in sorted(crd_root().glob("*/*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        props = schema["properties"]
        for api_version in props["apiVersion"]["enum"]:
            for kind in props["kind"]["enum"]:
                found[(api_version, kind)] = path
    return found


def known_kinds() -> list[tuple[str, str]]:
    """Every (apiVersion, kind) the project has a schema for."""
    return sorted(_catalogue())


def crd_schema_path(api_version: str, kind: str) -> Path | None:
    return _catalogue().get((api_version, kind))


@cache
def load_crd_schema(api_version: str, kind: str, strict: bool) -> Json | None:
    path = crd_schema_path(api_version, kind)
    if path is None:
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    return schema if strict else relax(schema)


def relax(node: Json) -> Json:
    """A copy without `additionalProperties: false`: unknown fields allowed (non-strict)."""
    if isinstance(node, list):
        return [relax(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        k: relax(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)
    }


def _digest() -> str:
    sha = hashlib.sha256()
    for path in sorted(crd_root().glob("*/*.json")):
        sha.update(path.relative_to(crd_root()).as_posix().encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def kubeconform_location(cache_dir: Path) -> str:
    """The `-schema-location` template for our CRD schemas, writing them to the cache first."""
    root = cache_dir / "crds" / _digest()
    if not root.is_dir():
        root.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=root.parent))
        try:
            _write_variants(building)
            try:
                building.rename(root)
            except OSError:
                if not root.is_dir():
                    raise
        finally:
            if building.exists():
                shutil.rmtree(building, ignore_errors=True)
    return f"{root}/crds{_TEMPLATE}"


def _write_variants(target: Path) -> None:
    for path in sorted(crd_root().glob("*/*.json")):
        relative = path.relative_to(crd_root())
        schema = json.loads(path.read_text(encoding="utf-8"))
        for folder, variant in (("crds-strict", schema), ("crds", relax(schema))):
            out = target / folder / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(variant, indent=1), encoding="utf-8")
