"""Checks run model by model, so that a resident server re-checks only the models whose
entries changed (recall.py)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import partial

from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic
from edgemodels.recall import Recall, Same


def each_model(
    merged: Merged,
    recall: Recall,
    name: str,
    context: Hashable,
    check: Callable[[Node], Iterable[Diagnostic]],
) -> Iterator[Diagnostic]:
    """`check` of every model, in order. `context` is all `check` reads besides the model's
    own entry: a model whose entry is unchanged is not checked again while it holds."""
    table = recall.table(name, context)
    for m in merged.models:
        yield from table.get(m.data, partial(_listed, check, m))


def _listed(check: Callable[[Node], Iterable[Diagnostic]], m: Node) -> list[Diagnostic]:
    return list(check(m))


def targets_context(merged: Merged) -> tuple[tuple[str, Same], ...]:
    """The targets as a check's context: their entries by identity (findings name lines)."""
    return tuple((name, Same(node.data)) for name, node in merged.targets.items())
