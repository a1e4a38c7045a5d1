"""The catalogue as it was at a git revision: the planner's only use of GitPython.

The catalogue's YAML files at that revision are written into a temporary folder, at the same
place relative to the repository root, and loaded with the same loader as the working copy
(plan/atrevision.py: the walk finds them on disk, their bytes are read from memory).
So that loader finds the same files in both, symlinks are followed as the working copy's
walk follows them, but from git objects (gittree.py): one that leaves the repository (and
does not come back into it, as an absolute link to a file of the repository does), or
leads into a submodule, is an error (its target at that revision is not in the
repository's objects); a dangling one, or one to a folder holding it, is skipped (the
working copy's loader does not read it either, and reports it: Y016). A generated tree's
marker (`.edgemodels/manifest.json`) is written too, so `discover` skips that tree at the
base.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from edgemodels.display import quoted
from edgemodels.errors import InputError, ToolMissingError
from edgemodels.plan.gittree import InSubmodule, LeavesRepository, lookup, write_catalogue


@dataclass(frozen=True)
class Revision:
    name: str  # as given, e.g. origin/main
    commit: str  # full hash


@dataclass(frozen=True)
class Snapshot:
    """The catalogue at a revision: `path` is None when it did not exist there. Its files
    on disk are empty stand-ins: load it with atrevision.load_snapshot, which reads their
    bytes from `contents`."""

    revision: Revision
    path: Path | None
    root: Path  # the temporary folder standing for the repository root
    contents: Mapping[str, bytes]  # the bytes of the files below `root`, by posix path

    def bytes_of(self, path: Path) -> bytes | None:
        """The bytes of the file at `path` (through any symlink): the file on disk is a
        stand-in, for the walk (gittree.py). None for a file not written from git."""
        name, top = os.fspath(path), os.fspath(self.root) + os.sep
        # A path that names a file of the revision's tree has no link on its way (in git
        # no path goes through one): the file itself, found without resolving its path.
        if (
            name.startswith(top)
            and (found := self.contents.get(name[len(top) :].replace(os.sep, "/"))) is not None
        ):
            return found
        real, top = os.path.realpath(path), os.path.realpath(self.root)
        if not real.startswith(top + os.sep):
            return None
        return self.contents.get(Path(real[len(top) + 1 :]).as_posix())


@contextmanager
def catalogue_at(catalogue: Path, rev: str, at: PurePosixPath | None = None) -> Iterator[Snapshot]:
    """The catalogue file or folder `catalogue` as it was at `rev`, for the `with` block:
    the one at its path in the repository, or at `at` (from the repository's root) when
    given. `path` is None when the revision has no such file or folder, or no YAML file
    in it."""
    git = _import_git()
    repo, relative = _open_repo(git, catalogue)
    relative = relative if at is None else at
    commit = _resolve(git, repo, rev)
    revision = Revision(rev, commit.hexsha)
    with tempfile.TemporaryDirectory(prefix="edgemodels-base-") as folder:
        root, stand_in = Path(folder, "root"), Path(folder, "stand-in")
        root.mkdir()
        stand_in.touch()
        contents: dict[str, bytes] = {}
        try:
            found = lookup(commit.tree, relative.parts)
            if found is not None:
                contents = write_catalogue(commit.tree, found, relative, root, stand_in)
        except (ValueError, git.GitCommandError) as exc:  # an object missing from the clone
            raise InputError(_missing(repo, rev, "its files are not in this clone")) from exc
        except LeavesRepository as exc:
            raise InputError(_leaves(rev, *exc.args)) from None
        except InSubmodule as exc:
            raise InputError(
                f"--base {rev}: {_leads_into(*exc.args)} the submodule {exc.args[1]}, whose "
                "files at that revision are in the submodule's own history, which --base "
                "does not read (Y018). Plan without --base, or commit the files in the "
                "repository itself"
            ) from None
        written = (root / relative).exists()
        yield Snapshot(revision, root / relative if written else None, root, contents)


def path_in_repository(catalogue: Path, path: Path) -> PurePosixPath:
    """`path` (a file or folder that need not exist now) from the root of the repository
    that holds `catalogue`: where `--base-catalogue` says the catalogue was."""
    repo, _ = _open_repo(_import_git(), catalogue)
    top = Path(repo.working_tree_dir).resolve()
    try:
        return PurePosixPath(path.resolve().relative_to(top).as_posix())
    except ValueError:
        raise InputError(f"--base-catalogue {path} is outside the repository {top}") from None


def commits_missing(
    catalogue: Path, commit: str, paths: tuple[PurePosixPath, ...] = ()
) -> list[tuple[str, str]]:
    """(hash, subject) of the commits of `commit` that HEAD lacks and that change the
    catalogue (at its path, or at `paths` from the repository's root), newest first: a
    branch behind its base. None when git cannot tell (no HEAD yet, a shallow clone)."""
    git = _import_git()
    repo, relative = _open_repo(git, catalogue)
    where = [str(p) for p in (relative, *paths)]
    try:
        said = repo.git.log("--format=%H %s", f"HEAD..{commit}", "--", *where, env=_READ_ONLY)
    except git.GitCommandError:
        return []
    return [tuple(line.split(" ", 1)) if " " in line else (line, "") for line in said.splitlines()]


@dataclass(frozen=True)
class Renames:
    """The YAML files git's rename detection finds moved since a revision: `top` the work
    tree, `catalogue` the catalogue's path from it, `pairs` (path at the revision, now)."""

    top: Path
    catalogue: PurePosixPath
    pairs: tuple[tuple[PurePosixPath, PurePosixPath], ...]


def renames_since(catalogue: Path, commit: str) -> Renames:
    """The YAML files renamed between `commit` and the index, by one `git diff --cached`:
    a move committed since, or staged (`git mv`) and not yet committed, is found; one git
    has not been told of (`mv` with no `git add`) is not, as the index still holds the old
    paths. No pairs when git cannot tell (an object a shallow clone lacks, an old git)."""
    git = _import_git()
    repo, relative = _open_repo(git, catalogue)
    args = ("--cached", "--find-renames", "--diff-filter=R", "--name-status", "-z")
    try:
        said = repo.git.diff(
            *args, "--no-relative", commit, "--", *_YAML, env=_READ_ONLY, stdout_as_string=False
        )
    except git.GitCommandError:
        said = b""
    return Renames(Path(repo.working_tree_dir), relative, _renamed(bytes(said)))


def _renamed(said: bytes) -> tuple[tuple[PurePosixPath, PurePosixPath], ...]:
    """The pairs of `--name-status -z`: `R<score>`, the old path, the new one; any other
    status, one path."""
    parts = [os.fsdecode(p) for p in said.split(b"\0")]
    pairs, i = [], 0
    while i + 2 < len(parts):
        if not parts[i].startswith("R"):
            i += 2
            continue
        pairs.append((PurePosixPath(parts[i + 1]), PurePosixPath(parts[i + 2])))
        i += 3
    return tuple(pairs)


_YAML = (":(top,glob)**/*.yaml", ":(top,glob)**/*.yml")  # in any folder
# no index.lock taken (a plan beside the user's git commands), the pathspecs' magic read
_READ_ONLY = {"GIT_OPTIONAL_LOCKS": "0", "GIT_LITERAL_PATHSPECS": "0"}


def _leaves(rev: str, link: str, target: str) -> str:
    absolute = (
        " (an absolute path names a place on the machine that made the link: link by a "
        "path from the link's folder)"
        if target.startswith("/")
        else ""
    )
    return (
        f"--base {rev}: {link} is a symlink to {quoted(target)}, outside the repository: its "
        "content at that revision is not in git. Commit the files themselves, or a symlink "
        f"to a file or folder inside the repository{absolute}"
    )


def _leads_into(path: str, submodule: str) -> str:
    return f"{path} is" if path == submodule else f"{path} is a symlink into"


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
    """The repository `catalogue` is in, found by git itself: GitPython's `Repo()` reads
    the config of a repository it finds by its git folder (a bare one) decoded with the
    locale's encoding, strictly, and stopped with a UnicodeDecodeError when it held text
    that is not ASCII under an ASCII locale (a user name with `é`), or bytes that are not
    UTF-8 under any locale. Opened at its work tree, it reads the config for core.bare
    alone, and takes the config that does not decode for `false`: what git said."""
    resolved = catalogue.resolve()
    start = resolved if resolved.is_dir() else resolved.parent
    runner = git.Git(str(start))
    try:
        said = runner.rev_parse("--is-bare-repository", "--is-inside-work-tree")
        bare, inside = str(said).split()
        top_dir = str(runner.rev_parse("--show-toplevel")) if inside == "true" else ""
    except (git.GitCommandError, ValueError) as exc:
        raise InputError(f"--base: {catalogue} is not inside a git repository") from exc
    if bare == "true":
        raise InputError(f"--base: {catalogue} is in a bare repository")
    if not top_dir:  # in the git folder of a repository
        raise InputError(f"--base: {catalogue} is not in a repository's work tree")
    repo = git.Repo(top_dir)
    top = Path(top_dir).resolve()
    try:
        relative = PurePosixPath(resolved.relative_to(top).as_posix())
    except ValueError as exc:
        raise InputError(f"--base: {catalogue} is outside the repository {top}") from exc
    return repo, relative
