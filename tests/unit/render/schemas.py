"""Validation of generated objects against the real upstream schemas (tests only).

CRD kinds: the RHACM/OCM schemas in ../shared/reference/crd-schemas-strict/ (never copied
into this repository). Built-in kinds: the kubernetes-validate wheel's 1.33.0 strict
schemas, whose `/api/_definitions.json` references are resolved locally.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from referencing import Registry, Resource

REPO_ROOT = Path(__file__).resolve().parents[3]
CRD_ROOT = REPO_ROOT.parent / "shared" / "reference" / "crd-schemas-strict"
K8S_VERSION = "v1.33.0"
K8S_ROOT = (
    Path(kubernetes_validate.__file__).parent
    / "kubernetes-json-schema"
    / f"{K8S_VERSION}-local-strict"
)
DEFINITIONS_URL = "https://kubernetes.io/api/_definitions.json"


APPLICATION = ("argoproj.io/v1alpha1", "Application")


def upstream_application(crd_root: Path) -> dict[str, Any]:
    """Argo CD's Application as its CRD types it, built from the ApplicationSet CRD under
    `crd_root`: the reference holds no Application CRD, but an ApplicationSet's
    `spec.template.spec` is Argo CD's ApplicationSpec, and its metadata is ObjectMeta."""
    appset = json.loads((crd_root / "argoproj.io" / "applicationset_v1alpha1.json").read_text())
    props = appset["properties"]
    return {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string", "enum": [APPLICATION[0]]},
            "kind": {"type": "string", "enum": [APPLICATION[1]]},
            "metadata": props["metadata"],
            "spec": props["spec"]["properties"]["template"]["properties"]["spec"],
        },
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
    }


def require_crd_schemas() -> None:
    if not CRD_ROOT.is_dir():
        pytest.skip(f"upstream CRD schemas not found at {CRD_ROOT}")


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    definitions = json.loads((K8S_ROOT / "_definitions.json").read_text())
    return Registry().with_resource(DEFINITIONS_URL, Resource.from_contents(definitions))


@cache
def _validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    if (api_version, kind) == APPLICATION:
        return jsonschema.Draft7Validator(upstream_application(CRD_ROOT))
    group, _, version = api_version.rpartition("/")
    crd = CRD_ROOT / group / f"{kind.lower()}_{version}.json"
    if group and crd.is_file():  # CRD location first, as kubeconform is told to look
        return jsonschema.Draft7Validator(json.loads(crd.read_text()))
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    path = K8S_ROOT / f"{kind.lower()}{suffix}.json"
    if not path.is_file():
        raise AssertionError(f"no Kubernetes schema for {api_version} {kind} ({path})")
    schema = json.loads(path.read_text())
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def schema_errors(obj: dict[str, Any]) -> list[str]:
    """Every schema violation of one object, as 'path: message'."""
    validator = _validator(obj["apiVersion"], obj["kind"])
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '/'}: {e.message}"
        for e in validator.iter_errors(obj)
    ]
