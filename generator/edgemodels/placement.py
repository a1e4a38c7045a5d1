"""Where each model goes: the placements the generator emits and the planner evaluates.

A named target is one placement. A model with `followWorkloads: true` gets one placement
of its own, `follow-<model>`, whose predicates are the workloads' selectors ORed together
(Placement predicates are ORed), so it lands exactly where its consumers run.

A PlacementRule cannot OR selectors, so with `placementKind: PlacementRule` (and delivery
by Subscription) a placement of several predicates becomes one rule per predicate,
`<name>-1`, `<name>-2`, ... (`hub_objects`). Those rules may overlap: a site matching two
of them gets the model twice (R213, D112). Keeping them disjoint would need one rule per
term of a disjoint expansion of "this selector and none of the earlier ones", a number of
rules that multiplies with every requirement and whose names move whenever a workload
changes (each move a redeploy); so they are generated as written and the overlap reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from edgemodels.catalogue.model import Catalogue, Model, Overrides, Requirement, Selector, Workload

# OCM's registration agent labels every ManagedCluster with `name=<cluster name>`.
CLUSTER_NAME_LABEL = "name"
FOLLOW_PREFIX = "follow-"


@dataclass(frozen=True)
class TargetPlacement:
    """One placement: ORed predicates, each a label selector."""

    name: str
    predicates: tuple[Selector, ...]
    overrides: Overrides
    production: bool = False
    follows: tuple[str, ...] = ()  # workloads whose placement this one mirrors


def uses_placement_rules(catalogue: Catalogue) -> bool:
    """True when each predicate becomes an object of its own: PlacementRules on the hub.
    Argo CD delivery always writes Placements (render/argocd.py)."""
    hub = catalogue.hub
    return hub.delivery == "subscription" and hub.placement_kind == "PlacementRule"


def hub_objects(catalogue: Catalogue, tp: TargetPlacement) -> tuple[TargetPlacement, ...]:
    """The hub objects (and so Subscriptions) one placement becomes, as generated."""
    if not uses_placement_rules(catalogue) or len(tp.predicates) <= 1:
        return (tp,)
    return tuple(
        replace(tp, name=f"{tp.name}-{i}", predicates=(sel,))
        for i, sel in enumerate(tp.predicates, start=1)
    )


def workload_selectors(workload: Workload) -> tuple[Selector, ...]:
    """A workload's own selector and/or its explicit site list, as ORed selectors."""
    found: list[Selector] = []
    if workload.selector is not None:
        found.append(workload.selector)
    if workload.sites:
        names = tuple(sorted(set(workload.sites)))
        found.append(Selector((), (Requirement(CLUSTER_NAME_LABEL, "In", names),)))
    return tuple(found)


def follow_placement(catalogue: Catalogue, model: Model) -> TargetPlacement:
    users = [w for w in catalogue.workloads if model.name in w.uses]
    predicates: list[Selector] = []
    for w in users:
        for sel in workload_selectors(w):
            if sel not in predicates:
                predicates.append(sel)
    return TargetPlacement(
        name=FOLLOW_PREFIX + model.name,
        predicates=tuple(predicates),
        overrides=Overrides(),
        follows=tuple(w.name for w in users),
    )


def model_placements(catalogue: Catalogue, model: Model) -> tuple[TargetPlacement, ...]:
    """Every placement of one model, with the target's and the model's overrides merged."""
    found: list[TargetPlacement] = []
    per_target = dict(model.target_overrides)
    for name in model.targets:
        target = catalogue.target(name)
        found.append(
            TargetPlacement(
                name=target.name,
                predicates=(target.selector,),
                overrides=target.overrides.merged(per_target.get(name)),
                production=target.production,
            )
        )
    if model.follow_workloads:
        found.append(follow_placement(catalogue, model))
    return tuple(found)


def all_placements(catalogue: Catalogue) -> dict[str, tuple[TargetPlacement, ...]]:
    """model name -> its placements, in catalogue order."""
    return {m.name: model_placements(catalogue, m) for m in catalogue.models}
