"""Which resources the API server counts in whole units or lets be overcommitted, and what it
refuses in a request against its limit (R221, K331). The values they compare are parsed by
kubequantity.py; like it, this imports nothing beyond the standard library, for `check`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from edgemodels.kubequantity import EXACT

# k8s.io/kubernetes pkg/apis/core/helper: the resources counted in whole units.
_INTEGER_RESOURCES = frozenset({
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
})  # fmt: skip


def integer_resource(name: str) -> bool:
    """IsIntegerResourceName: one of the object counts a quota holds, or an extended
    resource (a domain other than kubernetes.io, not `requests.`: `nvidia.com/gpu`). The
    API server refuses a fraction of one ("must be an integer")."""
    return name in _INTEGER_RESOURCES or not (_native(name) or name.startswith("requests."))


def whole(value: Decimal) -> bool:
    """resource.Quantity's MilliValue() % 1000 == 0, as the API server tests an integer
    resource: the value in thousandths, rounded up (away from zero), is a whole number of
    units. A parsed value is in whole nanos, so one with a fraction has no more digits
    than its text; one without is whole at any size. (Beyond int64 milli-units, 9.2e15
    units, MilliValue itself overflows, and API servers differ on what it then returns:
    this says whether the number is whole.)"""
    places = -int(value.as_tuple().exponent)  # digits after the point: 9 at most
    if places <= 0:
        return True
    nanos = int(value.copy_abs().scaleb(places, EXACT))  # the value in units of 10^-places
    down, up = 10 ** max(0, places - 3), 10 ** max(0, 3 - places)
    milli: int = -(-nanos // down) * up  # in thousandths, rounded up
    return milli % 1000 == 0


def overcommit_allowed(name: str) -> bool:
    """k8s.io/kubernetes pkg/apis/core/helper IsOvercommitAllowed: a native resource (no
    domain, or a kubernetes.io one) other than hugepages."""
    return _native(name) and not name.startswith("hugepages-")


def _native(name: str) -> bool:
    """IsNativeResource: no domain, or a kubernetes.io one."""
    return "/" not in name or "kubernetes.io/" in name


LimitProblem = Literal["no-limit", "not-equal", "above"]


def limit_problem(
    name: str, request: Decimal, limit: Decimal | None, pod_level: bool = False
) -> LimitProblem | None:
    """What the API server refuses in a container's (or, `pod_level`, a pod's) request of
    `name` against its limit (None: no limit): above it; and for a resource that cannot be
    overcommitted (containers only), not equal to it or without one. A request without a
    limit is allowed otherwise (there is none to exceed); a limit without a request is too
    (the request defaults to the limit), so callers only ask about requests."""
    strict = not pod_level and not overcommit_allowed(name)
    if limit is None:
        return "no-limit" if strict else None
    if strict and request != limit:
        return "not-equal"
    return "above" if request > limit else None
