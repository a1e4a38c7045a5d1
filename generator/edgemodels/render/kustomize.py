"""Packaging kustomize: `models/<m>/base/`, delivery components, one overlay per placement.

Only plain kustomize features are used (resources, components, patches, images), so the
folders build with `kubectl kustomize` and with the kustomize library inside RHACM.
Per-placement differences are patches in that placement's overlay; the base holds the
model's defaults. Container models keep each delivery's objects in a Component
(`components/copy`, `components/image-volume`) that an overlay includes.

Every patch is a JSON patch (RFC 6902) on a named target, never a strategic-merge patch:
the generator wrote the base, so it knows each path. A strategic merge makes kustomize
load its built-in OpenAPI document first, about 0.08 s of CPU for every build that has
one (RHACM's kustomize too), and walk it for each patched object: on the 1,000-model
benchmark fleet 15% of kustomize's CPU. The objects built are the same; an
environment or resources patch sets the placement's whole list or block, as its
settings say, rather than merging into the base's.

The namespace is set once, by the overlay, which covers the base's and the component's
objects alike. A second namespace transformer in the base changed nothing and cost kustomize
a tenth of its build time (measured on a 1,000-model tree; RHACM's kustomize pays it too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edgemodels.catalogue.envvars import container_env
from edgemodels.catalogue.model import Catalogue, Model
from edgemodels.render import site, site_container
from edgemodels.render.common import (
    RenderOptions,
    image_digest,
    split_image,
    yaml_file,
)
from edgemodels.render.settings import ModelPlan, Placed, Settings, differences
from edgemodels.yamldump import dump_yaml

KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
COMPONENT_API = "kustomize.config.k8s.io/v1alpha1"
COMPONENT_DIR = {"copy": "copy", "imageVolume": "image-volume"}

Files = dict[str, bytes]


def render_kustomize(
    catalogue: Catalogue, plan: ModelPlan, origin: str, options: RenderOptions
) -> Files:
    model = plan.model
    root = f"models/{model.name}"
    files: Files = {}
    if model.wrapper == "http":
        objects = _http_objects(catalogue, model, plan.base, origin)
    else:
        objects = {"descriptor.yaml": site_container.descriptor(model, plan.base.image, origin)}
        for delivery in plan.deliveries:
            files.update(_component(catalogue, plan, delivery, origin, options))
    for name, obj in objects.items():
        files[f"{root}/base/{name}"] = yaml_file(obj, origin)
    files[f"{root}/base/kustomization.yaml"] = yaml_file(_kustomization(list(objects)), origin)
    for placed in plan.placed:
        overlay = _overlay(catalogue, plan, placed, options)
        path = f"{root}/overlays/{placed.placement.name}/kustomization.yaml"
        files[path] = yaml_file(overlay, origin)
    return files


def _kustomization(resources: list[str]) -> dict[str, Any]:
    return {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "resources": resources}


def _http_objects(
    catalogue: Catalogue, model: Model, base: Settings, origin: str
) -> dict[str, dict[str, Any]]:
    objects = {
        "deployment.yaml": site.deployment(catalogue, model, base, origin),
        "service.yaml": site.service(model, origin),
    }
    if model.http and model.http.ingress_path:
        objects["ingress.yaml"] = site.ingress(model, model.http.ingress_path, origin)
    return objects


def _component(
    catalogue: Catalogue, plan: ModelPlan, delivery: str, origin: str, options: RenderOptions
) -> Files:
    model, image = plan.model, plan.base.image
    folder = f"models/{model.name}/components/{COMPONENT_DIR[delivery]}"
    if delivery == "copy":
        objects = {
            "claim.yaml": site_container.claim(model, plan.model_size, origin),
            "job.yaml": site_container.copy_job(
                catalogue, model, image, options.tools_image, origin
            ),
        }
    else:
        objects = {
            "prefetch.yaml": site_container.prefetch(
                catalogue, model, image, options.tools_image, origin
            )
        }
    data = site_container.descriptor_delivery(model, delivery, image)
    component = {
        "apiVersion": COMPONENT_API,
        "kind": "Component",
        "resources": list(objects),
        "patches": [_descriptor_patch(model, data, {})],
    }
    files = {f"{folder}/{name}": yaml_file(obj, origin) for name, obj in objects.items()}
    files[f"{folder}/kustomization.yaml"] = yaml_file(component, origin)
    return files


def _descriptor_patch(
    model: Model, data: Mapping[str, str | None], base: Mapping[str, str]
) -> dict[str, Any]:
    """The descriptor's keys set to `data`'s values; a None removes the key from `base`'s
    data (site_container.descriptor), where it is."""
    ops = [
        {"op": "add", "path": f"/data/{key}", "value": value}
        if value is not None
        else {"op": "remove", "path": f"/data/{key}"}
        for key, value in data.items()
        if value is not None or key in base
    ]
    return _patch("", "v1", "ConfigMap", f"{model.name}-model", ops)


def _patch(
    group: str, version: str, kind: str, name: str, ops: list[dict[str, Any]]
) -> dict[str, Any]:
    target = {"group": group, "version": version, "kind": kind, "name": name}
    return {"target": {k: v for k, v in target.items() if v}, "patch": dump_yaml(ops)}


def _overlay(
    catalogue: Catalogue, plan: ModelPlan, placed: Placed, options: RenderOptions
) -> dict[str, Any]:
    model, settings = plan.model, placed.settings
    overlay: dict[str, Any] = {
        "apiVersion": KUSTOMIZE_API,
        "kind": "Kustomization",
        "namespace": catalogue.defaults.namespace,
        "resources": ["../../base"],
    }
    if settings.delivery is not None:
        overlay["components"] = [f"../../components/{COMPONENT_DIR[settings.delivery]}"]
    changed = differences(model, plan.base, settings)
    if "image" in changed:
        overlay["images"] = [_image_entry(plan.base.image, settings.image)]
    patches = _http_patches(model, changed) if model.wrapper == "http" else []
    if model.wrapper == "container" and "image" in changed:
        patches = _container_image_patches(catalogue, plan, settings, options)
    if patches:
        overlay["patches"] = patches
    return overlay


def _image_entry(old: str, new: str) -> dict[str, str]:
    old_name, _, _ = split_image(old)
    name, tag, digest = split_image(new)
    entry = {"name": old_name}
    if name != old_name:
        entry["newName"] = name
    if tag:
        entry["newTag"] = tag
    if digest:  # with both, kustomize writes name:tag@digest, as the catalogue says
        entry["digest"] = digest
    return entry


def _http_patches(model: Model, changed: dict[str, Any]) -> list[dict[str, Any]]:
    container = "/spec/template/spec/containers/0"  # the base's one container (site.py)
    ops: list[dict[str, Any]] = []
    if "replicas" in changed:
        ops.append({"op": "replace", "path": "/spec/replicas", "value": changed["replicas"]})
    if "env" in changed:  # `add` sets the key, whether the base has one or not
        env = container_env(changed["env"])
        ops.append({"op": "add", "path": f"{container}/env", "value": env})
    if "resources" in changed:
        value = site.resources(changed["resources"])
        ops.append({"op": "add", "path": f"{container}/resources", "value": value})
    return [_patch("apps", "v1", "Deployment", model.name, ops)] if ops else []


def _container_image_patches(
    catalogue: Catalogue, plan: ModelPlan, settings: Settings, options: RenderOptions
) -> list[dict[str, Any]]:
    """A new image changes the descriptor, the copy Job (its files' folder and name), the
    image volume."""
    model, image = plan.model, settings.image
    data: dict[str, str | None] = {"image": image, "digest": image_digest(image) or None}
    if settings.delivery == "imageVolume":
        data["reference"] = image
    base = site_container.descriptor(model, plan.base.image, "")["data"]
    patches: list[dict[str, Any]] = [_descriptor_patch(model, data, base)]
    if settings.delivery == "copy":
        patches.append(_copy_job_patch(catalogue, plan, image, options))
    else:
        path = "/spec/template/spec/volumes/0/image/reference"
        ops = [{"op": "replace", "path": path, "value": image}]
        patches.append(_patch("apps", "v1", "Deployment", f"{model.name}-prefetch", ops))
    return patches


def _copy_job_patch(
    catalogue: Catalogue, plan: ModelPlan, image: str, options: RenderOptions
) -> dict[str, Any]:
    """The component's Job as this placement's image makes it: its files' folder, and so
    its pod template and name, change with the image (`images` sets the image itself)."""
    model, tools = plan.model, options.tools_image
    old = site_container.copy_job(catalogue, model, plan.base.image, tools, "")
    new = site_container.copy_job(catalogue, model, image, tools, "")
    env = new["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[1]["name"] == "MODEL_VERSION_DIR"
    folder = "/spec/template/spec/containers/0/env/1/value"
    ops = [
        {"op": "replace", "path": "/metadata/name", "value": new["metadata"]["name"]},
        {"op": "replace", "path": folder, "value": env[1]["value"]},
    ]
    return _patch("batch", "v1", "Job", old["metadata"]["name"], ops)
