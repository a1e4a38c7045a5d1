"""The steps of `edgemodels publish`: load -> render -> clone -> scan -> write -> commit -> push.

Git itself is in `gitpublish/`. This module runs the steps, tries again when the branch
moved under the push, and chooses how each attempt commits: the commit is made in
publishcommit.py, its message in commitmessage.py, what they share in publishoptions.py.
The credential scan, the one step before anything is written, is publishscan.py's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from edgemodels import __version__
from edgemodels.branchplan import BranchFolder, Entry
from edgemodels.catalogue.sources import setting_locations
from edgemodels.check import CheckOptions, run_check
from edgemodels.diagnostics import Diagnostic, has_failures
from edgemodels.generate import build_tree, source_info
from edgemodels.gitpublish.branch import checkout_branch, fetch_branch, keep_ref, point_branch
from edgemodels.gitpublish.clone import UNPUSHED_REF, working_clone
from edgemodels.gitpublish.destination import (
    PublishError,
    PushRejected,
    destination,
    git_errors,
    git_settings,
    redact,
)
from edgemodels.gitpublish.history import (
    SOURCE,
    TRAILER,
    HandChanges,
    hand_changes,
    last_publish,
    path_line,
    source_in,
)
from edgemodels.gitpublish.objects import CloneSetup, branch_entries, clone_setup, read_blobs
from edgemodels.gitpublish.push import push_branch
from edgemodels.gitpublish.rewind import mark_seen, rewound_changes, seen_tip
from edgemodels.gitpublish.source import NO_COMMIT, CatalogueSource, source_commit
from edgemodels.output import plural
from edgemodels.publishcommit import commit_from_objects, convert_back, on_branch, write_and_commit
from edgemodels.publishoptions import Context, PublishOptions, PublishResult
from edgemodels.publishremovals import (
    Published,
    RemovalGuard,
    lacked_words,
    load_guard,
    removal_findings,
)
from edgemodels.publishscan import refuse_new_credentials
from edgemodels.render import RenderOptions
from edgemodels.sourceorder import SourceCheck, order_findings
from edgemodels.tree import MANIFEST_PATH


def _from(cwd: Path, url: str) -> str:
    """A relative path of a local repository, made absolute: git reads it from the folder
    it runs in, for the clone a temporary one (`--repo ../deploy.git` was 'no repository')."""
    scp_like = ":" in url.split("/", 1)[0]  # `git@host:path`, and `ext::`, refused later
    if "://" in url or scp_like or url.startswith("-") or Path(url).is_absolute():
        return url
    return os.path.normpath(cwd / url)


def run_publish(
    options: PublishOptions, cwd: Path | None = None, warn: Callable[[str], None] | None = None
) -> PublishResult:
    """`warn` says what the user should know but does not stop the run (default: stderr)."""
    warn = warn or _to_stderr
    here = cwd or Path.cwd()
    # What `check` refuses (the policy rules included) is not deployed: CI runs check before
    # publish, but a publish run by hand would otherwise push a catalogue check fails.
    checking = CheckOptions(options.catalogue, False, options.policy_config, options.policies)
    loaded, found = run_check(checking, here)
    catalogue = loaded.catalogue
    if catalogue is None or has_failures(found):
        return PublishResult("findings", tuple(found))
    origin = source_commit(options.catalogue)
    published_from = Published(
        options.catalogue,
        catalogue,
        setting_locations(loaded.merged),
        origin,
        Path(here, catalogue.location.path),
    )
    # The inventory is read before cloning: its errors stop the run here.
    guard, inventory_found = load_guard(options.removals or RemovalGuard(), published_from, here)
    found = [*found, *inventory_found]
    if guard is None:
        return PublishResult("findings", tuple(found))
    spec = catalogue.git
    dest = destination(
        _from(here, options.repo) if options.repo else spec.url,
        options.branch or spec.branch,
        spec.path if options.path is None else options.path,
        path_given=options.path is not None,
    )
    settings = git_settings(options.author, options.timeout, dest.url, options.allow_http_token)
    source = source_info(options.catalogue, loaded.merged.files, here)
    # The objects must name the branch and folder the tree is published to, or RHACM would
    # pull another folder. --repo is only where this run pushes (a local mirror, an SSH push
    # URL): the Channel keeps spec.git.url, the URL the hub clones.
    published = replace(spec, branch=dest.branch, path=dest.path)
    options.phase(f"rendering {plural(len(catalogue.models), 'model')}")
    tree = build_tree(replace(catalogue, git=published), source, RenderOptions(), options.progress)
    commit, dirty = origin.commit, origin.dirty
    if dirty:
        shown = commit if commit == NO_COMMIT else commit[:12]
        warn(
            f"{options.catalogue} has uncommitted changes: they are published "
            f"too, though no commit of the catalogue holds them (source commit {shown})"
        )
    trailer = _trailer(f"{catalogue.name} ({source.digest})", origin)
    context = Context(dest, settings, tree, catalogue.name, trailer, options, commit, guard)
    where = (
        f"cloning {redact(dest.url)}" if options.workdir is None else f"opening {options.workdir}"
    )
    options.phase(where)
    with working_clone(dest, settings, options.workdir, warn) as repo, git_errors(dest):
        result = _attempts(repo, context)
    if result.hub_note and result.status in ("published", "dry-run"):
        warn(result.hub_note)
    # The catalogue's warnings, for the report of a run that went ahead.
    return replace(result, findings=(*found, *result.findings), dest=dest)


def _trailer(named: str, origin: CatalogueSource) -> str:
    """The commit message's provenance lines: the catalogue (`name (digest)`), its commit,
    its path in its repository (where the next publish's guards read it), the version."""
    dirty = " (with uncommitted changes)" if origin.dirty else ""
    return "\n".join(
        [
            f"Catalogue: {named}",
            f"{SOURCE}{origin.commit}{dirty}",
            *([path_line(origin.path)] if origin.path is not None else []),
            f"{TRAILER}{__version__}",
        ]
    )


def _to_stderr(text: str) -> None:
    print(f"edgemodels: warning: {text}", file=sys.stderr)


def _attempts(repo: Any, ctx: Context) -> PublishResult:
    setup = clone_setup(repo)
    last = ""
    seen = seen_tip(repo, ctx.dest.branch)  # a --workdir clone's: a reset since is seen
    for attempt in range(1, ctx.options.retries + 2):
        ctx.options.phase(f"fetching {ctx.dest.branch}")
        result = _publish_on(repo, ctx, attempt, setup, seen)
        if result.status in ("unchanged", "superseded"):
            mark_seen(repo, ctx.dest.branch)
        if result.status != "published":
            return result
        ctx.options.phase(f"pushing to {redact(ctx.dest.url)}")
        outcome, detail = push_branch(repo, ctx.dest, ctx.settings)
        if outcome == "pushed":
            mark_seen(repo, ctx.dest.branch)
            return result
        if outcome == "refused":
            raise PushRejected(
                f"{ctx.dest.shown}: the remote refused the push: {detail}\n"
                f"  nothing was published; the {_keep_commit(repo, ctx)}"
            )
        last = detail
    raise PushRejected(
        f"{ctx.dest.shown}: the branch kept moving while publishing: the push was rejected "
        f"{plural(ctx.options.retries + 1, 'time')} ({last}); nothing was forced.\n"
        f"  Run publish again later (it starts from the new branch head). The last "
        f"{_keep_commit(repo, ctx)}"
    )


def _publish_on(
    repo: Any, ctx: Context, attempt: int, setup: CloneSetup, seen: str | None
) -> PublishResult:
    """One attempt on the branch as the remote has it now: from its git objects, or
    through a checkout when the clone needs one (commit hooks, git attributes). `seen`:
    where the branch was before, for a rollback by reset and force-push (rewind.py)."""
    base = fetch_branch(repo, ctx.dest, ctx.settings, ctx.options.create_branch, seen)
    entries, attributes = branch_entries(repo, ctx.dest, base)
    said = last_publish(repo, ctx.dest, base)
    checked = _older_source(ctx, source_in(said))
    if checked.superseded is not None:
        return PublishResult(
            "superseded", attempts=attempt, where=ctx.dest.shown, superseded=checked.superseded
        )
    order = tuple(on_branch(d, ctx.dest) for d in checked.findings)
    if has_failures(order):
        return PublishResult("findings", order, where=ctx.dest.shown)
    removals = _removals(ctx, said, ctx.source if checked.lacked else None)
    if has_failures(removals):
        return PublishResult("findings", (*order, *removals), where=ctx.dest.shown)
    hand = rewound_changes(repo, ctx.dest, seen, base) or hand_changes(repo, ctx.dest, base)
    result = _attempt_on(repo, ctx, attempt, setup, (base, hand), entries, attributes)
    # the warnings: cannot tell, removals allowed
    return replace(result, findings=(*result.findings, *order, *removals))


def _attempt_on(
    repo: Any,
    ctx: Context,
    attempt: int,
    setup: CloneSetup,
    fetched: tuple[str | None, HandChanges | None],
    entries: Mapping[str, Entry],
    attributes: str,
) -> PublishResult:
    """The attempt on the fetched branch (`base`, its folder's `entries`, and what was
    changed there by hand since the last publish: `hand`)."""
    base, hand = fetched
    reason = setup.work_tree or attributes or _crlf_reason(setup, ctx.tree)
    writing = "writing the tree" if not ctx.options.dry_run else "comparing the tree"
    folder = BranchFolder(entries, ctx.tree, partial(read_blobs, repo), setup.algorithm)
    if reason:
        _require_work_tree(repo, ctx, reason)
        refuse_new_credentials(ctx, None)
        ctx.options.phase(f"checking out {ctx.dest.branch} ({reason})")
        checkout_branch(repo, ctx.dest, base)
        convert_back(repo, ctx, folder)
        ctx.options.phase(writing)
        return write_and_commit(repo, ctx, attempt, (hand, setup.algorithm))
    refuse_new_credentials(ctx, folder)
    point_branch(repo, ctx.dest, base)
    ctx.options.phase(writing)
    return commit_from_objects(repo, ctx, attempt, base, folder, setup, hand)


def _older_source(ctx: Context, theirs: str | None) -> SourceCheck:
    """D308 on the branch's manifest when this catalogue is older than the last publish's
    (sourceorder.py): an older pipeline's publish after a newer one's undid the newer;
    or, with --skip-superseded, that it is older and nothing is to be published. A commit
    the catalogue's repository lacks is one finding: D308's warning, saying too which
    guards it stops, or with -i the guards' D309, which says the order is unknown."""
    options = ctx.options
    return order_findings(
        options.catalogue,
        ctx.source,
        theirs,
        _manifest(ctx),
        options.force,
        options.skip_superseded,
        "" if ctx.guard is None else lacked_words(ctx.guard),
    )


def _removals(ctx: Context, said: str, unordered: str | None) -> tuple[Diagnostic, ...]:
    """Plan's D116/D118 (and with --inventory D101/D102) from the last publish's catalogue
    to this one (publishremovals.py), or D309 on the branch's manifest when that cannot be
    read. `unordered`: this catalogue's commit when D308 found the last publish's missing."""
    if ctx.guard is None:
        return ()
    found = removal_findings(ctx.guard, said, _manifest(ctx), unordered)
    return tuple(on_branch(d, ctx.dest) if d.code == "D309" else d for d in found)


def _manifest(ctx: Context) -> str:
    return f"{ctx.dest.path}/{MANIFEST_PATH}" if ctx.dest.path else MANIFEST_PATH


def _require_work_tree(repo: Any, ctx: Context, reason: str) -> None:
    """A bare --workdir has no work tree to check the branch out in: said before anything
    is written, with what to do, rather than as git's "must be run in a work tree"."""
    if repo.bare:
        raise PublishError(
            f"branch {ctx.dest.branch} must be published through a checkout ({reason}), and "
            f"--workdir {repo.git_dir} is a bare clone, which has no work tree: give "
            "--workdir a clone with a work tree, or leave --workdir out"
        )


def _crlf_reason(setup: CloneSetup, tree: Mapping[str, bytes]) -> str:
    if setup.autocrlf and any(b"\r" in data for data in tree.values()):
        return "core.autocrlf converts the line ends of a generated file"
    return ""


def _keep_commit(repo: Any, ctx: Context) -> str:
    """Where the commit that was not pushed can be looked at: only a --workdir clone
    outlives the run (a temporary clone is removed; publishing again makes it anew)."""
    ref = f"{UNPUSHED_REF}/{ctx.dest.branch}"
    if ctx.options.workdir is None:
        return (
            "commit was not kept (the temporary clone is removed); publish with "
            f"--workdir DIR to keep it there as {ref}"
        )
    keep_ref(repo, ref, f"refs/heads/{ctx.dest.branch}")
    return f"commit is kept in {repo.working_tree_dir or repo.git_dir} as {ref}"  # bare: no tree
