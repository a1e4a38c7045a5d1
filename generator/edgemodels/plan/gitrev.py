"""The catalogue as it was at a git revision: the planner's only use of GitPython.

The catalogue's YAML files at that revision are written into a temporary folder, at the same
place relative to the repository root, and loaded with the same loader as the working copy.
"""

from __future__ import annotations

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
    """The catalogue file or folder `catalogue` as it was at `rev`, for the `with` block."""
    git = _import_git()
    repo, relative = _open_repo(git, catalogue)
    commit = _resolve(git, repo, rev)
    revision = Revision(rev, commit.hexsha)
    with tempfile.TemporaryDirectory(prefix="edgemodels-base-") as folder:
        root = Path(folder)
        try:
            found = commit.tree / relative.as_posix() if relative.parts else commit.tree
        except KeyError:
            yield Snapshot(revision, None, root)
            return
        except (ValueError, git.GitCommandError) as exc:  # an object missing from the clone
            raise InputError(_missing(repo, rev, "its files are not in this clone")) from exc
        _write(found, root)
        yield Snapshot(revision, root / relative, root)


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
    where = repo.working_tree_dir
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


def _write(found: Any, root: Path) -> None:
    """Write the YAML blobs of a tree (or one blob) under `root`, within the limits."""
    blobs = [found] if found.type == "blob" else [o for o in found.traverse() if o.type == "blob"]
    files = total = 0
    for blob in blobs:
        if blob.mode == SYMLINK_MODE or not blob.path.endswith(YAML_SUFFIXES):
            continue
        parts = PurePosixPath(blob.path).parts
        if any(part in ("", ".", "..") for part in parts):
            continue  # a crafted tree entry must not write outside the folder
        files += 1
        total += blob.size
        if files > MAX_FILES or total > MAX_BYTES:
            raise InputError(
                f"--base: the catalogue at this revision has more than {MAX_FILES} files "
                f"or {MAX_BYTES} bytes of YAML"
            )
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.data_stream.read())
