"""Schema validation of catalogue files, with findings on the exact line.

jsonschema-rs answers "valid?" in microseconds; only a file that fails goes through
`jsonschema`, whose error objects give the path, keyword and schema needed for a clear
message. Errors are mapped from their JSON path back to the offending key or value.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from edgemodels.data import schema_path
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.secrets_scan import is_secret_key
from edgemodels.yamlio import YamlFile, locate

if TYPE_CHECKING:
    import jsonschema

SCHEMA_FILE = "catalogue.schema.json"
KEYWORD_CODES = {
    "additionalProperties": ("S001", "unknown-field"),
    "required": ("S002", "missing-field"),
    "type": ("S003", "wrong-type"),
}
VALUE_CODE = ("S004", "invalid-value")
FRIENDLY_PATTERNS = {
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "a DNS-1123 label (lower-case letters, digits and '-', "
    "starting and ending with a letter or digit)",
    "^/": "a path starting with '/'",
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


def _yaml_type(value: Any) -> str:
    if value is None:
        return "null"
    return next((n for t, n in PYTHON_TYPES if isinstance(value, t)), type(value).__name__)


def _yaml_types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return " or ".join(YAML_TYPES.get(str(n), str(n)) for n in names)


@cache
def _friendly_patterns() -> dict[str, str]:
    """FRIENDLY_PATTERNS, and the schema's quantity pattern (read from it, not copied)."""
    quantity = str(catalogue_schema()["$defs"]["quantity"]["pattern"])
    return {**FRIENDLY_PATTERNS, quantity: "a Kubernetes quantity such as 500m, 2, 256Mi"}


@cache
def catalogue_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path(SCHEMA_FILE).read_text(encoding="utf-8"))
    return loaded


@cache
def _fast_validator() -> Any:
    return jsonschema_rs.validator_for(catalogue_schema())


@cache
def _full_validator() -> jsonschema.Draft202012Validator:
    # Imported here: only a file that fails needs it, and importing it was a tenth of the
    # start-up of every command that loads a catalogue.
    import jsonschema

    return jsonschema.Draft202012Validator(catalogue_schema())


def validate_file(yf: YamlFile) -> list[Diagnostic]:
    """Schema findings for one catalogue file (empty when valid)."""
    if _fast_validator().is_valid(yf.data):
        return []
    found = [_finding(yf, e) for e in _full_validator().iter_errors(yf.data)]
    return [d for group in found for d in group]


def _finding(yf: YamlFile, error: jsonschema.ValidationError) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    keyword = str(error.validator)
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        return _unknown_fields(yf, path, error)
    code, name = KEYWORD_CODES.get(keyword, VALUE_CODE)
    line, col = locate(yf.data, path)
    return [Diagnostic(Location(yf.path, line, col), code, _message(error, path), "error", name)]


def _unknown_fields(
    yf: YamlFile, path: tuple[str | int, ...], error: jsonschema.ValidationError
) -> list[Diagnostic]:
    schema: Any = error.schema
    instance: Any = error.instance
    known = sorted(schema.get("properties", {}))
    out = []
    for extra in (k for k in instance if k not in known):
        line, col = locate(yf.data, (*path, extra), key=True)
        hint = difflib.get_close_matches(extra, known, n=1, cutoff=0.6)
        where = f" in {_dotted(path)}" if path else ""
        text = f"unknown field '{extra}'{where}"
        text += f"; did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(known)})"
        out.append(Diagnostic(Location(yf.path, line, col), "S001", text, "error", "unknown-field"))
    return out


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


MAX_SHOWN = 80  # characters of an offending value quoted in a message


def _shown(value: Any, path: tuple[str | int, ...]) -> str:
    """How an offending value is quoted: never the value of a credential-named field (the
    shapes of tokens are masked for every message in `Diagnostic`), never a megabyte."""
    key = path[-1] if path and isinstance(path[-1], str) else ""
    if is_secret_key(key) and not isinstance(value, dict | list):
        return "(the value, not shown: the field is named like a credential)"
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 4]}...{text[-1]}"


def _message(error: jsonschema.ValidationError, path: tuple[str | int, ...]) -> str:
    message = _raw_message(error, path)
    full, shown = repr(error.instance), _shown(error.instance, path)
    return message.replace(full, shown) if full != shown else message


def _raw_message(error: jsonschema.ValidationError, path: tuple[str | int, ...]) -> str:
    where = _dotted(path) or "document"
    keyword = str(error.validator)
    value: Any = error.instance
    wanted: Any = error.validator_value
    if keyword == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        return f"{where}: missing required field '{missing}'"
    if keyword == "type":
        expected = error.validator_value
        hint = ""
        if expected == "string" and isinstance(value, bool | int | float):
            hint = " (YAML read it as a number or boolean: put it in quotes)"
        got = "null" if value is None else f"{_yaml_type(value)} {value!r}"
        return f"{where}: expected {_yaml_types(expected)}, got {got}{hint}"
    if keyword == "enum":
        options = [str(v) for v in wanted]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{where}: {value!r} is not one of {', '.join(options)}{hint}"
    if keyword == "const":
        schema: Any = error.schema
        text = str(schema.get("description", ""))
        why = f" ({text})" if text and not text.startswith("Always") else ""
        return f"{where}: must be {wanted!r}, got {value!r}{why}"
    if keyword == "pattern":
        pattern = str(error.validator_value)
        wanted = _friendly_patterns().get(pattern, f"text matching {pattern}")
        return f"{where}: {value!r} is not {wanted}"
    if keyword in ("maxLength", "minLength") and isinstance(value, str):
        bound = "at most" if keyword == "maxLength" else "at least"
        return f"{where}: {value!r} is {len(value)} characters; it must have {bound} {wanted}"
    return f"{where}: {error.message}"
