"""`edgemodels plan`: load the inputs, evaluate both catalogues, diff them, run the guards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from edgemodels.catalogue import load
from edgemodels.catalogue.model import Catalogue
from edgemodels.catalogue.sources import setting_locations, shown_name
from edgemodels.diagnostics import Diagnostic, Location, apply_suppressions, has_failures
from edgemodels.errors import InputError
from edgemodels.inputfile import STDIN
from edgemodels.inventory import load_inventory
from edgemodels.plan import delivery, guards, hazards, hubside, pullmodel, removals
from edgemodels.plan.arch import arch_findings
from edgemodels.plan.argonames import application_name_findings
from edgemodels.plan.basecatalogue import base_notes, read_base, working_base_findings
from edgemodels.plan.diff import ModelDiff, PlacementTotals, diff_models, placement_totals
from edgemodels.plan.evaluate import Evaluation, cluster_sets, evaluate
from edgemodels.plan.followed import moved_workload_findings
from edgemodels.plan.gitrev import Revision
from edgemodels.plan.hubcluster import hub_cluster_findings
from edgemodels.plan.images import version_image_findings
from edgemodels.plan.instancelabels import instance_label_findings
from edgemodels.plan.removalcauses import removal_causes
from edgemodels.plan.removals import DEFAULT_REMOVAL_LIMIT, RemovalLimit
from edgemodels.plan.sitemasks import MaskCache, Sites, index_sites
from edgemodels.plan.siteobjects import site_object_findings
from edgemodels.plan.sitestate import site_state_findings
from edgemodels.plan.suppressions import plan_suppressions
from edgemodels.plan.unmatched import unknown_set_findings
from edgemodels.plan.workloads import (
    declared_site_findings,
    export_difference_findings,
    export_findings,
    retired_findings,
    retired_workloads,
    with_workload_sites,
)
from edgemodels.workloadsites import WorkloadSites, load_workload_sites


@dataclass(frozen=True)
class PlanOptions:
    inventory: Path
    catalogue: Path
    base: str | None = None
    workload_sites: Path | None = None
    removal_limit: RemovalLimit = DEFAULT_REMOVAL_LIMIT
    allow_removals: bool = False
    base_catalogue: Path | None = None  # where the catalogue was at `base` (moved since)


@dataclass(frozen=True)
class Plan:
    sites: Sites
    after: Evaluation
    before: Evaluation | None  # None: no base to compare with
    diffs: tuple[ModelDiff, ...]
    placements: tuple[PlacementTotals, ...]
    catalogue_path: str = ""
    inventory_path: str = ""
    base: Revision | None = None
    # What a plan of the base catalogue on the same inventory finds, named as the working
    # copy names its files (None: no base). A finding also found there is not new.
    base_findings: tuple[Diagnostic, ...] | None = None

    @property
    def compared(self) -> bool:
        return self.before is not None


def build_plan(
    catalogue: Catalogue,
    sites: Sites,
    base: Catalogue | None = None,
    compared: bool = False,
    exported: tuple[WorkloadSites, ...] | None = None,
    limit: RemovalLimit = DEFAULT_REMOVAL_LIMIT,
    allow_removals: bool = False,
    settings: Mapping[str, Location] | None = None,
) -> tuple[Plan, list[Diagnostic]]:
    """The plan of `catalogue` on `sites`, compared with `base` when `compared`.

    `compared` with `base=None` means the base revision had no catalogue: every model is new.
    """
    cache = MaskCache(sites)
    after, diags = _placed(catalogue, evaluate(catalogue, cache), sites, cache, exported, base)
    before = evaluate(base, cache) if base is not None else None
    base_findings: list[Diagnostic] | None = None
    if compared:
        base_findings = []
        if base is not None and before is not None:
            base_findings = _placed(base, before, sites, cache, exported)[1]
    if compared and before is None:
        before = Evaluation(catalogue, (), {}, {}, {}, sites.index.size)
    # Named at the working copy's line for the base too: the base's own is in a snapshot
    where = (settings or {}).get("spec.hub.clusterSets", catalogue.location)
    diags += unknown_set_findings(sites.index, cluster_sets(catalogue), where)
    if base_findings is not None and base is not None:
        base_findings += unknown_set_findings(sites.index, cluster_sets(base), where)
    diffs = diff_models(before, after)
    if before is not None:
        where = catalogue.location
        causes = removal_causes(list(diffs), before.catalogue, catalogue, where)
        diags += removals.removal_findings(diffs, sites, where, limit, allow_removals, causes)
        diags += removals.preserved_removal_findings(catalogue, diffs, sites)
        diags += moved_workload_findings(diffs, before, after, sites, exported)
        diags += hazards.resize_findings(diffs, before.catalogue, catalogue, sites)
        diags += hazards.storage_class_findings(diffs, before.catalogue, catalogue, sites)
        diags += hazards.hand_over_findings(diffs, catalogue, sites)
        diags += site_object_findings(diffs, catalogue, sites)
        diags += version_image_findings(diffs, catalogue, sites)
        diags += hubside.hub_findings(before.catalogue, catalogue, allow_removals, settings)
        diags += delivery.delivery_findings(
            diffs, before.catalogue, catalogue, sites, allow_removals, settings
        )
        diags += pullmodel.pull_model_findings(diffs, before.catalogue, catalogue, sites, settings)
    plan = Plan(sites, after, before, diffs, placement_totals(diffs, before, after))
    if base_findings is not None:
        plan = replace(plan, base_findings=tuple(base_findings))
    return plan, diags


def _placed(
    catalogue: Catalogue,
    evaluation: Evaluation,
    sites: Sites,
    cache: MaskCache,
    exported: tuple[WorkloadSites, ...] | None,
    base: Catalogue | None = None,
) -> tuple[Evaluation, list[Diagnostic]]:
    """The catalogue's evaluation with its workloads where the export says, and the
    findings that depend on it alone: the same checks for the working copy and the base
    (and, for the working copy, the workloads the base declared that it retires)."""
    diags = declared_site_findings(catalogue, exported, sites.inventory)
    if exported is not None:
        retired = retired_workloads(catalogue, base)
        diags += export_findings(catalogue, exported, sites.inventory, frozenset(retired))
        diags += export_difference_findings(catalogue, exported, sites, cache)
        evaluation = with_workload_sites(evaluation, exported, cache)
        diags += retired_findings(evaluation, exported, retired, cache)
    diags += guards.placement_findings(evaluation, sites)
    diags += guards.unlabelled_site_findings(evaluation, sites)
    diags += guards.placed_twice_findings(evaluation, sites)
    diags += guards.capacity_findings(evaluation, sites)
    diags += guards.workload_findings(evaluation, sites)
    diags += guards.image_volume_findings(evaluation, sites)
    diags += arch_findings(evaluation, cache)
    diags += application_name_findings(evaluation, sites)
    diags += instance_label_findings(evaluation, sites)
    diags += site_state_findings(evaluation, sites, cache)
    diags += hub_cluster_findings(evaluation, sites)
    return evaluation, diags


def run_plan(options: PlanOptions, cwd: Path | None = None) -> tuple[Plan | None, list[Diagnostic]]:
    """Load the inventory, the workload export and the catalogue(s), then plan."""
    cwd = cwd or Path.cwd()
    if options.inventory.as_posix() != STDIN and not options.inventory.exists():
        raise InputError(f"--inventory {options.inventory}: no such file")
    inventory, diags = load_inventory(options.inventory, shown_name(options.inventory, cwd))
    exported, found = _workload_sites(options.workload_sites, cwd)
    diags += found
    loaded = load(options.catalogue, cwd)
    diags += [d for d in loaded.diagnostics if d.severity == "error"]
    if inventory is None or loaded.catalogue is None or has_failures(diags):
        return None, diags
    named = Path(cwd, loaded.catalogue.location.path)
    read = read_base(options.catalogue, options.base, options.base_catalogue, named)
    plan, found = build_plan(
        loaded.catalogue,
        index_sites(inventory),
        read.catalogue,
        read.compared,
        exported,
        options.removal_limit,
        options.allow_removals,
        setting_locations(loaded.merged),
    )
    looked_at = options.base_catalogue or options.catalogue
    found += base_notes(read, loaded.catalogue, options.catalogue, looked_at, cwd)
    suppressions, refused = plan_suppressions(loaded.merged.files)
    found = apply_suppressions(found, suppressions) + refused
    at_base = working_base_findings(plan.base_findings, read, found, cwd)
    plan = replace(
        plan,
        catalogue_path=shown_name(options.catalogue, cwd),
        inventory_path=inventory.path,
        base=read.revision,
        # the inputs other than the catalogue are the same for the base
        base_findings=None if at_base is None else (*at_base, *diags),
    )
    return plan, diags + found


def _workload_sites(
    path: Path | None, cwd: Path
) -> tuple[tuple[WorkloadSites, ...] | None, list[Diagnostic]]:
    """The workload export (--workload-sites); None when not given."""
    if path is None:
        return None, []
    if not path.exists():
        raise InputError(f"--workload-sites {path}: no such file")
    return load_workload_sites(path, shown_name(path, cwd))
