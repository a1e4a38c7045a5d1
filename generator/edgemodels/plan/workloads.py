"""Where workloads run, taken from a file exported by the workload placement system.

Each exported list replaces the `sites` of the catalogue workload of the same name (its own
selector, if any, still applies: the two are ORed). It decides only where workloads run
(D104, D105): models stay where the generated tree places them, and `generate` reads the
catalogue alone, so a `follow-<model>` placement still follows the catalogue's workloads.

| code | name | severity |
|------|------|----------|
| D109 | unknown-workload | warning: the export names a workload the catalogue does not declare |
| D110 | unknown-workload-site | warning: the export names a site that is not in the inventory |
"""

from __future__ import annotations

from dataclasses import replace

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic
from edgemodels.inventory import Inventory, WorkloadSites
from edgemodels.plan.evaluate import Evaluation, MaskCache, workload_mask

MAX_NAMED = 10


def apply_workload_sites(catalogue: Catalogue, exported: tuple[WorkloadSites, ...]) -> Catalogue:
    by_name = {w.name: w for w in exported}
    workloads = tuple(
        replace(w, sites=by_name[w.name].sites) if w.name in by_name else w
        for w in catalogue.workloads
    )
    return replace(catalogue, workloads=workloads)


def with_workload_sites(
    evaluation: Evaluation, exported: tuple[WorkloadSites, ...], cache: MaskCache
) -> Evaluation:
    """`evaluation` with its workloads running where the export says; models unmoved."""
    catalogue = apply_workload_sites(evaluation.catalogue, exported)
    workloads = {w.name: workload_mask(cache, w) for w in catalogue.workloads}
    return replace(evaluation, workloads=workloads)


def export_findings(
    catalogue: Catalogue, exported: tuple[WorkloadSites, ...], inventory: Inventory
) -> list[Diagnostic]:
    declared = {w.name for w in catalogue.workloads}
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
            shown = ", ".join(unknown[:MAX_NAMED])
            more = len(unknown) - MAX_NAMED
            shown += f" and {more} more" if more > 0 else ""
            message = f"workload {entry.name} runs on sites not in the inventory: {shown}"
            found.append(
                Diagnostic(entry.location, "D110", message, "warning", "unknown-workload-site")
            )
    return found
