"""The report when no plan can be computed: the inventory or the catalogue has errors.

It comes in the format asked for and goes where the plan would (`-o FILE` too), so a
merge-request job always has a report to post, never a missing or stale one.

`--format json` keeps the plan-report schema's shape (its schemaVersion) with nothing
planned: `base` null, every `summary` count 0 except `findings`, empty `models`,
`placements` and `sites`, and `findings` listing what stopped the plan (at least one error),
each `new` (there is no base to have had it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from edgemodels.catalogue.sources import shown_name
from edgemodels.diagnostics import Diagnostic, count_by_severity
from edgemodels.display import shown_in
from edgemodels.output import REPORTERS, plural, render_text
from edgemodels.plan.core import PlanOptions
from edgemodels.plan.diff import CHANGE_KINDS
from edgemodels.plan.report_json import SCHEMA_VERSION, finding_dict
from edgemodels.plan.report_markdown import finding_lines


@dataclass(frozen=True)
class Unplanned:
    catalogue_path: str
    inventory_path: str
    findings: Sequence[Diagnostic]


def unplanned(options: PlanOptions, findings: Sequence[Diagnostic], cwd: Path) -> Unplanned:
    return Unplanned(
        shown_name(options.catalogue, cwd), shown_name(options.inventory, cwd), findings
    )


def render_unplanned_text(report: Unplanned) -> str:
    return render_text(report.findings, "plan")


def render_unplanned_json(report: Unplanned) -> str:
    document = {
        "schemaVersion": SCHEMA_VERSION,
        "kind": "EdgeModelsPlan",
        "catalogue": report.catalogue_path,
        "inventory": report.inventory_path,
        "base": None,
        "summary": {
            "sites": 0,
            "models": 0,
            "placements": 0,
            "sitesChanged": 0,
            "changes": dict.fromkeys(CHANGE_KINDS, 0),
            "findings": count_by_severity(report.findings),
        },
        "models": [],
        "placements": [],
        "sites": [],
        "findings": [finding_dict(d, True) for d in report.findings],
    }
    return json.dumps(shown_in(document), indent=2, ensure_ascii=False) + "\n"


def render_unplanned_markdown(report: Unplanned) -> str:
    lines = [
        f"### ❌ edgemodels plan for {report.catalogue_path} on {report.inventory_path}: "
        "not computed",
        "",
        "The inputs have errors, so no site's models could be worked out. Fix them and run "
        "the plan again.",
        "",
        "Findings: " + _severities(count_by_severity(report.findings)),
        *finding_lines(list(report.findings)),
    ]
    return "\n".join(lines) + "\n"


def _severities(counts: dict[str, int]) -> str:
    return ", ".join(
        plural(counts[severity], noun)
        for severity, noun in (("error", "error"), ("warning", "warning"), ("info", "note"))
    )


def unplanned_reporters() -> dict[str, Callable[[Unplanned], str]]:
    return {
        "text": render_unplanned_text,
        "json": render_unplanned_json,
        "markdown": render_unplanned_markdown,
        # the CI formats: the findings, as every command reports them
        **{name: _findings_in(name) for name in ("sarif", "junit", "gitlab", "github")},
    }


def _findings_in(fmt: str) -> Callable[[Unplanned], str]:
    return lambda report: REPORTERS[fmt](report.findings, "plan")
