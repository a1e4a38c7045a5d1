"""`--format markdown`: a merge-request comment (GitLab and GitHub render it).

A compact summary first (counts coloured by change kind, totals per model, the findings),
then, folded in <details>: a Mermaid diagram of placements -> sites and the per-site detail.
The whole comment fits in a size budget (`--max-markdown-chars`, default 60,000
characters; GitHub refuses comments over 65,536): parts are filled in priority order and
cut at a row (markdown_fit); the JSON and text reports have all.
"""

from __future__ import annotations

from collections.abc import Sequence

from edgemodels.diagnostics import SEVERITY_RANK, Diagnostic, count_by_severity
from edgemodels.output import plural
from edgemodels.plan.diff import CHANGE_KINDS, SiteModel
from edgemodels.plan.markdown_fit import Part, fit
from edgemodels.plan.report_mermaid import ICON, diagram
from edgemodels.plan.report_text import SIGNS, risky, shown_changes
from edgemodels.plan.reports import (
    PER_SITE_AND_MODEL,
    View,
    about_inventory,
    findings_summary,
    headline,
)
from edgemodels.plan.sitegroups import NAMED_SITES, site_groups

DEFAULT_MAX_CHARS = 60_000  # under GitHub's 65,536 for a comment, with room for a header
MIN_MAX_CHARS = 2_000  # the headline, the counts and the closing note fit in it
MAX_FINDINGS = 50
SEVERITY_ICON = {"error": "❌", "warning": "⚠️", "info": "💬"}


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_lines(view: View) -> list[str]:
    """The headline's mark counts errors wherever they come from (they fail the job), and
    warnings and notes only when new: with a base, those it had already do not count."""
    sev = view.severities
    new = count_by_severity(view.new_findings)
    state = "❌" if sev["error"] else ("⚠️" if new["warning"] else "✅")
    lines = [f"### {state} edgemodels {headline(view)}", ""]
    if view.plan.compared:
        counts = " · ".join(f"{ICON[k]} {view.totals[k]} {k}" for k in CHANGE_KINDS)
        lines.append(
            f"**{view.sites_changed} of {plural(view.plan.sites.index.size, 'site')} change**; "
            f"{PER_SITE_AND_MODEL}: {counts}"
        )
    else:
        lines.append(
            f"**{plural(len(view.plan.after.models), 'model')} on "
            f"{plural(view.plan.sites.index.size, 'site')}**"
        )
    return [*lines, "", f"Findings: {findings_summary(view)}"]


def model_part(view: View) -> Part:
    rows = _model_rows(view)
    if view.plan.compared and not rows:
        return Part(lambda n: "the model table", ("", "No model changes."))
    if view.plan.compared:
        heads = "| Model | Version | Sites | " + " | ".join(ICON[k] for k in CHANGE_KINDS) + " |"
        header = (heads, "|---|---|---|" + "---:|" * len(CHANGE_KINDS))
    else:
        header = ("| Model | Version | Sites |", "|---|---|---:|")
    return Part(
        lambda n: f"{n} of {plural(len(rows), 'model')}",
        ("", *header),
        tuple(rows),
        more=lambda n: ["", f"… and {n} more models (see `--format json`)."],
    )


def _model_rows(view: View) -> list[str]:
    if not view.plan.compared:
        return [
            f"| `{cell(r.name)}` | {cell(r.version_after or '')} | {r.sites_after} |"
            for r in view.models
        ]
    lines = []
    for r in view.models:
        if not any(r.changes.values()):
            continue
        version = r.version_after or "removed"
        if r.version_before and r.version_before != r.version_after:
            version = f"{r.version_before} -> {version}"
        counts = " | ".join(str(r.changes[k]) for k in CHANGE_KINDS)
        sites = f"{r.sites_before} -> {r.sites_after or 0}"
        lines.append(f"| `{cell(r.name)}` | {cell(version)} | {sites} | {counts} |")
    return lines


def finding_line(d: Diagnostic) -> str:
    return f"- {SEVERITY_ICON[d.severity]} `{d.location}` **{d.code}** {cell(d.message)}"


def finding_lines(findings: list[Diagnostic]) -> list[str]:
    if not findings:
        return []
    lines = [""] + [finding_line(d) for d in findings[:MAX_FINDINGS]]
    if len(findings) > MAX_FINDINGS:
        lines.append(f"- … and {len(findings) - MAX_FINDINGS} more (see `--format json`)")
    return lines


def errors_first(findings: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(findings, key=lambda d: SEVERITY_RANK[d.severity])


def finding_part(findings: Sequence[Diagnostic], new: bool = True) -> Part:
    ordered = errors_first(list(findings))
    what = "new findings" if new else "findings"
    return Part(
        lambda n: f"{n} of {len(ordered)} {what}",
        ("",) if ordered else (),
        tuple(finding_line(d) for d in ordered),
        more=lambda n: [f"- … and {n} more (see `--format json`)"],
        limit=MAX_FINDINGS,
    )


def hub_site_part(findings: Sequence[Diagnostic], at_base: bool = True) -> Part:
    """The sites the hub cannot deliver to (D133, D134), with a base those it had too:
    listed apart and unfolded, as in the text report, never cut by MAX_FINDINGS (one per
    state), nor sorted behind dozens of warnings as notes are."""
    hub = [d for d in findings if about_inventory(d)]
    if not hub:
        return Part(lambda n: "", ())
    base = ", found at the base too" if at_base else ""
    title = f"**Sites the hub cannot deliver to{base} ({len(hub)})**"
    return Part(
        lambda n: f"{n} of {len(hub)} findings on the sites the hub cannot deliver to",
        ("", title, ""),
        tuple(finding_line(d) for d in hub),
    )


def old_finding_part(findings: Sequence[Diagnostic]) -> Part:
    """The findings the base had too, folded, last: they are not this change's doing
    (but for the hub's sites, hub_site_part)."""
    ordered = errors_first([d for d in findings if not about_inventory(d)])
    if not ordered:
        return Part(lambda n: "", ())
    title = f"Found at the base too ({len(ordered)})"
    return Part(
        lambda n: f"{n} of {len(ordered)} findings the base had too",
        ("", f"<details><summary>{title}</summary>", ""),
        tuple(finding_line(d) for d in ordered),
        ("", "</details>"),
        lambda n: [f"- … and {n} more (see `--format json`)"],
        limit=MAX_FINDINGS,
    )


def site_detail(view: View) -> Part:
    """Sites whose rows read the same share them, as in the text report (3,000 sites in a
    few dozen groups), the groups that lose a model, downgrade or move first."""
    if view.plan.compared:
        title = f"Changes by site ({view.sites_changed})"
        header = ("| Site | Change | Model | Detail |", "|---|---|---|---|")
        items, sizes = _change_groups(view)
    else:
        header = ("| Site | Models |", "|---|---|")
        items, sizes = _model_groups(view)
        title = f"Models by site ({sum(sizes)})"

    def left_out(n: int) -> int:  # the sites of the last n groups, those cut
        return sum(sizes[len(sizes) - n :])

    total = sum(sizes)
    return Part(
        lambda n: (
            f"the detail of {left_out(n)} of {plural(total, 'site')}"
            if n < len(items)
            else f"the per-site detail ({plural(total, 'site')})"
        ),
        ("", f"<details><summary>{title}</summary>", "", *header),
        tuple(items),
        ("", "</details>"),
        lambda n: ["", f"… and {plural(left_out(n), 'more site')} (see `--format json`)."],
    )


def _label(view: View, numbers: Sequence[int]) -> str:
    """`` `site-1`, `site-2`, `site-3` and 244 more ``: a group's sites, as the text names them."""
    names = [f"`{cell(view.site_name(n))}`" for n in numbers[:NAMED_SITES]]
    more = len(numbers) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


_KINDS = {SIGNS[kind] + kind: kind for kind in CHANGE_KINDS}  # a text row's change -> kind


def _change_groups(view: View) -> tuple[list[str], list[int]]:
    """Each group's rows, kept or cut together, and how many sites it holds."""
    items, sizes = [], []
    for numbers, rows in site_groups(shown_changes(view), risky):
        name, lines = _label(view, numbers), []
        for model, change, detail in rows:
            kind = _KINDS[change]
            lines.append(f"| {name} | {ICON[kind]} {kind} | `{cell(model)}` | {cell(detail)} |")
            name = ""
        items.append("\n".join(lines))
        sizes.append(len(numbers))
    return items, sizes


def _model_groups(view: View) -> tuple[list[str], list[int]]:
    groups = site_groups(enumerate(view.site_models()))
    items = [f"| {_label(view, numbers)} | {_listed(placed)} |" for numbers, placed in groups]
    return items, [len(numbers) for numbers, _ in groups]


def _listed(placed: list[SiteModel]) -> str:
    return ", ".join(f"`{cell(m.name)}` {cell(m.version)}" for m in placed) or "none"


def diagram_part(view: View) -> Part:
    return Part(
        lambda n: "the placements diagram",
        ("", "<details><summary>Placements -> sites</summary>", "", *diagram(view), ""),
        ("</details>",),
    )


def _finding_parts(view: View) -> list[Part]:
    """The new findings, then the hub's sites; without a base every finding is new, and
    the hub's sites are listed apart from the others."""
    if view.plan.base_findings is not None:
        return [finding_part(view.new_findings), hub_site_part(view.old_findings)]
    others = [d for d in view.new_findings if not about_inventory(d)]
    return [finding_part(others, False), hub_site_part(view.new_findings, at_base=False)]


def render_markdown(view: View, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The comment, in at most `max_chars` characters: the headline and counts, the
    findings new in this change (errors first), the sites the hub cannot deliver to, the
    models, the diagram, the per-site detail, the findings the base had too, in that
    priority; what does not fit is cut at a
    row and named at the end."""
    parts = [
        Part(lambda n: "the summary", tuple(summary_lines(view))),
        *_finding_parts(view),
        model_part(view),
        diagram_part(view),
        site_detail(view),
        old_finding_part(view.old_findings),
    ]
    return fit(parts, max_chars)
