"""Reporters: findings to text or machine formats. Chosen from a plain dict by name."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from edgemodels.diagnostics import Diagnostic, count_by_severity


def summary_line(diags: Sequence[Diagnostic], subject: str) -> str:
    counts = count_by_severity(diags)
    if not diags:
        return f"{subject}: no findings"
    parts = [f"{counts['error']} error(s)", f"{counts['warning']} warning(s)"]
    if counts["info"]:
        parts.append(f"{counts['info']} note(s)")
    return f"{subject}: " + ", ".join(parts)


def render_text(diags: Sequence[Diagnostic], subject: str) -> str:
    lines = [d.render() for d in diags]
    lines.append(summary_line(diags, subject))
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
    return out


def render_json(diags: Sequence[Diagnostic], subject: str) -> str:
    doc = {
        "subject": subject,
        "summary": count_by_severity(diags),
        "findings": [diagnostic_dict(d) for d in diags],
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


Reporter = Callable[[Sequence[Diagnostic], str], str]

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
}
