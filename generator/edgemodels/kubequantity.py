"""Kubernetes resource quantities as the API server parses and compares them.

Shared by `check` (R221, on the catalogue's resources) and `validate` (K330, K331, on the
generated objects), so both say the same about one value; imports only the standard library,
as `check` starts on every commit.

The grammar is k8s.io/apimachinery's resource.Quantity: an optional sign, digits with an
optional fraction, then a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal one (n u m k M G T
P E, or none) or a decimal exponent (e or E and an integer). A minus sign before digits
that are all 0 (`-0`, `-0m`, `-0.0`) is zero, as ParseQuantity reads it, not a negative.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Literal

QUANTITY = re.compile(  # matched whole: `$` would take a trailing newline
    r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"  # sign, number
    r"([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?"  # binary, decimal or exponent suffix
)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}  # powers of 2
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_MAX = Fraction(2**63 - 1)  # resource.Quantity caps a parsed value here (maxAllowed)
_NANO = Fraction(1, 10**9)  # and rounds a finer one up, away from zero, to nanos
# A minus sign, then a digit other than 0 before any suffix: a magnitude that is not zero
# stays so (rounded up, away from zero), so this is below zero; `-0`, `-0.0m`, `-0e3` are 0.
_NEGATIVE = re.compile(r"-[0.]*[1-9]")


def quantity_value(value: object) -> Fraction | None:
    """The exact value the API server holds for a quantity (resource.ParseQuantity: rounded
    up, away from zero, to a whole nano, its magnitude capped at 2^63-1), or None when it
    does not parse (K330's to report) or is no string or number."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return _text_value(str(value))  # a YAML number reaches the API server as its JSON text


@lru_cache(maxsize=1024)
def _text_value(text: str) -> Fraction | None:
    """quantity_value of a quantity's text: a tree repeats a few (`128Mi`, `500m`) in
    thousands of containers, and exact arithmetic on each was most of K331's time."""
    match = QUANTITY.fullmatch(text)
    if match is None:
        return None
    number, suffix = Decimal(match[1]), match[3] or ""
    if suffix in _BINARY:
        exact = Fraction(number) * 2 ** _BINARY[suffix]
    else:
        power = _DECIMAL[suffix] if suffix in _DECIMAL else _int32(int(suffix[1:]))
        if power is None:
            return None  # an exponent beyond int64: not a quantity to the API server
        exact = _scaled(number, power)
    rounded = min(Fraction(math.ceil(abs(exact) / _NANO), 10**9), _MAX)
    return -rounded if text.startswith("-") else rounded


def negative(text: str) -> bool:
    """Whether a quantity's text is below zero to the API server, which refuses it where a
    quantity may not be negative. `-0` (and `-0m`, `-0.0`, `-0Gi`) is zero, which it takes
    (ValidateNonnegativeQuantity compares the parsed value with zero)."""
    return _NEGATIVE.match(text) is not None


def _int32(exponent: int) -> int | None:
    """The exponent as Kubernetes keeps it: parsed as an int64, then cut to an int32."""
    if not -(2**63) <= exponent < 2**63:
        return None
    return (exponent + 2**31) % 2**32 - 2**31


def _scaled(number: Decimal, power: int) -> Fraction:
    """number * 10**power, without building a huge power of ten for a value that the cap
    or the nano rounding decides anyway."""
    if number == 0:
        return Fraction(0)
    magnitude = number.adjusted() + power  # number * 10**power is in [10**m, 10**(m+1))
    if magnitude >= 19:  # over 2^63-1: capped
        return _MAX * 2
    if magnitude < -10:  # under a tenth of a nano: rounded up to one nano
        return _NANO / 2
    return Fraction(number) * Fraction(10) ** power


def quantity_text(value: object) -> str:
    """A catalogue quantity as the generated manifests carry it: as text. A YAML number
    (`cpu: 1`, `cpu: 0.5`) becomes the JSON text kubectl would send for it (an int exactly,
    a float as its shortest round-trip digits, so 0.1 stays `0.1`), which the API server
    parses as that quantity. Quoted, it passes through Helm untouched, where a number in
    values would be a float64: an int above 2^53 would change and a large one come out as
    `1e+21`. -0.0 (which the schema's minimum of 0 takes) is written `0`."""
    if isinstance(value, float):
        return repr(abs(value))
    return str(value)


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


def whole(value: Fraction) -> bool:
    """resource.Quantity's MilliValue() % 1000 == 0, as the API server tests an integer
    resource: the value in thousandths, rounded up, is a whole number of units."""
    return math.ceil(value * 1000) % 1000 == 0


def overcommit_allowed(name: str) -> bool:
    """k8s.io/kubernetes pkg/apis/core/helper IsOvercommitAllowed: a native resource (no
    domain, or a kubernetes.io one) other than hugepages."""
    return _native(name) and not name.startswith("hugepages-")


def _native(name: str) -> bool:
    """IsNativeResource: no domain, or a kubernetes.io one."""
    return "/" not in name or "kubernetes.io/" in name


LimitProblem = Literal["no-limit", "not-equal", "above"]


def limit_problem(
    name: str, request: Fraction, limit: Fraction | None, pod_level: bool = False
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
