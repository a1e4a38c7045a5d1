"""The plan as aligned tables for a terminal.

With a base: the sites that change (one line per site and model), then totals per model
and per placement. Without one: every site with the models and versions it gets.
Findings and a one-line summary come last, as in every edgemodels command.
"""

from __future__ import annotations

from collections.abc import Sequence

from edgemodels.output import summary_line
from edgemodels.plan.diff import CHANGE_KINDS
from edgemodels.plan.reports import View, change_summary, headline

SIGNS = {
    "added": "+",
    "upgraded": "^",
    "downgraded": "v",
    "changed": "~",
    "moved": ">",
    "removed": "-",
}


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = []
    for row in (headers, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def site_change_lines(view: View) -> list[str]:
    rows: list[list[str]] = []
    for number, changes in view.changes.items():
        name = view.site_name(number)
        for change in changes:
            rows.append([name, change.model, SIGNS[change.kind] + change.kind, view.detail(change)])
            name = ""
    if not rows:
        return ["  no site changes"]
    return table(["SITE", "MODEL", "CHANGE", "DETAIL"], rows)


def site_model_lines(view: View) -> list[str]:
    rows = []
    for number, models in enumerate(view.site_models()):
        listed = ", ".join(f"{m.name}@{m.version}" for m in models) or "(none)"
        rows.append([view.site_name(number), str(len(models)), listed])
    return table(["SITE", "MODELS", "MODEL@VERSION"], rows)


def model_lines(view: View) -> list[str]:
    compared = view.plan.compared
    heads = ["MODEL", "VERSION", "SITES"]
    if compared:
        heads += [SIGNS[k] + k.upper() for k in CHANGE_KINDS]
    rows = []
    for row in view.models:
        version = row.version_after or "(removed)"
        if compared and row.version_before and row.version_before != row.version_after:
            version = f"{row.version_before} -> {version}"
        sites = _count(row.sites_after)
        if compared:
            sites = f"{_count(row.sites_before)} -> {_count(row.sites_after or 0)}"
        cells = [row.name, version, sites]
        if compared:
            cells += [str(row.changes[k]) for k in CHANGE_KINDS]
        rows.append(cells)
    return table(heads, rows)


def placement_lines(view: View) -> list[str]:
    compared = view.plan.compared
    heads = ["PLACEMENT", "SITES"] + (
        [SIGNS[k] + k.upper() for k in CHANGE_KINDS] if compared else []
    )
    rows = []
    for t in view.plan.placements:
        sites = _count(t.sites_after)
        if compared:
            sites = f"{_count(t.sites_before or 0)} -> {_count(t.sites_after or 0)}"
        rows.append(
            [t.name, sites] + ([str(t.changes[k]) for k in CHANGE_KINDS] if compared else [])
        )
    return table(heads, rows)


def render_text(view: View) -> str:
    lines = [headline(view)[0].upper() + headline(view)[1:]]
    if view.plan.compared:
        lines += ["  " + change_summary(view), "", "Changes by site"]
        lines += site_change_lines(view)
    else:
        lines += ["", "Models by site"]
        lines += site_model_lines(view)
    lines += ["", "Models", *model_lines(view)]
    lines += ["", "Placements", *placement_lines(view)]
    lines += finding_lines(view)
    lines += ["", plan_summary_line(view)]
    return "\n".join(lines) + "\n"


def finding_lines(view: View) -> list[str]:
    """The findings; with a base, the new ones first, then those it had too."""
    if view.plan.base_findings is None:
        return ["", "Findings", *(d.render() for d in view.findings)] if view.findings else []
    lines = []
    if view.new_findings:
        lines += ["", f"New findings ({len(view.new_findings)})"]
        lines += [d.render() for d in view.new_findings]
    if view.old_findings:
        lines += ["", f"Found at the base too ({len(view.old_findings)})"]
        lines += [d.render() for d in view.old_findings]
    return lines


def plan_summary_line(view: View) -> str:
    """`plan: 0 error(s), 201 warning(s)`, and with a base how many of them are new."""
    line = summary_line(list(view.findings), "plan")
    if view.plan.base_findings is not None and view.findings:
        line += f"; {len(view.new_findings)} of them new"
    return line
