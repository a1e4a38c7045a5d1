"""Helm's errors and lint messages as findings on the chart's own files: a template error
(K201) on the `chart/templates/file:line:col` Helm names, a value values.schema.json
refuses (K202) where the placement or values.yaml sets it, a chart that does not load
(K204) on the key or line at fault (Helm says only 'line N'), lint's other messages (K203).

Only the text of what Helm says is read here. The SDK is imported for its types alone:
importing it starts Go (0.08 s), whose runtime does not survive a fork, so only the
modules that call it import it (helm.py, chartlint.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.fsnames import os_form
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.helmwarn import chart_values
from edgemodels.validate.pointers import Pointer, position, value_at
from edgemodels.validate.releases import Release
from edgemodels.validate.report import Finding, at_pointer
from edgemodels.validate.streamload import load_stream

if TYPE_CHECKING:
    import helm_python

    from edgemodels.validate.chartlint import LintMessage

_TEMPLATE_AT = re.compile(
    r"(?P<file>[^\s():]+?\.(?:ya?ml|tpl|txt|json)):(?P<line>[0-9]+)(?::(?P<col>[0-9]+))?"
)


_VALUES_LINE = re.compile(r"^- at '(?P<pointer>[^']*)': (?P<message>.*)$")


_EXTRA = re.compile(r"additional propert(?:y|ies) '(?P<name>[^']+)'")


_NAMING = "object name does not conform to Kubernetes naming requirements"


def template_location(chart: str, text: str) -> Location | None:
    """The template file:line:col that a Helm error message names, as a tree path."""
    match = _TEMPLATE_AT.search(text)
    if match is None:
        return None
    inside = match["file"].split("/", 1)[1] if "/" in match["file"] else match["file"]
    return Location(f"{chart}/{os_form(inside)}", int(match["line"]), int(match["col"] or 1))


def one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.strip().splitlines() if part.strip())


def render_error(chart: str, error: helm_python.HelmError) -> Diagnostic:
    text = str(error)
    where = template_location(chart, text) or Location(f"{chart}/Chart.yaml", 1, 1)
    return diagnostic("K201", where, f"template error: {one_line(text)}")


def values_errors(
    chart: str, release: Release, error: helm_python.HelmError, root: Path | None = None
) -> list[Diagnostic]:
    """One K202 per schema error, placed where the bad value is set: in the placement's
    values when it sets it, else on the chart's values.yaml line (a bad default)."""
    found = []
    for line in str(error).splitlines():
        match = _VALUES_LINE.match(line.strip())
        if match is None:
            continue
        message = (
            f"values break {chart}/values.schema.json at {match['pointer'] or '/'}: "
            f"{match['message']}"
        )
        inner: Pointer = tuple(p for p in match["pointer"].split("/") if p)
        extra = _EXTRA.search(match["message"])  # on the key not allowed, where it is set
        if extra is not None:
            named = (*inner, extra["name"])
            if value_at(release.values, named) is not None or (
                root is not None and default_location(root, chart, named) is not None
            ):
                inner = named
        pointer = (*release.values_pointer, *inner)
        owner = release.owner
        if owner is not None and value_at(release.values, inner) is not None:
            found.append(at_pointer(owner, pointer, "K202", message))
        elif root is not None and (where := default_location(root, chart, inner)) is not None:
            found.append(diagnostic("K202", where, message))
        elif owner is None:
            found.append(diagnostic("K202", Location(f"{chart}/values.yaml", 1, 1), message))
        else:  # set nowhere (a required value missing): on the values' owner
            found.append(at_pointer(owner, pointer, "K202", message))
    if not found:
        broken = root is not None and _broken_schema(root, chart)
        if broken:
            return [broken]
        found.append(
            diagnostic("K202", Location(f"{chart}/values.yaml", 1, 1), one_line(str(error)))
        )
    return found


def default_location(root: Path, chart: str, pointer: Pointer) -> Location | None:
    """Where the chart's values.yaml sets the value at `pointer`, if it does."""
    values = chart_values(root, chart)
    if values is None or value_at(values[1], pointer) is None:
        return None
    return Location(f"{chart}/values.yaml", *position(values[0], 0, pointer))


def _broken_schema(root: Path, chart: str) -> Diagnostic | None:
    """K204 where the chart's values.schema.json is no JSON: no values can meet it, and
    the values are not what is wrong (Helm names no place)."""
    rel = f"{chart}/values.schema.json"
    try:
        json.loads((root / rel).read_bytes())
    except OSError:
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        where = (
            Location(rel, exc.lineno, exc.colno)
            if isinstance(exc, json.JSONDecodeError)
            else Location(rel, 1, 1)
        )
        message = f"values.schema.json is not JSON ({exc}): no values can be checked against it"
        return diagnostic("K204", where, message)
    return None


# Lint's template rule decodes each rendered template and stops at the first document it
# cannot read (a YAML error, or a document that is no mapping), naming only the rendered
# line: "unable to parse YAML: error converting YAML to JSON: yaml: line 16: ...".
_UNPARSED = "unable to parse YAML"
# What a render says of the same rendered documents, on the template line (helm.py)
RENDERED_PARSE_CODES = ("K205", "K107")


def parse_failures(findings: Sequence[Finding]) -> frozenset[str]:
    """The templates whose rendered output a render already reported as unreadable YAML."""
    return frozenset(
        d.location.path
        for d, _ in findings
        if d.code in RENDERED_PARSE_CODES and d.message.startswith("rendered output:")
    )


def lint_findings(
    root: Path,
    chart: str,
    context: str,
    messages: Sequence[LintMessage],
    unparsed: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Lint's messages as findings; one that a template's output does not parse is left
    out where a render said so (`unparsed`, parse_failures): the render's K205 or K107
    names the template line, lint's only the rendered one, and a second finding on the
    same mistake was one too many. Lint's other messages on that template stay."""
    findings: list[Finding] = []
    schema_broken = any(m.path == "values.yaml" for m in messages) and _broken_schema(root, chart)
    for message in messages:
        severity, text = message.severity, message.error
        if schema_broken and message.path == "values.yaml":
            continue  # the values rule cannot read the schema: K204 says it is no JSON
        if text.startswith(_UNPARSED) and f"{chart}/{os_form(message.path)}" in unparsed:
            continue
        if (
            severity not in (2, 3)
            or _VALUES_LINE.match(text.strip())
            or "values don't meet" in text
            or _NAMING in text
        ):
            # info lines; values-schema errors are reported per placement as K202, and
            # object names on every chart (shared lint or not) as K328/K329
            continue
        where = template_location(chart, text)
        if where is not None and severity == 3:
            findings.append(
                (diagnostic("K201", where, f"template error: {one_line(text)}"), context)
            )
            continue
        target = f"{chart}/{os_form(message.path)}".rstrip("/")  # Helm's text: a file name
        if not (root / target).is_file():
            target = f"{chart}/Chart.yaml"
        level: Severity = "error" if severity == 3 else "warning"
        where = Location(target, 1, 1)
        if target.endswith("/Chart.yaml"):  # on the field lint names ("version '1' is ...")
            try:
                content = (root / target).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                content = ""
            words = [w.strip("'\":,") for w in text.split()[:3]]
            where = field_location(target, content, [w for w in words if w != "chart"])
        diag = diagnostic("K203", where, f"helm lint: {one_line(text)}", severity=level)
        findings.append((diag, ""))
    return findings


_CANNOT_LOAD = re.compile(r"cannot load (?P<file>Chart\.yaml|values\.yaml)")


_HELM_LINE = re.compile(r"\bline (?P<line>[0-9]+)\b")


_METADATA_FIELD = re.compile(r"chart\.metadata\.(?P<field>[A-Za-z]+)")


def load_error_location(root: Path, chart: str, text: str) -> Location:
    """Where in the chart's files the reason Helm cannot load it is: a YAML error where this
    program's reader places it (Helm says only 'line N'), a Chart.yaml field on its key."""
    match = _CANNOT_LOAD.search(text)
    name = match["file"] if match else "Chart.yaml"
    rel = f"{chart}/{name}"
    try:
        content = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Location(rel, 1, 1)
    if match:
        problem = next((d for d in load_stream(rel, content).diagnostics), None)
        line = _HELM_LINE.search(text)
        if problem is not None and (line is None or int(line["line"]) == problem.line):
            return problem.location
        return Location(rel, int(line["line"]) if line else 1, 1)
    field = _METADATA_FIELD.search(text)
    return field_location(rel, content, [field["field"]] if field else [])


def field_location(rel: str, content: str, keys: Sequence[str]) -> Location:
    """The first of `keys` that the chart file `rel` sets, on its key; else its first line."""
    docs = load_stream(rel, content).documents
    data = docs[0][0] if len(docs) == 1 else None
    key = next((k for k in keys if isinstance(data, dict) and k in data), None)
    return Location(rel, *position(content, 0, (key,), at_key=True)) if key else Location(rel, 1, 1)
