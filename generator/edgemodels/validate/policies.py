"""The manifest rules of the policy pack on validated objects, in either validate process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from edgemodels.diagnostics import Diagnostic
from edgemodels.policy import PolicySet, check_manifests
from edgemodels.validate.manifests import Manifest


def policy_findings(
    root: Path, manifests: Sequence[Manifest], policies: PolicySet | None
) -> list[Diagnostic]:
    """The manifest rules on `manifests`, named by tree-relative path like other findings."""
    if policies is None:
        return []
    # The same object at the same place (a twin overlay's, a render repeated for equal
    # values) gives the same findings: checked once (sort_diagnostics drops repeats).
    unique = {(m.source.path, m.line, id(m.data)): m for m in manifests}
    items = [(str(root / m.source.path), m.line, m.data) for m in unique.values()]
    return [relative_to(d, root) for d in check_manifests(policies, items)]


def relative_to(d: Diagnostic, root: Path) -> Diagnostic:
    path = Path(d.location.path)
    if root != Path(".") and path.is_relative_to(root):
        return replace(d, location=replace(d.location, path=path.relative_to(root).as_posix()))
    return d
