"""Publish's removal guards: plan's D101 mass-removal, D102 site-left-empty, D116 hub-moved
and D118 delivery-switched on the step publish takes, from the catalogue the branch was last
published from (its commit message's source commit, history.py) to the one being
published. Merge-request CI runs them in `plan --base`; a direct push to the default
branch, or a publish run by hand, would otherwise remove models from a fleet, rename the
hub objects from under the running hub Subscription (or Application), or drop the
Subscriptions before the sites carry the migration's marks, without a word.

D101 and D102 count sites, so they need the inventory (`-i`). D116, D118 and D137 compare the two
catalogues alone (the names every hub object takes, the delivery), so they run on every
publish, `-i` or not: what they stop removes every model from every site, whatever the
inventory. Without `-i` they are best effort, as a publish that never asked for a guard
must not start failing for want of a history: on the branch's first publish, and after a
publish from no commit, there is nothing to compare and they are silent; when the last
publish's catalogue cannot be read they are skipped with a note (D309 info; for a commit
the clone lacks, the order check's warning, D308, says so: one finding for one cause).

A republish of the commit the branch was last published from, or a publish of a commit
that left the catalogue's folder as that one had it (the same tree, no symlink or submodule
in it), reads nothing: the guards would compare the catalogue with itself.

The base catalogue is read from the catalogue's git repository as `plan --base` reads it
(plan/basecatalogue.py), at the path the last publish recorded in its message (`Catalogue
path:`), else at today's (a publish of an older edgemodels), or where git's rename
detection finds it was moved from when today's holds none (plan/moved.py; a D131 note
says so, as in plan), and planned with plan's own code (plan/core.py). When it cannot be
read, the guard says so (D309 removals-unchecked) rather than guess: with `-i` an error,
or a warning with `--allow-removals`, when the branch was published from a commit the
repository lacks (a shallow clone), from no commit, from one whose catalogue does not load
now, or from one with no catalogue at that path (moved, by a publish that did not record
its path); a note on the branch's first publish, which removes nothing a publish deployed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from edgemodels.catalogue.model import Catalogue
from edgemodels.catalogue.sources import shown_name
from edgemodels.diagnostics import Diagnostic, Location, Severity, has_failures
from edgemodels.errors import InputError
from edgemodels.gitpublish.history import COMMIT_ID, path_in, source_in
from edgemodels.gitpublish.source import CatalogueSource, has_commit, same_folder
from edgemodels.inputfile import STDIN
from edgemodels.inventory import load_inventory
from edgemodels.plan import delivery, gittree, hubside
from edgemodels.plan.basecatalogue import BaseRead, base_catalogue, moved_base
from edgemodels.plan.core import build_plan
from edgemodels.plan.moved import published_moved_note
from edgemodels.plan.removals import DEFAULT_REMOVAL_LIMIT, RemovalLimit
from edgemodels.plan.sitemasks import Sites, index_sites
from edgemodels.sites import Inventory

CODE = ("D309", "removals-unchecked")
GUARDS = frozenset({"D101", "D102", "D116", "D118", "D137"})
# the two catalogues alone: no inventory
CATALOGUE_GUARDS = frozenset({"D116", "D118", "D137"})


@dataclass(frozen=True)
class RemovalGuard:
    """What `--inventory`, `--max-removals` and `--allow-removals` asked for (no
    inventory: D116, D118 and D137 alone)."""

    inventory: Path | None = None
    limit: RemovalLimit = DEFAULT_REMOVAL_LIMIT
    allow: bool = False


@dataclass(frozen=True)
class Published:
    """The catalogue being published: as given, loaded, where its settings stand (D116 and
    D118 point at the changed one), and its commit and path in its repository."""

    path: Path
    catalogue: Catalogue
    settings: Mapping[str, Location]
    source: CatalogueSource
    named: Path | None = None  # the file with its metadata.name (for a move, plan/moved.py)


@dataclass(frozen=True)
class GuardInputs:
    """The guard with its inventory loaded (once: `-` is stdin, read before any attempt)."""

    guard: RemovalGuard
    published: Published
    sites: Sites | None  # None: no --inventory


def load_guard(
    guard: RemovalGuard, published: Published, cwd: Path
) -> tuple[GuardInputs | None, list[Diagnostic]]:
    """The inventory loaded as plan loads it; None with its errors when it has any."""
    if guard.inventory is None:
        return GuardInputs(guard, published, None), []
    if guard.inventory.as_posix() != STDIN and not guard.inventory.exists():
        raise InputError(f"--inventory {guard.inventory}: no such file")
    inventory, found = load_inventory(guard.inventory, shown_name(guard.inventory, cwd))
    if inventory is None or has_failures(found):
        return None, found
    return GuardInputs(guard, published, index_sites(inventory)), found


def removal_findings(
    inputs: GuardInputs, last_message: str, where: str, unordered: str | None = None
) -> list[Diagnostic]:
    """The guards from the last publish's catalogue to the one being published; D309 at
    `where` (the branch's manifest) when that catalogue cannot be read. `last_message` is
    the last publish commit's message ("": the branch has none). `unordered`: the commit
    being published, when the order check (D308) found the last publish's missing too:
    without -i its warning says the guards do not run (lacked_words), with -i this D309
    says the order is unknown."""
    asked = inputs.sites is not None
    theirs = source_in(last_message)
    if not last_message or theirs is None:  # nothing a publish deployed, or nothing to read
        if not asked:
            return []
        if not last_message:
            return [_unchecked(where, "info", _FIRST)]
        return [_unchecked(where, _severity(inputs), _NO_SOURCE + _hint(inputs))]
    at = path_in(last_message)
    if _same_catalogue(inputs.published, theirs, at):
        return []  # nothing changed since, wherever the sites are
    if not has_commit(inputs.published.path, theirs):
        if unordered is not None and lacked_words(inputs) is not None:
            return []  # D308 names the commit, and says this
        unchecked = _not_run(inputs) + (
            "" if unordered is None else _UNORDERED.format(unordered[:12])
        )
        said = _LACKED.format(commit=theirs[:12], unchecked=unchecked)
        return [_unchecked(where, _severity(inputs), said + _hint(inputs))]
    try:
        base = _base(inputs.published, theirs, at)
    except InputError as exc:  # plan's words, for the revision publish found, not a --base
        said = str(exc).removeprefix(f"--base {theirs}: ")
        unread = _UNREAD.format(commit=theirs[:12], why=said, unchecked=_not_run(inputs))
        return [_unchecked(where, _severity(inputs), unread + _hint(inputs))]
    if base.catalogue is None:
        return [_unchecked(where, _severity(inputs), _missing(inputs, theirs, at))]
    return _guards(inputs, base.catalogue) + _moved(inputs.published, theirs, base)


def _base(published: Published, theirs: str, at: PurePosixPath | None) -> BaseRead:
    """The catalogue at `theirs`, at `at`; with no path recorded, at its path now, else
    where git's rename detection finds it was moved from (as plan --base finds it)."""
    read = base_catalogue(published.path, theirs, at)
    if at is not None or published.named is None:
        return read
    return moved_base(published.path, read, published.named)


def _moved(published: Published, theirs: str, base: BaseRead) -> list[Diagnostic]:
    """D131, as plan --base says it, when the catalogue was read where git finds it was."""
    old, now = base.moved_from_root, published.source.path or published.path.as_posix()
    if old is None:
        return []
    return [published_moved_note(published.catalogue, theirs, now, str(old))]


def lacked_words(inputs: GuardInputs) -> str | None:
    """What a last publish's commit the catalogue's repository lacks stops, for D308's
    warning to say: without -i, the guards that run unasked; None with -i, where D309
    names the commit itself (an error, the guard asked for)."""
    if inputs.sites is not None:
        return None
    return f"what it deployed cannot be read, so {_not_run(inputs)}"


def _guards(inputs: GuardInputs, base: Catalogue) -> list[Diagnostic]:
    published, guard = inputs.published, inputs.guard
    if inputs.sites is None:
        found = hubside.hub_findings(base, published.catalogue, guard.allow, published.settings)
        found += delivery.delivery_findings(
            (), base, published.catalogue, _NO_SITES, guard.allow, published.settings
        )
        return [d for d in found if d.code in CATALOGUE_GUARDS]
    _, found = build_plan(
        published.catalogue,
        inputs.sites,
        base,
        True,
        None,
        guard.limit,
        guard.allow,
        published.settings,
    )
    return [d for d in found if d.code in GUARDS]


def _same_catalogue(published: Published, theirs: str, at: PurePosixPath | None) -> bool:
    """Whether the last publish came from this very catalogue, with no uncommitted change
    since, at the same path: from its commit (a republish, a pipeline run again), or from
    one whose catalogue folder is the same tree object, holding no symlink (which may lead
    out of it) nor submodule (a commit that left the catalogue alone). Reading that one
    would read the same files, and its answer could differ only where reading the folder
    fails, at the limits (plan/gittree.py), which are checked here."""
    ours = published.source
    same_path = at is None or (ours.path is not None and PurePosixPath(ours.path) == at)
    if ours.dirty or not same_path:
        return False
    if ours.commit == theirs:
        return True
    if ours.path is None or not COMMIT_ID.fullmatch(ours.commit):
        return False
    files = same_folder(published.path, theirs, ours.commit, ours.path)
    return (
        files is not None and files.count <= gittree.MAX_FILES and files.total <= gittree.MAX_BYTES
    )


def _missing(inputs: GuardInputs, theirs: str, at: PurePosixPath | None) -> str:
    """D309's words when the last publish's commit has no catalogue where it is looked for."""
    commit, ours = theirs[:12], inputs.published.source.path
    unchecked = _not_run(inputs)
    if at is not None:
        said = f"at {at}, the path that publish recorded"
        return _ABSENT.format(commit=commit, said=said, unchecked=unchecked) + _hint(inputs)
    said = (
        f"at {ours}, where the catalogue is now: it was moved since, that publish (by an "
        "older edgemodels) did not record where it was, and git's rename detection does not "
        "find where from"
    )
    check = (
        f"; see what this publish changes with `edgemodels plan {inputs.published.path} "
        f"--base {commit} --base-catalogue OLD_PATH` (OLD_PATH: where the catalogue was)"
    )
    if _hint(inputs):
        check += ", then publish with --allow-removals once: its commit records the path"
    return _ABSENT.format(commit=commit, said=said, unchecked=unchecked) + check


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
    "cannot be read, so {unchecked}; fetch it (git fetch, or git fetch --unshallow; CI: "
    "clone with depth 0)"
)
# the order check's words (D308), when it could not tell either
_UNORDERED = ", and if it is newer than {}, this publish undoes its changes (D308)"
_UNREAD = (
    "the catalogue at commit {commit}, which the branch was last published from, cannot be "
    "read ({why}), so {unchecked}"
)
_ABSENT = (
    "catalogue commit {commit}, which the branch was last published from, has no catalogue "
    "{said}: what it deployed cannot be read, so {unchecked}"
)

# delivery_findings names the sites that keep a model, from the model diffs: none here
_NO_SITES = index_sites(Inventory("", "", ()))


def _not_run(inputs: GuardInputs) -> str:
    if inputs.sites is not None:
        return "removals are not checked"
    return (
        "the hub-moved, delivery-switched and placements-unbound guards (D116, D118, D137)"
        " are not run"
    )


def _severity(inputs: GuardInputs) -> Severity:
    """An error with -i (a guard asked for), a warning once removals are allowed; a note
    without -i, where the guard runs unasked and must not stop a publish for want of it."""
    if inputs.sites is None:
        return "info"
    return "warning" if inputs.guard.allow else "error"


def _hint(inputs: GuardInputs) -> str:
    if inputs.sites is None or inputs.guard.allow:
        return ""
    return "; pass --allow-removals to publish without the check"


def _unchecked(where: str, severity: Severity, message: str) -> Diagnostic:
    code, name = CODE
    return Diagnostic(Location(where, 1, 1), code, message, severity, name)
