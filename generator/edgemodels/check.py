"""`edgemodels check`: everything that can be said about a catalogue without generating it:
YAML, schema, references and names, then the catalogue policies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from edgemodels import serving
from edgemodels.catalogue import LoadResult, load, suppressions_of
from edgemodels.catalogue.entries import catalogue_entries
from edgemodels.codes import entry_codes
from edgemodels.diagnostics import Diagnostic
from edgemodels.policy import PolicySet, apply_ignores, check_catalogue, load_policies
from edgemodels.policy.loader import refuse_invalid_config
from edgemodels.recall import NOTHING, Recall


@dataclass(frozen=True)
class CheckOptions:
    catalogue: Path
    strict: bool = False
    policy_config: Path | None = None
    policies: bool = True


def check_owns(policies: PolicySet | None) -> Callable[[str], bool]:
    """The `ignore[...]` entries `check` can call unused: YAML, schema, reference and
    catalogue-policy codes (or names), and names nothing has. Manifest rules, K and D
    codes are left to the commands that report them, and so is a name shared with one of
    them (`service-name-invalid` is R225 here and K328 in `validate`): used there, it would
    be called unused here."""
    rules = [(r.code, r.name) for r in policies.rules] if policies else []
    manifest_rules = (
        {r.code for r in policies.rules if r.scope == "manifests"} if policies else set()
    )
    codes_of = entry_codes(rules)

    def owns_code(code: str) -> bool:
        if code.startswith("P"):
            return policies is not None and code not in manifest_rules
        return code[:1] in ("Y", "S", "R")

    def owns(entry: str) -> bool:
        codes = codes_of(entry)
        if not codes:  # a typo, or a rule of a policy file this run did not load
            return policies is not None
        return all(owns_code(code) for code in codes)

    return owns


def policy_folder(catalogue: Path) -> Path:
    return catalogue if catalogue.is_dir() else catalogue.parent


def policy_findings(
    result: LoadResult, policies: PolicySet, recall: Recall = NOTHING
) -> list[Diagnostic]:
    """Catalogue rules, run when the catalogue could be merged (its files are schema-valid)."""
    if not (result.merged.sections or result.merged.models):
        return list(policies.diagnostics)
    found = check_catalogue(policies, catalogue_entries(result.merged, recall), recall)
    return list(policies.diagnostics) + apply_ignores(policies, found)


def run_check(
    options: CheckOptions, base: Path | None = None
) -> tuple[LoadResult, list[Diagnostic]]:
    """The catalogue loaded and every finding `check` reports on it, suppressions applied.
    `base`: the folder findings' paths are named from (default: the working folder)."""
    warm = serving.current()
    recall = NOTHING
    if warm is None:
        result = load(options.catalogue, base)
    else:  # a resident server's: unchanged files are not read or checked again
        with warm.files_of(options.catalogue, Path.cwd()).loading() as known:
            result = load(options.catalogue, None, None, known)
        recall = known.recall
    policies = None
    diags = list(result.diagnostics)
    if options.policies:
        folder = policy_folder(options.catalogue)
        if warm is None:
            policies = load_policies(options.policy_config, folder)
        else:
            policies = warm.policies(options.policy_config, folder)
        refuse_invalid_config(policies)
        diags = apply_ignores(policies, diags)  # the link warnings a config ignores
        diags += policy_findings(result, policies, recall)
    return result, suppressions_of(result, diags, check_owns(policies))
