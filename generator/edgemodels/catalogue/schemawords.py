"""How a catalogue schema error is said: the value as YAML writes it, the types as a YAML
author knows them, quantities and patterns in words, and what to write instead.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from edgemodels.catalogue.fullvalidator import finite_number
from edgemodels.data import catalogue_schema
from edgemodels.kubequantity import (
    INT32_MAX,
    QUANTITY,
    exponent_refused,
    negative,
    quantity_value,
    trimmed,
)
from edgemodels.pairhints import pair_hint
from edgemodels.secrets_scan import is_secret_key
from edgemodels.suggest import did_you_mean
from edgemodels.yamlio import dotted

if TYPE_CHECKING:
    import jsonschema

FRIENDLY_PATTERNS = {
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "a DNS-1123 label (lower-case letters, digits and '-', "
    "starting and ending with a letter or digit)",
    "^/": "a path starting with '/'",
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$": "a DNS-1123 "
    "subdomain (lower-case letters, digits, '-' and '.', each part starting and ending with a "
    "letter or digit)",
    "^[-._a-zA-Z0-9]+$": "a Secret or ConfigMap key (letters, digits, '_', '-' and '.')",
    "^[-._a-zA-Z][-._a-zA-Z0-9]*$": "an environment variable name every Kubernetes version "
    "takes (letters, digits, '_', '-' and '.', not starting with a digit)",
}


# JSON Schema type names as a YAML author knows them.
YAML_TYPES = {"object": "mapping", "array": "list", "null": "null"}
# Most specific first: bool is an int, the loader's positioned mappings and lists subclass.
PYTHON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (dict, "mapping"),
    ((list, tuple), "list"),
)


def yaml_type(value: Any) -> str:
    if value is None:
        return "null"
    return next((n for t, n in PYTHON_TYPES if isinstance(value, t)), type(value).__name__)


def yaml_types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(YAML_TYPES.get(str(n), str(n)) for n in names)


QUANTITY_WORDS = "a Kubernetes quantity such as 500m, 2, 256Mi"
# The one shape of the grammar ParseQuantity refuses: an exponent beyond int64.
_EXPONENT_WORDS = f"; an exponent is at most ±{INT32_MAX}"
POSITIVE_QUANTITY_WORDS = "a Kubernetes quantity above 0 such as 4Gi"
# 2GB, 2gi, 512 MB, 1.5Gb: what people write for a size, and the binary unit they mean.
_SIZE_LIKE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([kmgtpeKMGTPE])[iI]?[bB]?")


@cache
def quantity_patterns() -> tuple[str, str]:
    """The schema's quantity and positiveQuantity patterns (read from it, not copied)."""
    defs = catalogue_schema()["$defs"]
    quantity, positive = (str(defs[name]["pattern"]) for name in ("quantity", "positiveQuantity"))
    return quantity, positive


@cache
def _friendly_patterns() -> dict[str, str]:
    """FRIENDLY_PATTERNS, and the schema's quantity patterns."""
    quantity, positive = quantity_patterns()
    return {**FRIENDLY_PATTERNS, quantity: QUANTITY_WORDS, positive: POSITIVE_QUANTITY_WORDS}


def pattern_words(pattern: str) -> str | None:
    """A pattern in words (the inventory's quantities use the catalogue's pattern)."""
    return _friendly_patterns().get(pattern)


def _quantity_words(schema: Any) -> str | None:
    """The words for a quantity field's schema (`$defs` quantity or positiveQuantity)."""
    words = pattern_words(str(schema.get("pattern"))) if isinstance(schema, dict) else None
    return words if words in (QUANTITY_WORDS, POSITIVE_QUANTITY_WORDS) else None


def quantity_hint(value: Any) -> str:
    """'; did you mean '2Gi'?' for a size written as 2GB or 2gi; why a value of the
    Kubernetes grammar is refused (negative, or an exponent beyond ±2147483647, which
    newer API servers refuse and older ones read as another number); empty otherwise.
    `-0Gi` is zero, not negative: refused only where a quantity must be above 0."""
    if not isinstance(value, str):
        return ""
    if QUANTITY.fullmatch(trimmed(value)):  # the API server trims `" -1"` to -1
        if negative(trimmed(value)):
            return "; Kubernetes refuses a negative amount"
        refused = exponent_refused(value)
        if refused is not None:
            return f"; it {refused}"
        return "" if quantity_value(value) is not None else _EXPONENT_WORDS
    if value.strip() != trimmed(value) and QUANTITY.fullmatch(value.strip()):
        return (
            f"; the API server trims spaces around it but not a tab or line break (JSON "
            f"sends those escaped, as \\t): write '{value.strip()}'"
        )
    m = _SIZE_LIKE.fullmatch(value.strip())
    if m is None or m.group(2) == "m":  # 500m is a valid quantity, 500mb a guess too far
        return ""
    unit = "Ki" if m.group(2) in "kK" else f"{m.group(2).upper()}i"
    return f"; did you mean '{m.group(1)}{unit}'? (Ki, Mi, Gi are powers of 1024; no 'B')"


def yaml_text(value: Any) -> str:
    """A value as it would be written in YAML (flow style), not as Python prints it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {yaml_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_text(v) for v in value) + "]"
    return repr(value)


MAX_SHOWN = 80  # characters of an offending value quoted in a message


def _shown(value: Any, path: tuple[str | int, ...]) -> str:
    """How an offending value is quoted: never the value of a credential-named field (the
    shapes of tokens are masked for every message in `Diagnostic`), never a megabyte."""
    key = path[-1] if path and isinstance(path[-1], str) else ""
    if is_secret_key(key) and not isinstance(value, dict | list):
        return "(the value, not shown: the field is named like a credential)"
    text = yaml_text(value)
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 4]}...{text[-1]}"


def schema_message(error: jsonschema.ValidationError, path: tuple[str | int, ...]) -> str:
    message = raw_message(error, path)
    full, shown = yaml_text(error.instance), _shown(error.instance, path)
    return message.replace(full, shown) if full != shown else message


def raw_message(error: jsonschema.ValidationError, path: tuple[str | int, ...]) -> str:
    where = dotted(path) or "document"
    keyword = str(error.validator)
    value: Any = error.instance
    wanted: Any = error.validator_value
    shown = yaml_text(value)
    if keyword == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        return f"{where}: missing required field '{missing}'"
    quantity = _quantity_words(error.schema)
    if quantity is not None and keyword in ("type", "minimum", "exclusiveMinimum"):
        return f"{where}: {shown} is not {quantity}{_quantity_reason(value)}"
    if keyword == "type":
        got = "null" if value is None else f"{yaml_type(value)} {shown}"
        hint = _type_hint(wanted, value) or pair_hint(wanted, value, path)
        scalar = value is None or isinstance(value, int | float)
        if isinstance(wanted, list) and "string" in wanted and scalar:
            wanted = "string"  # an env var's 0.5, yes or nothing is text, not a reference
        return f"{where}: expected {yaml_types(wanted)}, got {got}{hint}"
    if keyword == "enum":
        options = [str(v) for v in wanted]
        hint = did_you_mean(str(value), options)
        return f"{where}: {shown} is not one of {', '.join(options)}{hint}"
    if keyword == "const":
        schema: Any = error.schema
        text = str(schema.get("description", ""))
        why = f" ({text})" if text and not text.startswith("Always") else ""
        return f"{where}: must be {yaml_text(wanted)}, got {shown}{why}"
    if keyword == "pattern":
        pattern = str(error.validator_value)
        words = pattern_words(pattern)
        hint = quantity_hint(value) if words in (QUANTITY_WORDS, POSITIVE_QUANTITY_WORDS) else ""
        return f"{where}: {shown} is not {words or f'text matching {pattern}'}{hint}"
    if keyword in ("minProperties", "maxProperties") and _names_one_of(error.schema):
        names = " or ".join(sorted(_names_one_of(error.schema)))
        return f"{where}: give one of {names}, got {len(value)}"
    if keyword in ("maxLength", "minLength") and isinstance(value, str):
        bound = "at most" if keyword == "maxLength" else "at least"
        return f"{where}: {shown} is {len(value)} characters; it must have {bound} {wanted}"
    return f"{where}: {error.message}"


def _names_one_of(schema: Any) -> list[str]:
    """The fields of a mapping that takes exactly one of them (an env var's reference)."""
    if not isinstance(schema, dict) or schema.get("maxProperties") != 1:
        return []
    return [str(name) for name in schema.get("properties", {})]


def _quantity_reason(value: Any) -> str:
    """Why a value that is no string fails a quantity field."""
    if isinstance(value, float) and not math.isfinite(value):
        meaning = "not a number" if math.isnan(value) else "an infinity"
        return f" (YAML reads {yaml_text(value)} as {meaning}, which no quantity is)"
    if finite_number(value):
        return " (Kubernetes refuses a negative amount)" if value < 0 else ""
    return f" (got {yaml_type(value)})"


def _type_hint(expected: Any, value: Any) -> str:
    """What to write instead, for the type mistakes made by hand."""
    wants_text = expected == "string" or (isinstance(expected, list) and "string" in expected)
    if wants_text and isinstance(value, bool | int | float):
        return " (YAML read it as a number or boolean: put it in quotes)"
    if expected in ("integer", "number") and isinstance(value, str) and _numeric(value):
        return f" (remove the quotes: {value})"
    if expected == "array" and isinstance(value, str | int | float):
        plain = isinstance(value, str) and re.fullmatch(r"[\w./-]+", value)
        return f" (write it as a list: [{value if plain else yaml_text(value)}])"
    if (
        expected == "object"
        and isinstance(value, list)
        and value
        and all(isinstance(v, dict) and set(v) == {"name", "value"} for v in value)
    ):
        pairs = ", ".join(f"{v['name']}: {yaml_text(v['value'])}" for v in value[:3])
        return f" (not the Kubernetes list of name/value: write NAME: value pairs, {{{pairs}}})"
    if expected == "array" and isinstance(value, dict):
        return " (write each entry as a list item starting with '- ')"
    return ""


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
