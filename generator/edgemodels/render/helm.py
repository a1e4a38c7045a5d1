"""Packaging helm: one chart per model at `models/<m>/chart`.

Per-placement differences are not copies of the chart: they are Helm values that the
placement's Subscription passes through `spec.packageOverrides` (see `placement_values`).
"""

from __future__ import annotations

import json
from typing import Any

from edgemodels.catalogue.envvars import Env, has_refs, helm_env_vars
from edgemodels.catalogue.model import Catalogue, Model
from edgemodels.render import site, site_container
from edgemodels.render.common import (
    RenderOptions,
    banner_text,
    chart_version,
    version_dir,
    yaml_file,
)
from edgemodels.render.helm_container_templates import container_templates
from edgemodels.render.helm_templates import HELPERS, http_templates
from edgemodels.render.settings import ModelPlan, Placed, differences

Files = dict[str, bytes]


def render_chart(
    catalogue: Catalogue, plan: ModelPlan, origin: str, options: RenderOptions
) -> Files:
    model = plan.model
    root = f"models/{model.name}/chart"
    refs = env_refs(plan)
    values = chart_values(catalogue, plan, origin, options, refs)
    files: Files = {
        f"{root}/Chart.yaml": yaml_file(chart_metadata(model), origin),
        f"{root}/values.yaml": yaml_file(values, origin),
        f"{root}/values.schema.json": values_schema(model, origin, refs),
    }
    comment = "{{/* " + banner_text(origin) + " */}}\n"
    user = model.http.run_as_user if model.http else None
    templates = (
        http_templates(user is not None, refs, bool(model.env_from))
        if model.wrapper == "http"
        else container_templates(_storage_class_of(model) is not None)
    )
    files[f"{root}/templates/_helpers.tpl"] = (comment + HELPERS).encode()
    for name, text in templates.items():
        files[f"{root}/templates/{name}"] = (comment + text).encode()
    return files


def chart_metadata(model: Model) -> dict[str, Any]:
    return {
        "apiVersion": "v2",
        "name": model.name,
        "description": model.description or f"Model {model.name}, deployed by edgemodels.",
        "type": "application",
        "version": chart_version(model.version),
        "appVersion": model.version,
    }


def chart_values(
    catalogue: Catalogue, plan: ModelPlan, origin: str, options: RenderOptions, refs: bool
) -> dict[str, Any]:
    """values.yaml: the model's defaults. Placements override some of them. `refs`: the
    chart carries its variables as `envVars` (env_refs)."""
    model, base = plan.model, plan.base
    if model.wrapper == "http":
        http = model.http
        assert http is not None
        values: dict[str, Any] = {
            "image": base.image,
            "replicas": base.replicas,
            "port": http.port,
            "healthPath": http.health_path,
            "readinessPath": http.readiness,
            "ingressPath": http.ingress_path or "",
            **({} if http.run_as_user is None else {"runAsUser": http.run_as_user}),
            "resources": site.resources(base.resources),
            **_env_values(base.env, refs),
            **({"envFrom": [s.env_from() for s in model.env_from]} if model.env_from else {}),
            "security": {
                "runAsRoot": model.security.run_as_root,
                "writableRootFilesystem": model.security.writable_root_filesystem,
                "reason": model.security.reason,
            },
        }
    else:
        values = {
            "image": base.image,
            "version": model.version,
            "versionDir": version_dir(model.version),
            "modelPath": site_container.model_path(model),
            "delivery": base.delivery,
            "size": plan.model_size,
            **_storage_class_value(model),
            "toolsImage": options.tools_image,
        }
    values["imagePullSecrets"] = list(catalogue.defaults.image_pull_secrets)
    values["source"] = origin
    return values


def placement_values(plan: ModelPlan, placed: Placed) -> dict[str, Any]:
    """The Helm values a placement changes (complete per key, so any merge gives them)."""
    changed: dict[str, Any] = differences(plan.model, plan.base, placed.settings)
    out: dict[str, Any] = {}
    for name, value in changed.items():
        if name == "resources":
            out[name] = site.resources(value)
        elif name == "env":
            out.update(_env_values(value, env_refs(plan)))
        else:
            out[name] = value
    return out


def env_refs(plan: ModelPlan) -> bool:
    """Whether the model's env or any placement's has a reference: the chart then carries
    every variable under `envVars`."""
    return has_refs(plan.base.env, *(placed.settings.env for placed in plan.placed))


def _env_values(env: Env, refs: bool) -> dict[str, Any]:
    """`env` (name: value), or `envVars` in the charts with a reference somewhere."""
    return {"envVars": helm_env_vars(env)} if refs else {"env": dict(env)}


_STRING = {"type": "string"}
_REF = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1}, "optional": {"type": "boolean"}},
}
_ENV_FROM = {
    "envFrom": {
        "type": "array",
        "description": "Secrets and ConfigMaps whose every key is a variable (envFrom).",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {"secretRef": _REF, "configMapRef": _REF},
        },
    }
}
_ENV_VARS = {
    "envVars": {
        "type": "object",
        "description": "The container's variables: a plain value (kind Value), or a key of a "
        "Secret or ConfigMap on the site (kind Secret or ConfigMap, with name and key).",
        "additionalProperties": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind", "value", "name", "key", "optional"],
            "properties": {
                "kind": {"type": "string", "enum": ["Value", "Secret", "ConfigMap"]},
                "value": _STRING,
                "name": _STRING,
                "key": _STRING,
                "optional": {"type": "boolean"},
            },
        },
    }
}
_RESOURCE_LIST = {"type": "object", "additionalProperties": {"type": ["string", "number"]}}


def _run_as_user(model: Model) -> dict[str, Any]:
    """Only in the charts whose deployment template reads it (`http_templates`)."""
    if model.http is None or model.http.run_as_user is None:
        return {}
    return {"runAsUser": {"type": "integer", "minimum": 1, "maximum": 2147483647}}


def _storage_class_of(model: Model) -> str | None:
    return model.container.storage_class if model.container else None


def _storage_class_value(model: Model) -> dict[str, Any]:
    """Only in the charts whose claim template reads it (`container_templates`)."""
    storage_class = _storage_class_of(model)
    return {} if storage_class is None else {"storageClassName": storage_class}


def _storage_class(model: Model) -> dict[str, Any]:
    if _storage_class_of(model) is None:
        return {}
    return {"storageClassName": {"type": "string", "minLength": 1}}


def values_schema(model: Model, origin: str, refs: bool = False) -> bytes:
    """values.schema.json (draft-07): Helm checks every values set against it first."""
    common = {
        "imagePullSecrets": {"type": "array", "items": _STRING},
        "source": {"type": "string", "description": "The catalogue entry this chart comes from."},
        "image": {"type": "string", "minLength": 1, "description": "Model image reference."},
    }
    if model.wrapper == "http":
        props: dict[str, Any] = {
            **common,
            "replicas": {"type": "integer", "minimum": 0},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "healthPath": {"type": "string", "pattern": "^/"},
            "readinessPath": {"type": "string", "pattern": "^/"},
            "ingressPath": {"type": "string", "description": "Empty: no Ingress."},
            "resources": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"requests": _RESOURCE_LIST, "limits": _RESOURCE_LIST},
            },
            **(_ENV_VARS if refs else {"env": {"type": "object", "additionalProperties": _STRING}}),
            **(_ENV_FROM if model.env_from else {}),
            **_run_as_user(model),
            "security": {
                "type": "object",
                "additionalProperties": False,
                "required": ["runAsRoot", "writableRootFilesystem"],
                "properties": {
                    "runAsRoot": {"type": "boolean"},
                    "writableRootFilesystem": {"type": "boolean"},
                    "reason": {"type": "string"},
                },
            },
        }
    else:
        props = {
            **common,
            "version": {"type": "string", "minLength": 1},
            "versionDir": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]*$",
                "description": "Start of the files' folder; a hash of version, image and "
                "modelPath ends it.",
            },
            "modelPath": {"type": "string", "pattern": "^/"},
            "delivery": {"type": "string", "enum": ["copy", "imageVolume"]},
            "size": {"type": "string", "minLength": 1},
            **_storage_class(model),
            "toolsImage": {"type": "string", "minLength": 1},
        }
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": banner_text(origin),
        "title": f"Values of the {model.name} chart",
        "type": "object",
        "additionalProperties": False,
        "required": sorted(props),
        "properties": props,
    }
    return (json.dumps(schema, indent=2) + "\n").encode()
