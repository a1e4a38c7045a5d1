"""Kubernetes resource quantities ("20Gi", "500M", "1.5e9", "100m"): exact values and bytes."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

_QUANTITY = re.compile(
    r"^\+?(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?P<suffix>[A-Za-z]{0,2}|[eE][+-]?[0-9]{1,3})$"
)

_SUFFIX: dict[str, Decimal] = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}

MAX_QUANTITY_CHARS = 64


def parse_quantity(text: str) -> Decimal | None:
    """The exact value of a quantity ("100m" -> 0.1); None when it is not a non-negative one."""
    if len(text) > MAX_QUANTITY_CHARS:
        return None
    match = _QUANTITY.match(text.strip())
    if not match:
        return None
    suffix = match.group("suffix")
    try:
        number = Decimal(match.group("number"))
        if suffix[:1] in ("e", "E") and len(suffix) > 1:
            return number * Decimal(10) ** int(suffix[1:])
        if suffix in _SUFFIX:
            return number * _SUFFIX[suffix]
    except (InvalidOperation, ValueError):
        pass
    return None


def parse_bytes(text: str) -> int | None:
    """Bytes in a quantity, rounded up; None when it is not a non-negative quantity."""
    value = parse_quantity(text)
    if value is None:
        return None
    try:
        return int(value.to_integral_value(rounding=ROUND_CEILING))
    except (InvalidOperation, ValueError):
        return None


def format_bytes(size: int) -> str:
    """A short binary-unit rendering for reports: 1536 -> '1.5Ki'."""
    value = float(size)
    for unit in ("", "Ki", "Mi", "Gi", "Ti", "Pi"):
        if abs(value) < 1024 or unit == "Pi":
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text}{unit}"
        value /= 1024
    return str(size)  # pragma: no cover
