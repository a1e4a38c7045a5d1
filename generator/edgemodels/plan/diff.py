"""What a change of catalogue does to each site: added, upgraded, downgraded, changed, moved,
removed.

A site that keeps a model can still get it redeployed: `moved` when the placements that
give it the model differ (a target renamed, or the site now matched by another target of
the model). Each placement has its own Subscription (`<model>-<placement>`, or an Argo CD
Application), so RHACM deletes the old one's ManifestWork, purging its objects, and creates
the new one: a redeploy. The site is without the model until the new Subscription applies
it (up to a reconcile period), and a copy volume is deleted and the weights copied again;
that is not for good, so D102 does not count it; D101 (mass removal) does, because its
objects are deleted on the way.
A new image with the same version (a rebuilt image, a new digest) is `changed`, and so is
a change of what the model is deployed with (replicas, resources, env, delivery, its http
or container section, security, the namespace, pull secrets, the helper image:
evaluate.Deployed): each changes the objects on the site, most of them roll its pods. A
site counts under one kind per model: moved first, then the version's direction, then a
new image or settings.

Computed per model on site masks (a few big-integer operations per model), so the cost does
not grow with sites x models; the per-site view is derived from the masks on demand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from edgemodels.plan.evaluate import Evaluation, PlacedModel, Route, setting_changes
from edgemodels.plan.versions import Direction, compare
from edgemodels.selectors import Mask, count, members

ChangeKind = Literal["added", "upgraded", "downgraded", "changed", "moved", "removed"]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "added",
    "upgraded",
    "downgraded",
    "changed",
    "moved",
    "removed",
)


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
    moved: Mask = 0  # kept, but through other placements
    redeployed: Mask = 0  # kept through the same placements, with another image or settings

    def masks(self) -> dict[ChangeKind, Mask]:
        """Sites per change kind (kinds with no site are left out)."""
        out: dict[ChangeKind, Mask] = {}
        if self.added:
            out["added"] = self.added
        in_place = self.kept & ~self.moved
        if in_place and self.direction != "same":
            out[self.direction] = in_place
        elif self.redeployed & in_place:
            out["changed"] = self.redeployed & in_place
        if self.moved:
            out["moved"] = self.moved
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
    old_sites = old.sites if old else 0
    new_sites = new.sites if new else 0
    kept = old_sites & new_sites
    direction: Direction = "same"
    moved = redeployed = 0
    if old and new:
        direction = compare(old.version, new.version)
        moved = kept & _placement_moves(old, new)
        redeployed = kept & _redeploys(old, new)
    return ModelDiff(
        either.name,
        old,
        new,
        direction,
        new_sites & ~old_sites,
        old_sites & ~new_sites,
        kept,
        moved,
        redeployed,
    )


def _placement_moves(old: PlacedModel, new: PlacedModel) -> Mask:
    """Sites some placement gives the model on one side only."""
    before = {p.name: p.sites for p in old.placements}
    after = {p.name: p.sites for p in new.placements}
    moves = 0
    for name in before.keys() | after.keys():
        moves |= before.get(name, 0) ^ after.get(name, 0)
    return moves


def _redeploys(old: PlacedModel, new: PlacedModel) -> Mask:
    """Sites a placement of both sides gives a different image or other settings."""
    was = {p.name: (p.image, p.deployed) for p in old.placements}
    changed = 0
    for p in new.placements:
        if p.name in was and was[p.name] != (p.image, p.deployed):
            changed |= p.sites
    return changed


def placement_totals(
    diffs: Iterable[ModelDiff], before: Evaluation | None, after: Evaluation
) -> tuple[PlacementTotals, ...]:
    """Per placement: sites before and after, and the (site, model) changes it carries.

    A change counts under every placement that gives the model to that site (the new
    placements for additions and version changes, the old ones for removals); a move
    under the placements it leaves and the ones it joins.
    """
    names = list(generated(after))
    if before is not None:
        names += [name for name in generated(before) if name not in names]
    totals: dict[str, dict[ChangeKind, int]] = {n: dict.fromkeys(CHANGE_KINDS, 0) for n in names}
    for d in diffs:
        for kind, mask in d.masks().items():
            if kind == "moved":
                for name, sites in _moved_through(d).items():
                    totals[name][kind] += count(mask & sites)
                continue
            source = d.before if kind == "removed" else d.after
            for placement in source.placements if source else ():
                totals[placement.name][kind] += count(mask & placement.sites)
    return tuple(
        PlacementTotals(
            name,
            _sites(before, name),
            _sites(after, name),
            totals[name],
        )
        for name in names
    )


def _moved_through(d: ModelDiff) -> dict[str, Mask]:
    """Placement name -> the sites it gives the model on one side only."""
    before = {p.name: p.sites for p in d.before.placements} if d.before else {}
    after = {p.name: p.sites for p in d.after.placements} if d.after else {}
    return {n: before.get(n, 0) ^ after.get(n, 0) for n in before.keys() | after.keys()}


def generated(evaluation: Evaluation) -> dict[str, Mask]:
    """The placements the generator writes, in catalogue order: those some model uses (a
    target no model names is no hub object, so it deploys nothing and selects no site)."""
    used = {p.name for m in evaluation.models for p in m.placements}
    return {name: mask for name, mask in evaluation.placements.items() if name in used}


def _sites(evaluation: Evaluation | None, name: str) -> int | None:
    if evaluation is None:
        return None
    mask = generated(evaluation).get(name)
    return None if mask is None else count(mask)


@dataclass(frozen=True)
class SiteChange:
    """One model on one site: its version, image and placements before and after, and the
    settings that differ (evaluate.SETTING_NAMES), where it had the model before and after."""

    model: str
    kind: ChangeKind
    before: str | None  # version
    after: str | None
    image_before: str | None = None
    image_after: str | None = None
    placements_before: tuple[str, ...] = ()
    placements_after: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    # Container delivery (copy, imageVolume) before and after; None for HTTP models and
    # where the site has no model on that side.
    delivery_before: str | None = None
    delivery_after: str | None = None


def site_changes(diffs: Iterable[ModelDiff]) -> dict[int, list[SiteChange]]:
    """Site number -> its changes, for the sites that change only."""
    found: dict[int, list[SiteChange]] = {}
    for d in diffs:
        for kind, mask in d.masks().items():
            had = _routes(d.before if kind != "added" else None, mask)
            has = _routes(d.after if kind != "removed" else None, mask)
            for old, old_sites in had:
                for new, new_sites in has:
                    change = SiteChange(
                        d.name,
                        kind,
                        d.before.version if old and d.before else None,
                        d.after.version if new and d.after else None,
                        old.image if old else None,
                        new.image if new else None,
                        old.placements if old else (),
                        new.placements if new else (),
                        setting_changes(old.deployed, new.deployed) if old and new else (),
                        old.deployed.delivery if old else None,
                        new.deployed.delivery if new else None,
                    )
                    for number in members(old_sites & new_sites):
                        found.setdefault(number, []).append(change)
    return found


def _routes(model: PlacedModel | None, mask: Mask) -> list[tuple[Route | None, Mask]]:
    if model is None:
        return [(None, mask)]
    return [(r, r.sites & mask) for r in model.routes() if r.sites & mask]


@dataclass(frozen=True)
class SiteModel:
    name: str
    version: str
    image: str


def site_models(after: Evaluation) -> list[list[SiteModel]]:
    """For every site, in inventory order: the models it runs after the change."""
    found: list[list[SiteModel]] = [[] for _ in range(after.size)]
    for model in after.models:
        for route in model.routes():
            entry = SiteModel(model.name, model.version, route.image)
            for number in members(route.sites):
                found[number].append(entry)
    return found
