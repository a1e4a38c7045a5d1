"""The catalogue's inline suppressions that a plan honours (`# edgemodels: ignore[D1..]`),
for the working copy's findings and for the base's alike."""

from __future__ import annotations

from edgemodels.codes import entry_codes
from edgemodels.diagnostics import Diagnostic, Suppression, find_suppressions
from edgemodels.yamlio import YamlFile

PLAN_CODE_PREFIX = "D1"  # inline suppressions in the catalogue apply to the plan's own codes
# The removal guards check the merge request that edits the catalogue: a comment in it must
# not switch them off. Only the CI invocation can (--allow-removals, --max-removals).
GUARD_CODES = frozenset({"D101", "D102", "D116", "D118", "D137"})


def plan_suppressions(files: list[YamlFile]) -> tuple[list[Suppression], list[Diagnostic]]:
    """`# edgemodels: ignore[D1..]` comments of the catalogue (codes in any case, or names),
    limited to the plan's codes, and a D113 finding for each that names a removal guard
    (which it does not silence)."""
    found, refused = [], []
    codes_of = entry_codes()
    for yf in files:
        for sup in find_suppressions(yf.path, yf.text):
            guards_named = sorted({c for e in sup.codes for c in codes_of(e)} & GUARD_CODES)
            if guards_named:
                refused.append(_guard_not_suppressible(sup, guards_named))
            codes = frozenset(
                e
                for e in sup.codes
                if any(c.startswith(PLAN_CODE_PREFIX) and c not in GUARD_CODES for c in codes_of(e))
            )
            if codes:
                found.append(Suppression(sup.location, codes))
    return found, refused


def _guard_not_suppressible(sup: Suppression, codes: list[str]) -> Diagnostic:
    return Diagnostic(
        sup.location,
        "D113",
        f"{' and '.join(codes)} cannot be suppressed in the catalogue: the removal guards "
        "check the change that edits it; accept removals in the CI invocation instead "
        "(--allow-removals, --max-removals), and remove this suppression",
        "warning",
        "guard-not-suppressible",
    )
