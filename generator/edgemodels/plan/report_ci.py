"""`plan --format sarif|junit|gitlab|github`: the plan's findings in the CI formats the other
commands write (edgemodels.output's reporters), and the plan itself where each format has
room for it.

- sarif: one result per finding (sites in its property bag); with `--base`, each result's
  `baselineState` is `new` or `unchanged` (found at the base too); the run's property bag
  `edgemodels/plan` holds the summary: the headline, the change line, and the JSON report's
  `base`, `summary` and `models` (with a base, the models that change).
- junit: one testcase per finding (errors fail); the suite's `system-out` is the text report.
- gitlab: Code Quality issues only, every finding: GitLab itself compares them with the
  target branch's report by fingerprint, which leaves the line out, so a finding that only
  moved is not new. The format has no place for a summary.
- github: annotations, then the text report for the job's log. With `--base`, the findings
  the base had too are not annotated unless they are errors or about the hub's state of the
  sites (D133, D134: about the inventory, not the change; the log's report lists the rest):
  GitHub shows ten annotations of a kind per step, and one a merge request did not bring
  would be on every merge request. Errors come first, then new warnings, then notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from edgemodels.diagnostics import SEVERITY_RANK, Diagnostic
from edgemodels.output import github_annotation, render_gitlab, render_junit
from edgemodels.plan.report_json import summary_fields
from edgemodels.plan.report_text import no_change_line, render_text, unchanged
from edgemodels.plan.reports import View, about_inventory, change_summary, headline
from edgemodels.sarif import render_sarif

SUBJECT = "plan"


def plan_properties(view: View) -> dict[str, object]:
    """The run-level summary: what the plan does, without the per-site detail (JSON's)."""
    document = plan_document_head(view)
    if unchanged(view):
        said = no_change_line(view)
    elif view.plan.compared:
        said = change_summary(view)
    else:
        said = f"{view.plan.sites.index.size} sites planned without a base to compare with"
    return {"edgemodels/plan": {"headline": headline(view), "changes": said, **document}}


def plan_document_head(view: View) -> dict[str, object]:
    """The JSON report's `base`, `summary` and `models` (with a base, those that change)."""
    head = summary_fields(view)
    models = head["models"]
    assert isinstance(models, list)
    if view.plan.compared:
        head["models"] = [m for m in models if any(m["changes"].values())]
    return head


def render_plan_sarif(view: View, max_rows: int) -> str:
    new = set(view.new_findings) if view.plan.base_findings is not None else None
    return render_sarif(
        view.findings,
        headline(view),
        plan_properties(view),
        None if new is None else new.__contains__,
    )


def render_plan_junit(view: View, max_rows: int) -> str:
    return render_junit(view.findings, headline(view), render_text(view, max_rows))


def render_plan_gitlab(view: View, max_rows: int) -> str:
    return render_gitlab(view.findings, SUBJECT)


def annotated(view: View) -> list[Diagnostic]:
    """The findings to annotate: without a base all; with one the new ones and the errors."""
    if view.plan.base_findings is None:
        chosen: Sequence[Diagnostic] = view.findings
    else:
        new = set(view.new_findings)
        chosen = [
            d for d in view.findings if d in new or d.severity == "error" or about_inventory(d)
        ]
    return sorted(chosen, key=lambda d: SEVERITY_RANK[d.severity])


def render_plan_github(view: View, max_rows: int) -> str:
    lines = [github_annotation(d) for d in annotated(view)]
    return "\n".join(lines) + ("\n" if lines else "") + render_text(view, max_rows)


CI_REPORTERS: dict[str, Callable[[View, int], str]] = {
    "sarif": render_plan_sarif,
    "junit": render_plan_junit,
    "gitlab": render_plan_gitlab,
    "github": render_plan_github,
}
