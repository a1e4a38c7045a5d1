"""The deploy branch in the working clone: where the remote has it (`fetch_branch`), the
local branch set there through a checkout (`checkout_branch`) or without one
(`point_branch`), and a local commit the remote does not have kept under a ref of its own
(`UNPUSHED_REF`) before the branch moves.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import Any

import git

from edgemodels.gitpublish.clone import UNPUSHED_REF, fetch, require_own
from edgemodels.gitpublish.destination import Destination, GitSettings, PublishError, redact
from edgemodels.gitpublish.rewind import was_pushed


def fetch_branch(
    repo: Any, dest: Destination, settings: GitSettings, create: bool, seen: str | None = None
) -> str | None:
    """Fetch; the commit the remote's branch is at, or None when the branch is new (it
    starts empty: an orphan branch shares nothing). `seen`: where the branch was before
    (rewind.seen_tip), which held the local commits that were pushed."""
    fetch(repo, dest, settings)
    _keep_unpushed(repo, dest.branch, seen)
    remote_ref = f"refs/remotes/origin/{dest.branch}"
    if _ref_exists(repo, remote_ref):
        return str(repo.git.rev_parse("--verify", f"{remote_ref}^{{commit}}"))
    if not create:
        raise PublishError(
            f"branch {dest.branch} does not exist in {redact(dest.url)}; create it, or "
            "publish without --no-create-branch"
        )
    return None


def checkout_branch(repo: Any, dest: Destination, base: str | None) -> None:
    """Put `base` (None: a new, empty branch) into the working tree, as the local branch.
    Only when the clone needs a work tree (`CloneSetup.work_tree`, `branch_entries`)."""
    require_own(repo)
    if base is not None:
        repo.git.checkout("-q", "-f", "--no-track", "-B", dest.branch, base)
        return
    repo.git.symbolic_ref("HEAD", f"refs/heads/{dest.branch}")
    if _ref_exists(repo, f"refs/heads/{dest.branch}"):
        repo.git.update_ref("-d", f"refs/heads/{dest.branch}")
    repo.git.rm("-r", "-q", "-f", "--ignore-unmatch", "--", ".")
    repo.git.clean("-q", "-f", "-d", "-x")


def point_branch(repo: Any, dest: Destination, base: str | None) -> None:
    """The local branch at `base` (deleted when the branch is new), as `checkout -B` sets
    it, without a checkout. A checkout an earlier publish left in a --workdir stays as it
    is: HEAD is detached at its commit, so moving the branch leaves the clone clean."""
    require_own(repo)
    branch = f"refs/heads/{dest.branch}"
    if (Path(str(repo.git_dir)) / "index").exists():
        with suppress(git.GitCommandError):
            if repo.git.symbolic_ref("-q", "HEAD") == branch:
                head = repo.git.rev_parse("-q", "--verify", "HEAD^{commit}")
                repo.git.update_ref("--no-deref", "-m", "edgemodels publish", "HEAD", head)
    if base is not None:
        repo.git.update_ref("-m", "edgemodels publish", branch, base)
    elif _ref_exists(repo, branch):
        repo.git.update_ref("-d", branch)


def _ref_exists(repo: Any, ref: str) -> bool:
    try:
        repo.git.rev_parse("-q", "--verify", f"{ref}^{{commit}}")
    except git.GitCommandError:
        return False
    return True


def keep_ref(repo: Any, ref: str, commit: str) -> None:
    """Point `ref` at `commit`, logging it: a commit kept there before stays reachable
    (`git reflog show REF`) when a later failed push keeps another, in a bare clone too
    (where git keeps no ref logs by default)."""
    repo.git.update_ref("--create-reflog", "-m", "edgemodels publish: not pushed", ref, commit)


def _keep_unpushed(repo: Any, branch: str, seen: str | None) -> None:
    """A local commit the remote does not have is saved before the branch is reset, unless
    the branch held it (pushed, then dropped by a reset and force-push: rewind.py)."""
    local = f"refs/heads/{branch}"
    if not _ref_exists(repo, local):
        return
    remote = f"refs/remotes/origin/{branch}"
    if _ref_exists(repo, remote):
        ahead = repo.git.rev_list("--count", f"{remote}..{local}")
        if ahead.strip() == "0":
            return
    if was_pushed(repo, local, seen):
        return
    keep_ref(repo, f"{UNPUSHED_REF}/{branch}", local)
