"""What `edgemodels publish` is asked (`PublishOptions`) and answers (`PublishResult`),
and what every step of one attempt on the deploy branch is handed (`Context`).

A module of their own because the steps (publishing.py), an attempt's commit
(publishcommit.py) and its message (commitmessage.py) all take them: with the types in
any one of those, the others would import it and it them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from edgemodels.diagnostics import Diagnostic
from edgemodels.gitpublish.destination import Destination, GitSettings
from edgemodels.progress import Phase, Progress, no_phase, no_progress

if TYPE_CHECKING:
    from edgemodels.publishremovals import GuardInputs, RemovalGuard

DEFAULT_AUTHOR = "edgemodels <edgemodels@localhost>"


Status = Literal["published", "unchanged", "dry-run", "findings", "superseded"]


@dataclass(frozen=True)
class PublishOptions:
    catalogue: Path
    repo: str | None = None  # default: spec.git.url
    branch: str | None = None  # default: spec.git.branch
    path: str | None = None  # default: spec.git.path
    author: str = DEFAULT_AUTHOR
    message_extra: str = ""
    retries: int = 3  # further attempts after a push rejected because the branch moved
    dry_run: bool = False
    create_branch: bool = True
    workdir: Path | None = None
    force: bool = False  # overwrite generated files edited by hand on the branch
    timeout: float = 300.0  # seconds per git network operation
    allow_http_token: bool = False  # send EDGEMODELS_GIT_TOKEN over plain http://
    policy_config: Path | None = None  # as `check`'s: found beside or above the catalogue
    policies: bool = True  # the catalogue policy rules, as `check` runs them
    # plan's removal guards (publishremovals.py); None: D116 and D118, refused
    removals: RemovalGuard | None = None
    skip_superseded: bool = False  # an older catalogue than the last publish's: pass, no D308
    phase: Phase = no_phase  # says each step as it starts (cli/terminal.py)
    progress: Progress = no_progress  # a bar over the models rendered


@dataclass(frozen=True)
class PublishResult:
    status: Status
    findings: tuple[Diagnostic, ...] = ()
    message: str = ""  # the commit message (or the one a dry run would use)
    commit: str | None = None
    attempts: int = 0
    where: str = ""
    hand_applied: tuple[str, ...] = ()  # changed files of hub/ that the hub does not apply
    hub_note: str = ""  # what to do about them on the hub (commitmessage.hub_note)
    dest: Destination | None = None  # where it was published (None: stopped before)
    superseded: str | None = None  # the newer catalogue commit the branch was published from


@dataclass(frozen=True)
class Context:
    dest: Destination
    settings: GitSettings
    tree: Mapping[str, bytes]
    header: str  # catalogue name
    trailer: str  # provenance lines of the message
    options: PublishOptions
    source: str = ""  # the catalogue's commit (gitpublish/source.py's source_commit)
    guard: GuardInputs | None = None  # the removal guards, --inventory loaded
