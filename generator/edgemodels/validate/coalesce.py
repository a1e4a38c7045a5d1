"""What Helm says of a placement's values that disagree in shape with the chart's defaults,
worked out here for every placement.

Helm merges the values given over the chart's `values.yaml` (its coalesce) and logs where
one side is a table and the other is not. A render says so of every key but one case: a
top-level key whose default is a table and whose given value is not one passes without a
word there (`coalesceValues` skips it); only lint's values rule says it ("cannot overwrite
table with non table for env (map[...])"). Lint runs once per chart, with the first
placement's values, so the other placements went unnamed, or named or not by their order.
Linting once per placement would cost a lint each; the rule is a walk of the values given
(`coalesceTablesFullKey`), done here for each placement in its words, so lint's own lines
of that kind are not needed (helm.py drops them, or the one key would be said twice).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal


def shape_warnings(given: Mapping[str, object], defaults: Mapping[str, object]) -> list[str]:
    """The lines lint's values rule logs for `given` over `defaults` (Helm's own parse of
    values.yaml: Chart.values), as Go words them."""
    found: list[str] = []
    _walk(given, defaults, "", found)
    return found


def _walk(
    given: Mapping[str, object], defaults: Mapping[str, object], prefix: str, found: list[str]
) -> None:
    for key, value in given.items():
        if key not in defaults or value is None:  # null removes the key without a word
            continue
        default = defaults[key]
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(default, dict):
            if isinstance(value, dict):
                _walk(value, default, full, found)
            else:
                found.append(
                    f"warning: cannot overwrite table with non table for {full} "
                    f"({go_format(default)})"
                )
        elif isinstance(value, dict) and default is not None:
            found.append(
                f"warning: destination for {full} is a table. Ignoring non-table value "
                f"({go_format(default)})"
            )


def go_format(value: object) -> str:
    """`value` as Go's `%v` prints Helm's values: maps with sorted keys, numbers as the
    float64 they are to Helm (values pass through JSON)."""
    if isinstance(value, dict):
        items = " ".join(f"{k}:{go_format(v)}" for k, v in sorted(value.items()))
        return f"map[{items}]"
    if isinstance(value, list):
        return "[" + " ".join(go_format(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_float(float(value))
    return str(value)


def _go_float(number: float) -> str:
    """strconv.FormatFloat(number, 'g', -1, 64): the shortest digits that read back, in
    %e form when the exponent is below -4 or 6 and above (1e+06, 123456, 1.5e-05)."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, number) < 0 else ""
    if number == 0:
        return sign + "0"
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    assert isinstance(exponent, int)  # finite
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # digits before the decimal point
    power = point - 1
    if power < -4 or power >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"
