"""The catalogue at `plan --base` (and at the last publish, publishremovals.py): read from
git at the revision, where --base-catalogue says it was, else at its path, else where git's
rename detection finds it was moved from (moved.py); with its own plan suppressions and
where its files are, to compare its findings with the working copy's (atbase.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from edgemodels.catalogue.model import Catalogue
from edgemodels.catalogue.sources import shown_name
from edgemodels.diagnostics import Diagnostic, Suppression, apply_suppressions
from edgemodels.errors import InputError, NoCatalogueFiles
from edgemodels.output import plural
from edgemodels.plan.atbase import BaseFiles, as_working
from edgemodels.plan.atrevision import load_snapshot
from edgemodels.plan.gitrev import (
    Revision,
    catalogue_at,
    commits_missing,
    path_in_repository,
    renames_since,
)
from edgemodels.plan.moved import moved_from, moved_note, no_base_note
from edgemodels.plan.suppressions import plan_suppressions

BaseSide = tuple[list[Suppression], list[Diagnostic], BaseFiles]


@dataclass(frozen=True)
class BaseRead:
    """What was read at the base revision."""

    catalogue: Catalogue | None = None  # None: no --base, or no catalogue there
    compared: bool = False  # a base was asked for: with no catalogue, every model is new
    revision: Revision | None = None
    side: BaseSide | None = None  # its plan suppressions, refused ones, and its files
    moved_from: Path | None = None  # in the work tree, where git finds it was (D131)
    moved_from_root: PurePosixPath | None = None  # the same, from the repository's root


def read_base(catalogue: Path, base: str | None, at: Path | None, named: Path) -> BaseRead:
    """The catalogue at `base`, at `at` (--base-catalogue) when given, else at its path,
    else where git finds it was moved from. `named`: the file holding its metadata.name."""
    if at is not None:
        return base_catalogue(catalogue, base, path_in_repository(catalogue, at))
    return moved_base(catalogue, base_catalogue(catalogue, base), named)


def moved_base(catalogue: Path, read: BaseRead, named: Path) -> BaseRead:
    """`read`, the catalogue at a revision, read again where git finds the catalogue was
    moved from when it had none at its path (moved.py), with that path in the work tree;
    else `read` as it is. `named`: the file holding the catalogue's metadata.name."""
    revision = read.revision
    if read.catalogue is not None or revision is None:
        return read
    renames = renames_since(catalogue, revision.commit)
    named, top = named.resolve(), renames.top.resolve()
    if not named.is_relative_to(top):
        return read
    inside = PurePosixPath(named.relative_to(top).as_posix())
    old = moved_from(renames, catalogue.is_dir(), inside)
    if old is None:
        return read
    try:
        moved = base_catalogue(catalogue, revision.name, old)
    except InputError as exc:
        raise InputError(f"{exc} (at {old}, where git finds the catalogue was)") from None
    if moved.catalogue is None:
        return read
    return replace(moved, moved_from=top / old, moved_from_root=old)


def base_catalogue(catalogue: Path, base: str | None, at: PurePosixPath | None = None) -> BaseRead:
    """The catalogue `catalogue` at revision `base` (read at `at` there, a path from the
    repository's root, when given: where it was before a move); none (every model is new)
    when the revision has no catalogue file at that path, as when the path itself is
    missing there. With it, its plan suppressions and where its files are, to compare its
    findings."""
    if base is None:
        return BaseRead()
    with catalogue_at(catalogue, base, at) as snapshot:
        if snapshot.path is None:
            return BaseRead(None, True, snapshot.revision)
        try:
            loaded = load_snapshot(snapshot, snapshot.path)
        except NoCatalogueFiles:
            return BaseRead(None, True, snapshot.revision)
        except InputError as exc:  # it names the temporary folder, gone once we return
            raise InputError(
                f"--base {base}: the catalogue at that revision cannot be read: "
                + str(exc).replace(f"{snapshot.root}{os.sep}", "").replace(str(snapshot.root), ".")
            ) from None
        if loaded.catalogue is None:
            errors = [d for d in loaded.diagnostics if d.severity == "error"]
            first = errors[0].render() if errors else "no catalogue"
            raise InputError(
                f"--base {base}: the catalogue at that revision does not load "
                f"({plural(len(errors), 'error')}; first: {first})"
            )
        files = BaseFiles(shown_name(snapshot.path, snapshot.root), os.path.realpath(catalogue))
        suppressions, refused = plan_suppressions(loaded.merged.files)
        side = (suppressions, refused, files)
        return BaseRead(loaded.catalogue, True, snapshot.revision, side)


def base_notes(
    read: BaseRead, catalogue: Catalogue, path: Path, looked_at: Path, cwd: Path
) -> list[Diagnostic]:
    """D129 when the base revision has no catalogue at `looked_at`, so every model is new;
    D131 when it was read where git finds the catalogue, now at `path`, was moved from."""
    if read.revision is None:
        return []
    if read.compared and read.catalogue is None:
        return [no_base_note(catalogue, read.revision, str(looked_at))]
    moved = [read.moved_from_root] if read.moved_from_root is not None else []
    behind = behind_note(
        catalogue, read.revision, commits_missing(path, read.revision.commit, tuple(moved))
    )
    if read.moved_from is not None:
        now, old = shown_name(path, cwd), shown_name(read.moved_from, cwd)
        return [moved_note(catalogue, read.revision, now, old), *behind]
    return behind


NAMED_COMMITS = 3


def behind_note(
    catalogue: Catalogue, revision: Revision, missing: list[tuple[str, str]]
) -> list[Diagnostic]:
    """D136: the base has commits that change the catalogue and HEAD lacks (another merge
    request merged since this branch started): compared with the base, their changes show
    here undone, a model they added as removed, with the removal guards' errors."""
    if not missing:
        return []
    named = [f"{sha[:7]} {subject}".rstrip() for sha, subject in missing[:NAMED_COMMITS]]
    more = len(missing) - NAMED_COMMITS
    listed = ", ".join(named) + (f" and {more} more" if more > 0 else "")
    its, they = ("its", "it") if len(missing) == 1 else ("their", "they")
    rev = revision.name
    message = (
        f"the base {rev} has {plural(len(missing), 'commit')} that "
        f"{'changes' if len(missing) == 1 else 'change'} the catalogue and HEAD lacks "
        f"({listed}): the plan compares with {its} changes undone, so they show here "
        f"reversed (a model {they} added as removed); merge or rebase onto {rev} and plan "
        f"again, or compare with the commit HEAD started from: --base $(git merge-base {rev} HEAD)"
    )
    return [Diagnostic(catalogue.location, "D136", message, "warning", "base-has-unmerged-commits")]


def working_base_findings(
    found: tuple[Diagnostic, ...] | None, read: BaseRead, working: list[Diagnostic], cwd: Path
) -> tuple[Diagnostic, ...] | None:
    """A plan of the base's findings (`found`), the base's suppressions applied, named as
    the working copy names its files, to tell which of the working copy's are new."""
    if found is None or read.side is None:
        return found
    suppressions, refused, files = read.side
    return tuple(as_working(apply_suppressions(found, suppressions) + refused, files, working, cwd))
