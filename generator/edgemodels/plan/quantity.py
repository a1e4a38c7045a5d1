"""Kubernetes resource quantities ("20Gi", "500M", "1.5e9", 2e10) as bytes, for plan's
storage fits. Parsed by `edgemodels.kubequantity`, as the API server parses them, so a
size `check` takes is one `plan` can count."""

from __future__ import annotations

from decimal import ROUND_CEILING

from edgemodels.kubequantity import quantity_value

# More bytes than any site holds: a size beyond it (`1e2147483647` is a quantity) counts as
# this, which fits no real capacity, rather than as an integer of two billion digits.
MAX_BYTES = 10**100


def parse_bytes(value: object) -> int | None:
    """Bytes in a quantity (text or a YAML number), rounded up; None when it is no
    quantity or a negative one."""
    exact = quantity_value(value)
    if exact is None or exact < 0:
        return None
    if exact >= MAX_BYTES:
        return MAX_BYTES
    return int(exact.to_integral_value(rounding=ROUND_CEILING))


def format_bytes(size: int) -> str:
    """A short binary-unit rendering for reports: 1536 -> '1.5Ki'."""
    value = float(size)
    for unit in ("", "Ki", "Mi", "Gi", "Ti", "Pi"):
        if abs(value) < 1024 or unit == "Pi":
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text}{unit}"
        value /= 1024
    return str(size)  # pragma: no cover
