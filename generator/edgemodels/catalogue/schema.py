"""Schema validation of catalogue files, with findings on the exact line.

jsonschema-rs answers "valid?" in microseconds; only a file that fails goes through
`jsonschema`, whose error objects give the path, keyword and schema needed for a clear
message. Errors are mapped from their JSON path back to the offending key or value.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from edgemodels.catalogue.fullvalidator import full_validator
from edgemodels.catalogue.schemawords import (
    quantity_patterns,
    schema_message,
    yaml_text,
    yaml_type,
)
from edgemodels.catalogue.slowquantities import slow_quantities
from edgemodels.data import catalogue_schema
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.names import number_version_hint
from edgemodels.pairhints import pair_in_key
from edgemodels.yamlio import YamlFile, dotted, locate
from edgemodels.yamltree import Pos

if TYPE_CHECKING:
    import jsonschema

KEYWORD_CODES = {
    "additionalProperties": ("S001", "unknown-field"),
    "required": ("S002", "missing-field"),
    "type": ("S003", "wrong-type"),
}
VALUE_CODE = ("S004", "invalid-value")


@cache
def _fast_validator() -> Any:
    return jsonschema_rs.validator_for(catalogue_schema())


@cache
def _full_validator() -> jsonschema.Draft202012Validator:
    # `jsonschema` is imported by the call: only a file that fails needs it, and importing
    # it was a tenth of the start-up of every command that loads a catalogue.
    return full_validator(catalogue_schema())


def validate_file(yf: YamlFile) -> list[Diagnostic]:
    """Schema findings for one catalogue file (empty when valid), and the quantities that
    take the API server a long time to parse, which no pattern can tell."""
    slow = slow_quantities(yf, catalogue_schema(), frozenset(quantity_patterns()))
    if _fast_validator().is_valid(yf.data):
        return slow
    if (foreign := _foreign(yf)) is not None:
        return [foreign]
    found = [_finding(yf, e) for e in _full_validator().iter_errors(yf.data)]
    return [d for group in found for d in group] + slow


def _foreign(yf: YamlFile) -> Diagnostic | None:
    """One S004 for a file of another API group's kind (a ConfigMap, a Deployment dropped
    into catalogue/models/), not one per field it has; a misspelt kind or apiVersion of
    edgemodels' own keeps the findings of its fields."""
    data: Any = yf.data
    if not isinstance(data, dict):
        return None
    api, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str) or api.startswith("edgemodels.io"):
        return None
    if kind == "ModelCatalogue":  # its apiVersion mistyped: S004 there says so
        return None
    own = "edgemodels.io/v1alpha1"
    text = (
        f"kind: this file is a {kind} (apiVersion {api}), no catalogue file (apiVersion "
        f"{own}, kind ModelCatalogue); a catalogue folder's every *.yaml and *.yml file is "
        f"read: move it out of the folder, or name it .{PurePosixPath(yf.path).name}"
    )
    line, col = locate(yf.data, ("kind",))
    code, name = VALUE_CODE
    return Diagnostic(Location(yf.path, line, col), code, text, "error", name)


def _finding(yf: YamlFile, error: jsonschema.ValidationError) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    keyword = str(error.validator)
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        return _unknown_fields(yf, path, error)
    if keyword == "required" and misspelt_required(error):
        return []  # the S001 on the misspelt key says it, with a did-you-mean
    if keyword == "uniqueItems" and (twice := _listed_twice(yf, path, error)) is not None:
        return [twice]
    code, name = KEYWORD_CODES.get(keyword, VALUE_CODE)
    if "propertyNames" in error.relative_schema_path:
        # At the key named, not at the start of its mapping.
        line, col = locate(yf.data, (*path, str(error.instance)), key=True)
    else:
        line, col = locate(yf.data, path, key=pair_in_key(path, error.instance))
    text = _number_version(yf, path, error, (line, col)) or schema_message(error, path)
    return [Diagnostic(Location(yf.path, line, col), code, text, "error", name)]


def _number_version(
    yf: YamlFile, path: tuple[str | int, ...], error: jsonschema.ValidationError, at: Pos
) -> str | None:
    """`version: 2.2` gets the whole fix in one finding: "put it in quotes" alone led to a
    second round, R206 on '2.2' (Helm needs MAJOR.MINOR.PATCH)."""
    value: Any = error.instance
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if str(error.validator) != "type" or not is_number or not _is_model_version(path):
        return None
    shown = yaml_text(value)
    typed = _typed(yf.text, at)
    # A tag or an anchor stands before the number; an alias (*v) is what was written.
    written = typed if typed and not typed.startswith(("!", "&")) else shown
    read = "it as a number" if written == shown else f"{written} as the number {shown}"
    hint = number_version_hint(written, _packaging(yf.data, path))
    got = f"{yaml_type(value)} {shown}"
    return f"{dotted(path)}: expected string, got {got} (YAML read {read}: {hint})"


def _is_model_version(path: tuple[str | int, ...]) -> bool:
    return len(path) == 4 and path[:2] == ("spec", "models") and path[3] == "version"


def _typed(text: str, at: Pos) -> str | None:
    """The plain scalar as typed at (line, column), 1-based: `1.10`, where YAML read 1.1."""
    lines = text.splitlines()
    line, col = at
    found = _PLAIN.match(lines[line - 1], col - 1) if 0 < line <= len(lines) else None
    return found[0] if found else None


def _packaging(data: Any, path: tuple[str | int, ...]) -> str | None:
    """The model's packaging as far as its own file tells (None: decided elsewhere, or the
    default, helm)."""
    model = data["spec"]["models"][path[2]]
    defaults = data["spec"].get("defaults")
    for where in (model, defaults):
        packaging = where.get("packaging") if isinstance(where, dict) else None
        if isinstance(packaging, str):
            return packaging
    return None


def misspelt_required(error: jsonschema.ValidationError) -> bool:
    """A required field that is missing because it is misspelt (`wraper:`)."""
    instance: Any = error.instance
    schema: Any = error.schema
    known = set(schema.get("properties", {}))
    required: Any = error.validator_value
    missing = [k for k in required if isinstance(instance, dict) and k not in instance]
    extras = [k for k in instance if k not in known] if isinstance(instance, dict) else []
    import difflib  # here, as in every did-you-mean: a valid catalogue never needs it

    for field in missing:
        if not any(
            difflib.get_close_matches(e, sorted(known), n=1, cutoff=0.6) == [field] for e in extras
        ):
            return False
    return bool(missing)


def _unknown_fields(
    yf: YamlFile, path: tuple[str | int, ...], error: jsonschema.ValidationError
) -> list[Diagnostic]:
    schema: Any = error.schema
    instance: Any = error.instance
    known = sorted(schema.get("properties", {}))
    extras = [k for k in instance if k not in known]
    if (pasted := _model_under_targets(yf, path, extras)) is not None:
        return [pasted]
    out = []
    for extra in extras:
        line, col = locate(yf.data, (*path, extra), key=True)
        text = unknown_field_text(extra, path, known)
        out.append(Diagnostic(Location(yf.path, line, col), "S001", text, "error", "unknown-field"))
    return out


def unknown_field_text(extra: str, path: tuple[str | int, ...], known: list[str]) -> str:
    import difflib

    hint = difflib.get_close_matches(extra, known, n=1, cutoff=0.6)
    where = f" in {dotted(path)}" if path else ""
    text = f"unknown field '{extra}'{where}"
    if extra == "valueFrom" and "secretKeyRef" in known:  # Kubernetes' spelling, one level up
        return f"{text}: write {{secretKeyRef: {{name, key}}}} (or configMapKeyRef) without it"
    return text + (f"; did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(known)})")


def _listed_twice(
    yf: YamlFile, path: tuple[str | int, ...], error: jsonschema.ValidationError
) -> Diagnostic | None:
    """S004 at an entry that repeats one before it, naming both places: jsonschema says
    "['a', 'b', 'a'] has non-unique elements", in Python's words, at the list."""
    items: Any = error.instance
    if not isinstance(items, list):
        return None
    for second, item in enumerate(items):
        first = next((i for i in range(second) if _same(items[i], item)), None)
        if first is not None:
            line, col = locate(yf.data, (*path, second))
            at = ":".join(map(str, locate(yf.data, (*path, first))))
            text = f"{dotted(path)}: {yaml_text(item)} is listed twice (first at {at}): remove one"
            code, name = VALUE_CODE
            return Diagnostic(Location(yf.path, line, col), code, text, "error", name)
    return None


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON Schema's uniqueItems compares: 1 and true are two values."""
    return type(a) is type(b) and a == b


MODEL_FIELDS = ("version", "wrapper", "image", "http", "container", "packaging")


def _model_under_targets(
    yf: YamlFile, path: tuple[str | int, ...], extras: list[str]
) -> Diagnostic | None:
    """A model pasted under `targets:` gets one finding that says so, not one per field."""
    fields = [e for e in extras if e in MODEL_FIELDS]
    if len(path) != 3 or path[:2] != ("spec", "targets") or len(fields) < 2:
        return None
    line, col = locate(yf.data, (*path, fields[0]), key=True)
    text = (
        f"target '{path[2]}' has model fields ({', '.join(fields)}): a model goes under "
        f"spec.models, as a list item '- name: {path[2]}'"
    )
    return Diagnostic(Location(yf.path, line, col), "S001", text, "error", "unknown-field")


_PLAIN = re.compile(r"[^\s,\]}#]+")
