"""`edgemodels plan`: load the inputs, evaluate both catalogues, diff them, run the guards."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from edgemodels.catalogue import load
from edgemodels.catalogue.model import Catalogue
from edgemodels.catalogue.sources import setting_locations, shown_name
from edgemodels.codes import entry_codes
from edgemodels.diagnostics import (
    Diagnostic,
    Location,
    Suppression,
    apply_suppressions,
    find_suppressions,
    has_failures,
)
from edgemodels.errors import InputError, NoCatalogueFiles
from edgemodels.inputfile import STDIN
from edgemodels.inventory import load_inventory
from edgemodels.output import plural
from edgemodels.plan import delivery, guards, hazards, pullmodel, removals
from edgemodels.plan.arch import arch_findings
from edgemodels.plan.argonames import application_name_findings
from edgemodels.plan.atbase import BaseFiles, as_working
from edgemodels.plan.atrevision import load_snapshot
from edgemodels.plan.diff import ModelDiff, PlacementTotals, diff_models, placement_totals
from edgemodels.plan.evaluate import (
    Evaluation,
    MaskCache,
    Sites,
    cluster_sets,
    evaluate,
    index_sites,
)
from edgemodels.plan.followed import moved_workload_findings
from edgemodels.plan.gitrev import Revision, catalogue_at, path_in_repository, renames_since
from edgemodels.plan.hubcluster import hub_cluster_findings
from edgemodels.plan.images import version_image_findings
from edgemodels.plan.instancelabels import instance_label_findings
from edgemodels.plan.moved import moved_from, moved_note, no_base_note
from edgemodels.plan.removals import DEFAULT_REMOVAL_LIMIT, RemovalLimit
from edgemodels.plan.sitestate import site_state_findings
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
from edgemodels.yamlio import YamlFile

PLAN_CODE_PREFIX = "D1"  # inline suppressions in the catalogue apply to the plan's own codes
# The removal guards check the merge request that edits the catalogue: a comment in it must
# not switch them off. Only the CI invocation can (--allow-removals, --max-removals).
GUARD_CODES = frozenset({"D101", "D102", "D116", "D118"})


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
        diags += removals.removal_findings(diffs, sites, where, limit, allow_removals)
        diags += removals.preserved_removal_findings(catalogue, diffs, sites)
        diags += moved_workload_findings(diffs, before, after, sites, exported)
        diags += hazards.resize_findings(diffs, before.catalogue, catalogue, sites)
        diags += hazards.storage_class_findings(diffs, before.catalogue, catalogue, sites)
        diags += hazards.hand_over_findings(diffs, catalogue, sites)
        diags += version_image_findings(diffs, catalogue, sites)
        diags += hazards.hub_findings(before.catalogue, catalogue, allow_removals, settings)
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
    exported = None
    if options.workload_sites is not None:
        if not options.workload_sites.exists():
            raise InputError(f"--workload-sites {options.workload_sites}: no such file")
        shown = shown_name(options.workload_sites, cwd)
        exported, found = load_workload_sites(options.workload_sites, shown)
        diags += found
    loaded = load(options.catalogue, cwd)
    diags += [d for d in loaded.diagnostics if d.severity == "error"]
    if inventory is None or loaded.catalogue is None or has_failures(diags):
        return None, diags
    (base, compared, revision, base_side), moved = _base(options, loaded.catalogue, cwd)
    plan, found = build_plan(
        loaded.catalogue,
        index_sites(inventory),
        base,
        compared,
        exported,
        options.removal_limit,
        options.allow_removals,
        setting_locations(loaded.merged),
    )
    if compared and base is None and revision is not None:
        where = options.base_catalogue or options.catalogue
        found.append(no_base_note(loaded.catalogue, revision, str(where)))
    elif moved is not None and revision is not None:
        now = shown_name(options.catalogue, cwd)
        found.append(moved_note(loaded.catalogue, revision, now, shown_name(moved, cwd)))
    suppressions, refused = _plan_suppressions(loaded.merged.files)
    found = apply_suppressions(found, suppressions) + refused
    at_base = plan.base_findings
    if at_base is not None and base_side is not None:
        base_sup, base_refused, files = base_side
        at_base = tuple(
            as_working(apply_suppressions(at_base, base_sup) + base_refused, files, found, cwd)
        )
    plan = replace(
        plan,
        catalogue_path=shown_name(options.catalogue, cwd),
        inventory_path=inventory.path,
        base=revision,
        # the inputs other than the catalogue are the same for the base
        base_findings=None if at_base is None else (*at_base, *diags),
    )
    return plan, diags + found


BaseSide = tuple[list[Suppression], list[Diagnostic], BaseFiles]
BaseRead = tuple[Catalogue | None, bool, Revision | None, BaseSide | None]


def _base(options: PlanOptions, catalogue: Catalogue, cwd: Path) -> tuple[BaseRead, Path | None]:
    """The catalogue at --base, where --base-catalogue says it was, else at its path, else
    where git finds it was moved from (that path, in the work tree, with it)."""
    if options.base_catalogue is not None:
        at = path_in_repository(options.catalogue, options.base_catalogue)
        return base_catalogue(options.catalogue, options.base, at), None
    read = base_catalogue(options.catalogue, options.base)
    return moved_base(options.catalogue, read, Path(cwd, catalogue.location.path))


def moved_base(catalogue: Path, read: BaseRead, named: Path) -> tuple[BaseRead, Path | None]:
    """`read`, the catalogue at a revision, read again where git finds the catalogue was
    moved from when it had none at its path (plan/moved.py), with that path in the work
    tree; else `read` as it is. `named`: the file holding the catalogue's metadata.name."""
    revision = read[2]
    if read[0] is not None or revision is None:
        return read, None
    renames = renames_since(catalogue, revision.commit)
    named, top = named.resolve(), renames.top.resolve()
    if not named.is_relative_to(top):
        return read, None
    inside = PurePosixPath(named.relative_to(top).as_posix())
    old = moved_from(renames, catalogue.is_dir(), inside)
    if old is None:
        return read, None
    try:
        moved = base_catalogue(catalogue, revision.name, old)
    except InputError as exc:
        raise InputError(f"{exc} (at {old}, where git finds the catalogue was)") from None
    return (moved, top / old) if moved[0] is not None else (read, None)


def base_catalogue(
    catalogue: Path, base: str | None, at: PurePosixPath | None = None
) -> tuple[Catalogue | None, bool, Revision | None, BaseSide | None]:
    """The catalogue `catalogue` at revision `base` (read at `at` there, a path from the
    repository's root, when given: where it was before a move); None (every model is new)
    when the revision has no catalogue file at that path, as when the path itself is
    missing there. With it, its plan suppressions and where its files are, to compare its
    findings."""
    if base is None:
        return None, False, None, None
    with catalogue_at(catalogue, base, at) as snapshot:
        if snapshot.path is None:
            return None, True, snapshot.revision, None
        try:
            loaded = load_snapshot(snapshot, snapshot.path)
        except NoCatalogueFiles:
            return None, True, snapshot.revision, None
        except InputError as exc:  # it names the temporary folder, gone once we return
            raise InputError(
                f"--base {base}: the catalogue at that revision cannot be read: "
                + str(exc).replace(f"{snapshot.root}{os.sep}", "").replace(str(snapshot.root), ".")
            ) from None
        if loaded.catalogue is None:
            errors = [d for d in loaded.diagnostics if d.severity == "error"]
            first = errors[0].render() if errors else "no catalogue"
            raise InputError(
                f"--base {base}: the catalogue at that revision does not load "
                f"({plural(len(errors), 'error')}; first: {first})"
            )
        files = BaseFiles(shown_name(snapshot.path, snapshot.root), os.path.realpath(catalogue))
        suppressions, refused = _plan_suppressions(loaded.merged.files)
        return loaded.catalogue, True, snapshot.revision, (suppressions, refused, files)


def _plan_suppressions(files: list[YamlFile]) -> tuple[list[Suppression], list[Diagnostic]]:
    """`# edgemodels: ignore[D1..]` comments of the catalogue (codes in any case, or names),
    limited to the plan's codes, and a D113 finding for each that names a removal guard
    (which it does not silence)."""
    found, refused = [], []
    codes_of = entry_codes()
    for yf in files:
        for sup in find_suppressions(yf.path, yf.text):
            guards_named = sorted({c for e in sup.codes for c in codes_of(e)} & GUARD_CODES)
            if guards_named:
                refused.append(_guard_not_suppressible(sup, guards_named))
            codes = frozenset(
                e
                for e in sup.codes
                if any(c.startswith(PLAN_CODE_PREFIX) and c not in GUARD_CODES for c in codes_of(e))
            )
            if codes:
                found.append(Suppression(sup.location, codes))
    return found, refused


def _guard_not_suppressible(sup: Suppression, codes: list[str]) -> Diagnostic:
    return Diagnostic(
        sup.location,
        "D113",
        f"{' and '.join(codes)} cannot be suppressed in the catalogue: the removal guards "
        "check the change that edits it; accept removals in the CI invocation instead "
        "(--allow-removals, --max-removals), and remove this suppression",
        "warning",
        "guard-not-suppressible",
    )
