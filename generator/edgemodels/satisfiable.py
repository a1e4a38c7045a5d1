"""Whether label selectors can match a cluster at all, and whether two can match the same one.

A cluster carries at most one value per label key, so a conjunction of requirements (the
matchLabels and matchExpressions of one or more selectors, ANDed) can be met exactly when
each key's requirements can be met on their own: `In` and `Exists` need the key, with a
value in every `In` list and in no `NotIn` list; `DoesNotExist` needs it absent; `NotIn`
alone is met by an absent key (the semantics of `edgemodels.selectors`). So the answer is a
matching label set built key by key, or the key whose requirements contradict each other.

`check` uses it for R213 (two placements of one model that can select one cluster, which
would then get the model's objects twice) and R214 (a selector that can never match).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from edgemodels.catalogue.model import Requirement, Selector
from edgemodels.selectors import CLUSTER_SET_LABEL, DEFAULT_CLUSTER_SET, GLOBAL_CLUSTER_SET

# An example value for a key that must exist with no value pinned (Exists, or only NotIn).
_ANY = "any"


@dataclass(frozen=True)
class Answer:
    """`labels` is a label set that satisfies every requirement, or None with the `reason`."""

    labels: dict[str, str] | None
    reason: str = ""


def requirements_of(selectors: Iterable[Selector]) -> tuple[Requirement, ...]:
    return tuple(req for selector in selectors for req in selector.requirements())


def solve(requirements: Iterable[Requirement]) -> Answer:
    """A label set meeting all `requirements` (ANDed), or why none exists."""
    by_key: dict[str, list[Requirement]] = {}
    for req in requirements:
        by_key.setdefault(req.key, []).append(req)
    labels: dict[str, str] = {}
    for key in sorted(by_key):
        value, reason = _solve_key(key, by_key[key])
        if reason:
            return Answer(None, reason)
        if value is not None:
            labels[key] = value
    return Answer(labels)


def _solve_key(key: str, reqs: Sequence[Requirement]) -> tuple[str | None, str]:
    """(the key's value, None for absent; "") or (None, why no value works)."""
    present = [r for r in reqs if r.operator in ("In", "Exists")]
    absent = [r for r in reqs if r.operator == "DoesNotExist"]
    if present and absent:
        return (
            None,
            f"'{key}' must be present ({describe(present[0])}) and absent ({describe(absent[0])})",
        )
    allowed: set[str] | None = None
    forbidden: set[str] = set()
    for r in reqs:
        if r.operator == "In":
            allowed = set(r.values) if allowed is None else allowed & set(r.values)
        elif r.operator == "NotIn":
            forbidden.update(r.values)
    if allowed is not None:
        left = sorted(allowed - forbidden)
        if not left:
            wanted = [r for r in reqs if r.operator in ("In", "NotIn")]
            return None, f"no value of '{key}' meets " + " and ".join(map(describe, wanted))
        return left[0], ""
    if present:
        return _fresh(forbidden), ""
    return None, ""


def _fresh(forbidden: set[str]) -> str:
    value, number = _ANY, 0
    while value in forbidden:
        number += 1
        value = f"{_ANY}-{number}"
    return value


def describe(req: Requirement) -> str:
    if req.operator in ("Exists", "DoesNotExist"):
        return f"{req.key} {req.operator}"
    return f"{req.key} {req.operator} [{', '.join(req.values)}]"


def cluster_set_choices(
    placement_kind: str, cluster_sets: Sequence[str], exclusive: bool = False
) -> tuple[tuple[Requirement, ...], ...]:
    """The hub's restriction of Placements to `cluster_sets`, as alternative requirements.

    A set of `selectorType: ExclusiveClusterSetLabel` (the default) holds the clusters with
    its name as their cluster-set label, and `default` (one of them) those without that
    label too; `global` holds every cluster. Any other set may instead be a `LabelSelector`
    set, holding the clusters its selector matches whatever their cluster-set label says
    (clustersets.py), and the catalogue cannot tell which: only the hub's ManagedClusterSets
    do, which `plan` reads from the inventory. So such a set restricts nothing here, and a
    selector is taken to reach it unless it contradicts itself: a conclusion drawn from the
    label must hold for both kinds. `exclusive` takes every set as its label, for a note
    that a selector can reach none of them but through a selector-chosen set.
    PlacementRules ignore cluster sets. The label-free alternative comes first, so an
    example label set names the cluster set only when it has to.
    """
    if placement_kind != "Placement" or GLOBAL_CLUSTER_SET in cluster_sets:
        return ((),)
    if not exclusive and any(name != DEFAULT_CLUSTER_SET for name in cluster_sets):
        return ((),)
    choices: list[tuple[Requirement, ...]] = []
    if DEFAULT_CLUSTER_SET in cluster_sets:
        choices.append((Requirement(CLUSTER_SET_LABEL, "DoesNotExist"),))
    choices.append((Requirement(CLUSTER_SET_LABEL, "In", tuple(sorted(cluster_sets))),))
    return tuple(choices)


def solve_within(
    requirements: Sequence[Requirement], choices: Sequence[tuple[Requirement, ...]]
) -> Answer:
    """`solve` with one of the alternative extra requirements `choices` (for cluster sets).
    The reason given, if none works, is the requirements' own when they contradict each
    other (the common case, settled by one solve), else the first alternative's."""
    alone = solve(requirements)
    if alone.labels is None:
        return alone
    first: Answer | None = None
    for extra in choices:
        answer = solve((*requirements, *extra)) if extra else alone
        if answer.labels is not None:
            return answer
        first = first or answer
    return first or alone


def format_labels(labels: dict[str, str]) -> str:
    if not labels:
        return "a cluster with any labels"
    return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(labels.items())) + "}"
