"""Where the catalogue was at `--base` when it is not at its path there: moved since.

git's own rename detection pairs each file of the catalogue with the file it was at the
revision (gitrev.renames_since). A folder catalogue moved from OLD has its files renamed
from OLD, each at the same place inside it. The move is taken only when that is clear:
the file that names the catalogue (its `metadata.name`) comes from OLD, and so do more
than half of the catalogue's renamed files; a catalogue put together from several
folders, or from the repository's root, is not guessed at (D129 says there is no base,
and --base-catalogue names it). A single-file catalogue was at the file renamed to it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic
from edgemodels.plan.gitrev import Renames, Revision

_ROOT = PurePosixPath()


def moved_from(renames: Renames, folder: bool, named: PurePosixPath) -> PurePosixPath | None:
    """The catalogue's path at the revision (from the repository's root), when git finds
    it moved from there; `named` is the file holding its `metadata.name`, from the root."""
    now = renames.catalogue
    if not folder:
        return next((old for old, new in renames.pairs if new == now), None)
    votes = {
        new: _folder_before(old, new.relative_to(now))
        for old, new in renames.pairs
        if new.is_relative_to(now)
    }
    old = votes.get(named)
    if old is None or old in (now, _ROOT):
        return None
    return old if 2 * list(votes.values()).count(old) > len(votes) else None


def _folder_before(old: PurePosixPath, inside: PurePosixPath) -> PurePosixPath | None:
    """The folder `old` was in, for a file now at `inside` in the catalogue: the same
    subfolders below it; None when it was elsewhere (renamed inside the move too)."""
    below = inside.parent.parts
    above = old.parent.parts
    if below and above[-len(below) :] != below:
        return None
    return PurePosixPath(*above[: len(above) - len(below)])


def moved_note(catalogue: Catalogue, revision: Revision, now: str, old: str) -> Diagnostic:
    """D131: the base is read where git finds the catalogue was."""
    message = (
        f"the base {revision.name} ({revision.commit[:12]}) has no catalogue at {now}: git "
        f"finds it moved since, from {old}, and the plan compares with the catalogue there; "
        "--base-catalogue PATH names another path"
    )
    return Diagnostic(catalogue.location, "D131", message, "info", "base-catalogue-moved")


def published_moved_note(catalogue: Catalogue, commit: str, now: str, old: str) -> Diagnostic:
    """D131 in publish: the last publish's catalogue, whose path that publish did not
    record, is read where git finds the catalogue was (paths from the repository's root)."""
    message = (
        f"catalogue commit {commit[:12]}, which the branch was last published from, has no "
        f"catalogue at {now}, and that publish (by an older edgemodels) did not record where "
        f"it was: git finds it moved since, from {old}, and the removal guards compare with "
        "the catalogue there"
    )
    return Diagnostic(catalogue.location, "D131", message, "info", "base-catalogue-moved")


def no_base_note(catalogue: Catalogue, revision: Revision, where: str) -> Diagnostic:
    """D129: the base revision has no catalogue where it is read, so every model is new
    and no removal guard can fire. Right for a catalogue's first merge; after a move that
    git does not find, the old path names it."""
    message = (
        f"the base {revision.name} ({revision.commit[:12]}) has no catalogue at {where}: "
        "every model is planned as added and no removal is checked; if the catalogue was "
        "elsewhere then (moved since), name that path with --base-catalogue"
    )
    return Diagnostic(catalogue.location, "D129", message, "info", "no-base-catalogue")
