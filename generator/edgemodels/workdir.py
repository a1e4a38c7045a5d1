"""Whose `publish --workdir` clone it is.

A clone publish makes is marked as its own (a file in its git folder): there publish may
discard what a killed run left (`git clean -x`), check the branch out with `--force` and
move local branches. Any other clone of the deploy repository (the user's own, or one an
edgemodels without the mark made) becomes publish's own only when publishing there can
lose nothing: no changed, untracked or ignored file, no commit that origin does not have.

A file, not a git config key: a key can come from the global or system config or the
environment (publish itself passes config there), and would then mark every clone.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from edgemodels.tree import LOCK_PATH

OWNER_NAME = "edgemodels-workdir"
OWNER_TEXT = (
    "`edgemodels publish --workdir` made this clone, or took it when nothing in it could\n"
    "be lost: it may discard files git does not track here and move its branches.\n"
    "Keep your own work in another clone.\n"
)
MAX_LISTED = 5
# `git status` refreshes the index and writes it back, unless told not to: the user's
# index is left as it is (and a clone without a checkout gets none).
_NO_LOCKS = {"GIT_OPTIONAL_LOCKS": "0"}
_KINDS = {"??": "untracked", "!!": "ignored by git"}


def owner_mark(repo: Any) -> Path:
    return Path(str(repo.git_dir)) / OWNER_NAME


def is_own(repo: Any) -> bool:
    return owner_mark(repo).is_file()


def mark_own(repo: Any) -> None:
    owner_mark(repo).write_text(OWNER_TEXT)


def files_at_risk(repo: Any) -> list[str]:
    """The files `git clean -f -d -x` or `git checkout -f` would remove or overwrite, each
    as `path (why)`: untracked, ignored, changed (staged or not), or hidden from git by
    assume-unchanged or skip-worktree. Options given here, not left to the clone's config
    (`status.showUntrackedFiles=no`, a submodule's `ignore`, would hide some)."""
    if repo.bare:
        return []
    raw = repo.git.status(
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--ignored=traditional",
        "--ignore-submodules=none",
        env=_NO_LOCKS,
        stdout_as_string=False,
    )
    top = Path(str(repo.working_tree_dir))
    checked_out = (Path(str(repo.git_dir)) / "index").exists()
    records = iter(_text(raw).split("\0"))
    found: list[str] = []
    for record in records:
        if not record:
            continue
        code, path = record[:2], record[3:]
        if code[0] in "RC":
            next(records, None)  # a staged rename's or copy's source
        if code in _KINDS:
            if not _edgemodels_lock(top, path):
                found.append(f"{_shown(path)} ({_KINDS[code]})")
        elif checked_out:  # without an index every file of HEAD reads as deleted
            found.append(f"{_shown(path)} (uncommitted change)")
    return found + _hidden_from_git(repo, top)


def _hidden_from_git(repo: Any, top: Path) -> list[str]:
    """Tracked files `git status` does not look at (`update-index --assume-unchanged`,
    `--skip-worktree`): a local edit kept there is overwritten by `checkout -f`."""
    raw = repo.git.ls_files("-v", "-z", stdout_as_string=False)
    found = []
    for record in filter(None, _text(raw).split("\0")):
        tag, path = record[:1], record[2:]
        if (tag.islower() or tag == "S") and os.path.lexists(top / path):
            found.append(f"{_shown(path)} (git is told not to look at it)")
    return found


def _edgemodels_lock(top: Path, path: str) -> bool:
    """An empty `.edgemodels/lock`, the lock file `write_tree` leaves in a folder it wrote
    (through a checkout, an earlier publish wrote one into the clone): edgemodels' own."""
    if path != LOCK_PATH and not path.endswith(f"/{LOCK_PATH}"):
        return False
    try:
        info = os.lstat(top / path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size == 0


def commits_at_risk(repo: Any, kept: str) -> list[str]:
    """The commits of local branches (and of a detached HEAD) that origin does not have,
    as the clone last fetched it, each as `commit <id> on <branch>`; those publish keeps
    under `kept` (refs/edgemodels/unpushed) do not count."""
    status, _, _ = repo.git.symbolic_ref(
        "-q", "HEAD", with_extended_output=True, with_exceptions=False
    )
    tips = ["--branches", *(["HEAD"] if status != 0 else [])]  # not a branch: detached
    raw = repo.git.log(
        "--source", "--format=%h %S", *tips, "--not", "--remotes=origin", f"--glob={kept}/*"
    )
    lines = [line.split(" ", 1) for line in str(raw).splitlines() if " " in line]
    return [f"commit {sha} on {ref}, which origin does not have" for sha, ref in lines]


def worktrees_at_risk(repo: Any) -> list[str]:
    """The other work trees of the repository (`git worktree add`), each as `work tree
    <path>`: they share its branches, and a branch publish moves under one of them leaves
    that work tree as if its files were edits."""
    here = Path(str(repo.working_tree_dir or repo.git_dir)).resolve()
    raw = str(repo.git.worktree("list", "--porcelain"))
    paths = [line[len("worktree ") :] for line in raw.splitlines() if line.startswith("worktree ")]
    others = [p for p in paths if Path(p).resolve() != here]
    return [f"work tree {p}, which shares this clone's branches" for p in others]


def refusal(workdir: Path, risks: list[str]) -> str:
    listed = [f"  {risk}" for risk in risks[:MAX_LISTED]]
    if len(risks) > MAX_LISTED:
        listed.append(f"  ... and {len(risks) - MAX_LISTED} more")
    return "\n".join(
        [
            f"--workdir {workdir} is a clone edgemodels did not make, and publishing there "
            "could lose what it holds:",
            *listed,
            "Give --workdir a folder of its own (one that does not exist or is empty: "
            "publish clones there), or remove those files (commit and push what you keep) "
            "and run again.",
        ]
    )


def _text(raw: Any) -> str:
    """git's paths as the file system takes them (`café` under an ASCII locale too)."""
    return os.fsdecode(bytes(raw))


def _shown(path: str) -> str:
    """A path as it can be printed (a name that is not UTF-8 keeps a replacement mark)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
