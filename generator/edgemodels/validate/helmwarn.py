"""K213: what Helm logged on stderr while it loaded, rendered or linted a chart.

Helm goes on after these (helmlog.py catches them per call), so they are warnings, or notes
where Helm only informs: a value it drops because the values given and the chart's defaults
disagree in shape (a table against a value that is not one), globals it skips, a symlink it
follows. Each goes on the chart: a value on its key in the chart's values.yaml, a symlink on
the link. The same warning from several calls (a render and the lint, which words it
without the chart's name) is one finding, naming every placement whose values gave it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.pointers import Pointer, position
from edgemodels.validate.report import Finding
from edgemodels.validate.streamload import load_stream

Heard = tuple[str, str]  # (context: which release's call, a Go log line's text)

_TABLE_GIVEN = re.compile(
    r"warning: (?:destination for (?P<key>\S+) is a table\. Ignoring non-table value \(.*\)"
    r"|skipped value for (?P<key2>\S+): Not a table\.)",
    re.DOTALL,
)
_TABLE_DEFAULT = re.compile(
    r"warning: cannot overwrite table with non table for (?P<key>\S+) \(.*\)", re.DOTALL
)
_GLOBALS = re.compile(r"warning: skipping globals because source global is not a table\.")
_SYMLINK = re.compile(
    r"INFO found symbolic link in path\..* path=(?P<path>\"(?:[^\"\\]|\\.)*\"|\S+)"
    r" resolved=(?P<resolved>\"(?:[^\"\\]|\\.)*\"|\S+)"
)
# Lint's forms of a K201: a `required` or `fail` its template rule lets pass, logged
LINT_PASSED = re.compile(r"(?:WARN missing required value|INFO funcMap fail)\b")
_MAX_TEXT = 300


def of_shape(text: str) -> bool:
    """Whether `text` is Helm's word of a value and a default that disagree in shape."""
    return bool(_TABLE_GIVEN.fullmatch(text) or _TABLE_DEFAULT.fullmatch(text))


def heard_findings(root: Path, chart: str, name: str, heard: Sequence[Heard]) -> list[Finding]:
    """One K213 per thing Helm said of the chart `chart` (named `name` in Chart.yaml)."""
    groups: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for context, text in heard:
        contexts, texts = groups.setdefault(_what(text, name), (set(), set()))
        contexts.add(context)
        texts.add(text)
    values = chart_values(root, chart)
    found: list[Finding] = []
    for (kind, subject), (contexts, texts) in sorted(groups.items()):
        raw = min(texts)
        text = _helm_words(root, raw)
        if kind == "symlink":  # the chart's, whatever the values
            diag, contexts = _symlink(root, chart, raw, text), {""}
        else:
            where, message, severity = _located(kind, subject, chart, values, text)
            diag = diagnostic("K213", where, message, severity=severity)
        found.extend((diag, context) for context in sorted(contexts))
    return found


def _what(text: str, name: str) -> tuple[str, str]:
    """(kind, subject): the same for every line that says one thing of one key or file."""
    for kind, pattern in (("table-given", _TABLE_GIVEN), ("table-default", _TABLE_DEFAULT)):
        match = pattern.fullmatch(text)
        if match is not None:
            key = match["key"] or match.groupdict().get("key2") or ""
            return kind, key.removeprefix(f"{name}.")  # a render's names the chart, lint's not
    if _GLOBALS.fullmatch(text):
        return "globals", "global"
    match = _SYMLINK.search(text)
    if match is not None:
        return "symlink", _unquote(match["path"])
    return "other", text


def _located(
    kind: str, key: str, chart: str, values: tuple[str, object] | None, text: str
) -> tuple[Location, str, Severity]:
    rel = f"{chart}/values.yaml"
    where = Location(rel, 1, 1) if values is not None else Location(f"{chart}/Chart.yaml", 1, 1)
    if kind == "other":
        severity: Severity = "info" if text.startswith(("INFO", "DEBUG")) else "warning"
        return where, f"Helm logged: {text}", severity
    pointer: Pointer = tuple(key.split("."))
    if values is not None and isinstance(values[1], dict) and pointer[0] in values[1]:
        where = Location(rel, *position(values[0], 0, pointer, at_key=True))
    if kind == "table-given":
        what = (
            f"values given set '{key}' to a table where the chart's default is not one: "
            "Helm drops the default"
        )
    elif kind == "table-default":
        what = (
            f"values given set '{key}' to a value that is not a table where the chart's "
            "default is one: Helm drops the default table"
        )
    else:
        what = "values given set 'global' to a value that is not a table: Helm skips the globals"
    return where, f"{what} (Helm: {text})", "warning"


def _symlink(root: Path, chart: str, raw: str, text: str) -> Diagnostic:
    match = _SYMLINK.search(raw)
    assert match is not None
    link = _relative(root, _unquote(match["path"]))
    resolved = _relative(root, _unquote(match["resolved"]))
    inside = not resolved.startswith("../") and resolved != ".."
    where = Location(link if not link.startswith(("/", "../")) else f"{chart}/Chart.yaml", 1, 1)
    if inside:
        message = f"Helm follows the symlink {link} to {resolved} and reads what it holds"
        return diagnostic("K213", where, f"{message} (Helm: {text})", severity="info")
    resolved = os.path.abspath(_unquote(match["resolved"]))
    message = (
        f"Helm follows the symlink {link} out of the tree to {resolved}: it reads this "
        "machine's files, which RHACM's clone of the branch lacks"
    )
    return diagnostic("K213", where, f"{message} (Helm: {text})", severity="warning")


def chart_values(root: Path, chart: str) -> tuple[str, object] | None:
    """(text, data) of the chart's values.yaml; None when it cannot be read."""
    rel = f"{chart}/values.yaml"
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    docs = load_stream(rel, text).documents
    return text, docs[0][0] if docs else None


def _helm_words(root: Path, text: str) -> str:
    """Helm's line on one line, its paths below the tree relative to it, not overlong."""
    text = text.replace(os.path.abspath(root) + os.sep, "")
    text = " ".join(text.split())
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _relative(root: Path, path: str) -> str:
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix()
