"""A rollback by `git reset` and a force-push on the deploy branch, as a kept clone
(`--workdir`) sees it. The branch's history keeps no trace of it, so a temporary clone
cannot tell it from a catalogue change not yet published; but a clone that fetched the
branch before knows where the branch was (`seen_tip`): when that is no longer in the
branch's history, the publishes that left it (`rewound_changes`) are rolled back as a
`git revert` of them would be, and rollback.py refuses to put back what they wrote.

Where the branch was is kept under `SEEN_REF` once a publish is done with the branch as
it is (pushed, up to date, superseded), not when it refused: the fetch that told of the
reset has moved the remote-tracking branch by then, and the next run would forget it.
"""

from __future__ import annotations

from typing import Any

import git

from edgemodels.gitpublish.destination import Destination
from edgemodels.gitpublish.history import PUBLISHED, HandChanges, blobs_before
from edgemodels.gitpublish.objects import literal
from edgemodels.tree import MANIFEST_PATH

SEEN_REF = "refs/edgemodels/seen"


def seen_tip(repo: Any, branch: str) -> str | None:
    """Where the branch was when this clone last published to it, else last fetched it
    (None: never: a new branch, or a clone that has not fetched it). Read before fetching."""
    for ref in (f"{SEEN_REF}/{branch}", f"refs/remotes/origin/{branch}"):
        try:
            return str(repo.git.rev_parse("-q", "--verify", f"{ref}^{{commit}}"))
        except git.GitCommandError:
            continue
    return None


def mark_seen(repo: Any, branch: str) -> None:
    """The branch as fetched or pushed now is where this clone last saw it."""
    try:
        tip = repo.git.rev_parse("-q", "--verify", f"refs/remotes/origin/{branch}^{{commit}}")
    except git.GitCommandError:
        return
    repo.git.update_ref("-m", "edgemodels publish", f"{SEEN_REF}/{branch}", tip)


def was_pushed(repo: Any, commit: str, seen: str | None) -> bool:
    """Whether the branch held `commit` (it is in `seen`'s history): a local commit the
    remote no longer has was then dropped from it, not left unpushed."""
    return seen is not None and _is_ancestor(repo, commit, seen)


def rewound_changes(
    repo: Any, dest: Destination, seen: str | None, base: str | None
) -> HandChanges | None:
    """The newest publish of the folder that `seen` held and the branch (`base`) no longer
    does, with the folder's files that differ between the two (their blobs at that
    publish); None when the branch only moved forward, was made anew (no history shared
    with `seen`), or dropped no publish."""
    if seen is None or base is None or _is_ancestor(repo, seen, base):
        return None
    if not _shared(repo, seen, base):  # a branch made anew, not rolled back
        return None
    folder = dest.path
    manifest = f"{folder}/{MANIFEST_PATH}" if folder else MANIFEST_PATH
    dropped = repo.git.log(
        "-1", "--format=%H %h %s", *PUBLISHED, f"{base}..{seen}", "--", literal(manifest)
    )
    if not dropped:
        return None
    full, named = dropped.split(" ", 1)
    spec = [literal(folder)] if folder else []
    before = blobs_before(repo, full, base, folder, spec)
    return HandChanges(full, before, (named,), rewound=True)


def _shared(repo: Any, one: str, other: str) -> bool:
    try:
        repo.git.merge_base(one, other)
    except git.GitCommandError:
        return False
    return True


def _is_ancestor(repo: Any, older: str, newer: str) -> bool:
    try:
        repo.git.merge_base("--is-ancestor", older, newer)
    except git.GitCommandError:
        return False
    return True
