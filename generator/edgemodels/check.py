"""`edgemodels check`: everything that can be said about a catalogue without generating it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edgemodels.catalogue import LoadResult, load
from edgemodels.diagnostics import Diagnostic, apply_suppressions, find_suppressions


@dataclass(frozen=True)
class CheckOptions:
    catalogue: Path
    strict: bool = False


def suppressions_of(result: LoadResult) -> list[Diagnostic]:
    """Findings after inline `# edgemodels: ignore[CODE]` comments in the catalogue files."""
    sups = [s for yf in result.merged.files for s in find_suppressions(yf.path, yf.text)]
    return apply_suppressions(result.diagnostics, sups)


def run_check(options: CheckOptions) -> tuple[LoadResult, list[Diagnostic]]:
    result = load(options.catalogue)
    return result, suppressions_of(result)
