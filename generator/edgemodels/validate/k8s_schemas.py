"""Kubernetes JSON Schemas, offline, from the kubernetes-validate wheel's data.

The wheel's kind files refer to `https://kubernetes.io/api/_definitions.json` by an absolute
`$ref` that no offline validator can fetch. We write "standalone" copies in kubeconform's own
layout (`v1.33.0-standalone-strict/deployment-apps-v1.json`): every `$ref` inlined, except
the few types that contain themselves (JSONSchemaProps), which point at a sibling
`_definitions.json`. Both backends read these folders. One folder per (version,
strictness), built once into the cache, atomically (built aside, then renamed into place).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import cache
from importlib import util
from pathlib import Path

from edgemodels.display import quoted
from edgemodels.errors import ToolMissingError, UsageError

DEFAULT_KUBERNETES_VERSION = "1.33.0"  # a version k3s ships today
_WHEEL_FOLDER = "kubernetes-json-schema"
_REF_MARK = "#/$defs/"
_DIST_PREFIX, _DIST_SUFFIX = "kubernetes_validate-", ".dist-info"

Json = object


def wheel_root() -> Path:
    """The wheel's schema folder, found without importing the package: its import (it
    imports jsonschema) cost 0.06 s of every validate, and only its data is used."""
    spec = util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise ToolMissingError("the kubernetes-validate package is not installed")
    return Path(spec.submodule_search_locations[0]) / _WHEEL_FOLDER


@cache
def available_versions() -> tuple[str, ...]:
    """Kubernetes versions the wheel has schemas for, oldest first ('1.25.0', ...)."""
    found = []
    for entry in wheel_root().iterdir():
        name = entry.name
        if name.startswith("v") and name.endswith("-local"):
            found.append(name[1 : -len("-local")])
    return tuple(sorted(found, key=lambda v: tuple(int(p) for p in v.split("."))))


def normalize_version(text: str) -> str:
    """'1.33', 'v1.33' or '1.33.0' -> '1.33.0'; anything the wheel lacks is a usage error."""
    version = text.strip().removeprefix("v")
    if version.count(".") == 1:
        version += ".0"
    if version not in available_versions():
        known = ", ".join(available_versions())
        raise UsageError(
            f"no Kubernetes schemas for version {quoted(text)}; available: {known} "
            "(only .0 releases are shipped by kubernetes-validate)"
        )
    return version


def default_cache_dir() -> Path:
    """$EDGEMODELS_CACHE_DIR, else $XDG_CACHE_HOME/edgemodels, else ~/.cache/edgemodels."""
    explicit = os.environ.get("EDGEMODELS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "edgemodels"


def standalone_root(cache_dir: Path) -> Path:
    """The kubeconform `-schema-location` for Kubernetes kinds (versioned by the wheel)."""
    return cache_dir / "k8s" / f"kubernetes-validate-{wheel_version()}"


def wheel_version() -> str:
    """The installed kubernetes-validate's version, from the name of its `.dist-info`
    folder beside the package (`kubernetes_validate-1.37.0.dist-info`, as every installer
    names it): importing importlib.metadata and asking it cost 0.03-0.04 s of every
    validate's start. Anything else (no such folder, or two) asks importlib.metadata."""
    site = wheel_root().parent.parent
    found = [
        entry.name[len(_DIST_PREFIX) : -len(_DIST_SUFFIX)]
        for entry in os.scandir(site)
        if entry.name.startswith(_DIST_PREFIX) and entry.name.endswith(_DIST_SUFFIX)
    ]
    if len(found) == 1 and found[0]:
        return found[0]
    from importlib import metadata

    return metadata.version("kubernetes-validate")


def folder_name(version: str, strict: bool) -> str:
    return f"v{version}-standalone{'-strict' if strict else ''}"


def ensure_standalone(version: str, strict: bool, cache_dir: Path) -> Path:
    """The standalone folder for (version, strict), building it on first use."""
    root = standalone_root(cache_dir)
    final = root / folder_name(version, strict)
    if final.is_dir():
        return final
    root.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        _write_standalone(_source_folder(version, strict), building)
        try:
            building.rename(final)
        except OSError:
            if not final.is_dir():  # not a lost race with another process: a real failure
                raise
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return final


def _source_folder(version: str, strict: bool) -> Path:
    return wheel_root() / f"v{version}-local{'-strict' if strict else ''}"


def _write_standalone(source: Path, target: Path) -> None:
    definitions = json.loads((source / "_definitions.json").read_text(encoding="utf-8"))
    defs: dict[str, Json] = definitions["$defs"]
    inliner = _Inliner(defs)
    for entry in sorted(source.iterdir()):
        if entry.name in ("all.json", "_definitions.json") or entry.suffix != ".json":
            continue
        schema = json.loads(entry.read_text(encoding="utf-8"))
        inlined, _ = inliner.inline(schema, frozenset())
        _dump(target / entry.name, inlined)
    # Self-containing types keep a ref into this copy; its refs are already file-local.
    local_defs = {k: v for k, v in definitions.items() if k != "$id"}
    _dump(target / "_definitions.json", local_defs)


def _dump(path: Path, value: Json) -> None:
    path.write_text(json.dumps(value, separators=(",", ":")), encoding="utf-8")


class _Inliner:
    """Replaces `$ref`s into `_definitions.json` by the definitions themselves."""

    def __init__(self, defs: dict[str, Json]) -> None:
        self._defs = defs
        self._done: dict[str, Json] = {}  # definitions whose expansion needed no cycle cut

    def inline(self, node: Json, stack: frozenset[str]) -> tuple[Json, bool]:
        """(copy of node with refs inlined, whether a cycle was cut below it)."""
        if isinstance(node, list):
            items = [self.inline(item, stack) for item in node]
            return [i for i, _ in items], any(c for _, c in items)
        if not isinstance(node, dict):
            return node, False
        ref = node.get("$ref")
        if isinstance(ref, str) and _REF_MARK in ref:
            return self._expand(node, ref.split(_REF_MARK, 1)[1], stack)
        out: dict[str, Json] = {}
        cut = False
        for key, value in node.items():
            if key in ("description", "$id") and isinstance(value, str):
                continue  # documentation and ids only cost bytes and parse time
            out[key], below = self.inline(value, stack)
            cut = cut or below
        return out, cut

    def _expand(
        self, node: Mapping[str, Json], name: str, stack: frozenset[str]
    ) -> tuple[Json, bool]:
        if name in stack:
            return {"$ref": f"_definitions.json{_REF_MARK}{name}"}, True
        if name in self._done:
            body, cut = self._done[name], False
        else:
            body, cut = self.inline(self._defs[name], stack | {name})
            if not cut:
                self._done[name] = body
        merged = dict(body) if isinstance(body, dict) else {}
        for key, value in node.items():  # siblings of $ref are annotations (x-kubernetes-*)
            if key not in ("$ref", "description") and key not in merged:
                merged[key] = value
        return merged, cut


def kind_file_name(api_version: str, kind: str) -> str:
    """kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json` for an apiVersion/kind."""
    group, _, version = api_version.rpartition("/")
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix}.json"


def known_api_versions(folder: Path, kind: str) -> list[str]:
    """apiVersions the folder has a schema for, for this kind (to hint at a typo)."""
    found: list[str] = []
    for entry in sorted(folder.glob(f"{kind.lower()}-*.json")):
        schema = json.loads(entry.read_text(encoding="utf-8"))
        api = schema.get("properties", {}).get("apiVersion", {}).get("enum", [])
        kinds = schema.get("properties", {}).get("kind", {}).get("enum", [])
        if kind in kinds:
            found.extend(a for a in api if isinstance(a, str))
    return found
