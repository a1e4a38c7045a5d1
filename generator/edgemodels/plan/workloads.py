"""Where workloads run, taken from a file exported by the workload placement system.

Each exported list is where the catalogue workload of the same name runs: it replaces the
workload's selector and `sites` for the plan, as the placement system's own record beats
an approximation by labels. It decides only where workloads run (D104, D105): models stay
where the generated tree places them, and `generate` reads the catalogue alone, so a
`follow-<model>` placement still follows the catalogue's workloads. Where the two disagree
the plan says so (D125), naming the sites on either side: a plan that took the selector
as well would count the workload on sites it has left.

| code | name | severity |
|------|------|----------|
| D109 | unknown-workload | warning: the export names a workload the catalogue does not declare |
| D110 | unknown-workload-site | warning: a workload's site (export, catalogue) is unknown |
| D121 | retired-workload-running | error: a retired workload still runs where it loses a model |
| D125 | workload-export-differs | info: the export and the catalogue place a workload apart |

With `--base`, a workload the export lists but only the base catalogue declares was retired in
this change, while the workload placement system still runs it: its models at the base are
known, so a site it runs on that loses one of them is D121 rather than a D109 warning.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from edgemodels.catalogue.model import Catalogue, Workload
from edgemodels.diagnostics import Diagnostic
from edgemodels.output import plural
from edgemodels.plan.evaluate import Evaluation, workload_mask
from edgemodels.plan.sitelist import MAX_NAMED, about, about_names, cut, name_list, site_names
from edgemodels.plan.sitemasks import MaskCache, Sites
from edgemodels.selectors import Mask, count
from edgemodels.sites import Inventory
from edgemodels.workloadsites import WorkloadSites


def apply_workload_sites(catalogue: Catalogue, exported: tuple[WorkloadSites, ...]) -> Catalogue:
    """`catalogue` with each exported workload running on the export's sites alone."""
    by_name = {w.name: w for w in exported}
    workloads = tuple(
        exported_as(w, by_name[w.name]) if w.name in by_name else w for w in catalogue.workloads
    )
    return replace(catalogue, workloads=workloads)


def exported_as(workload: Workload, entry: WorkloadSites) -> Workload:
    """The workload where the export says it runs: its selector goes too, or a site the
    placement system has taken it off would still count as one it runs on."""
    return replace(workload, selector=None, sites=entry.sites, key_locations=())  # not its lines


def with_workload_sites(
    evaluation: Evaluation, exported: tuple[WorkloadSites, ...], cache: MaskCache
) -> Evaluation:
    """`evaluation` with its workloads running where the export says; models unmoved."""
    catalogue = apply_workload_sites(evaluation.catalogue, exported)
    workloads = {w.name: workload_mask(cache, w) for w in catalogue.workloads}
    return replace(evaluation, workloads=workloads)


def export_findings(
    catalogue: Catalogue,
    exported: tuple[WorkloadSites, ...],
    inventory: Inventory,
    retired: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    """D109 and D110; a workload in `retired` (declared at the base only) is left to
    `retired_findings`."""
    declared = {w.name for w in catalogue.workloads} | retired
    known_sites = {s.name for s in inventory.sites}
    found: list[Diagnostic] = []
    for entry in exported:
        if entry.name not in declared:
            message = (
                f"workload {entry.name} is not declared in the catalogue; the models it uses are "
                "unknown, so its sites are ignored"
            )
            found.append(Diagnostic(entry.location, "D109", message, "warning", "unknown-workload"))
            continue
        unknown = sorted({s for s in entry.sites if s not in known_sites})
        if unknown:
            message = (
                f"workload {entry.name} runs on {_sites_not_known(len(unknown))}: {cut(unknown)}"
            )
            unlisted = Diagnostic(
                entry.location, "D110", message, "warning", "unknown-workload-site"
            )
            found.append(about_names(unlisted, unknown))
    return found


def export_difference_findings(
    catalogue: Catalogue, exported: tuple[WorkloadSites, ...], sites: Sites, cache: MaskCache
) -> list[Diagnostic]:
    """D125: an exported workload the catalogue places elsewhere. The plan takes the export;
    the note says so, and where the catalogue's placement (and so its follow placements)
    and the export part."""
    by_name = {w.name: w for w in catalogue.workloads}
    followers = {m.name for m in catalogue.models if m.follow_workloads}
    found: list[Diagnostic] = []
    for entry in exported:
        declared = by_name.get(entry.name)
        if declared is None:
            continue
        placed = workload_mask(cache, declared)
        runs = workload_mask(cache, exported_as(declared, entry))
        if placed != runs:
            follows = [f"follow-{m}" for m in dict.fromkeys(declared.uses) if m in followers]
            found.append(_differs(declared, runs, placed, sites, follows))
    return found


def _differs(
    workload: Workload, runs: Mask, placed: Mask, sites: Sites, follows: list[str]
) -> Diagnostic:
    parts = []
    if runs & ~placed:
        parts.append(
            f"the export also lists {plural(count(runs & ~placed), 'site')} the catalogue "
            f"leaves out: {name_list(sites, runs & ~placed)}"
        )
    if placed & ~runs:
        parts.append(
            f"the catalogue also places it on {plural(count(placed & ~runs), 'site')} the "
            "export does not list, where the plan does not count it as running: "
            f"{name_list(sites, placed & ~runs)}"
        )
    message = (
        f"workload {workload.name} runs where --workload-sites says "
        f"({plural(count(runs), 'site')}), not where the catalogue places it "
        f"({_catalogue_source(workload)}): " + "; ".join(parts)
    )
    if follows:  # generate reads the catalogue alone
        message += f"; {', '.join(follows)} follow{'s' if len(follows) == 1 else ''} the catalogue"
    differs = Diagnostic(workload.location, "D125", message, "info", "workload-export-differs")
    # The sites on either side, as the message names them: the export's, then the catalogue's.
    return about_names(
        differs, site_names(sites, runs & ~placed) + site_names(sites, placed & ~runs)
    )


def _catalogue_source(workload: Workload) -> str:
    if workload.selector is not None and workload.sites:
        return "by its selector and sites"
    if workload.selector is not None:
        return "by its selector"
    return "by its sites" if workload.sites else "it has no selector or sites"


def retired_workloads(catalogue: Catalogue, base: Catalogue | None) -> dict[str, Workload]:
    """Workloads the base declares and `catalogue` does not: retired by this change."""
    if base is None:
        return {}
    declared = {w.name for w in catalogue.workloads}
    return {w.name: w for w in base.workloads if w.name not in declared}


def retired_findings(
    evaluation: Evaluation,
    exported: tuple[WorkloadSites, ...],
    retired: dict[str, Workload],
    cache: MaskCache,
) -> list[Diagnostic]:
    """D121: a retired workload the export still runs, on sites that lose a model it used.
    Only its exported sites count: the catalogue no longer says where it runs."""
    found: list[Diagnostic] = []
    for entry in exported:
        gone = retired.get(entry.name)
        if gone is None:
            continue
        runs = workload_mask(cache, Workload(entry.name, gone.uses, sites=entry.sites))
        for used in dict.fromkeys(gone.uses):
            placed = evaluation.model(used)
            missing = runs & ~(placed.sites if placed else 0)
            if missing:
                found.append(_retired(entry, used, missing, cache, placed is None))
    return found


def _retired(
    entry: WorkloadSites, used: str, missing: int, cache: MaskCache, deleted: bool
) -> Diagnostic:
    listed = name_list(cache.sites, missing)
    what = "is removed from the catalogue" if deleted else f"leaves {_it(count(missing))}"
    message = (
        f"workload {entry.name} is no longer in the catalogue, but the export says it still "
        f"runs on {plural(count(missing), 'site')} where model {used}, which it used at the "
        f"base, {what}: {listed}; keep the model there until the workload placement system "
        "has moved the workload away"
    )
    running = Diagnostic(entry.location, "D121", message, "error", "retired-workload-running")
    return about(running, cache.sites, missing)


def declared_site_findings(
    catalogue: Catalogue, exported: tuple[WorkloadSites, ...] | None, inventory: Inventory
) -> list[Diagnostic]:
    """D110 for a catalogue workload's own `sites` (those the export does not replace): a
    misspelt site takes the workload's follow models off the site it means."""
    replaced = {w.name for w in exported or ()}
    known = [s.name for s in inventory.sites]
    names = set(known)
    found: list[Diagnostic] = []
    for workload in catalogue.workloads:
        unknown = sorted({s for s in workload.sites if s not in names})
        if not unknown or workload.name in replaced:
            continue
        shown = cut([_with_guess(s, known) for s in unknown[:MAX_NAMED]] + unknown[MAX_NAMED:])
        message = (
            f"workload {workload.name} names {_sites_not_known(len(unknown), 'that ')}: {shown}; "
            "the models that follow it are not placed on "
            f"{'the site' if len(unknown) == 1 else 'the sites'} it meant"
        )
        unlisted = Diagnostic(
            workload.location, "D110", message, "warning", "unknown-workload-site"
        )
        found.append(about_names(unlisted, unknown))
    return found


def _it(number: int) -> str:
    return "it" if number == 1 else "them"


def _sites_not_known(number: int, that: str = "") -> str:
    """'a site not in the inventory', 'sites that are not in the inventory'."""
    if number == 1:
        return f"a site {that}{'is ' if that else ''}not in the inventory"
    return f"sites {that}{'are ' if that else ''}not in the inventory"


def _with_guess(name: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(name, known, n=1)
    return f"{name} (did you mean {guess[0]}?)" if guess else name
