"""Reporters: findings to text or machine formats. Chosen from a plain dict by name.

Each reporter is a pure function `(findings, subject) -> str`. The CI formats:
- sarif: SARIF 2.1.0, for code-scanning views (GitHub, GitLab, IDEs).
- junit: JUnit XML, one testcase per finding (errors fail, warnings/notes pass with output).
- gitlab: GitLab Code Quality JSON, for the merge-request widget.
- github: GitHub Actions workflow commands, shown as annotations on the changed lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from urllib.parse import quote

from edgemodels import __version__
from edgemodels.diagnostics import Diagnostic, count_by_severity
from edgemodels.display import shown_in

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

# How a text line is styled on a terminal; identity when plain. Roles: error, warning,
# info, location, code, summary.
Style = Callable[[str, str], str]


def _plain(text: str, role: str) -> str:
    return text


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 model`, `2 models`, `0 models` (`nouns`: an irregular plural)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def are(count: int) -> str:
    """The verb after `plural(count, ...)`: `1 site is`, `2 sites are`."""
    return "is" if count == 1 else "are"


def summary_line(diags: Sequence[Diagnostic], subject: str) -> str:
    counts = count_by_severity(diags)
    if not diags:
        return f"{subject}: no findings"
    parts = [plural(counts["error"], "error"), plural(counts["warning"], "warning")]
    if counts["info"]:
        parts.append(plural(counts["info"], "note"))
    return f"{subject}: " + ", ".join(parts)


def render_text(diags: Sequence[Diagnostic], subject: str) -> str:
    return render_text_styled(diags, subject, _plain)


def render_text_styled(diags: Sequence[Diagnostic], subject: str, style: Style) -> str:
    """The text report; `style` colours its parts (the words are the same as plain)."""
    lines = []
    for d in diags:
        head = f"{style(str(d.location), 'location')}: {style(d.code, d.severity)}"
        if d.severity != "error":
            head += f" [{style(d.severity, d.severity)}]"
        tail = ""
        if d.origin is not None and d.origin != d.location:
            tail = f" (from {d.origin})"
        lines.append(f"{head} {d.message}{tail}")
    lines.append(style(summary_line(diags, subject), "summary"))
    return "\n".join(lines) + "\n"


def diagnostic_dict(d: Diagnostic) -> dict[str, object]:
    out: dict[str, object] = {
        "path": d.path,
        "line": d.line,
        "col": d.col,
        "code": d.code,
        "name": d.name,
        "severity": d.severity,
        "message": d.message,
    }
    if d.origin is not None:
        out["origin"] = {"path": d.origin.path, "line": d.origin.line, "col": d.origin.col}
    if d.sites:
        out["sites"] = list(d.sites)
    return out


def render_json(diags: Sequence[Diagnostic], subject: str) -> str:
    doc = {
        "subject": subject,
        "summary": count_by_severity(diags),
        "findings": [diagnostic_dict(d) for d in diags],
    }
    return json.dumps(shown_in(doc), indent=2, sort_keys=False) + "\n"


def _message(d: Diagnostic) -> str:
    """The message with the catalogue line it came from, for formats with one location."""
    if d.origin is not None and d.origin != d.location:
        return f"{d.message} (from {d.origin})"
    return d.message


# --- SARIF 2.1.0 ---------------------------------------------------------------------------

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _artifact_uri(path: str) -> str:
    """A URI reference for a path: relative paths stay relative (resolved against the
    checkout by the viewer), absolute ones become file URIs."""
    if path.startswith("/"):
        return "file://" + quote(path, errors="surrogateescape")
    return quote(path, errors="surrogateescape")  # a file name's bytes, whatever the locale


def _sarif_location(path: str, line: int, col: int) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": {"uri": _artifact_uri(path)}}
    if line > 0:
        physical["region"] = {"startLine": line, "startColumn": max(col, 1)}
    return {"physicalLocation": physical}


def _sarif_rules(diags: Sequence[Diagnostic]) -> list[dict[str, object]]:
    names: dict[str, str] = {}
    for d in diags:
        names.setdefault(d.code, d.name)
    rules = []
    for code in sorted(names):
        rule: dict[str, object] = {"id": code}
        if names[code]:
            rule["name"] = names[code]
            rule["shortDescription"] = {"text": names[code].replace("-", " ")}
        rules.append(rule)
    return rules


def _sarif_result(
    d: Diagnostic, index: dict[str, int], new: Callable[[Diagnostic], bool] | None
) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": _SARIF_LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [_sarif_location(d.path, d.line, d.col)],
        "partialFingerprints": {"edgemodels/v1": _fingerprint(d, 0)},
    }
    if d.origin is not None and d.origin != d.location:
        related = _sarif_location(d.origin.path, d.origin.line, d.origin.col)
        related["id"] = 1
        related["message"] = {"text": "catalogue entry that produced this object"}
        result["relatedLocations"] = [related]
    if d.sites:  # the message names ten at most; a result's property bag holds them all
        result["properties"] = {"sites": list(d.sites)}
    if new is not None:  # against a base run: this change's finding, or one it had already
        result["baselineState"] = "new" if new(d) else "unchanged"
    return result


def render_sarif(
    diags: Sequence[Diagnostic],
    subject: str,
    properties: dict[str, object] | None = None,
    new: Callable[[Diagnostic], bool] | None = None,
) -> str:
    """`properties`: the run's property bag (plan's summary); `new`: with a base to compare
    with, whether a finding is new (each result's baselineState)."""
    rules = _sarif_rules(diags)
    index = {str(rule["id"]): i for i, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "edgemodels",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"description": {"text": subject}},
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(d, index, new) for d in diags],
    }
    if properties:
        run["properties"] = properties
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(shown_in(doc), indent=2) + "\n"


# --- JUnit XML -----------------------------------------------------------------------------


def render_junit(diags: Sequence[Diagnostic], subject: str, system_out: str | None = None) -> str:
    """One testcase per finding; errors are failures. A clean run is one passing testcase.
    `system_out`: the suite's own output (plan's report), shown with the suite."""
    # Imported here: every command imports this module, and only this report needs XML.
    import xml.etree.ElementTree as ET

    counts = count_by_severity(diags)
    total = str(max(len(diags), 1))
    failures = str(counts["error"])
    suites = ET.Element("testsuites", name="edgemodels", tests=total, failures=failures)
    suite = ET.SubElement(
        suites, "testsuite", name=subject, tests=total, failures=failures, errors="0", skipped="0"
    )
    if not diags:
        ET.SubElement(suite, "testcase", classname="edgemodels", name=subject)
    for d in diags:
        case = ET.SubElement(
            suite, "testcase", classname=d.path, name=f"{d.code} {d.name} at {d.location}".strip()
        )
        text = f"{d.location}: {d.code} {_message(d)}" + _sites_line(d)
        if d.severity == "error":
            failure = ET.SubElement(case, "failure", message=_message(d), type=d.code)
            failure.text = text
        else:
            ET.SubElement(case, "system-out").text = f"[{d.severity}] {text}"
    if system_out is not None:
        ET.SubElement(suite, "system-out").text = system_out
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _sites_line(d: Diagnostic) -> str:
    """Every site the finding is about, after its message (which names ten at most)."""
    return f"\nsites ({len(d.sites)}): {', '.join(d.sites)}" if d.sites else ""


# --- GitLab Code Quality -------------------------------------------------------------------

_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def _fingerprint(d: Diagnostic, occurrence: int) -> str:
    """Stable across runs and across unrelated edits: the line number is left out on
    purpose, so a finding that only moved is not reported as new. Identical findings in
    one file are told apart by their order."""
    key = "\x00".join((d.code, d.path, d.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def render_gitlab(diags: Sequence[Diagnostic], subject: str) -> str:
    seen: dict[tuple[str, str, str], int] = {}
    issues = []
    for d in diags:
        key = (d.code, d.path, d.message)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        issues.append(
            {
                "type": "issue",
                "description": f"{d.code} {_message(d)}",
                "check_name": f"{d.code} {d.name}".strip(),
                "categories": ["Bug Risk"],
                "fingerprint": _fingerprint(d, occurrence),
                "severity": _GITLAB_SEVERITY[d.severity],
                "location": {"path": d.path, "lines": {"begin": max(d.line, 1)}},
            }
        )
    return json.dumps(shown_in(issues), indent=2) + "\n"


# --- GitHub Actions workflow commands ------------------------------------------------------

_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(d: Diagnostic) -> str:
    """One finding as a workflow command: an annotation at its file, line and column."""
    props = [f"file={_gh_property(d.path)}"]
    if d.line > 0:
        props += [f"line={d.line}", f"col={max(d.col, 1)}"]
    props.append(f"title={_gh_property(f'{d.code} {d.name}'.strip())}")
    return f"::{_GITHUB_COMMAND[d.severity]} {','.join(props)}::{_gh_data(_message(d))}"


def render_github(diags: Sequence[Diagnostic], subject: str) -> str:
    lines = [github_annotation(d) for d in diags]
    lines.append(summary_line(diags, subject))
    return "\n".join(lines) + "\n"


Reporter = Callable[[Sequence[Diagnostic], str], str]

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "junit": render_junit,
    "gitlab": render_gitlab,
    "github": render_github,
}
