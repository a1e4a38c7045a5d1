"""Publish does not roll the deploy branch back to an older catalogue unasked: when the
branch's last publish came from a catalogue commit that this one does not include (a CI
pipeline of an older commit that runs after a newer one's, a clone that was not pulled),
publishing would silently undo the commits since. D308, exit 1, until `--force` (a
rollback on purpose); a warning when the catalogue's repository lacks that commit, which
also says what else that stops (the removal guards that run without `-i`), or none when
the guards' own finding (D309, with `-i`) names the commit: one cause, one finding.

With `--skip-superseded` (the CI files `init` writes pass it) a catalogue commit that the
last publish's includes (an ancestor: the older pipeline of the two) publishes nothing and
exits 0, "superseded": the branch already holds everything this commit changed, and a
failed job on the default branch for a pipeline that simply came second would send
someone looking for a problem that is not there. Another line of history (two clones, a
feature branch) is still D308: nothing on the branch holds what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.gitpublish.history import COMMIT_ID
from edgemodels.gitpublish.source import source_order

CODE = ("D308", "older-catalogue-source")
_HOW = {
    "older": "an older commit than the one the branch was last published from",
    "diverged": "another line of history than the commit the branch was last published from",
}


@dataclass(frozen=True)
class SourceCheck:
    """What the order of the two catalogue commits allows: its findings, or that the
    branch already holds a newer catalogue that includes this one (`superseded`, with
    the commit that does)."""

    findings: tuple[Diagnostic, ...] = ()
    superseded: str | None = None
    lacked: bool = False  # the catalogue's repository lacks the last publish's commit


def order_findings(
    catalogue: Path,
    ours: str,
    theirs: str | None,
    where: str,
    force: bool,
    skip_superseded: bool = False,
    unread: str | None = "",
) -> SourceCheck:
    """An error at `where` (the branch's manifest) when `ours` does not include `theirs`,
    the last publish's source commit (superseded instead, when `ours` is older and
    `skip_superseded`), and a warning when that cannot be told; none under `force`.
    `unread`: what else a missing `theirs` stops, said in that warning; None when another
    finding names the missing commit (then `lacked` alone)."""
    if force or theirs is None or not COMMIT_ID.fullmatch(ours):  # ours: no git checkout
        return SourceCheck()
    order = source_order(catalogue, ours, theirs)
    if order == "older" and skip_superseded:
        return SourceCheck(superseded=theirs)
    code, name = CODE
    if order == "unknown":  # told, not refused: a shallow clone cannot tell any commit
        if unread is None:
            return SourceCheck(lacked=True)
        unknown = (
            f"the branch was last published from catalogue commit {theirs[:12]}, which the "
            f"catalogue's repository does not have (a shallow clone? another clone's commit?): "
            f"if it is newer than {ours[:12]}, this publish undoes its changes"
            f"{f', and {unread}' if unread else ''}; fetch it (git fetch, or git fetch "
            f"--unshallow{'; CI: clone with depth 0' if unread else ''}) and publish again to "
            "be told"
        )
        found = Diagnostic(Location(where, 1, 1), code, unknown, "warning", name)
        return SourceCheck((found,), lacked=True)
    if order not in _HOW:
        return SourceCheck()
    message = (
        f"the catalogue is at {ours[:12]}, {_HOW[order]} ({theirs[:12]}): publishing would "
        f"undo on the sites what the catalogue commits since changed. Publish from a "
        f"checkout that includes {theirs[:12]} (git pull), or pass --force to publish this "
        "catalogue over it on purpose (a rollback; `git revert` in the catalogue needs none)"
    )
    if order == "older":  # the CI case: a pipeline that came second
        message += (
            "; in CI, where a newer commit's pipeline published first, --skip-superseded "
            "publishes nothing and passes"
        )
    return SourceCheck((Diagnostic(Location(where, 1, 1), code, message, "error", name),))
