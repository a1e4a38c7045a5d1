"""Reporters: findings to text or machine formats. Chosen from a plain dict by name.

Each reporter is a pure function `(findings, subject) -> str`. The CI formats:
- sarif: SARIF 2.1.0, for code-scanning views (GitHub, GitLab, IDEs).
- junit: JUnit XML, one testcase per finding (errors fail, warnings/notes pass with output).
- gitlab: GitLab Code Quality JSON, for the merge-request widget.
- github: GitHub Actions workflow commands, shown as annotations on the changed lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from edgemodels.diagnostics import Diagnostic, count_by_severity
from edgemodels.display import shown_in
from edgemodels.sarif import fingerprint, render_sarif

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
                "fingerprint": fingerprint(d, occurrence),
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
