"""JSON Schema findings for the plan's input files (site inventory, workload placement).

Same codes and positions as the catalogue's schema findings: S001 unknown-field,
S002 missing-field, S003 wrong-type, S004 invalid-value. jsonschema-rs answers "valid?";
only an invalid file goes through `jsonschema` for paths and messages.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs

from edgemodels.catalogue.fullvalidator import full_validator
from edgemodels.catalogue.schema import misspelt_required, unknown_field_text
from edgemodels.catalogue.schemawords import quantity_patterns, raw_message
from edgemodels.catalogue.slowquantities import slow_quantities
from edgemodels.data import schema_path
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.pairhints import key_hint, pair_in_key
from edgemodels.yamlio import YamlFile, dotted, locate
from edgemodels.yamltree import PosMap

KEYWORD_CODES = {
    "additionalProperties": ("S001", "unknown-field"),
    "required": ("S002", "missing-field"),
    "type": ("S003", "wrong-type"),
}
VALUE_CODE = ("S004", "invalid-value")
MAX_SCHEMA_FINDINGS = 200
MAX_MESSAGE_CHARS = 240  # jsonschema puts the whole offending value in its messages


@cache
def _schema(filename: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path(filename).read_text(encoding="utf-8"))
    return loaded


@cache
def _fast(filename: str) -> Any:
    return jsonschema_rs.validator_for(_schema(filename))


@cache
def _full(filename: str) -> jsonschema.Draft202012Validator:
    return full_validator(_schema(filename))


def schema_findings(yf: YamlFile, filename: str) -> list[Diagnostic]:
    """Findings for `yf` against the schema `schemas/<filename>` (empty when valid), and
    the quantities (the catalogue's patterns) that take the API server long to parse."""
    slow = slow_quantities(yf, _schema(filename), frozenset(quantity_patterns()))
    if _fast(filename).is_valid(yf.data):
        return slow
    found: list[Diagnostic] = slow
    told: set[tuple[int, int]] = set()  # where a key holding a whole pair was said
    for error in _full(filename).iter_errors(yf.data):
        if str(error.validator) == "required" and misspelt_required(error):
            continue  # the S001 on the misspelt key says it, with a did-you-mean
        finding = _finding(yf, error)
        if _pair_mistake(error):
            # `{env=lrt}`: a key that is no label key and a value that is null, one mistake
            # with one fix, said once
            at = (finding.location.line, finding.location.col)
            if at in told:
                continue
            told.add(at)
        found.append(finding)
        if len(found) >= MAX_SCHEMA_FINDINGS:
            break
    return found


def _pair_mistake(error: jsonschema.ValidationError) -> bool:
    """Is `error` about a key that holds a whole pair (`env=lrt`, read with no value)?"""
    path, value = tuple(error.absolute_path), error.instance
    if "propertyNames" in error.absolute_schema_path:
        return isinstance(value, str) and key_hint(value) != ""
    return pair_in_key(path, value)


def _finding(yf: YamlFile, error: jsonschema.ValidationError) -> Diagnostic:
    path = tuple(error.absolute_path)
    keyword = str(error.validator)
    code, name = KEYWORD_CODES.get(keyword, VALUE_CODE)
    line, col = locate(yf.data, path, key=pair_in_key(path, error.instance))
    node = _node_at(yf.data, path)
    bad_key = error.instance
    naming = "propertyNames" in error.absolute_schema_path
    if naming and isinstance(node, PosMap) and isinstance(bad_key, str):
        line, col = node.key_pos.get(bad_key, (line, col))
        where = dotted(path) or "document"
        message = _short(f"{where}: key {bad_key!r} is not a valid label key{key_hint(bad_key)}")
        return Diagnostic(Location(yf.path, line, col), code, message, "error", name)
    if keyword == "additionalProperties" and isinstance(node, PosMap):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = set(schema.get("properties", {}))
        extra = next((k for k in node if k not in known), None)
        if extra is not None:
            line, col = node.key_pos[extra]
            text = unknown_field_text(extra, path, sorted(known))
            return Diagnostic(Location(yf.path, line, col), code, _short(text), "error", name)
    return Diagnostic(
        Location(yf.path, line, col), code, _short(_message(error, path)), "error", name
    )


def _short(message: str) -> str:
    if len(message) > MAX_MESSAGE_CHARS:
        return message[: MAX_MESSAGE_CHARS - 3] + "..."
    return message


def _node_at(root: Any, path: tuple[str | int, ...]) -> Any:
    node = root
    for step in path:
        node = node[step]
    return node


def _message(error: jsonschema.ValidationError, path: tuple[str | int, ...]) -> str:
    keyword = str(error.validator)
    value = error.instance
    if keyword in _SIZES and isinstance(value, list | dict | str):
        # jsonschema quotes the whole value first: cut to 240 characters, the limit was lost.
        where = dotted(path) or "document"
        return f"{where}: {len(value)} {_SIZES[keyword]}; the limit is {error.validator_value}"
    return raw_message(error, path)


_SIZES = {"maxItems": "items", "maxProperties": "entries", "maxLength": "characters"}
