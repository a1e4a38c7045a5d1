"""K332: a LimitRange the API server refuses for how its own values relate.

ValidateLimitRange (k8s.io/kubernetes pkg/apis/core/validation) checks each item of
`spec.limits`, resource by resource: min <= defaultRequest <= default <= max (each pair that
is set), a maxLimitRequestRatio of at least 1 and at most max/min, and, for a resource that
cannot be overcommitted (`nvidia.com/gpu`, `hugepages-*`), a default equal to its
defaultRequest. It also refuses a default or defaultRequest on an item of type Pod, two
items of one type, and a PersistentVolumeClaim item with neither a min nor a max storage.
The schemas say none of it: `kubectl apply` fails, and in a generated tree RHACM's apply
fails on every site. Each finding is on the field the API server names.

It does not refuse a negative value here, nor a fraction of an integer resource
(`nvidia.com/gpu: 0.5`), unlike a pod's requests (K330): ValidateLimitRange checks the
values' resource names and how they relate, and calls no ValidateResourceQuantityValue on
them. Nor does it check a pod against the LimitRange: that is the LimitRanger admission
plugin's, on each pod.
Values are compared as resource.Quantity compares them (kubequantity); a value that does not
parse is K330's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import ROUND_UP, Decimal

from edgemodels.kubequantity import EXACT, quantity_value
from edgemodels.resourcerules import overcommit_allowed
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.pointers import Pointer, value_at
from edgemodels.validate.quantities import field_path
from edgemodels.validate.report import Finding, finding

Values = dict[str, dict[str, tuple[object, Decimal]]]  # field -> resource -> (text, value)
Problem = tuple[Pointer, str]
_FIELDS = ("min", "max", "default", "defaultRequest", "maxLimitRequestRatio")
# (lower field, higher field, the field the API server names): each pair must be in order.
_ORDER = (
    ("min", "max", "min"),
    ("min", "defaultRequest", "defaultRequest"),
    ("defaultRequest", "max", "defaultRequest"),
    ("defaultRequest", "default", "defaultRequest"),
    ("min", "default", "default"),
    ("default", "max", "default"),
)
_WORDS = {"defaultRequest": "default request", "maxLimitRequestRatio": "ratio"}
_MAX_MILLI = (2**63 - 1) // 1000  # resource.MaxMilliValue


def _values(item: object) -> Values:
    """The quantities an item sets that parse, by field and resource."""
    out: Values = {}
    for name in _FIELDS:
        given = value_at(item, (name,))
        for resource, value in given.items() if isinstance(given, dict) else ():
            parsed = quantity_value(value)
            if parsed is not None:
                out.setdefault(name, {})[str(resource)] = (value, parsed)
    return out


def _order(item: Pointer, values: Values, resource: str) -> Iterator[Problem]:
    for low, high, at in _ORDER:
        lower, higher = values.get(low, {}).get(resource), values.get(high, {}).get(resource)
        if lower is not None and higher is not None and lower[1] > higher[1]:
            said = f"'{lower[0]}' is above its {_WORDS.get(high, high)} '{higher[0]}'"
            yield (*item, at, resource), f"{_WORDS.get(low, low)} {said}"


def _scaled(value: Decimal, milli: bool) -> int:
    """Quantity.Value() or MilliValue(): rounded up, away from zero. Beyond int64 it
    overflows, differently in different API server versions: held at int64's bounds
    here, where the ratio's verdict no longer turns on it (and 1e2147483647 is not
    written out)."""
    if value.copy_abs() >= 2**63:  # abs() would round in the default context
        return 2**63 - 1 if value > 0 else -(2**63)
    scaled = EXACT.multiply(value, Decimal(1000)) if milli else value
    return int(scaled.to_integral_value(rounding=ROUND_UP))


def _ratio_limit(ratio: Decimal, low: Decimal, high: Decimal) -> tuple[float, float]:
    """The ratio and max/min in the API server's own float arithmetic (whole milli-units
    when all three fit, else whole units), so a ratio at the edge is judged as it judges."""
    milli = all(_scaled(v, False) < _MAX_MILLI for v in (ratio, low, high))
    given = float(_scaled(ratio, True)) / 1000 if milli else float(_scaled(ratio, False))
    low_value, high_value = float(_scaled(low, milli)), float(_scaled(high, milli))
    if low_value == 0:  # Go's float division: x/0 is an infinity, 0/0 no number
        return given, math.copysign(math.inf, high_value) if high_value else math.nan
    return given, high_value / low_value


def _ratio(item: Pointer, values: Values, resource: str) -> Iterator[Problem]:
    found = values.get("maxLimitRequestRatio", {}).get(resource)
    if found is None:
        return
    at = (*item, "maxLimitRequestRatio", resource)
    if found[1] < 1:
        yield at, f"maxLimitRequestRatio '{found[0]}' is less than 1"
    low, high = values.get("min", {}).get(resource), values.get("max", {}).get(resource)
    if low is not None and high is not None:
        given, limit = _ratio_limit(found[1], low[1], high[1])
        if given > limit:
            yield (
                at,
                (
                    f"maxLimitRequestRatio '{found[0]}' is above max/min = {limit:.6g} "
                    f"(max '{high[0]}', min '{low[0]}')"
                ),
            )


def _overcommit(item: Pointer, values: Values, resource: str) -> Iterator[Problem]:
    limit = values.get("default", {}).get(resource)
    request = values.get("defaultRequest", {}).get(resource)
    if limit is None or request is None or overcommit_allowed(resource) or limit[1] == request[1]:
        return
    yield (
        (*item, "defaultRequest", resource),
        (
            f"default request '{request[0]}' is not equal to its default '{limit[0]}': "
            f"{resource} cannot be overcommitted"
        ),
    )


def _shape(item: Pointer, data: object, seen: set[str]) -> Iterator[Problem]:
    """What the API server refuses in an item's type and fields, whatever the values."""
    kind = value_at(data, (*item, "type"))
    if not isinstance(kind, str):
        return  # a missing or mistyped type is the schema's finding
    if kind in seen:
        yield (*item, "type"), f"a second item of type '{kind}'"
    seen.add(kind)
    if kind == "Pod":
        for name in ("default", "defaultRequest"):
            if value_at(data, (*item, name)):
                yield (*item, name), "may not be set on an item of type Pod"
    if kind == "PersistentVolumeClaim" and not any(
        isinstance(given := value_at(data, (*item, name)), dict) and "storage" in given
        for name in ("min", "max")
    ):
        yield item, "an item of type PersistentVolumeClaim needs a min or a max storage"


def _problems(data: object) -> Iterator[Problem]:
    items = value_at(data, ("spec", "limits"))
    seen: set[str] = set()
    for index in range(len(items) if isinstance(items, list) else 0):
        item: Pointer = ("spec", "limits", index)
        yield from _shape(item, data, seen)
        values = _values(value_at(data, item))
        for resource in sorted({r for found in values.values() for r in found}):
            yield from _order(item, values, resource)
            yield from _ratio(item, values, resource)
            yield from _overcommit(item, values, resource)


def check_limit_range(manifest: Manifest) -> list[Finding]:
    if (manifest.api_version, manifest.kind) != ("v1", "LimitRange"):
        return []
    found = []
    for pointer, problem in _problems(manifest.data):
        message = f"{field_path(pointer)}: {problem}: the API server refuses the LimitRange"
        found.append(finding(manifest, pointer, "K332", message))
    return found
