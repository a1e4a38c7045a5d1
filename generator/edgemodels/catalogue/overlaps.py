"""Selectors that can never match (R214), and models placed twice on one cluster (R213).

A model gets one Subscription (or Application) per placement. Two placements of one model
that select the same cluster deploy the same objects there twice: on RHACM the second
Subscription fails with "exists and owned by others", and which placement's overrides win
is undefined. Whether two selectors can select one cluster is decided from the selectors
alone (`edgemodels.satisfiable`), so `check` warns before any inventory is known; `plan`
reports the sites it actually happens on (D112). With PlacementRules (delivery by
Subscription) a follow placement is one rule per workload selector (`placement.hub_objects`),
so two workloads whose selectors overlap put the model twice on the clusters they share.

Work is per model over its own few placements; pairs of targets are solved once for the
whole catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from edgemodels.catalogue.build import selector_of
from edgemodels.catalogue.model import Requirement, Selector, Workload
from edgemodels.catalogue.permodel import each_model, targets_context
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic
from edgemodels.placement import FOLLOW_PREFIX, workload_selectors
from edgemodels.recall import NOTHING, ONCE, Recall, Same
from edgemodels.satisfiable import (
    Answer,
    cluster_set_choices,
    format_labels,
    requirements_of,
    solve,
    solve_within,
)
from edgemodels.selectors import CLUSTER_SET_LABEL, DEFAULT_CLUSTER_SET

Choices = tuple[tuple[Requirement, ...], ...]


def overlap_findings(merged: Merged, recall: Recall = NOTHING) -> Iterator[Diagnostic]:
    hub = merged.sections["hub"]
    kind, sets = hub.get("placementKind", "Placement"), hub.get("clusterSets", ["default"])
    choices = cluster_set_choices(kind, sets)
    labelled = cluster_set_choices(kind, sets, exclusive=True)
    rules = hub.get("placementKind") == "PlacementRule" and hub.get("delivery") != "argocd"
    # Everything but a model's own entry: the hub's choices, the targets and the workloads.
    context = (
        choices,
        labelled,
        rules,
        targets_context(merged),
        tuple(Same(node.data) for node in merged.workloads),
    )
    table = recall.table("overlaps", context)
    yield from table.get(ONCE, partial(_selectors, merged, choices, labelled))
    targets = {name: selector_of(node.data) for name, node in merged.targets.items()}
    users = _workload_users(merged)
    pairs: dict[tuple[str, str], Answer] = {}
    each = partial(_model_overlaps, targets, choices, pairs, users, rules)
    yield from each_model(merged, recall, "model-overlaps", context, each)


def _selectors(merged: Merged, choices: Choices, labelled: Choices) -> list[Diagnostic]:
    """R214 of the targets' and workloads' own selectors."""
    found: list[Diagnostic] = []
    for name, node in merged.targets.items():
        selector = selector_of(node.data)
        found += _never_matching(node, f"target '{name}'", selector, choices, labelled)
    for node in merged.workloads:
        if "matchLabels" in node.data or "matchExpressions" in node.data:
            who = f"workload '{node.data['name']}'"  # its own placement: no hub cluster sets
            found += _never_matching(node, who, selector_of(node.data), ((),), ((),))
    return found


def _model_overlaps(
    targets: dict[str, Selector],
    choices: Choices,
    pairs: dict[tuple[str, str], Answer],
    users: dict[str, list[Workload]],
    rules: bool,
    m: Node,
) -> Iterator[Diagnostic]:
    yield from _target_pairs(m, targets, choices, pairs)
    if m.get("followWorkloads"):
        yield from _follow_overlaps(m, targets, users.get(m.data["name"], []), choices)
        if rules:
            yield from _rule_overlaps(m, users.get(m.data["name"], []), choices)


def _never_matching(
    node: Node, who: str, selector: Selector, choices: Choices, labelled: Choices
) -> Iterator[Diagnostic]:
    """A warning when no cluster can match, whatever kind each cluster set is; a note when
    only a cluster set chosen by a label selector could hold a matching cluster."""
    reqs = selector.requirements()
    if any(r.operator in ("In", "NotIn") and not r.values for r in reqs):
        return  # R203 already says so
    answer = solve_within(reqs, choices)
    if answer.labels is not None:
        if solve_within(reqs, labelled).labels is None:
            yield _through_label_selector_sets(node, who)
        return
    reason = answer.reason
    if solve(reqs).labels is not None:  # it contradicts only the hub's cluster sets
        reason = (
            f"its {CLUSTER_SET_LABEL} requirements leave out the only set of "
            f"spec.hub.clusterSets, {DEFAULT_CLUSTER_SET} (its clusters have the label "
            f"{CLUSTER_SET_LABEL}={DEFAULT_CLUSTER_SET}, or none)"
        )
    message = f"{who}: selector can never match any cluster: {reason}"
    yield Diagnostic(node.path_key(), "R214", message, "warning", "selector-never-matches")


def _through_label_selector_sets(node: Node, who: str) -> Diagnostic:
    message = (
        f"{who}: its {CLUSTER_SET_LABEL} requirements leave out every set of "
        "spec.hub.clusterSets as a label, so it matches only clusters that a set of "
        "selectorType LabelSelector among them holds by its own selector, and none if "
        "they are all ExclusiveClusterSetLabel sets (the default kind); plan, given the "
        "hub's ManagedClusterSets in the inventory, says which (D106 if none)"
    )
    return Diagnostic(node.path_key(), "R214", message, "info", "selector-never-matches")


def _workload_users(merged: Merged) -> dict[str, list[Workload]]:
    """model name -> the workloads that use it, as typed workloads."""
    users: dict[str, list[Workload]] = {}
    for node in merged.workloads:
        d = node.data
        has_selector = "matchLabels" in d or "matchExpressions" in d
        workload = Workload(
            name=d["name"],
            uses=tuple(d["uses"]),
            selector=selector_of(d) if has_selector else None,
            sites=tuple(d.get("sites") or ()),
        )
        for used in dict.fromkeys(workload.uses):
            users.setdefault(used, []).append(workload)
    return users


def _target_pairs(
    m: Node, targets: dict[str, Selector], choices: Choices, pairs: dict[tuple[str, str], Answer]
) -> Iterator[Diagnostic]:
    name = m.data["name"]
    seen: list[str] = []
    for j, second in enumerate(m.get("targets") or []):
        if second not in targets or second in seen:
            continue
        for first in seen:
            answer = pairs.get((first, second))
            if answer is None:
                wanted = requirements_of((targets[first], targets[second]))
                answer = pairs[(first, second)] = solve_within(wanted, choices)
            if answer.labels is not None:
                message = (
                    f"model '{name}': targets '{first}' and '{second}' can both select one "
                    f"cluster, e.g. labels {format_labels(answer.labels)}; it would get two "
                    "Subscriptions deploying the same objects (the second fails, 'exists and "
                    "owned by others'): make the selectors disjoint, e.g. with a NotIn expression"
                )
                yield Diagnostic(m.at("targets", j), "R213", message, "warning", "targets-overlap")
        seen.append(second)


def _follow_overlaps(
    m: Node, targets: dict[str, Selector], users: list[Workload], choices: Choices
) -> Iterator[Diagnostic]:
    name = m.data["name"]
    follow = FOLLOW_PREFIX + name
    for target in dict.fromkeys(m.get("targets") or []):
        if target not in targets:
            continue
        for workload in users:
            answer = _first_overlap(targets[target], workload_selectors(workload), choices)
            if answer is not None:
                message = (
                    f"model '{name}': target '{target}' and its {follow} placement (workload "
                    f"'{workload.name}') can both select one cluster, e.g. labels "
                    f"{format_labels(answer)}; it would get two Subscriptions deploying the "
                    "same objects: drop the target or make it disjoint from the workload"
                )
                yield Diagnostic(
                    m.at("followWorkloads"), "R213", message, "warning", "targets-overlap"
                )
                break


def _rule_overlaps(m: Node, users: list[Workload], choices: Choices) -> Iterator[Diagnostic]:
    """The first two follow-<model>-N rules that can select one cluster, if any."""
    name = m.data["name"]
    rules: list[tuple[Selector, str]] = []  # as placement.follow_placement orders them
    for workload in users:
        for selector in workload_selectors(workload):
            if selector not in [known for known, _ in rules]:
                rules.append((selector, workload.name))
    for j, (second, second_user) in enumerate(rules):
        for i, (first, first_user) in enumerate(rules[:j]):
            answer = solve_within(requirements_of((first, second)), choices)
            if answer.labels is None:
                continue
            follow = FOLLOW_PREFIX + name
            message = (
                f"model '{name}': with placementKind PlacementRule its {follow} placement is one "
                f"rule per workload selector, and {follow}-{i + 1} (workload '{first_user}') and "
                f"{follow}-{j + 1} (workload '{second_user}') can both select one cluster, e.g. "
                f"labels {format_labels(answer.labels)}; it would get two Subscriptions deploying "
                "the same objects (the second fails, 'exists and owned by others'): use "
                "placementKind Placement (one Placement ORs the selectors), or make the "
                "workloads' selectors disjoint"
            )
            yield Diagnostic(m.at("followWorkloads"), "R213", message, "warning", "targets-overlap")
            return


def _first_overlap(
    target: Selector, predicates: tuple[Selector, ...], choices: Choices
) -> dict[str, str] | None:
    """A label set matching `target` and one of the ORed `predicates`, if any."""
    for predicate in predicates:
        answer = solve_within(requirements_of((target, predicate)), choices)
        if answer.labels is not None:
            return answer.labels
    return None
