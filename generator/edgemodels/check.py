"""`edgemodels check`: everything that can be said about a catalogue without generating it:
YAML, schema, references and names, then the catalogue policies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edgemodels.catalogue import LoadResult, load
from edgemodels.catalogue.entries import catalogue_entries
from edgemodels.diagnostics import Diagnostic, apply_suppressions, find_suppressions
from edgemodels.policy import apply_ignores, check_catalogue, load_policies


@dataclass(frozen=True)
class CheckOptions:
    catalogue: Path
    strict: bool = False
    policy_config: Path | None = None
    policies: bool = True


def suppressions_of(result: LoadResult, diags: list[Diagnostic] | None = None) -> list[Diagnostic]:
    """Findings after inline `# edgemodels: ignore[CODE]` comments in the catalogue files."""
    sups = [s for yf in result.merged.files for s in find_suppressions(yf.path, yf.text)]
    return apply_suppressions(result.diagnostics if diags is None else diags, sups)


def policy_findings(result: LoadResult, options: CheckOptions) -> list[Diagnostic]:
    """Catalogue rules, run when the catalogue could be merged (its files are schema-valid)."""
    if not options.policies or not (result.merged.sections or result.merged.models):
        return []
    folder = options.catalogue if options.catalogue.is_dir() else options.catalogue.parent
    policies = load_policies(options.policy_config, folder)
    found = check_catalogue(policies, catalogue_entries(result.merged))
    return list(policies.diagnostics) + apply_ignores(policies, found)


def run_check(options: CheckOptions) -> tuple[LoadResult, list[Diagnostic]]:
    result = load(options.catalogue)
    diags = result.diagnostics + policy_findings(result, options)
    return result, suppressions_of(result, diags)
