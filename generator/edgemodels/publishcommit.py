"""The commit of one publish attempt on the deploy branch, made one of two ways: through
the clone's checkout (`write_and_commit`, when git's hooks or attributes need a work
tree), or from git objects without one (`commit_from_objects`). Both refuse a branch a
newer edgemodels wrote (D306), and end alike (`_outcome`): findings on the hand edits in
the way, or the commit with its message (commitmessage.py).

What is decided here is publish's own (which files change, what is refused); the git
that carries it out is gitpublish's.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from edgemodels.branchplan import (
    MAX_INDEXED,
    BranchFolder,
    HashName,
    converted_back,
    manifest_of,
    manifest_raw,
    plan_branch,
)
from edgemodels.commitmessage import commit_message, line_ends_only
from edgemodels.deployed import DeployedModel, index_tree
from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import OutputError
from edgemodels.folderplan import plan_tree
from edgemodels.fsnames import os_form
from edgemodels.generatereport import conflict_findings
from edgemodels.gitpublish.destination import Destination, redact
from edgemodels.gitpublish.history import HandChanges
from edgemodels.gitpublish.objects import CloneSetup, TreeChanges, commit_objects
from edgemodels.gitpublish.push import commit_folder
from edgemodels.hubnote import hand_applied, hub_note, hub_objects
from edgemodels.publishoptions import Context, PublishResult, Status
from edgemodels.rollback import guard_rollback
from edgemodels.sourcemoves import Before, model_sources
from edgemodels.tree import MANIFEST_PATH
from edgemodels.treemanifest import Manifest, read_manifest, recorded_provenance
from edgemodels.treeplan import Plan
from edgemodels.treeversion import recorded_findings, recorded_in, version_findings
from edgemodels.treewrite import write_tree


def write_and_commit(
    repo: Any, ctx: Context, attempt: int, hand: tuple[HandChanges | None, HashName]
) -> PublishResult:
    """The attempt through the clone's checkout: the tree written there, then committed."""
    out = _checkout_folder(repo, ctx.dest)
    old, before = _index_folder(out)
    # A branch a newer edgemodels published to is not rewritten by an older one: it would
    # undo the newer layout on the deploy branch, which RHACM then applies (D306).
    branch = f"the deploy branch {ctx.dest.shown}"
    versions = version_findings(out, False, ctx.options.force, branch)
    if versions:
        refused = tuple(on_branch(_in_branch(d, out, ctx.dest), ctx.dest) for d in versions)
        return PublishResult("findings", refused, where=ctx.dest.shown)
    # which edgemodels wrote the branch, as it was (write_tree rewrites the manifest)
    before = replace(before, provenance=recorded_provenance(_read_plain(out, MANIFEST_PATH, -1)))
    force = ctx.options.force
    plan = None
    if ctx.options.dry_run or hand[0] is not None:  # the rollback guard, before writing
        plan = guard_rollback(plan_tree(out, ctx.tree, force), ctx.tree, *hand, force)
    if plan is None or not (plan.conflicts or ctx.options.dry_run):
        plan = guard_rollback(write_tree(out, ctx.tree, force), ctx.tree, *hand, force)
    commit = partial(commit_folder, repo, ctx.dest, settings=ctx.settings, generated=ctx.tree)
    return _outcome(ctx, attempt, old, plan, commit, before)


def convert_back(repo: Any, ctx: Context, folder: BranchFolder) -> None:
    """The checkout's converted copies (line ends) of the files the branch holds as
    edgemodels wrote them, put back as the branch holds them (branchplan.converted_back)."""
    try:
        owned = manifest_of(folder, MANIFEST_PATH).files
    except OutputError:
        owned = {}  # damaged: write_tree reports it
    out = _checkout_folder(repo, ctx.dest)
    for path, data in converted_back(folder, owned, partial(_read_plain, out, limit=-1)).items():
        (out / path).write_bytes(data)


def _checkout_folder(repo: Any, dest: Destination) -> Path:
    out = Path(str(repo.working_tree_dir))
    return out / os_form(dest.path) if dest.path else out


def _index_folder(out: Path) -> tuple[dict[str, DeployedModel], Before]:
    """What the branch deploys now, read from the files its manifest lists, and what its
    commit message compares with (before they are overwritten)."""
    if not out.is_dir():
        return {}, Before()
    try:
        owned = read_manifest(out).files
    except OutputError:
        return {}, Before()  # a damaged manifest: write_tree reports it
    return _before(owned, lambda p: _read_plain(out, p))


def _before(
    owned: Mapping[str, str], read: Callable[[str], bytes | None]
) -> tuple[dict[str, DeployedModel], Before]:
    old = index_tree([*owned, "README.md"], read)
    return old, Before(model_sources(old, owned, read), owned, hub_objects=hub_objects(owned, read))


def _read_plain(root: Path, path: str, limit: int = MAX_INDEXED) -> bytes | None:
    """A regular file's bytes (the first `limit`; -1: all), never through a symlink (the
    branch is not trusted)."""
    try:
        fd = os.open(root / path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read(limit)


def _in_branch(finding: Diagnostic, out: Path, dest: Destination) -> Diagnostic:
    """`finding` on a file under `out` (the clone's copy of --path), named by its path in
    the branch, as conflict findings are."""
    rel = Path(finding.location.path).relative_to(out).as_posix()
    path = f"{dest.path}/{rel}" if dest.path else rel
    return replace(finding, location=replace(finding.location, path=path))


def commit_from_objects(
    repo: Any,
    ctx: Context,
    attempt: int,
    base: str | None,
    folder: BranchFolder,
    setup: CloneSetup,
    hand: HandChanges | None = None,
) -> PublishResult:
    """The attempt from git objects: the branch's folder compared with the tree (only the
    blobs that differ are read), and the commit made of the blobs that change."""
    path = _in_folder(ctx.dest, MANIFEST_PATH)
    damaged: OutputError | None = None
    try:
        manifest = manifest_of(folder, f"{redact(ctx.dest.url)}@{ctx.dest.branch}:{path}")
    except OutputError as exc:
        manifest, damaged = Manifest({}), exc
    folder.prefetch([*manifest.files, "README.md"])
    old, before = _before(manifest.files, folder.read_plain)
    # As on a checkout (write_and_commit): D306 first, then a damaged manifest.
    branch = f"the deploy branch {ctx.dest.shown}"
    recorded = recorded_in(manifest_raw(folder))
    versions = recorded_findings(recorded, path, False, ctx.options.force, branch)
    if versions:
        refused = tuple(on_branch(d, ctx.dest) for d in versions)
        return PublishResult("findings", refused, where=ctx.dest.shown)
    if damaged is not None:
        raise damaged
    plan = plan_branch(folder, ctx.tree, manifest, ctx.options.force)
    plan = guard_rollback(plan, ctx.tree, hand, setup.algorithm, ctx.options.force)

    def commit(message: str) -> str | None:
        changes = TreeChanges(
            {_in_folder(ctx.dest, p): ctx.tree[p] for p in (*plan.added, *plan.changed)},
            tuple(_in_folder(ctx.dest, p) for p in plan.removed),
        )
        return commit_objects(repo, ctx.dest, base, changes, message, ctx.settings, setup)

    before = replace(before, provenance=recorded_provenance(manifest.raw))
    return _outcome(ctx, attempt, old, plan, commit, before)


def _in_folder(dest: Destination, path: str) -> str:
    return f"{dest.path}/{path}" if dest.path else path


def _outcome(
    ctx: Context,
    attempt: int,
    old: Mapping[str, DeployedModel],
    plan: Plan,
    commit: Callable[[str], str | None],
    before: Before,
) -> PublishResult:
    """Findings for the conflicts, or the commit message and the commit (none for a dry
    run, or when nothing changed)."""
    where = ctx.dest.shown
    if plan.conflicts:
        found = conflict_findings(plan, Path(ctx.dest.path or "."))
        return PublishResult("findings", tuple(on_branch(d, ctx.dest) for d in found), where=where)
    message = commit_message(ctx, old, plan, before)
    normalised = line_ends_only(plan, before, ctx.tree)  # no change to apply
    by_hand = hand_applied(
        [p for p in (*plan.added, *plan.changed, *plan.removed) if p not in normalised]
    )
    note = hub_note(by_hand, plan.added, ctx.tree, before.hub_objects)
    if ctx.options.dry_run:
        status: Status = "dry-run" if plan.differs else "unchanged"
        return PublishResult(
            status,
            message=message,
            attempts=attempt,
            where=where,
            hand_applied=by_hand,
            hub_note=note,
        )
    ctx.options.phase("committing")
    sha = commit(message)
    if sha is None:
        return PublishResult("unchanged", attempts=attempt, where=where)
    return PublishResult(
        "published",
        message=message,
        commit=sha,
        attempts=attempt,
        where=where,
        hand_applied=by_hand,
        hub_note=note,
    )


def on_branch(finding: Diagnostic, dest: Destination) -> Diagnostic:
    """A finding on a file of the deploy branch, named `URL@BRANCH:PATH` (git's `rev:path`):
    a bare `hub/channel.yaml` reads as a file of the working copy, which is not the one
    edited (generated/hub/channel.yaml there is as generated)."""
    path = f"{redact(dest.url)}@{dest.branch}:{finding.location.path}"
    return replace(finding, location=replace(finding.location, path=path))
