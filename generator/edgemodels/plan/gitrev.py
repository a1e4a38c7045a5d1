"""The catalogue as it was at a git revision: the planner's only use of GitPython.

The catalogue's YAML files at that revision are written into a temporary folder, at the same
place relative to the repository root, and loaded with the same loader as the working copy.
So that loader finds the same files in both, a symlink is followed as the working copy's
file system would follow it, but from git objects only: one that leaves the repository is
an error (its target at that revision is unknown), a dangling one or one to a folder is
skipped (the working copy's loader does not read it either, and reports it: Y016). A
generated tree's marker (`.edgemodels/manifest.json`) is written too, so `discover` skips
that tree at the base.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from edgemodels.errors import InputError, ToolMissingError

YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILES = 100_000
MAX_BYTES = 512 * 1024 * 1024
SYMLINK_MODE = 0o120000
MAX_LINKS = 40  # as Linux's ELOOP: a longer chain is a loop, and the OS gives no file
GENERATED_MARK = ".edgemodels/manifest.json"  # as catalogue.sources.GENERATED_MARK


class _LeavesRepository(Exception):
    """A symlink whose target is outside the repository (or absolute)."""


@dataclass(frozen=True)
class Revision:
    name: str  # as given, e.g. origin/main
    commit: str  # full hash


@dataclass(frozen=True)
class Snapshot:
    """The catalogue at a revision: `path` is None when it did not exist there."""

    revision: Revision
    path: Path | None
    root: Path  # the temporary folder standing for the repository root


@contextmanager
def catalogue_at(catalogue: Path, rev: str) -> Iterator[Snapshot]:
    """The catalogue file or folder `catalogue` as it was at `rev`, for the `with` block.
    `path` is None when the revision has no such file or folder, or no YAML file in it."""
    git = _import_git()
    repo, relative = _open_repo(git, catalogue)
    commit = _resolve(git, repo, rev)
    revision = Revision(rev, commit.hexsha)
    with tempfile.TemporaryDirectory(prefix="edgemodels-base-") as folder:
        root = Path(folder)
        try:
            found = _lookup(commit.tree, relative.parts)
            if found is not None:
                _write(commit.tree, found, root / relative)
        except (ValueError, git.GitCommandError) as exc:  # an object missing from the clone
            raise InputError(_missing(repo, rev, "its files are not in this clone")) from exc
        except _LeavesRepository as exc:
            raise InputError(
                f"--base {rev}: {exc.args[0]} is a symlink to {exc.args[1]!r}, outside the "
                "repository: its content at that revision is not in git. Commit the file "
                "itself, or a symlink to a file inside the repository"
            ) from None
        written = (root / relative).exists()
        yield Snapshot(revision, root / relative if written else None, root)


def _resolve(git: Any, repo: Any, rev: str) -> Any:
    """The commit `rev` names, by git itself (GitPython's own parser reads past a shallow
    clone's end and fails later); a plain message when it names none."""
    try:
        sha = repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        commit = repo.commit(sha.strip())
        commit.tree  # noqa: B018 - read now: a commit object missing from the clone fails here
    except (git.BadName, git.GitCommandError, ValueError):
        raise InputError(_missing(repo, rev, "not a revision")) from None
    return commit


def _missing(repo: Any, rev: str, what: str) -> str:
    where = f"{repo.working_tree_dir}{_close_refs(repo, rev)}"
    if _is_shallow(repo):
        return (
            f"--base {rev}: {what} of {where}: this is a shallow clone, its history stops "
            "early.\n  Fetch the base first: `git fetch --unshallow`, or `git fetch origin "
            "<branch>` for the branch to compare with (CI: clone with depth 0 or fetch it)"
        )
    return (
        f"--base {rev}: {what} of {where} (a commit of its history is needed: a branch, "
        "a tag, a hash or HEAD~N; `git log --oneline` lists them)"
    )


def _close_refs(repo: Any, rev: str) -> str:
    """`; did you mean 'origin/main'?` among the branch, remote branch and tag names."""
    try:
        listed = repo.git.for_each_ref(
            "--format=%(refname:short)", "refs/heads", "refs/remotes", "refs/tags"
        )
    except Exception:  # only the hint is lost
        return ""
    head, tail = re.fullmatch(r"(.*?)([~^].*)?", rev).groups("")  # type: ignore[union-attr]
    close = difflib.get_close_matches(head, str(listed).split(), n=3, cutoff=0.6)
    return "; did you mean " + " or ".join(f"'{c}{tail}'" for c in close) + "?" if close else ""


def _is_shallow(repo: Any) -> bool:
    try:
        return str(repo.git.rev_parse("--is-shallow-repository")).strip() == "true"
    except Exception:  # a git too old for the option: only the hint is lost
        return False


def _import_git() -> Any:
    try:
        import git
    except ImportError as exc:  # GitPython raises this when no git executable is found
        raise ToolMissingError(f"--base needs git: {exc}") from exc
    return git


def _open_repo(git: Any, catalogue: Path) -> tuple[Any, PurePosixPath]:
    resolved = catalogue.resolve()
    start = resolved if resolved.is_dir() else resolved.parent
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise InputError(f"--base: {catalogue} is not inside a git repository") from exc
    if repo.working_tree_dir is None:
        raise InputError(f"--base: {catalogue} is in a bare repository")
    top = Path(repo.working_tree_dir).resolve()
    try:
        relative = PurePosixPath(resolved.relative_to(top).as_posix())
    except ValueError as exc:
        raise InputError(f"--base: {catalogue} is outside the repository {top}") from exc
    return repo, relative


def _lookup(top: Any, parts: tuple[str, ...] | list[str]) -> Any | None:
    """The object at `parts` below the tree `top`, following symlinks on the way and at the
    end as the file system would; None when there is none (missing, dangling, a loop)."""
    todo, here, found, links = list(parts), list[str](), top, 0
    link = ("", "")  # the last symlink followed, for the message when it leads out
    while todo:
        part = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not here:
                raise _LeavesRepository(*link)
            here.pop()
            found = top.join("/".join(here)) if here else top
            continue
        if found.type != "tree":
            return None
        try:
            child = found.join(part)
        except KeyError:
            return None
        if child.type == "blob" and child.mode == SYMLINK_MODE:
            links += 1
            link = (child.path, os.fsdecode(child.data_stream.read()))
            if links > MAX_LINKS:
                return None
            if link[1].startswith("/"):
                raise _LeavesRepository(*link)
            todo = link[1].split("/") + todo  # relative to the link's folder, `here`
            continue
        here.append(part)
        found = child
    return found


def _write(top: Any, found: Any, target: Path) -> None:
    """Write the YAML files (and generated-tree markers) of a tree, or one blob, at `target`,
    within the limits. Symlinks are resolved within `top`, the revision's whole tree."""
    if found.type == "blob":  # the catalogue is one file: read whatever its name
        _write_blob(found, target)
        return
    if found.type != "tree":
        return
    files = total = 0
    for entry in found.traverse():
        if entry.type != "blob":
            continue
        rel = PurePosixPath(entry.path).relative_to(found.path) if found.path else entry.path
        parts = PurePosixPath(rel).parts
        if any(part in ("", ".", "..") for part in parts):
            continue  # a crafted tree entry must not write outside the folder
        name = "/".join(parts)
        marker = name == GENERATED_MARK or name.endswith("/" + GENERATED_MARK)
        if not (marker or name.endswith(YAML_SUFFIXES)):
            continue
        data = _file_of(top, entry)
        if data is None:
            continue
        if marker:  # its presence is all `discover` looks at
            target.joinpath(*parts).parent.mkdir(parents=True, exist_ok=True)
            target.joinpath(*parts).touch()
            continue
        files += 1
        total += data.size
        if files > MAX_FILES or total > MAX_BYTES:
            raise InputError(
                f"--base: the catalogue at this revision has more than {MAX_FILES} files "
                f"or {MAX_BYTES} bytes of YAML"
            )
        _write_blob(data, target.joinpath(*parts))


def _write_blob(blob: Any, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(blob.data_stream.read())


def _file_of(top: Any, blob: Any) -> Any | None:
    """The regular file a blob is, or its symlink leads to; None for a folder or nothing."""
    if blob.mode != SYMLINK_MODE:
        return blob
    found = _lookup(top, blob.path.split("/"))
    return found if found is not None and found.type == "blob" else None
