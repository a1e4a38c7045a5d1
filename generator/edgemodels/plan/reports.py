"""What every plan report shows, computed once; the reporters, chosen by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from edgemodels.diagnostics import Diagnostic, count_by_severity
from edgemodels.output import plural
from edgemodels.plan.atbase import split_new
from edgemodels.plan.core import Plan
from edgemodels.plan.diff import (
    CHANGE_KINDS,
    ChangeKind,
    SiteChange,
    SiteModel,
    site_changes,
    site_models,
)
from edgemodels.plan.hazards import purging_deployer
from edgemodels.selectors import count


@dataclass(frozen=True)
class ModelRow:
    name: str
    version_before: str | None
    version_after: str | None
    sites_before: int | None  # None: no base to compare with
    sites_after: int | None  # None: the model is gone
    changes: dict[ChangeKind, int]


@dataclass(frozen=True)
class View:
    """A plan as reporters read it."""

    plan: Plan
    findings: Sequence[Diagnostic]
    models: tuple[ModelRow, ...]
    changes: dict[int, list[SiteChange]]  # site number -> its changes (changed sites only)
    totals: dict[ChangeKind, int]
    new_findings: Sequence[Diagnostic] = ()  # not found at the base (all, without one)
    old_findings: Sequence[Diagnostic] = ()  # found at the base too

    @property
    def sites_changed(self) -> int:
        return len(self.changes)

    @property
    def severities(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    def site_name(self, number: int) -> str:
        return self.plan.sites.inventory.sites[number].name

    def site_models(self) -> list[list[SiteModel]]:
        return site_models(self.plan.after)

    def detail(self, change: SiteChange) -> str:
        return detail_text(change, purging_deployer(self.plan.after.catalogue))


# The hub's own state of the sites (D133 not accepted, unavailable or unreachable; D134 being
# deleted): about the inventory, not the change, so the base has them too, yet a reader must
# see them, as the sites a change reaches may be among them (50 unreachable of 3,000 sites).
INVENTORY_CODES = frozenset({"D133", "D134"})


def about_inventory(d: Diagnostic) -> bool:
    return d.code in INVENTORY_CODES


def build_view(plan: Plan, findings: Sequence[Diagnostic]) -> View:
    rows = []
    totals = dict.fromkeys(CHANGE_KINDS, 0)
    for d in plan.diffs:
        changes = d.counts() if plan.compared else dict.fromkeys(CHANGE_KINDS, 0)
        for kind, n in changes.items():
            totals[kind] += n
        rows.append(
            ModelRow(
                d.name,
                d.before.version if d.before and plan.compared else None,
                d.after.version if d.after else None,
                (count(d.before.sites) if d.before else 0) if plan.compared else None,
                count(d.after.sites) if d.after else None,
                changes,
            )
        )
    changes_by_site = site_changes(plan.diffs) if plan.compared else {}
    new, old = split_new(findings, plan.base_findings)
    return View(
        plan, findings, tuple(rows), dict(sorted(changes_by_site.items())), totals, new, old
    )


def headline(view: View) -> str:
    """One sentence: what is planned where, against what."""
    plan = view.plan
    text = f"plan for catalogue {plan.after.catalogue.name}"
    if plan.catalogue_path:  # the folder or file, where the name alone would not find it
        text += f" ({plan.catalogue_path})"
    text += f" on {plural(plan.sites.index.size, 'site')}"
    if plan.sites.inventory.newest:  # how old the hub export is, as far as it says
        text += f" (a hub export of {plan.sites.inventory.newest} or later)"
    if plan.base is not None:
        text += f", compared with {plan.base.name} ({plan.base.commit[:12]})"
    return text


def findings_summary(view: View) -> str:
    """The findings by severity; with a base, how many of each are new in this change
    ("0 errors, 201 warnings (0 new)")."""
    total = count_by_severity(view.findings)
    new = count_by_severity(view.new_findings)
    names = {"error": "error", "warning": "warning", "info": "note"}
    parts = []
    for severity, name in names.items():
        text = plural(total[severity], name)
        if view.plan.base_findings is not None and total[severity]:
            text += f" ({new[severity]} new)"
        parts.append(text)
    return ", ".join(parts)


# The change counts are of a model on a site: 3 models upgraded on 700 sites are 2,100
# upgrades, which read as sites ("701 sites change: 1582 upgraded") say more sites than change.
PER_SITE_AND_MODEL = "counted per site and model"


def change_summary(view: View) -> str:
    parts = ", ".join(f"{view.totals[kind]} {kind}" for kind in CHANGE_KINDS)
    changing = "site changes" if view.sites_changed == 1 else "sites change"
    return f"{view.sites_changed} {changing}; {PER_SITE_AND_MODEL}: {parts}"


def detail_text(change: SiteChange, deployer: str | None = "Subscription") -> str:
    """The version (old -> new), and what else redeploys the model: a move, a new image
    under the same version (with a new version, the image is expected to change: where it
    does not, the sites keep the bytes they have, D124), and the settings that changed."""
    if change.kind == "added":
        return change.after or ""
    if change.kind == "removed":
        return change.before or ""
    parts = []
    if change.kind == "moved":
        parts.append(_moved_text(change, deployer))
    if change.before != change.after:
        parts.append(f"{change.before} -> {change.after}")
        if change.image_before == change.image_after:
            parts.append("same image (D124)")
    else:
        parts.append(f"same version {change.after}")
        if change.image_before != change.image_after:
            parts.append(f"image {change.image_before} -> {change.image_after}")
    if change.settings:
        parts.append(f"{', '.join(change.settings)} changed")
    return "; ".join(parts)


def _moved_text(change: SiteChange, deployer: str | None) -> str:
    """A move purges what the old `deployer` deployed before the new one applies it."""
    old, new = ", ".join(change.placements_before), ", ".join(change.placements_after)
    text = f"placement {old} -> {new}, redeployed"
    if deployer is None:
        return text
    text += f": without the model until the new {deployer} applies it (up to a reconcile period)"
    if change.delivery_before == "copy":
        text += ", its copy volume deleted"
        if change.delivery_after == "copy":
            text += " and the weights copied again"
    return text


Reporter = Callable[[View], str]


def reporters(
    max_markdown_chars: int | None = None, max_text_rows: int | None = None
) -> dict[str, Reporter]:
    """`max_markdown_chars`: the markdown comment's size budget; `max_text_rows`: the text
    report's cap on per-site rows (None: their defaults)."""
    # Imported here: each reporter module imports this one for View.
    from edgemodels.plan.report_ci import CI_REPORTERS
    from edgemodels.plan.report_json import render_json
    from edgemodels.plan.report_markdown import DEFAULT_MAX_CHARS, render_markdown
    from edgemodels.plan.report_text import DEFAULT_MAX_ROWS, render_text

    budget = DEFAULT_MAX_CHARS if max_markdown_chars is None else max_markdown_chars
    rows = DEFAULT_MAX_ROWS if max_text_rows is None else max_text_rows
    return {
        "text": lambda view: render_text(view, rows),
        "json": render_json,
        "markdown": lambda view: render_markdown(view, budget),
        **{name: _with_rows(reporter, rows) for name, reporter in CI_REPORTERS.items()},
    }


def _with_rows(reporter: Callable[[View, int], str], rows: int) -> Reporter:
    return lambda view: reporter(view, rows)


# text, json and markdown are the plan's own; the CI formats carry its findings as every
# command's do (edgemodels.output), and the plan where the format has room (plan/report_ci.py)
PLAN_FORMATS = ("text", "json", "markdown", "sarif", "junit", "gitlab", "github")
CI_FORMATS = PLAN_FORMATS[3:]
