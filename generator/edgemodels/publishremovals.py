"""`publish --inventory`: plan's removal guards (D101 mass-removal, D102 site-left-empty)
on the step publish takes, from the catalogue the branch was last published from (its
commit message's source commit, history.py) to the one being published. Merge-request CI
runs them in `plan --base`; a direct push to the default branch, or a publish run by hand,
would otherwise remove models from a fleet without a word.

The base catalogue is read from the catalogue's git repository as `plan --base` reads it,
and planned with plan's own code (plan/core.py). When it cannot be read, the guard says so
(D309 removals-unchecked) rather than guess: an error, or a warning with
`--allow-removals`, when the branch was published from a commit the repository lacks (a
shallow clone), from no commit, or from one whose catalogue does not load now; a note on
the branch's first publish, which removes nothing a publish deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edgemodels.catalogue.model import Catalogue
from edgemodels.catalogue.sources import shown_name
from edgemodels.diagnostics import Diagnostic, Location, Severity, has_failures
from edgemodels.errors import InputError
from edgemodels.gitpublish.source import has_commit
from edgemodels.inventory import STDIN, load_inventory
from edgemodels.plan.core import base_catalogue, build_plan
from edgemodels.plan.evaluate import Sites, index_sites
from edgemodels.plan.removals import DEFAULT_REMOVAL_LIMIT, RemovalLimit

CODE = ("D309", "removals-unchecked")
GUARDS = frozenset({"D101", "D102"})


@dataclass(frozen=True)
class RemovalGuard:
    """What `--inventory`, `--max-removals` and `--allow-removals` asked for."""

    inventory: Path
    limit: RemovalLimit = DEFAULT_REMOVAL_LIMIT
    allow: bool = False


@dataclass(frozen=True)
class GuardInputs:
    """The guard with its inventory loaded (once: `-` is stdin, read before any attempt)."""

    guard: RemovalGuard
    catalogue_path: Path
    catalogue: Catalogue
    sites: Sites


def load_guard(
    guard: RemovalGuard, path: Path, catalogue: Catalogue, cwd: Path
) -> tuple[GuardInputs | None, list[Diagnostic]]:
    """The inventory loaded as plan loads it; None with its errors when it has any."""
    if guard.inventory.as_posix() != STDIN and not guard.inventory.exists():
        raise InputError(f"--inventory {guard.inventory}: no such file")
    inventory, found = load_inventory(guard.inventory, shown_name(guard.inventory, cwd))
    if inventory is None or has_failures(found):
        return None, found
    return GuardInputs(guard, path, catalogue, index_sites(inventory)), found


def removal_findings(
    inputs: GuardInputs, last_message: str, theirs: str | None, where: str
) -> list[Diagnostic]:
    """D101/D102 from the last publish's source commit `theirs` to the catalogue being
    published; D309 at `where` (the branch's manifest) when that catalogue cannot be read.
    `last_message` is the last publish commit's message ("": the branch has none)."""
    allow = inputs.guard.allow
    if not last_message:
        return [_unchecked(where, "info", _FIRST)]
    if theirs is None:
        return [_unchecked(where, _severity(allow), _NO_SOURCE + _hint(allow))]
    if not has_commit(inputs.catalogue_path, theirs):
        said = _LACKED.format(commit=theirs[:12])
        return [_unchecked(where, _severity(allow), said + _hint(allow))]
    try:
        base, compared, _, _ = base_catalogue(inputs.catalogue_path, theirs)
    except InputError as exc:  # plan's words, for the revision publish found, not a --base
        said = str(exc).removeprefix(f"--base {theirs}: ")
        unread = _UNREAD.format(commit=theirs[:12], why=said)
        return [_unchecked(where, _severity(allow), unread + _hint(allow))]
    _, found = build_plan(
        inputs.catalogue, inputs.sites, base, compared, None, inputs.guard.limit, allow
    )
    return [d for d in found if d.code in GUARDS]


_FIRST = (
    "the branch has no earlier publish of this folder to compare with (its first publish): "
    "removals are not checked, as none of the models a publish deployed is removed"
)
_NO_SOURCE = (
    "the branch was last published from a catalogue that no commit held (not a git "
    "checkout, or a repository without a commit): what it deployed cannot be read, so "
    "removals are not checked"
)
_LACKED = (
    "the branch was last published from catalogue commit {commit}, which the catalogue's "
    "repository does not have (a shallow clone? another clone's commit?): what it deployed "
    "cannot be read, so removals are not checked; fetch it (git fetch, or git fetch "
    "--unshallow; CI: clone with depth 0)"
)

_UNREAD = (
    "the catalogue at commit {commit}, which the branch was last published from, cannot be "
    "read ({why}), so removals are not checked"
)


def _severity(allow: bool) -> Severity:
    return "warning" if allow else "error"


def _hint(allow: bool) -> str:
    return "" if allow else "; pass --allow-removals to publish without the check"


def _unchecked(where: str, severity: Severity, message: str) -> Diagnostic:
    code, name = CODE
    return Diagnostic(Location(where, 1, 1), code, message, severity, name)
