"""edgemodels-only CEL functions for catalogue rules: image references and credentials.

Kubernetes has no such functions, so a rule that calls one of these cannot be exported as a
ValidatingAdmissionPolicy (export refuses it). They exist because the same parsing written
in CEL would be repeated, long and easy to get subtly wrong in every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from edgemodels.secrets_scan import field_path, scan_value

DOCKER_HUB = "docker.io"


def _split(ref: str) -> tuple[str, str, str, str]:
    """(registry, repository, tag, digest) of an image reference, Docker's defaults applied."""
    name, _, digest = ref.partition("@")
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, name
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    last = path.rsplit("/", 1)[-1]
    tag = ""
    if ":" in last:
        tag = last.rsplit(":", 1)[1]
        path = path[: len(path) - len(tag) - 1]
    return registry, path, tag, digest


def image_registry(ref: str) -> str:
    """`registry.gitlab.com/i4q/x:1` -> `registry.gitlab.com`; `nginx` -> `docker.io`."""
    return _split(ref)[0]


def image_name(ref: str) -> str:
    """Registry and repository without tag or digest: `docker.io/library/nginx`."""
    registry, path, _, _ = _split(ref)
    return f"{registry}/{path}"


def image_tag(ref: str) -> str:
    return _split(ref)[2]


def image_digest(ref: str) -> str:
    return _split(ref)[3]


def image_refs(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every image a model or target names: `{path, ref, builtin}`, `path` the field where
    it is written. For the catalogue document, the helper image: spec.defaults.helperImage,
    or edgemodels' built-in one when that is not written (`builtin: true`; the sites pull
    it all the same, and a message about it must say where to set it, as the user never
    wrote it)."""
    spec = entry.get("spec")
    if isinstance(spec, Mapping):
        defaults = spec.get("defaults")
        helper = defaults.get("helperImage") if isinstance(defaults, Mapping) else None
        if isinstance(helper, str):
            return [_ref(".spec.defaults.helperImage", helper)]
        # Imported here: the catalogue package costs `validate`, which runs manifest rules
        # only, 50-70 ms in each of its two processes.
        from edgemodels.catalogue.model import HELPER_IMAGE

        return [_ref(".spec.defaults.helperImage", HELPER_IMAGE, written=False)]
    found = []
    if isinstance(entry.get("image"), str):
        found.append(_ref(".image", entry["image"]))
    images = entry.get("images")
    if isinstance(images, Mapping):
        found += [
            _ref(field_path(["images", arch]), ref)
            for arch, ref in images.items()
            if isinstance(ref, str)
        ]
    overrides = entry.get("overrides")
    if isinstance(overrides, Mapping):
        if isinstance(overrides.get("image"), str):  # a target's overrides
            found.append(_ref(".overrides.image", overrides["image"]))
        for target, over in overrides.items():  # a model's per-target overrides
            if isinstance(over, Mapping) and isinstance(over.get("image"), str):
                found.append(_ref(field_path(["overrides", target, "image"]), over["image"]))
    return found


def _ref(path: str, ref: str, written: bool = True) -> dict[str, Any]:
    return {"path": path, "ref": ref, "builtin": not written}


def credentials(value: Any) -> list[dict[str, str]]:
    """Credential-looking values inside `value`: `[{path: '.spec.git.url', kind: ...}]`."""
    return [{"path": field_path(hit.path), "kind": hit.kind} for hit in scan_value(value)]


EDGEMODELS_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "imageRefs": image_refs,
    "imageRegistry": image_registry,
    "imageName": image_name,
    "imageTag": image_tag,
    "imageDigest": image_digest,
    "credentials": credentials,
}
