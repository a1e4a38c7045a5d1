"""What `edgemodels publish` reports: its JSON for a CI script, and what it did in words."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from edgemodels.diagnostics import Diagnostic
from edgemodels.display import shown_in
from edgemodels.output import render_json

if TYPE_CHECKING:
    from edgemodels.publishoptions import PublishResult


def publish_json(diags: Sequence[Diagnostic], subject: str, result: PublishResult) -> str:
    """The JSON report with what publish did, for a CI script: `publish.status` (published,
    unchanged, dry-run, superseded, findings), the commit pushed and where, whether hub/
    must be applied again (the hand-applied files the commit changed), and the newer
    catalogue commit the branch holds when superseded."""
    from edgemodels.gitpublish.destination import redact  # as body's: only publish needs it

    doc = json.loads(render_json(diags, subject))
    dest = result.dest
    doc["publish"] = {
        "status": result.status,
        "repository": redact(dest.url) if dest else None,
        "branch": dest.branch if dest else None,
        "path": dest.path if dest else None,
        "commit": result.commit,
        "attempts": result.attempts,
        "subject": result.message.split("\n", 1)[0] if result.message else None,
        "handApplied": list(result.hand_applied),
        "supersededBy": result.superseded,
    }
    return json.dumps(shown_in(doc), indent=2) + "\n"


def what_was_done(result: PublishResult) -> str:
    """What a publish that went ahead did, and its commit message."""
    if result.status == "unchanged":
        return f"{result.where}: already up to date, nothing to commit\n"
    if result.status == "dry-run":
        return f"{result.where}: would commit (dry run, nothing pushed):\n\n{result.message}"
    if result.status == "superseded":
        return (
            f"{result.where}: superseded, nothing to publish: the branch was last published "
            f"from catalogue commit {(result.superseded or '')[:12]}, which includes this one\n"
        )
    sha = (result.commit or "")[:12]
    tries = f" (after {result.attempts} attempts)" if result.attempts > 1 else ""
    return f"{result.where}: pushed {sha}{tries}\n\n{shown_message(result.message, sha)}"


MAX_SHOWN_LINES = 30  # of a pushed commit's message, before its closing lines


def shown_message(message: str, sha: str) -> str:
    """A pushed commit's message for the log: the subject, the first lines of the changes,
    and the closing lines (files, notes, trailer). A fleet-wide bump lists every model per
    target: 1,861 lines for 1,000 models, all of them in the commit itself."""
    lines = message.splitlines()
    closing = next(
        (n for n, line in enumerate(lines) if line.startswith("Files under ")), len(lines)
    )
    left_out = closing - 1 - MAX_SHOWN_LINES  # the blank line before the files stays
    if left_out <= 0:
        return message
    noun = "line" if left_out == 1 else "lines"
    cut = f"  ... and {left_out} more {noun}: `git show -s {sha}` in the deploy repository"
    return "\n".join([*lines[:MAX_SHOWN_LINES], cut, *lines[closing - 1 :]]) + "\n"
