"""A validate run's findings and objects grouped by the unit, plain file or family they
belong to: the sorting reuse.py does before it decides what goes in the result cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from edgemodels.diagnostics import Diagnostic
from edgemodels.validate import unitbounds as ub
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.owners import family
from edgemodels.validate.report import Finding


def by_unit(
    found: Iterable[Finding], diags: Iterable[Diagnostic], units: Mapping[str, object]
) -> dict[str, tuple[list[Finding], list[Diagnostic]]] | None:
    """The checks' findings by the unit whose folder holds the file each names; None when
    one names a file no unit holds."""
    by: dict[str, tuple[list[Finding], list[Diagnostic]]] = {}
    for f in found:
        unit = ub.under(f[0].location.path, units)
        if unit is None:
            return None
        by.setdefault(unit, ([], []))[0].append(f)
    for d in diags:
        unit = ub.under(d.location.path, units)
        if unit is None:
            return None
        by.setdefault(unit, ([], []))[1].append(d)
    return by


def by_file(
    found: Iterable[Finding], diags: Iterable[Diagnostic], files: Mapping[str, object]
) -> dict[str, tuple[list[Finding], list[Diagnostic]]] | None:
    """The checks' findings by the plain file each names; None when one names another."""
    by: dict[str, tuple[list[Finding], list[Diagnostic]]] = {}
    for f in found:
        if f[0].location.path not in files:
            return None
        by.setdefault(f[0].location.path, ([], []))[0].append(f)
    for d in diags:
        if d.location.path not in files:
            return None
        by.setdefault(d.location.path, ([], []))[1].append(d)
    return by


def families_of(manifests: Iterable[Manifest]) -> dict[str, list[Manifest]]:
    found: dict[str, list[Manifest]] = {}
    for m in manifests:
        found.setdefault(family(m.overlay), []).append(m)
    return found
