"""What a change of catalogue does to each site: added, upgraded, downgraded, changed, removed.

Computed per model on site masks (a few big-integer operations per model), so the cost does
not grow with sites x models; the per-site view is derived from the masks on demand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from edgemodels.plan.evaluate import Evaluation, PlacedModel
from edgemodels.plan.versions import Direction, compare
from edgemodels.selectors import Mask, count, members

ChangeKind = Literal["added", "upgraded", "downgraded", "changed", "removed"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("added", "upgraded", "downgraded", "changed", "removed")


@dataclass(frozen=True)
class ModelDiff:
    """One model across the two catalogues. `before`/`after` is None where it is absent."""

    name: str
    before: PlacedModel | None
    after: PlacedModel | None
    direction: Direction  # how the version moved on sites that keep the model
    added: Mask
    removed: Mask
    kept: Mask

    def masks(self) -> dict[ChangeKind, Mask]:
        """Sites per change kind (kinds with no site are left out)."""
        out: dict[ChangeKind, Mask] = {}
        if self.added:
            out["added"] = self.added
        if self.kept and self.direction != "same":
            out[self.direction] = self.kept
        if self.removed:
            out["removed"] = self.removed
        return out

    def counts(self) -> dict[ChangeKind, int]:
        found = {kind: count(mask) for kind, mask in self.masks().items()}
        return {kind: found.get(kind, 0) for kind in CHANGE_KINDS}


@dataclass(frozen=True)
class PlacementTotals:
    """One placement (target or follow-<model>): its sites and the changes it carries."""

    name: str
    sites_before: int | None
    sites_after: int | None
    changes: dict[ChangeKind, int]


def diff_models(before: Evaluation | None, after: Evaluation) -> tuple[ModelDiff, ...]:
    """Working catalogue's models in order, then the ones only the base has.

    Without a base every model is kept as it is: no change, only the placement.
    """
    if before is None:
        return tuple(ModelDiff(m.name, m, m, "same", 0, 0, m.sites) for m in after.models)
    old = {m.name: m for m in before.models}
    found = [_diff(old.get(m.name), m) for m in after.models]
    current = {m.name for m in after.models}
    found += [_diff(m, None) for m in before.models if m.name not in current]
    return tuple(found)


def _diff(old: PlacedModel | None, new: PlacedModel | None) -> ModelDiff:
    either = new or old
    assert either is not None
    name = either.name
    old_sites = old.sites if old else 0
    new_sites = new.sites if new else 0
    kept = old_sites & new_sites
    direction: Direction = "same"
    if old and new:
        direction = compare(old.version, new.version)
    return ModelDiff(
        name, old, new, direction, new_sites & ~old_sites, old_sites & ~new_sites, kept
    )


def placement_totals(
    diffs: Iterable[ModelDiff], before: Evaluation | None, after: Evaluation
) -> tuple[PlacementTotals, ...]:
    """Per placement: sites before and after, and the (site, model) changes it carries.

    A change counts under every placement that gives the model to that site (the new
    placements for additions and version changes, the old ones for removals).
    """
    names = list(after.placements)
    if before is not None:
        names += [name for name in before.placements if name not in after.placements]
    totals: dict[str, dict[ChangeKind, int]] = {n: dict.fromkeys(CHANGE_KINDS, 0) for n in names}
    for d in diffs:
        for kind, mask in d.masks().items():
            source = d.before if kind == "removed" else d.after
            for placement, sites in source.placements if source else ():
                totals[placement][kind] += count(mask & sites)
    return tuple(
        PlacementTotals(
            name,
            _sites(before, name),
            _sites(after, name),
            totals[name],
        )
        for name in names
    )


def _sites(evaluation: Evaluation | None, name: str) -> int | None:
    if evaluation is None or name not in evaluation.placements:
        return None
    return count(evaluation.placements[name])


@dataclass(frozen=True)
class SiteChange:
    model: str
    kind: ChangeKind
    before: str | None  # version
    after: str | None


def site_changes(diffs: Iterable[ModelDiff]) -> dict[int, list[SiteChange]]:
    """Site number -> its changes, for the sites that change only."""
    found: dict[int, list[SiteChange]] = {}
    for d in diffs:
        old = d.before.version if d.before else None
        new = d.after.version if d.after else None
        for kind, mask in d.masks().items():
            change = SiteChange(
                d.name, kind, None if kind == "added" else old, None if kind == "removed" else new
            )
            for number in members(mask):
                found.setdefault(number, []).append(change)
    return found


def site_models(after: Evaluation) -> list[list[tuple[str, str]]]:
    """For every site, in inventory order: (model, version) it runs after the change."""
    found: list[list[tuple[str, str]]] = [[] for _ in range(after.size)]
    for model in after.models:
        entry = (model.name, model.version)
        for number in members(model.sites):
            found[number].append(entry)
    return found
