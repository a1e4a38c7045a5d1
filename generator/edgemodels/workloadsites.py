"""Where each workload runs, from the workload scheduler's export (`plan --workload-sites`):
a `kind: WorkloadPlacement` file (schemas/workload-placement.schema.json)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.inputfile import read_document
from edgemodels.plan.schemacheck import schema_findings
from edgemodels.yamltree import PosMap


@dataclass(frozen=True)
class WorkloadSites:
    """Where one workload runs, according to the workload placement system."""

    name: str
    sites: tuple[str, ...]
    location: Location


def load_workload_sites(
    path: Path, shown: str | None = None
) -> tuple[tuple[WorkloadSites, ...] | None, list[Diagnostic]]:
    """A `kind: WorkloadPlacement` file: `workloads: [{name, sites: [...]}]`."""
    yf, diags = read_document(path, shown)
    if diags:
        return None, diags
    if not isinstance(yf.data, PosMap) or yf.data.get("kind") != "WorkloadPlacement":
        where = Location(yf.path, *getattr(yf.data, "pos", (1, 1)))
        message = "not a workload placement file: expected kind WorkloadPlacement"
        return None, [finding(where, "D207", "workload-file-kind", message)]
    diags = schema_findings(yf, "workload-placement.schema.json")
    if diags:
        return None, diags
    found: list[WorkloadSites] = []
    seen: dict[str, Location] = {}
    for number, entry in enumerate(yf.data["workloads"]):
        where = Location(yf.path, *yf.data["workloads"].item_pos[number])
        name = entry["name"]
        if name in seen:
            message = f"workload {name} is listed twice (first at line {seen[name].line})"
            diags.append(finding(where, "D208", "duplicate-workload", message))
            continue
        seen[name] = where
        found.append(WorkloadSites(name, tuple(entry["sites"]), where))
    if diags:
        return None, diags
    return tuple(found), []
