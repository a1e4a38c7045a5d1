"""The `jsonschema` validator that explains what jsonschema-rs refused.

Schema checks ask jsonschema-rs "valid?" and only a file it refuses goes through
`jsonschema` for paths and messages. The two must agree on what is valid, or a refused
file gets no finding at all and passes. Two differences are closed here:

- A YAML `.inf` or `.nan` reaches jsonschema-rs as JSON null (JSON has no notation for
  them), so no `number` or `integer` field takes one; `jsonschema` counts them as numbers,
  and `.nan` passes every `minimum` and `maximum` (each comparison with it is false).
- A `pattern` ending in `$` ends the value in jsonschema-rs, where Python's `re.search`
  lets `$` match before a trailing line break: `"lrt\\n"` matched `^[a-z0-9]...$`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from edgemodels.errors import signals_held

if TYPE_CHECKING:
    import jsonschema


def finite_number(value: object) -> bool:
    """A JSON number: an int or a finite float, not a bool."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


@lru_cache(maxsize=256)
def _anchored(pattern: str) -> re.Pattern[str]:
    """`pattern` with each unescaped `$` meaning the end of the value (`\\Z`)."""
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def _pattern(
    validator: Any, pattern: str, instance: object, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    import jsonschema

    if isinstance(instance, str) and _anchored(pattern).search(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def full_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A Draft 2020-12 validator for `schema` that refuses what jsonschema-rs refuses.
    Imported here, not at the top: only a file that fails needs `jsonschema`. A stop
    (SIGINT, SIGTERM) meanwhile is raised once the import is whole (errors.signals_held):
    a resident server goes on importing into the same process."""
    with signals_held():
        import jsonschema

    base = jsonschema.Draft202012Validator
    types = base.TYPE_CHECKER.redefine_many(
        {
            "number": lambda _checker, value: finite_number(value),
            "integer": lambda _checker, value: (
                finite_number(value) and (isinstance(value, int) or float(value).is_integer())
            ),
        }
    )
    extended = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        base, validators={"pattern": _pattern}, type_checker=types
    )
    validator: jsonschema.Draft202012Validator = extended(schema)
    return validator
