"""The in-process schema backend: jsonschema-rs validators, compiled once per (apiVersion, kind).

Lookup order follows kubeconform: the project's CRD schemas first (full group in the path,
so no clash with built-in kinds), then the Kubernetes standalone folder, whose file names
use only the first label of the group (as kubeconform's `{{ .KindSuffix }}`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema_rs

from edgemodels.validate import crd_schemas, k8s_schemas
from edgemodels.validate.pointers import Pointer, value_at
from edgemodels.validate.violations import (
    Violation,
    constraint,
    display,
    invalid_value,
    missing_field,
    other,
    pattern_text,
    unknown_field,
    wrong_type,
)

_SIZE_KINDS = {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
_NUMBER_KINDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}


def _retrieve(uri: str) -> Any:
    # Only the sibling `_definitions.json` of a standalone folder is ever asked for.
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise ValueError(f"refusing to fetch {uri}: schemas are offline")
    # Here, not at the top: urllib.request brings http.client, ssl and email, 0.03-0.05 s
    # of every validate's start, for a schema folder that is rarely asked for.
    from urllib.request import url2pathname

    return json.loads(Path(url2pathname(parsed.path)).read_text(encoding="utf-8"))


@cache
def compiled(k8s_folder: Path, strict: bool, api_version: str, kind: str) -> Any | None:
    """The validator for one apiVersion/kind, or None when no schema exists."""
    crd = crd_schemas.load_crd_schema(api_version, kind, strict)
    if isinstance(crd, dict):
        # Like kubeconform, a schema without $schema is read as Draft 4.
        return jsonschema_rs.Draft4Validator(crd)
    path = k8s_folder / k8s_schemas.kind_file_name(api_version, kind)
    if not path.is_file():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, base_uri=path.as_uri(), retriever=_retrieve)


def check(validator: Any, data: Mapping[str, object]) -> list[Violation]:
    """Every violation of `data`; the common valid case costs one is_valid call."""
    if validator.is_valid(data):
        return []
    found: list[Violation] = []
    for error in validator.iter_errors(data):
        found.extend(from_error(error, data))
    return found


def from_error(error: Any, data: Mapping[str, object]) -> Iterable[Violation]:
    pointer: Pointer = tuple(error.instance_path)
    name: str = error.kind.name
    params: dict[str, Any] = error.kind.as_dict()
    value = value_at(data, pointer)
    if name == "additionalProperties":
        return [unknown_field(pointer, str(field)) for field in params["unexpected"]]
    if name == "required":
        return [missing_field(pointer, str(params["property"]))]
    if name == "type":
        return [wrong_type(pointer, value, [str(t) for t in params["types"]])]
    if name == "enum":
        return [invalid_value(pointer, params["options"])]
    if name == "const":
        return [invalid_value(pointer, [params["expected_value"]])]
    if name == "pattern":
        return [constraint(pointer, pattern_text(value, str(params["pattern"])))]
    if name in _SIZE_KINDS:
        size = len(value) if isinstance(value, (str, list, dict)) else 0
        return [constraint(pointer, f"{name}: got {size}, want {params['limit']}")]
    if name in _NUMBER_KINDS:
        limit = params.get("limit", params.get("multiple_of"))
        return [constraint(pointer, f"{name}: got {display(value)}, want {display(limit)}")]
    return [other(pointer, _other_text(error))]


def _other_text(error: Any) -> str:
    kind = type(error.kind).__name__
    if kind == "OneOfNotValid":
        return "oneOf failed, none matched"
    if kind == "OneOfMultipleValid":
        return "oneOf failed, more than one matched"
    if kind == "AnyOf":
        return "anyOf failed"
    if kind == "FalseSchema":
        return "false schema"
    return str(error.message)


def no_schema(api_version: str, kind: str, k8s_folder: Path, kubernetes_version: str) -> Violation:
    """K106 on apiVersion: the usual cause is a wrong or removed version (Placement v1alpha1)."""
    known = [a for a, k in crd_schemas.known_kinds() if k == kind]
    known += k8s_schemas.known_api_versions(k8s_folder, kind)
    hint = f"; {kind} is known as {', '.join(sorted(set(known)))}" if known else ""
    return Violation(
        ("apiVersion",),
        "K106",
        f"no schema for {kind} in {api_version} (Kubernetes {kubernetes_version} and "
        f"edgemodels' CRD schemas){hint}; use --skip-kind {kind} to accept it unchecked",
    )
