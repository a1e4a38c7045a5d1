"""`--format markdown`: a merge-request comment (GitLab and GitHub render it).

A compact summary first (counts coloured by change kind, totals per model, the findings),
then, folded in <details>: a Mermaid diagram of placements -> sites and the per-site detail.
Long lists are cut (GitHub refuses comments over 65,536 characters); the JSON report has all.
"""

from __future__ import annotations

from edgemodels.diagnostics import Diagnostic
from edgemodels.plan.diff import CHANGE_KINDS
from edgemodels.plan.report_mermaid import ICON, diagram
from edgemodels.plan.reports import View, detail_text, headline

MAX_SITE_ROWS = 300
MAX_FINDINGS = 50


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_lines(view: View) -> list[str]:
    sev = view.severities
    state = "❌" if sev["error"] else ("⚠️" if sev["warning"] else "✅")
    lines = [f"### {state} edgemodels {headline(view)}", ""]
    if view.plan.compared:
        counts = " · ".join(f"{ICON[k]} {view.totals[k]} {k}" for k in CHANGE_KINDS)
        lines.append(
            f"**{view.sites_changed} of {view.plan.sites.index.size} sites change**: {counts}"
        )
    else:
        lines.append(
            f"**{len(view.plan.after.models)} models on {view.plan.sites.index.size} sites**"
        )
    lines += [
        "",
        f"Findings: {sev['error']} error(s), {sev['warning']} warning(s), {sev['info']} note(s)",
    ]
    return lines


def model_table(view: View) -> list[str]:
    if view.plan.compared:
        rows = [r for r in view.models if any(r.changes.values())]
        if not rows:
            return ["", "No model changes."]
        heads = "| Model | Version | Sites | " + " | ".join(ICON[k] for k in CHANGE_KINDS) + " |"
        lines = ["", heads, "|---|---|---|" + "---:|" * len(CHANGE_KINDS)]
        for r in rows:
            version = r.version_after or "removed"
            if r.version_before and r.version_before != r.version_after:
                version = f"{r.version_before} → {version}"
            counts = " | ".join(str(r.changes[k]) for k in CHANGE_KINDS)
            sites = f"{r.sites_before} → {r.sites_after or 0}"
            lines.append(f"| `{cell(r.name)}` | {cell(version)} | {sites} | {counts} |")
        return lines
    lines = ["", "| Model | Version | Sites |", "|---|---|---:|"]
    lines += [
        f"| `{cell(r.name)}` | {cell(r.version_after or '')} | {r.sites_after} |"
        for r in view.models
    ]
    return lines


def finding_lines(findings: list[Diagnostic]) -> list[str]:
    if not findings:
        return []
    icon = {"error": "❌", "warning": "⚠️", "info": "💬"}
    lines = [""] + [
        f"- {icon[d.severity]} `{d.location}` **{d.code}** {cell(d.message)}"
        for d in findings[:MAX_FINDINGS]
    ]
    if len(findings) > MAX_FINDINGS:
        lines.append(f"- … and {len(findings) - MAX_FINDINGS} more (see `--format json`)")
    return lines


def site_detail(view: View) -> list[str]:
    if view.plan.compared:
        title = f"Changes by site ({view.sites_changed})"
        lines = ["| Site | Change | Model | Detail |", "|---|---|---|---|"]
        shown = list(view.changes.items())[:MAX_SITE_ROWS]
        for number, changes in shown:
            name = f"`{cell(view.site_name(number))}`"
            for c in changes:
                kind = f"{ICON[c.kind]} {c.kind}"
                version = cell(detail_text(c))
                lines.append(f"| {name} | {kind} | `{cell(c.model)}` | {version} |")
                name = ""
        hidden = view.sites_changed - len(shown)
    else:
        models = view.site_models()
        title = f"Models by site ({len(models)})"
        lines = ["| Site | Models |", "|---|---|"]
        for number, placed in enumerate(models[:MAX_SITE_ROWS]):
            listed = ", ".join(f"`{cell(m.name)}` {cell(m.version)}" for m in placed) or "none"
            lines.append(f"| `{cell(view.site_name(number))}` | {listed} |")
        hidden = len(models) - MAX_SITE_ROWS
    if hidden > 0:
        lines.append(f"\n… and {hidden} more sites (see `--format json`).")
    return ["", f"<details><summary>{title}</summary>", "", *lines, "", "</details>"]


def render_markdown(view: View) -> str:
    lines = summary_lines(view)
    lines += model_table(view)
    lines += finding_lines(list(view.findings))
    lines += [
        "",
        "<details><summary>Placements → sites</summary>",
        "",
        *diagram(view),
        "",
        "</details>",
    ]
    lines += site_detail(view)
    return "\n".join(lines) + "\n"
