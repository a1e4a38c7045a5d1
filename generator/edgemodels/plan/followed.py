"""Why a model that follows workloads leaves sites: a workload it follows moved.

D126 followed-workload-moved (info): with `--base`, a `followWorkloads` model leaves sites
because a workload that uses it no longer runs there by the catalogue, its selector or
`sites` moved (or the workload was retired). The generated `follow-<model>` placement
follows the catalogue, so the removal is what the tree does; but the workload placement
system moves the workload, not the catalogue, and the plan cannot tell whether it has
left those sites. If it still runs there, it loses a model it uses. The export of the
placement system (`--workload-sites`) is what tells: with the workload in it, D104 (or
D121 for a retired one) names a site it still runs on, and this note is not given.

A workload that still runs on a site but no longer uses the model is not a move; a model
removed from the catalogue, or no longer following workloads, leaves for that reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from edgemodels.catalogue.model import Workload
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.output import plural
from edgemodels.plan.diff import ModelDiff
from edgemodels.plan.evaluate import Evaluation
from edgemodels.plan.sitelist import about, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.selectors import Mask, count
from edgemodels.workloadsites import WorkloadSites


def moved_workload_findings(
    diffs: Iterable[ModelDiff],
    before: Evaluation,
    after: Evaluation,
    sites: Sites,
    exported: tuple[WorkloadSites, ...] | None,
) -> list[Diagnostic]:
    """D126 for each follow model and workload of the base that took it off sites; not for
    a workload the export lists (its sites there are where it runs)."""
    listed = {entry.name for entry in exported or ()}
    now = {w.name: w for w in after.catalogue.workloads}
    following = _followers(before) & _followers(after)
    users: dict[str, list[Workload]] = {}
    for workload in before.catalogue.workloads:
        for used in dict.fromkeys(workload.uses):
            users.setdefault(used, []).append(workload)
    found: list[Diagnostic] = []
    for d in diffs:
        if not d.removed or d.name not in following:
            continue
        for workload in users.get(d.name, ()):
            if workload.name in listed:
                continue
            kept = now.get(workload.name)
            if kept is not None and d.name not in kept.uses:
                continue  # it stopped using the model: not a move
            runs = after.workloads[workload.name] if kept is not None else 0
            left = d.removed & before.workloads.get(workload.name, 0) & ~runs
            if left:
                where = kept.location if kept is not None else _model_location(after, d.name)
                found.append(_moved(d.name, workload, left, kept is None, exported, sites, where))
    return found


def _followers(evaluation: Evaluation) -> set[str]:
    return {m.name for m in evaluation.catalogue.models if m.follow_workloads}


def _model_location(evaluation: Evaluation, model: str) -> Location:
    placed = evaluation.model(model)
    return placed.location if placed is not None else evaluation.catalogue.location


def _moved(
    model: str,
    workload: Workload,
    left: Mask,
    retired: bool,
    exported: tuple[WorkloadSites, ...] | None,
    sites: Sites,
    where: Location,
) -> Diagnostic:
    them = "it" if count(left) == 1 else "them"
    how = "is retired from the catalogue" if retired else f"moves off {them} in the catalogue"
    check = "D121" if retired else "D104"
    ask = (
        f"add {workload.name} to the --workload-sites export"
        if exported is not None
        else "pass --workload-sites, the workload placement system's export,"
    )
    message = (
        f"model {model} leaves {plural(count(left), 'site')} because workload "
        f"{workload.name}, which it follows, {how}: {name_list(sites, left)}; if the workload "
        f"still runs there, it loses the model: {ask} to check (then {check} names the sites "
        "where it still runs)"
    )
    moved = Diagnostic(where, "D126", message, "info", "followed-workload-moved")
    return about(moved, sites, left)
