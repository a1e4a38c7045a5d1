"""What publish does about a rollback made on the deploy branch by hand: a `git revert` of a
bad publish (or a cherry-pick, a hand commit) that changed what publish wrote. Publishing
the catalogue as it is would put that change back, silently, at the next unrelated merge;
so the files it would put back as they were at the last publish are a hand edit in the way
(D301, exit 1) until the catalogue makes the same change, or `--force` is given (the
commit then lists them as discarded hand edits)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from edgemodels.branchplan import HashName, blob_id
from edgemodels.gitpublish.history import MAX_NAMED, HandChanges
from edgemodels.output import plural
from edgemodels.tree import MANIFEST_PATH
from edgemodels.treeplan import Conflict, Plan


def guard_rollback(
    plan: Plan,
    tree: Mapping[str, bytes],
    hand: HandChanges | None,
    algorithm: HashName,
    force: bool,
) -> Plan:
    """`plan` with a conflict (or, under `force`, an overwritten file) for each file this
    publish would set back to what the last publish wrote, undoing a hand change since.
    A file the catalogue now makes otherwise (a fix after the revert) goes ahead."""
    if hand is None:
        return plan
    undone = [
        path
        for path in (*plan.added, *plan.changed, *plan.removed)
        if path != MANIFEST_PATH
        and path in hand.before
        and _blob(tree.get(path), algorithm) == hand.before[path]
    ]
    if not undone:
        return plan
    if force:
        return replace(plan, overwritten=tuple(sorted({*plan.overwritten, *undone})))
    detail = _detail(hand)
    conflicts = tuple(Conflict(path, "hand-edited", detail) for path in sorted(undone))
    return replace(plan, conflicts=(*plan.conflicts, *conflicts))


def _blob(data: bytes | None, algorithm: HashName) -> str | None:
    return None if data is None else blob_id(data, algorithm)


def _detail(hand: HandChanges) -> str:
    if hand.rewound:
        return (
            "the branch was reset and force-pushed past a publish this clone fetched before "
            f"({hand.commits[0]}), a rollback by hand; publishing would put back what it "
            "undid. Make the same change in the catalogue (git revert the catalogue "
            "commit that brought it) and publish, or rerun with --force to undo the rollback"
        )
    named = "; ".join(hand.commits[:MAX_NAMED])
    more = " and more" if len(hand.commits) > MAX_NAMED else ""
    commits = plural(len(hand.commits[:MAX_NAMED]), "commit")
    return (
        f"changed on the branch since the last publish ({hand.since[:12]}) by {commits} "
        f"publish did not make ({named}{more}), a rollback by hand; publishing would put back "
        "what it undid. Make the same change in the catalogue (git revert the catalogue "
        "commit that brought it) and publish, or rerun with --force to undo the rollback"
    )
