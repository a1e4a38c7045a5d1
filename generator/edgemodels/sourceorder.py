"""Publish does not roll the deploy branch back to an older catalogue unasked: when the
branch's last publish came from a catalogue commit that this one does not include (a CI
pipeline of an older commit that runs after a newer one's, a clone that was not pulled),
publishing would silently undo the commits since. D308, exit 1, until `--force` (a
rollback on purpose); a warning when the catalogue's repository lacks that commit."""

from __future__ import annotations

from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.gitpublish.history import COMMIT_ID
from edgemodels.gitpublish.source import source_order

CODE = ("D308", "older-catalogue-source")
_HOW = {
    "older": "an older commit than the one the branch was last published from",
    "diverged": "another line of history than the commit the branch was last published from",
}


def order_findings(
    catalogue: Path, ours: str, theirs: str | None, where: str, force: bool
) -> list[Diagnostic]:
    """An error at `where` (the branch's manifest) when `ours` does not include `theirs`,
    the last publish's source commit, and a warning when that cannot be told; none under
    `force`."""
    if force or theirs is None or not COMMIT_ID.fullmatch(ours):  # ours: no git checkout
        return []
    order = source_order(catalogue, ours, theirs)
    code, name = CODE
    if order == "unknown":  # told, not refused: a shallow clone cannot tell any commit
        unknown = (
            f"the branch was last published from catalogue commit {theirs[:12]}, which the "
            f"catalogue's repository does not have (a shallow clone? another clone's commit?): "
            f"if it is newer than {ours[:12]}, this publish undoes its changes; fetch it "
            "(git fetch, or git fetch --unshallow) and publish again to be told"
        )
        return [Diagnostic(Location(where, 1, 1), code, unknown, "warning", name)]
    if order not in _HOW:
        return []
    message = (
        f"the catalogue is at {ours[:12]}, {_HOW[order]} ({theirs[:12]}): publishing would "
        f"undo on the sites what the catalogue commits since changed. Publish from a "
        f"checkout that includes {theirs[:12]} (git pull), or pass --force to publish this "
        "catalogue over it on purpose (a rollback; `git revert` in the catalogue needs none)"
    )
    return [Diagnostic(Location(where, 1, 1), code, message, "error", name)]
