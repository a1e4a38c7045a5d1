"""Checks beyond the schema, on the merged, schema-valid catalogue, each pointing at the
line that is wrong: the sections every catalogue needs (S101), references (references.py),
selectors' labels and expressions (R201-R203), each model's fields (modelfields.py),
workloads (R212), settings (settings.py), resources and other merged values (derived.py),
generated names (collisions.py, argonames.py) and overlapping placements (overlaps.py).
While the files have schema errors, partial.py runs those of references that still hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from edgemodels.catalogue.archnames import check_arch_names
from edgemodels.catalogue.argonames import check_application_names
from edgemodels.catalogue.collisions import check_names
from edgemodels.catalogue.derived import (
    check_argocd_braces,
    check_ingress_paths,
    check_resources,
)
from edgemodels.catalogue.modelfields import check_models
from edgemodels.catalogue.namespaces import check_namespaces
from edgemodels.catalogue.overlaps import overlap_findings
from edgemodels.catalogue.references import check_duplicates, check_references
from edgemodels.catalogue.settings import check_settings
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.catalogue.syncoptions import check_sync_options
from edgemodels.catalogue.targetimages import check_target_images
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.names import label_key_problem, label_value_problem
from edgemodels.recall import NOTHING, Recall

Check = Callable[[Merged, Recall], Iterable[Diagnostic]]


def check_merged(merged: Merged, recall: Recall = NOTHING) -> list[Diagnostic]:
    """Every check's findings. `recall` (a resident server's) gives back a model's findings
    when its entry is the very data checked before, in the same context (`each_model`)."""
    diags = list(_missing_sections(merged))
    if diags:
        return diags
    for check in CHECKS:
        diags.extend(check(merged, recall))
    return diags


def _whole(check: Callable[[Merged], Iterable[Diagnostic]]) -> Check:
    """A check cheap enough to run whole every time."""
    return lambda merged, recall: check(merged)


def _missing_sections(merged: Merged) -> Iterator[Diagnostic]:
    first = Location(merged.files[0].path, 1, 1) if merged.files else Location("<catalogue>")
    if merged.name is None:
        yield finding(
            first, "S101", "missing-section", "no file of the catalogue sets metadata.name"
        )
    for section in ("git", "hub", "defaults"):
        if section not in merged.sections:
            yield finding(
                first, "S101", "missing-section", f"no file of the catalogue defines spec.{section}"
            )


def _selector_nodes(merged: Merged) -> Iterator[Node]:
    yield from merged.targets.values()
    yield from merged.workloads


def _selectors(merged: Merged) -> Iterator[Diagnostic]:
    for node in _selector_nodes(merged):
        for key, value in (node.get("matchLabels") or {}).items():
            yield from _label(node, ("matchLabels", key), key, value)
        for i, expr in enumerate(node.get("matchExpressions") or []):
            yield from _expression(node.child("matchExpressions", i), expr)


def _label(node: Node, path: tuple[str | int, ...], key: str, value: str) -> Iterator[Diagnostic]:
    problem = label_key_problem(key)
    if problem:
        yield finding(
            node.at(*path, key=True), "R201", "invalid-label-key", f"label key '{key}': {problem}"
        )
    problem = label_value_problem(value)
    if problem:
        hint = rule_hint(key, value) if path[0] == "matchLabels" else ""
        yield finding(
            node.at(*path),
            "R202",
            "invalid-label-value",
            f"label value '{value}': {problem}{hint}",
        )


_SEVERAL = re.compile(r"\s*[|,]\s*")


def rule_hint(key: str, value: str) -> str:
    """The expression meant by a matchLabels value written as a rule: `a|b` or `a,b` (any
    of them), `*` (any value), `!a` (any but a)."""
    value = value.strip()
    if value == "*":
        return f"; for any value, write matchExpressions: [{{key: {key}, operator: Exists}}]"
    parts = [p for p in _SEVERAL.split(value) if p]
    if len(parts) > 1 and not any(label_value_problem(p) for p in parts):
        return (
            "; a label has one value: for any of several, write matchExpressions: "
            f"[{{key: {key}, operator: In, values: [{', '.join(parts)}]}}]"
        )
    rest = value.removeprefix("!").strip()
    if value.startswith("!") and rest and not label_value_problem(rest):
        return (
            f"; for any value but {rest}, write matchExpressions: "
            f"[{{key: {key}, operator: NotIn, values: [{rest}]}}]"
        )
    return ""


def _expression(node: Node, expr: dict[str, object]) -> Iterator[Diagnostic]:
    key, op = str(expr["key"]), str(expr["operator"])
    values = list(expr.get("values") or [])  # type: ignore[call-overload]
    problem = label_key_problem(key)
    if problem:
        yield finding(node.at("key"), "R201", "invalid-label-key", f"label key '{key}': {problem}")
    if op in ("In", "NotIn") and not values:
        yield finding(
            node.at("operator"),
            "R203",
            "incoherent-selector",
            f"operator {op} needs at least one value",
        )
    # Kubernetes wants the list empty for these, not absent: `values: []` is fine.
    if op in ("Exists", "DoesNotExist") and values:
        yield finding(
            node.at("values"), "R203", "incoherent-selector", f"operator {op} takes no values"
        )
    for i, v in enumerate(values):
        problem = label_value_problem(str(v))
        if problem:
            yield finding(
                node.at("values", i), "R202", "invalid-label-value", f"label value '{v}': {problem}"
            )


def _workloads(merged: Merged) -> Iterator[Diagnostic]:
    for w in merged.workloads:
        if not (w.get("matchLabels") or w.get("matchExpressions") or w.get("sites")):
            yield finding(
                w.at("name"),
                "R212",
                "workload-without-placement",
                f"workload '{w.data['name']}' says nothing about where it runs "
                "(matchLabels, matchExpressions or sites)",
            )


CHECKS: tuple[Check, ...] = (
    _whole(check_duplicates),
    check_references,
    _whole(_selectors),
    overlap_findings,
    check_models,
    _whole(_workloads),
    _whole(check_settings),
    _whole(check_namespaces),
    _whole(check_target_images),
    _whole(check_arch_names),
    check_resources,
    check_names,
    _whole(check_ingress_paths),
    _whole(check_argocd_braces),
    _whole(check_sync_options),
    _whole(check_application_names),
)
