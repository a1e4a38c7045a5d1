"""K330: resource quantities the API server cannot parse, or reads as 0 for want of a number.

An exponent beyond ±2147483647 gets its own message: newer API servers refuse it, older ones
cut it to 32 bits and read another number (kubequantity.exponent_refused says which). So does
one within it that costs the API server seconds to minutes to parse (slow_reading).

Space around a quantity (`" 1Gi"`) is trimmed by the API server, which stores `1Gi`: K333, a
warning, says so, since kubectl and kustomize pass the text on as written and CEL's
quantity() refuses it.

Kubernetes' JSON Schemas type a quantity as int-or-string with no pattern, so `cpu: lots`
or `memory: 4GB` (meant as 4G or 4Gi) passes them while the API server refuses the object.
The grammar is k8s.io/apimachinery's resource.Quantity (edgemodels.kubequantity). Every
field checked here but a LimitRange's is one the API server also requires to be
non-negative and, for an integer resource (`nvidia.com/gpu`), whole; ValidateLimitRange
checks how its values relate (K332), not their sign nor whether they are whole.
Plain, rendered and built objects are all checked, object by object.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from edgemodels.kubequantity import (
    exponent_refused,
    negative,
    quantity_value,
    reads_as_zero,
    slow_reading,
    trimmed,
)
from edgemodels.resourcerules import integer_resource, whole
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.pointers import Pointer, value_at
from edgemodels.validate.report import Finding, finding

# Where each workload kind holds its Pod spec; only Kubernetes' own groups (a CRD's kind of
# the same name is not a Kubernetes workload).
_POD_SPECS: dict[str, Pointer] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_GROUPS = {"", "apps", "batch", "extensions"}
_CONTAINERS = ("containers", "initContainers", "ephemeralContainers")
_LIMIT_FIELDS = ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")


def _items(data: object, pointer: Pointer) -> Iterator[Pointer]:
    """The pointers of the entries of the list at `pointer`."""
    value = value_at(data, pointer)
    for i in range(len(value) if isinstance(value, list) else 0):
        yield (*pointer, i)


def _keys(data: object, pointer: Pointer) -> Iterator[Pointer]:
    """The pointers of the values of the mapping at `pointer`."""
    value = value_at(data, pointer)
    for key in value if isinstance(value, dict) else ():
        yield (*pointer, str(key))


def _requirements(data: object, resources: Pointer) -> Iterator[Pointer]:
    """The quantities of a ResourceRequirements (`requests` and `limits`)."""
    for part in ("requests", "limits"):
        yield from _keys(data, (*resources, part))


def _pod_spec(data: object, spec: Pointer) -> Iterator[Pointer]:
    for resources in _container_resources(data, spec):
        yield from _requirements(data, resources)
    yield from _requirements(data, (*spec, "resources"))  # pod-level resources
    yield from _keys(data, (*spec, "overhead"))
    for volume in _items(data, (*spec, "volumes")):
        yield (*volume, "emptyDir", "sizeLimit")
        claim = (*volume, "ephemeral", "volumeClaimTemplate", "spec", "resources")
        yield from _requirements(data, claim)


def _container_resources(data: object, spec: Pointer) -> Iterator[Pointer]:
    for field in _CONTAINERS:
        for container in _items(data, (*spec, field)):
            yield (*container, "resources")


def _spec_of(manifest: Manifest) -> Pointer | None:
    """Where a Kubernetes workload kind holds its Pod spec; None for any other object."""
    if manifest.api_version.rpartition("/")[0] not in _GROUPS:
        return None
    return _POD_SPECS.get(manifest.kind)


def container_resources(manifest: Manifest) -> Iterator[Pointer]:
    """The `resources` of every container (init and ephemeral too) of a workload's pods."""
    spec = _spec_of(manifest)
    if spec is not None:
        yield from _container_resources(manifest.data, spec)


def pod_resources(manifest: Manifest) -> Iterator[Pointer]:
    """The pod-level `resources` of a workload's pods (when its pod spec is there)."""
    spec = _spec_of(manifest)
    if spec is not None:
        yield (*spec, "resources")


def quantity_pointers(manifest: Manifest) -> Iterator[Pointer]:
    """The pointers of every quantity field of `manifest` that the API server parses."""
    if manifest.api_version.rpartition("/")[0] not in _GROUPS:
        return
    data, kind = manifest.data, manifest.kind
    if kind in _POD_SPECS:
        yield from _pod_spec(data, _POD_SPECS[kind])
    if kind == "StatefulSet":
        for claim in _items(data, ("spec", "volumeClaimTemplates")):
            yield from _requirements(data, (*claim, "spec", "resources"))
    elif kind == "PersistentVolumeClaim":
        yield from _requirements(data, ("spec", "resources"))
    elif kind == "ResourceQuota":
        yield from _keys(data, ("spec", "hard"))
    elif kind == "LimitRange":
        for item in _items(data, ("spec", "limits")):
            for field in _LIMIT_FIELDS:
                yield from _keys(data, (*item, field))


def _problem(value: object, signed: bool = False) -> str | None:
    """Why the API server refuses `value` as a quantity, or None (a wrong type is the
    schema's to report)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        # kubectl cannot even send it: Go's JSON has no notation for it.
        return f"{value} is not a Kubernetes quantity (YAML reads .inf and .nan as no number)"
    written = str(value)
    text = trimmed(written)  # as UnmarshalJSON hands it to ParseQuantity
    if reads_as_zero(text):  # `Mi`, `.`, `e3`: nobody writes those on purpose
        return (
            f"'{written}' has no number, which the API server reads as 0 (ParseQuantity takes "
            "missing digits for 0): write the amount, such as 512Mi or 500m"
        )
    if quantity_value(value) is None:  # also an exponent beyond int64, which it refuses
        return (
            f"'{written}' is not a Kubernetes quantity (a number with an optional suffix: "
            "Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e6)"
        )
    if not signed and negative(text):  # "-0", "-0.0" and "-0e3" are zero, which is allowed
        return f"'{written}' is negative: it must be greater than or equal to 0"
    return None


def field_path(pointer: Pointer) -> str:
    """`spec.containers[0].resources.limits.memory` for a pointer."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in pointer).lstrip(".")


# The fields whose keys name a resource the API server checks by ValidateResourceQuantityValue
# (requests and limits, a pod's overhead, a quota): an integer resource's must be whole.
_COUNTED_IN = ("requests", "limits", "overhead", "hard")


def _fraction(pointer: Pointer, value: object) -> str | None:
    """Why an integer resource's value is refused (`nvidia.com/gpu: 0.5`), or None."""
    name = pointer[-1]
    if len(pointer) < 2 or pointer[-2] not in _COUNTED_IN or not isinstance(name, str):
        return None
    exact = quantity_value(value)
    if exact is None or exact < 0 or not integer_resource(name) or whole(exact):
        return None
    return f"'{value}' is not a whole number: {name} is counted in whole units"


def check_quantities(manifest: Manifest) -> list[Finding]:
    found = []
    signed = manifest.kind == "LimitRange"
    for pointer in quantity_pointers(manifest):
        value = value_at(manifest.data, pointer)
        message = _message(pointer, value, signed)
        if message is not None:
            found.append(finding(manifest, pointer, "K330", message))
        elif isinstance(value, str) and trimmed(value) != value:
            found.append(
                finding(manifest, pointer, "K333", _spaced(pointer, value), False, "warning")
            )
    return found


def _spaced(pointer: Pointer, value: str) -> str:
    """K333's message: what the API server reads, and who reads the text as written."""
    return (
        f"{field_path(pointer)} {value!r} has space around it: the API server trims it "
        f"(Quantity.UnmarshalJSON) and reads '{trimmed(value)}', but kubectl and kustomize "
        "pass the text on as written and CEL's quantity() refuses it: write "
        f"'{trimmed(value)}'"
    )


def _message(pointer: Pointer, value: object, signed: bool) -> str | None:
    """K330's message for the value at `pointer`, or None when the API server takes it."""
    refused = exponent_refused(value) or slow_reading(value)  # which API servers, and why
    if refused is not None:
        return f"{field_path(pointer)} '{value}' {refused}"
    problem = _problem(value, signed)
    if problem is None and not signed:
        problem = _fraction(pointer, value)
    if problem is None:
        return None
    return f"{field_path(pointer)} {problem}: the API server refuses it"
