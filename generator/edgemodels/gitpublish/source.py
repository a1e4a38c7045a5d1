"""The repositories publish and its neighbours only read or start, not the deploy one: the
catalogue's (its commit, for the commit message's provenance), the one `init` makes, and
a --tool-repo (`toolsource.py`). In this package as the one that runs git through GitPython.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Literal

import git

from edgemodels.errors import UsageError
from edgemodels.gitpublish.clone import open_clone
from edgemodels.gitpublish.destination import PublishError, git_stderr
from edgemodels.gitpublish.objects import literal

NO_COMMIT = "none (the repository has no commit yet)"
NO_LOCKS = {"GIT_OPTIONAL_LOCKS": "0"}


@dataclass(frozen=True)
class CatalogueSource:
    """Where the catalogue being published comes from, for the commit message's trailer."""

    commit: str  # its full id, or NO_COMMIT, or "not a git checkout"
    dirty: bool  # uncommitted changes: no commit holds what is published
    path: str | None = None  # its file or folder from the repository's root ("." for it)


def source_commit(catalogue: Path) -> CatalogueSource:
    """The catalogue's commit (`git rev-parse HEAD`), whether it has uncommitted changes,
    and its path in the repository."""
    resolved = catalogue.resolve()
    start = resolved if resolved.is_dir() else resolved.parent
    # The work tree named by git, not GitPython's Repo(), which read the config of a bare
    # repository strictly in the locale's encoding (see Clone).
    try:
        top_dir = str(git.Git(str(start)).rev_parse("--show-toplevel"))
    except git.GitCommandError:  # not in a repository, or in a bare one: no checkout
        return CatalogueSource("not a git checkout", False)
    repo = git.Git(top_dir)
    top = Path(top_dir).resolve()
    rel = os.path.relpath(resolved, top)
    path = PurePath(rel).as_posix()
    try:
        # Named by git: GitPython's objects take SHA-1 ids only (a SHA-256 repository was
        # "not a git checkout").
        sha = str(repo.rev_parse("--verify", "-q", "HEAD^{commit}"))
    except git.GitCommandError:  # a repository without a commit: none holds the catalogue
        return CatalogueSource(NO_COMMIT, True, path)
    # One `git status` without its optional lock: GitPython's is_dirty ran `git diff`,
    # which rewrites the index of the catalogue's repository (under index.lock, where a
    # `git commit` of the user's at the same time failed) when a file's stat changed.
    # Ignored files too, one by one: a catalogue file git ignores (a local override, a
    # file in an ignored folder) is read and published like the others, and no commit
    # holds it.
    changes = repo.status(
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--ignored=traditional",
        "--",
        literal(rel),
        env=NO_LOCKS,
    )
    entries = [e for e in changes.split("\0") if e]
    dirty = any(not e.startswith("!! ") or _read_as_catalogue(e[3:], rel) for e in entries)
    return CatalogueSource(sha, dirty, path)


Order = Literal["includes", "older", "diverged", "unknown"]


def source_order(catalogue: Path, ours: str, theirs: str) -> Order:
    """Whether the catalogue's commit `ours` includes `theirs` (an earlier publish's source),
    is older than it (an ancestor), or neither (another line of history); "unknown" when
    the catalogue's repository does not have `theirs` (a shallow clone, another repository)."""
    if ours == theirs:
        return "includes"
    repo = _catalogue_git(catalogue)
    if not _has_commit(repo, theirs):
        return "unknown"
    if _is_ancestor(repo, theirs, ours):
        return "includes"
    return "older" if _is_ancestor(repo, ours, theirs) else "diverged"


def has_commit(catalogue: Path, commit: str) -> bool:
    """Whether the catalogue's repository has `commit` (a shallow clone may not)."""
    return _has_commit(_catalogue_git(catalogue), commit)


@dataclass(frozen=True)
class FolderFiles:
    """The YAML files of a folder at a commit, as plan/gittree.py writes them: how many,
    and their bytes."""

    count: int
    total: int


def same_folder(catalogue: Path, first: str, second: str, path: str) -> FolderFiles | None:
    """The YAML files of the folder `path` (from the repository's root; "." for it) when
    commits `first` and `second` hold the very same folder there (one tree object) with no
    symlink and no submodule in it: reading the catalogue at either reads the same files,
    and nothing outside the folder. None when they differ, or git cannot tell."""
    repo = _catalogue_git(catalogue)
    spec = "" if path == "." else path
    try:
        ids = str(repo.rev_parse(f"{first}:{spec}", f"{second}:{spec}", env=NO_LOCKS)).split()
        if len(ids) != 2 or ids[0] != ids[1]:
            return None
        listed = repo.ls_tree(
            "--full-tree", "-r", "-l", "-z", ids[0], env=NO_LOCKS, stdout_as_string=False
        )
    except git.GitCommandError:  # a commit or the path missing, or a file there
        return None
    count = total = 0
    for entry in bytes(listed).split(b"\0"):
        if not entry:
            continue
        info, name = entry.split(b"\t", 1)
        mode, kind, _, size = info.split()
        if kind != b"blob" or mode == b"120000":  # a submodule (commit) or a symlink
            return None
        if name.endswith((b".yaml", b".yml")) and _safe(name):
            count, total = count + 1, total + int(size)
    return FolderFiles(count, total)


def _safe(name: bytes) -> bool:
    """A path gittree.py writes (a crafted tree's `..` is not)."""
    return not any(part in (b"", b".", b"..") for part in name.split(b"/"))


def _catalogue_git(catalogue: Path) -> git.Git:
    resolved = catalogue.resolve()
    return git.Git(str(resolved if resolved.is_dir() else resolved.parent))


def _has_commit(repo: git.Git, commit: str) -> bool:
    try:
        repo.cat_file("-e", f"{commit}^{{commit}}", env=NO_LOCKS)
    except git.GitCommandError:  # also: no repository there
        return False
    return True


def _is_ancestor(repo: git.Git, first: str, second: str) -> bool:
    try:
        repo.merge_base("--is-ancestor", first, second, env=NO_LOCKS)
    except git.GitCommandError as exc:
        if exc.status == 1:
            return False
        raise PublishError(f"cannot compare catalogue commits: {git_stderr(exc)}") from None
    return True


def _read_as_catalogue(path: str, catalogue: str) -> bool:
    """Whether the catalogue loader reads the repository file `path` (catalogue/sources.py:
    YAML files, none in a hidden folder), `catalogue` being the catalogue's file or folder."""
    below = path if catalogue == "." else path[len(catalogue) :].lstrip("/")
    parts = below.split("/") if below else [os.path.basename(path)]
    hidden = any(part.startswith(".") for part in parts)
    return path.endswith((".yaml", ".yml")) and not hidden


def init_worktree(path: Path) -> None:
    """`git init` (branch main, as the CI templates expect) and stage every file."""
    try:
        repo = git.Repo.init(str(path), initial_branch="main")
        repo.git.add("-A")
    except git.GitCommandError as exc:
        raise PublishError(f"git init in {path} failed: {git_stderr(exc)}") from None


def resolve_commit(path: Path, rev: str) -> str | None:
    """The commit `rev` names in the git repository at `path` (its work tree, or a bare
    one), or None when it names none. Raises UsageError when `path` is no git repository.
    Found by git (open_clone), not GitPython's Repo(), which read a bare repository's
    config strictly in the locale's encoding (see Clone)."""
    repo = open_clone(path)
    if repo is None:
        raise UsageError(f"{path} is not a git repository")
    try:
        return str(
            repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        )
    except git.GitCommandError:
        return None
    finally:
        repo.close()
