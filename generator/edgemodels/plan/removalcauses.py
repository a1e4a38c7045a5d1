"""What made models leave sites, for D101 to stand where the merge request changed it.

A site loses a model (or gets it through other placements) because a placement of the
model that had it no longer does, or one that did not now does. The placement says where:
- a target of the working copy whose selector differs from the base's: the one label or
  expression that is new or changed, else its `matchLabels` or `matchExpressions`,
  whichever changed;
- a placement the model no longer has, or a new one (a target dropped, renamed or added):
  the one entry of the model's `targets` that is new, else its `targets` (or
  `followWorkloads`, for its follow placement);
- its follow placement, narrowed: the first workload it follows whose selector or `sites`
  changed, at the one label, expression or site that is new or changed, if one.
A model renamed (gone, and a new model with its image added on every site it leaves)
stands at the new model's `name`. A model retired from the catalogue, or a placement
narrowed by what is not in it (the
inventory, `spec.hub.clusterSets`, taints), has no line of its own: the catalogue's
`metadata.name`, where D101 stood for every cause before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from edgemodels.catalogue.model import (
    Catalogue,
    Model,
    Requirement,
    Selector,
    Target,
    Workload,
)
from edgemodels.diagnostics import Location
from edgemodels.plan.diff import ModelDiff
from edgemodels.selectors import Mask


@dataclass(frozen=True)
class Cause:
    """One change that removes models: where it stands, what it is ("" when unknown), and
    the models it takes from sites (name -> sites), in the diffs' order; `note`, words the
    finding ends with (a rename: which model is the new name of which)."""

    location: Location
    what: str
    models: tuple[tuple[str, Mask], ...]
    note: str = ""

    @property
    def sites(self) -> Mask:
        union = 0
        for _, mask in self.models:
            union |= mask
        return union


def removal_causes(
    diffs: list[ModelDiff], base: Catalogue, working: Catalogue, fallback: Location
) -> list[Cause]:
    """The causes of the removals and moves D101 counts, the most sites first."""
    found: dict[tuple[Location, str], dict[str, Mask]] = {}
    notes: dict[tuple[Location, str], str] = {}
    renamed = _renames(diffs, base, working)
    for d in diffs:
        new = renamed.get(d.name)
        if new is not None:  # at its new name, which the merge request wrote
            key = (new.location_of("name"), f"the rename of model {d.name} to {new.name}")
            notes[key] = (
                f"; model {d.name} is now {new.name} (the same image): a rename deletes it on "
                "these sites and deploys it again under the new name"
            )
            found.setdefault(key, {})[d.name] = d.removed | d.moved
            continue
        for where, what, mask in _model_causes(d, base, working, fallback):
            models = found.setdefault((where, what), {})
            models[d.name] = models.get(d.name, 0) | mask
    causes = [
        Cause(where, what, tuple(models.items()), notes.get((where, what), ""))
        for (where, what), models in found.items()
    ]
    return sorted(causes, key=lambda c: -c.sites.bit_count())


def _renames(diffs: list[ModelDiff], base: Catalogue, working: Catalogue) -> dict[str, Model]:
    """Models gone from the catalogue whose image a new model has, on every site they
    leave: old name -> the model under its new name (one each way)."""
    added = [d for d in diffs if d.before is None and d.after is not None]
    found: dict[str, Model] = {}
    for d in diffs:
        old = _model(base, d.name)
        if d.after is not None or old is None or not d.removed:
            continue
        for new_diff in added:
            new = _model(working, new_diff.name)
            taken = any(m.name == new_diff.name for m in found.values())
            if new is None or taken or new.image != old.image or d.removed & ~new_diff.added:
                continue
            found[d.name] = new
            break
    return found


def _model_causes(
    d: ModelDiff, base: Catalogue, working: Catalogue, fallback: Location
) -> Iterator[tuple[Location, str, Mask]]:
    left = d.removed | d.moved
    if not left or d.before is None:
        return
    model = _model(working, d.name)
    if d.after is None or model is None:
        yield fallback, "models removed from the catalogue", left
        return
    before = {p.name: p.sites for p in d.before.placements}
    after = {p.name: p.sites for p in d.after.placements}
    # a placement that lost the sites, then (for a move) one that gained them
    for name, sites, other in [
        *((n, m, after) for n, m in before.items()),
        *((n, m, before) for n, m in after.items()),
    ]:
        changed = sites & left & ~other.get(name, 0)
        if changed:
            left &= ~changed
            yield (*_placement_cause(name, name in other, model, base, working, fallback), changed)
    if left:
        yield fallback, "", left


def _placement_cause(
    name: str, on_both: bool, model: Model, base: Catalogue, working: Catalogue, fallback: Location
) -> tuple[Location, str]:
    if not on_both:  # the model's placements changed: a target dropped, renamed or added
        if name in model.targets or name in _targets_of(base, model.name):
            return _targets_location(model, base), f"the targets of model {model.name}"
        return model.location_of("followWorkloads"), f"the workloads model {model.name} follows"
    if name in model.targets:
        target = _target(working, name)
        was = _target(base, name)
        if target is not None and was is not None and target.selector != was.selector:
            where = _selector_location(target, target.selector, was.selector)
            return where, f"the selector of target {name}"
        return fallback, ""  # the same selector: the inventory or the hub's settings
    for workload in working.workloads:  # its follow placement
        old = next((w for w in base.workloads if w.name == workload.name), None)
        moved = old is None or (old.selector, old.sites) != (workload.selector, workload.sites)
        if model.name in workload.uses and moved:
            where = _workload_location(workload, old)
            return where, f"workload {workload.name}, which model {model.name} follows"
    return model.location, f"the workloads model {model.name} follows"


def _selector_location(target: Target | Workload, new: Selector, old: Selector) -> Location:
    """The one label or expression of the working copy that is new or changed (the line of
    the merge request), else the key of what changed: matchLabels when both did."""
    labels = [k for k, v in new.match_labels if (k, v) not in old.match_labels]
    expressions = [n for n, e in enumerate(new.match_expressions) if e not in old.match_expressions]
    if new.match_labels != old.match_labels:
        same = new.match_expressions == old.match_expressions
        if len(labels) == 1 and same:
            return target.location_of(f"matchLabels.{labels[0]}")
        return target.location_of("matchLabels")
    if len(expressions) == 1:
        return _expression_location(target, new.match_expressions, old, expressions[0])
    return target.location_of("matchExpressions")


def _expression_location(
    target: Target | Workload, expressions: tuple[Requirement, ...], old: Selector, n: int
) -> Location:
    """An expression that changed: at its one new value when only its values changed (a
    value edited or added in a list over lines), else at the expression."""
    changed = expressions[n]
    same = [
        e.values
        for e in old.match_expressions
        if (e.key, e.operator) == (changed.key, changed.operator)
    ]
    value = _new_entry(changed.values, same[0]) if len(same) == 1 else None
    where = f"matchExpressions.{n}" + ("" if value is None else f".values.{value}")
    return target.location_of(where)


def _new_entry(entries: tuple[str, ...], before: tuple[str, ...]) -> int | None:
    """The index of the one entry not there before (a line added or changed), if one."""
    new = [n for n, entry in enumerate(entries) if entry not in before]
    return new[0] if len(new) == 1 else None


def _targets_location(model: Model, base: Catalogue) -> Location:
    entry = _new_entry(model.targets, _targets_of(base, model.name))
    return model.location_of("targets" if entry is None else f"targets.{entry}")


def _workload_location(workload: Workload, old: Workload | None) -> Location:
    """The line of a followed workload that changed, when one did: a label or expression
    of its selector, or one of its sites; else the workload's entry."""
    if old is None:
        return workload.location
    if workload.selector != old.selector:
        if workload.selector is None or old.selector is None or workload.sites != old.sites:
            return workload.location
        return _selector_location(workload, workload.selector, old.selector)
    entry = _new_entry(workload.sites, old.sites)
    return workload.location if entry is None else workload.location_of(f"sites.{entry}")


def _model(catalogue: Catalogue, name: str) -> Model | None:
    return next((m for m in catalogue.models if m.name == name), None)


def _target(catalogue: Catalogue, name: str) -> Target | None:
    return next((t for t in catalogue.targets if t.name == name), None)


def _targets_of(catalogue: Catalogue, model: str) -> tuple[str, ...]:
    found = _model(catalogue, model)
    return found.targets if found is not None else ()
