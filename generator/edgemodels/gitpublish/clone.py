"""The working clone publish works in: a temporary clone, or a --workdir kept between runs
(one run at a time, taken as its own only when nothing in it could be lost, cleaned up
after a killed run), and the fetch of every branch into it.

`require_own` guards every clean and reset, here and in branch.py: nothing is discarded
in a clone edgemodels did not make or take as its own.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git

from edgemodels.cleanup import children_stopped_on_interrupt, remove_folder
from edgemodels.fsnames import os_form, same_name
from edgemodels.gitpublish.destination import (
    Destination,
    GitSettings,
    PublishError,
    failure,
    git_errors,
    redact,
)
from edgemodels.workdir import (
    commits_at_risk,
    files_at_risk,
    is_own,
    mark_own,
    refusal,
    worktrees_at_risk,
)

UNPUSHED_REF = "refs/edgemodels/unpushed"


@contextmanager
def working_clone(
    dest: Destination,
    settings: GitSettings,
    workdir: Path | None,
    warn: Callable[[str], None] = lambda text: None,
) -> Iterator[Clone]:
    """A clone of the deploy repository: `workdir` (kept, reused) or a temporary one,
    removed afterwards however the run ends (a commit that could not be pushed is kept
    only in a `workdir`). `warn` says that publish takes a clone it did not make as its own."""
    if workdir is not None:
        with _workdir_lock(workdir), children_stopped_on_interrupt():
            repo = _open_workdir(dest, settings, workdir, warn)
            try:
                yield repo
            finally:
                repo.close()  # GitPython's long-running git processes, if any
            _interrupted_marker(repo).unlink(missing_ok=True)  # only when the run ended well
        return
    temp = Path(tempfile.mkdtemp(prefix="edgemodels-publish-"))
    try:
        with children_stopped_on_interrupt():  # a git command left running writes in temp
            repo = _clone(dest, settings, temp / "repo")
            try:
                yield repo
            finally:
                repo.close()
    finally:
        remove_folder(temp)


@dataclass(frozen=True)
class Clone:
    """A clone publish works in: git run there, and its folders. Not GitPython's Repo,
    which reads git's files (the config, in `Repo()` for a bare clone, for a remote's URL
    and for a push) decoded with the locale's encoding: under an ASCII locale a deploy
    repository whose URL or path is not ASCII stopped publish with a UnicodeDecodeError."""

    git: Any  # git.Git, run in the clone
    git_dir: str
    working_tree_dir: str | None  # None: a bare clone

    @property
    def bare(self) -> bool:
        return self.working_tree_dir is None

    def close(self) -> None:
        self.git.clear_cache()  # GitPython's long-running git processes, if any


def open_clone(path: Path) -> Clone | None:
    """The clone whose work tree (or, bare, whose git folder) is `path`; None when `path`
    is neither (a plain folder, or a folder inside some other repository)."""
    runner = git.Git(str(path))
    try:
        git_dir, bare = runner.rev_parse("--absolute-git-dir", "--is-bare-repository").split("\n")
        top = None if bare == "true" else runner.rev_parse("--show-toplevel")
    except (git.GitCommandError, ValueError):
        return None
    here = os.path.realpath(path)
    if os.path.realpath(top if top is not None else git_dir) != here:
        return None
    return Clone(runner, git_dir, top)


def _clone(dest: Destination, settings: GitSettings, target: Path) -> Clone:
    runner = git.Git(str(target.parent))
    try:
        runner.clone(
            "--no-checkout",
            "--origin",
            "origin",
            "--",
            os_form(dest.url),
            str(target),
            kill_after_timeout=settings.timeout,
            env=settings.env,
        )
    except git.GitCommandError as exc:
        raise failure("cannot clone", dest, exc) from None
    except UnicodeEncodeError:
        # GitPython's message for a command it killed at the timeout holds the command
        # (the URL, the folder) encoded with the locale's encoding: ASCII fails on `dépôt`.
        said = f"Timeout: git clone did not complete in {settings.timeout:g} secs."
        timeout = git.GitCommandError(["git", "clone"], -9, said)
        raise failure("cannot clone", dest, timeout) from None
    repo = Clone(git.Git(str(target)), str(target / ".git"), str(target))
    mark_own(repo)  # a temporary clone too: `require_own` guards every clean and reset
    repo.git.update_environment(**settings.env)
    return repo


def _open_workdir(
    dest: Destination, settings: GitSettings, workdir: Path, warn: Callable[[str], None]
) -> Clone:
    if not workdir.exists() or (workdir.is_dir() and not any(workdir.iterdir())):
        workdir.mkdir(parents=True, exist_ok=True)
        return _clone(dest, settings, workdir)
    repo = open_clone(workdir)
    if repo is None:
        raise PublishError(
            f"--workdir {workdir} is neither empty nor a git clone; publish clones into a "
            "folder that does not exist or is empty: give --workdir a folder of its own"
        ) from None
    repo.git.update_environment(**settings.env)
    origin = _origin_url(repo)
    if not same_name(origin, dest.url):
        raise PublishError(
            f"--workdir {workdir} is a clone of {redact(origin) or 'no origin'}, "
            f"not of {redact(dest.url)}"
        )
    if not is_own(repo):
        with git_errors(dest):
            _adopt(repo, dest, settings, workdir)
        warn(
            f"--workdir {workdir} is a clone edgemodels did not make; nothing in it could "
            "be lost, so publish now keeps it as its own working clone (it may discard "
            "files git does not track there): keep your own work in another clone"
        )
    marker = _interrupted_marker(repo)
    if marker.exists():
        _discard_interrupted_run(repo)
    elif _uncommitted(repo):
        raise PublishError(
            f"--workdir {workdir} has uncommitted changes; commit or remove them "
            "(edgemodels publish never discards work), or use another --workdir"
        )
    marker.touch()
    return repo


def _origin_url(repo: Clone) -> str:
    status, url, _ = repo.git.config(
        "--get", "remote.origin.url", with_extended_output=True, with_exceptions=False
    )
    return str(url) if status == 0 else ""


def _uncommitted(repo: Clone) -> bool:
    """Staged or changed tracked files, or untracked ones (ignored ones aside); a clone
    never checked out has no index, so nothing staged (HEAD's files are not "deleted")."""
    if repo.bare:
        return False
    staged = (Path(repo.git_dir) / "index").is_file() and repo.git.diff("--cached", "--name-only")
    return bool(
        staged
        or repo.git.diff("--name-only")
        or repo.git.ls_files("--others", "--exclude-standard", "-z")
    )


def _adopt(repo: Any, dest: Destination, settings: GitSettings, workdir: Path) -> None:
    """Mark a clone publish did not make (the user's own, or one an edgemodels without the
    mark made) as its own, when nothing in it could be lost; PublishError naming what
    could otherwise. Fetched first: a commit pushed from here (by an earlier publish, to a
    branch outside a --single-branch clone's refspec) is on origin, though the clone's
    remote-tracking branch may not say so yet. Without --prune: a remote-tracking branch
    of a branch origin deleted may be all that holds a commit of the user's."""
    risks = files_at_risk(repo)
    fetch(repo, dest, settings, prune=False)
    risks += commits_at_risk(repo, UNPUSHED_REF) + worktrees_at_risk(repo)
    if risks:
        raise PublishError(refusal(workdir, risks))
    mark_own(repo)


def require_own(repo: Any) -> None:
    """What discards files or moves branches runs only in a clone publish made or took as
    its own (`_open_workdir` sees to it; this keeps any other way out)."""
    if not is_own(repo):
        raise PublishError(
            f"refusing to clean or reset {repo.working_tree_dir or repo.git_dir}: "
            "edgemodels did not make this clone"
        )


@contextmanager
def _workdir_lock(workdir: Path) -> Iterator[None]:
    """One publish per working clone at a time; the lock dies with its process."""
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise PublishError(f"cannot use --workdir {workdir}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"another edgemodels publish is using --workdir {workdir}; wait for it to "
                "finish and run again"
            ) from None
        yield
    finally:
        os.close(fd)


def _interrupted_marker(repo: Any) -> Path:
    """Present while a publish works in the clone: left behind, it names a killed run."""
    return Path(str(repo.git_dir)) / "edgemodels-publish-running"


def _discard_interrupted_run(repo: Any) -> None:
    """What a killed publish left in its own working clone (a half-written tree, stale
    index and ref locks, staged files) is thrown away; its commits are kept by
    `_keep_unpushed`. The locks are git's own; no other publish runs here (we hold the
    workdir lock)."""
    require_own(repo)
    git_dir = Path(str(repo.git_dir))
    for lock in [*git_dir.glob("*.lock"), *(git_dir / "refs").rglob("*.lock")]:
        lock.unlink(missing_ok=True)
    if (git_dir / "index").exists():  # a checkout's; a clone never checked out has none
        with suppress(git.GitCommandError):
            repo.git.reset("-q")
    repo.git.clean("-q", "-f", "-d", "-x")


# Every branch, whatever the clone's own refspec says: a --workdir cloned with
# --single-branch (or --depth, which implies it) fetched only its branch, so another branch
# looked new, its orphan commit was rejected, and publish said the branch kept moving.
BRANCHES = "+refs/heads/*:refs/remotes/origin/*"


def fetch(repo: Any, dest: Destination, settings: GitSettings, prune: bool = True) -> None:
    try:
        flags = ["--prune"] if prune else []
        repo.git.fetch(*flags, "origin", BRANCHES, kill_after_timeout=settings.timeout)
    except git.GitCommandError as exc:
        raise failure("cannot fetch from", dest, exc) from None
