"""The plan as aligned tables for a terminal.

With a base: the sites that change, then totals per model and per placement that change
(the unchanged ones are counted in a line; `max_rows` 0 lists them too). Without one:
every site with the models and versions it gets. Sites whose rows read the same (or, without
a base, with the same models) share them: 3,000 sites come in a few dozen label sets, and a
fleet-wide bump listed site by site was 196,000 lines. The per-site rows are capped
(`max_rows`, whole groups, the largest first) with a line saying what was left out.
Findings and a one-line summary come last, as in every edgemodels command. A plan in which
nothing changes says so in one line instead of tables of zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from edgemodels.diagnostics import SEVERITY_RANK, Diagnostic
from edgemodels.output import plural, summary_line
from edgemodels.plan.diff import CHANGE_KINDS, PlacementTotals, SiteChange
from edgemodels.plan.reports import (
    PER_SITE_AND_MODEL,
    ModelRow,
    View,
    about_inventory,
    change_summary,
    headline,
)
from edgemodels.plan.sitegroups import cut_line, fitting, group_label, site_groups

DEFAULT_MAX_ROWS = 200
OLD_FINDINGS_SHOWN = 10  # of the findings the base had too, errors first; 0 rows: all
RISKY = ("removed", "downgraded", "moved")  # a site loses the model, or is without it a while

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


Row = tuple[str, str, str]  # model, change (with its sign), detail: what a row shows


def risky(rows: Sequence[Row]) -> bool:
    return any(row[1][1:] in RISKY for row in rows)


def shown_changes(view: View) -> Iterable[tuple[int, tuple[Row, ...]]]:
    """Each changed site's rows as the table shows them. Sites are grouped by these, not by
    every field of their changes: sites upgraded alike through different targets (whose
    placements, and images under an unchanged reference, the rows do not show) would be
    rows that read the same with nothing to tell them apart. JSON lists each site's own."""
    made: dict[SiteChange, Row] = {}
    for number, changes in view.changes.items():
        rows = []
        for change in changes:
            row = made.get(change)
            if row is None:
                row = made[change] = (
                    change.model,
                    SIGNS[change.kind] + change.kind,
                    view.detail(change),
                )
            rows.append(row)
        yield number, tuple(rows)


def site_change_lines(view: View, max_rows: int = DEFAULT_MAX_ROWS) -> list[str]:
    """Removals, downgrades and moves first: a cut must not hide them."""
    groups = site_groups(shown_changes(view), risky)
    if not groups:
        return ["  no site changes"]
    shown = fitting([len(changes) for _, changes in groups], max_rows)
    rows: list[list[str]] = []
    for numbers, changes in groups[:shown]:
        label = group_label(view, numbers)
        for model, change, detail in changes:
            rows.append([label, model, change, detail])
            label = ""
    return [
        *table(["SITES", "MODEL", "CHANGE", "DETAIL"], rows),
        *cut_line(groups[shown:], max_rows),
    ]


def site_model_lines(view: View, max_rows: int = DEFAULT_MAX_ROWS) -> list[str]:
    groups = site_groups(enumerate(view.site_models()))
    shown = fitting([1] * len(groups), max_rows)
    rows = []
    for numbers, models in groups[:shown]:
        listed = ", ".join(f"{m.name}@{m.version}" for m in models) or "(none)"
        rows.append([group_label(view, numbers), str(len(models)), listed])
    return [*table(["SITES", "MODELS", "MODEL@VERSION"], rows), *cut_line(groups[shown:], max_rows)]


def model_lines(view: View, everything: bool = False) -> list[str]:
    """With a base, the models that change (`everything`: all of them)."""
    compared = view.plan.compared
    heads = ["MODEL", "VERSION", "SITES"]
    if compared:
        heads += [SIGNS[k] + k.upper() for k in CHANGE_KINDS]
    rows = []
    shown = [r for r in view.models if everything or not compared or _model_moves(r)]
    for row in shown:
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
    return _kept_table(heads, rows, len(view.models) - len(shown), "model")


def placement_lines(view: View, everything: bool = False) -> list[str]:
    """With a base, the placements that change (`everything`: all of them)."""
    compared = view.plan.compared
    heads = ["PLACEMENT", "SITES"] + (
        [SIGNS[k] + k.upper() for k in CHANGE_KINDS] if compared else []
    )
    rows = []
    placements = view.plan.placements
    shown = [t for t in placements if everything or not compared or _placement_moves(t)]
    for t in shown:
        sites = _count(t.sites_after)
        if compared:
            sites = f"{_count(t.sites_before or 0)} -> {_count(t.sites_after or 0)}"
        rows.append(
            [t.name, sites] + ([str(t.changes[k]) for k in CHANGE_KINDS] if compared else [])
        )
    return _kept_table(heads, rows, len(placements) - len(shown), "placement")


def _model_moves(row: ModelRow) -> bool:
    """A change on a site, or one that reaches none yet (a new version of a model that
    selects no site, a model added or removed where it had no site)."""
    return (
        any(row.changes.values())
        or row.version_before != row.version_after
        or row.sites_before != row.sites_after
    )


def _placement_moves(t: PlacementTotals) -> bool:
    return any(t.changes.values()) or t.sites_before != t.sites_after


def _kept_table(heads: list[str], rows: list[list[str]], left_out: int, noun: str) -> list[str]:
    """The table of the rows that change, and how many unchanged ones it leaves out: at
    3,000 sites the one upgraded model was row 85 of 300 rows of zeros."""
    note = "(--max-text-rows 0 shows them; --format json lists them)"
    if not rows:
        return [f"  {plural(left_out, noun)}, all unchanged {note}"]
    more = [f"  ... and {plural(left_out, f'more {noun}')}, unchanged {note}"] if left_out else []
    return [*table(heads, rows), *more]


def render_text(view: View, max_rows: int = DEFAULT_MAX_ROWS) -> str:
    """`max_rows`: the most rows of per-site detail (0: no limit)."""
    lines = [headline(view)[0].upper() + headline(view)[1:]]
    if unchanged(view):
        lines += [no_change_line(view), *finding_lines(view, max_rows)]
        return "\n".join([*lines, "", plan_summary_line(view)]) + "\n"
    if view.plan.compared:
        lines += ["  " + change_summary(view), "", "Changes by site"]
        lines += site_change_lines(view, max_rows)
    else:
        lines += ["", "Models by site"]
        lines += site_model_lines(view, max_rows)
    everything = max_rows == 0
    lines += ["", "Models", *model_lines(view, everything)]
    per = f" (changes {PER_SITE_AND_MODEL})" if view.plan.compared else ""
    lines += ["", f"Placements{per}", *placement_lines(view, everything)]
    lines += finding_lines(view, max_rows)
    lines += ["", plan_summary_line(view)]
    return "\n".join(lines) + "\n"


def unchanged(view: View) -> bool:
    """Compared, and every model and placement reaches the same sites as at the base, with
    the same versions and settings: tables of zeros would only hide that. A model or
    placement that differs without reaching any site (a new target that selects none)
    keeps the tables, which show it."""
    plan = view.plan
    return (
        plan.compared
        and not view.changes
        and all(
            r.version_before == r.version_after and r.sites_before == r.sites_after
            for r in view.models
        )
        and all(t.sites_before == t.sites_after for t in plan.placements)
    )


def no_change_line(view: View) -> str:
    base = view.plan.base.name if view.plan.base else "the base"
    models = plural(len(view.models), "model")
    placements = plural(len(view.plan.placements), "placement")
    return (
        f"  no site changes: {models} and {placements}, on the same sites with the same "
        f"versions and settings as at {base}"
    )


def old_findings(view: View) -> list[Diagnostic]:
    """The findings the base had too that the text report lists under that title, errors
    first: those about the hub's sites (D133, D134) have their own."""
    old = [d for d in view.old_findings if not about_inventory(d)]
    return sorted(old, key=lambda d: SEVERITY_RANK[d.severity])


def old_findings_shown(view: View, max_rows: int = DEFAULT_MAX_ROWS) -> int:
    """How many of `old_findings` the text report lists: they are not this change's doing,
    and a fleet can have hundreds (`max_rows` 0: all)."""
    total = len(old_findings(view))
    return total if max_rows == 0 else min(total, OLD_FINDINGS_SHOWN)


def finding_lines(view: View, max_rows: int = DEFAULT_MAX_ROWS) -> list[str]:
    """The findings; with a base, the new ones first, then the base had too: the hub's state
    of the sites (never cut: a finding per state), then the others (errors first, capped)."""
    if view.plan.base_findings is None:
        return ["", "Findings", *(d.render() for d in view.findings)] if view.findings else []
    lines = []
    if view.new_findings:
        lines += ["", f"New findings ({len(view.new_findings)})"]
        lines += [d.render() for d in view.new_findings]
    hub = [d for d in view.old_findings if about_inventory(d)]
    if hub:
        lines += ["", f"Sites the hub cannot deliver to, found at the base too ({len(hub)})"]
        lines += [d.render() for d in hub]
    old = old_findings(view)
    if old:
        shown = old_findings_shown(view, max_rows)
        lines += ["", f"Found at the base too ({len(old)})"]
        lines += [d.render() for d in old[:shown]]
        if shown < len(old):
            lines.append(
                f"  ... and {len(old) - shown} more found at the base too "
                "(--max-text-rows 0 shows all; --format json lists them)"
            )
    return lines


def plan_summary_line(view: View) -> str:
    """`plan: 0 errors, 201 warnings`, and with a base how many of them are new."""
    line = summary_line(list(view.findings), "plan")
    if view.plan.base_findings is not None and view.findings:
        line += f"; {len(view.new_findings)} of them new"
    return line
