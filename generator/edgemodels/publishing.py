"""The steps of `edgemodels publish`: load -> render -> clone -> scan -> write -> commit -> push.

Git itself is in `gitpublish/`; this module decides what happens, and what the commit says.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

from edgemodels import __version__
from edgemodels.branchplan import (
    MAX_INDEXED,
    BranchFolder,
    converted_back,
    manifest_of,
    manifest_raw,
    plan_branch,
)
from edgemodels.catalogue import load
from edgemodels.deployed import (
    DeployedModel,
    by_target,
    diff_models,
    files_by_model,
    index_files,
    index_tree,
    summarize,
)
from edgemodels.diagnostics import Diagnostic, has_failures
from edgemodels.errors import OutputError
from edgemodels.fsnames import os_form
from edgemodels.generate import build_tree, conflict_findings, source_info
from edgemodels.gitpublish.branch import checkout_branch, fetch_branch, keep_ref, point_branch
from edgemodels.gitpublish.clone import UNPUSHED_REF, working_clone
from edgemodels.gitpublish.destination import (
    Destination,
    GitSettings,
    PublishError,
    PushRejected,
    destination,
    git_errors,
    git_settings,
    redact,
)
from edgemodels.gitpublish.objects import (
    CloneSetup,
    TreeChanges,
    branch_entries,
    clone_setup,
    commit_objects,
    read_blobs,
)
from edgemodels.gitpublish.push import commit_folder, push_branch
from edgemodels.gitpublish.source import NO_COMMIT, source_commit
from edgemodels.output import plural
from edgemodels.progress import Phase, Progress, no_phase, no_progress
from edgemodels.render import RenderOptions
from edgemodels.render.common import ARGOCD_SYNCED, HUB_SYNCED, SYNCED_FOLDERS
from edgemodels.secrets_scan import scan_text
from edgemodels.tree import MANIFEST_PATH, Manifest, Plan, plan_tree, read_manifest
from edgemodels.treeversion import recorded_findings, recorded_in, version_findings
from edgemodels.treewrite import write_tree

DEFAULT_AUTHOR = "edgemodels <edgemodels@localhost>"
Status = Literal["published", "unchanged", "dry-run", "findings"]


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
    hub_note: str = ""  # what to do about them on the hub (hub_note)


@dataclass(frozen=True)
class _Context:
    dest: Destination
    settings: GitSettings
    tree: Mapping[str, bytes]
    header: str  # catalogue name
    trailer: str  # provenance lines of the message
    options: PublishOptions


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
    loaded = load(options.catalogue, here)
    catalogue = loaded.catalogue
    if catalogue is None or has_failures(loaded.diagnostics):
        return PublishResult("findings", tuple(loaded.diagnostics))
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
    commit, dirty = source_commit(options.catalogue)
    if dirty:
        shown = commit if commit == NO_COMMIT else commit[:12]
        warn(
            f"{options.catalogue} has uncommitted changes: they are published "
            f"too, though no commit of the catalogue holds them (source commit {shown})"
        )
    trailer = "\n".join(
        [
            f"Catalogue: {catalogue.name} ({source.digest})",
            f"Catalogue source commit: {commit}" + (" (with uncommitted changes)" if dirty else ""),
            f"Published by edgemodels {__version__}",
        ]
    )
    context = _Context(dest, settings, tree, catalogue.name, trailer, options)
    where = (
        f"cloning {redact(dest.url)}" if options.workdir is None else f"opening {options.workdir}"
    )
    options.phase(where)
    with working_clone(dest, settings, options.workdir, warn) as repo, git_errors(dest):
        result = _attempts(repo, context)
    if result.hub_note and result.status in ("published", "dry-run"):
        warn(result.hub_note)
    return result


def _by_verb(paths: Sequence[str], added: Collection[str], tree: Collection[str]) -> str:
    """`hub/a.yaml, hub/b.yaml added, hub/kustomization.yaml changed`."""
    verbs = [
        ("added", [p for p in paths if p in added]),
        ("changed", [p for p in paths if p not in added and p in tree]),
        ("removed", [p for p in paths if p not in tree]),
    ]
    return ", ".join(f"{', '.join(some)} {verb}" for verb, some in verbs if some)


APPLY_HUB = "kubectl apply -k hub/ from the deploy branch's folder"
SYNCED = tuple(f"{folder}/" for folder in SYNCED_FOLDERS)
_APPLIER = {HUB_SYNCED: "RHACM", ARGOCD_SYNCED: "the hub Application"}


def hub_note(by_hand: Sequence[str], added: Collection[str], tree: Iterable[str]) -> str:
    """What to do on the hub about `by_hand`, the hand-applied hub/ files this publish
    adds, changes or removes ("" when none). On the branch's first hub/ (its kustomization
    is added) that is applying hub/ once; afterwards, applying it again."""
    if not by_hand:
        return ""
    paths = list(tree)
    folders = [f for f in SYNCED_FOLDERS if any(p.startswith(f"{f}/") for p in paths)]
    who = " and ".join(f"{_APPLIER[f]} applies {f}/" for f in folders) or "nothing applies hub/"
    if "hub/kustomization.yaml" in added:
        return (
            f"hub/ is new on this branch: apply it on the hub once ({APPLY_HUB}); from then "
            f"on {who} by itself, and publish says when hub/ must be applied again"
        )
    only = who.replace(" applies ", " applies only ", 1) if folders else who
    return (
        f"{_by_verb(by_hand, added, set(paths))}: {only}, so apply hub/ on the hub again "
        f"({APPLY_HUB}) for the change to take effect"
    )


def hand_applied(paths: Iterable[str]) -> tuple[str, ...]:
    """The files of hub/ that an admin applies by hand (everything but the synced folders)."""
    return tuple(p for p in paths if p.startswith("hub/") and not p.startswith(SYNCED))


def _to_stderr(text: str) -> None:
    print(f"edgemodels: warning: {text}", file=sys.stderr)


def refuse_credentials(tree: Mapping[str, bytes]) -> None:
    """PublishError naming each credential-looking value in `tree` (the value is not shown)."""
    hits = []
    for path in sorted(tree):
        text = tree[path].decode("utf-8", "replace")
        hits += [f"  {path}:{h.line}:{h.col}: {h.kind}" for h in scan_text(text)]
    if hits:
        raise PublishError(
            "refusing to publish: the generated tree contains what looks like a credential\n"
            + "\n".join(hits[:20])
            + "\nKeep secrets out of the catalogue: reference a Secret by name instead."
        )


def _attempts(repo: Any, ctx: _Context) -> PublishResult:
    setup = clone_setup(repo)
    last = ""
    for attempt in range(1, ctx.options.retries + 2):
        ctx.options.phase(f"fetching {ctx.dest.branch}")
        result = _publish_on(repo, ctx, attempt, setup)
        if result.status != "published":
            return result
        ctx.options.phase(f"pushing to {redact(ctx.dest.url)}")
        outcome, detail = push_branch(repo, ctx.dest, ctx.settings)
        if outcome == "pushed":
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


def _publish_on(repo: Any, ctx: _Context, attempt: int, setup: CloneSetup) -> PublishResult:
    """One attempt on the branch as the remote has it now: from its git objects, or
    through a checkout when the clone needs one (commit hooks, git attributes)."""
    base = fetch_branch(repo, ctx.dest, ctx.settings, ctx.options.create_branch)
    entries, attributes = branch_entries(repo, ctx.dest, base)
    reason = setup.work_tree or attributes or _crlf_reason(setup, ctx.tree)
    writing = "writing the tree" if not ctx.options.dry_run else "comparing the tree"
    folder = BranchFolder(entries, ctx.tree, partial(read_blobs, repo), setup.algorithm)
    if reason:
        _require_work_tree(repo, ctx, reason)
        _refuse_new_credentials(ctx, None)
        ctx.options.phase(f"checking out {ctx.dest.branch} ({reason})")
        checkout_branch(repo, ctx.dest, base)
        _convert_back(repo, ctx, folder)
        ctx.options.phase(writing)
        return _write_and_commit(repo, ctx, attempt)
    _refuse_new_credentials(ctx, folder)
    point_branch(repo, ctx.dest, base)
    ctx.options.phase(writing)
    return _commit_objects(repo, ctx, attempt, base, folder, setup)


def _require_work_tree(repo: Any, ctx: _Context, reason: str) -> None:
    """A bare --workdir has no work tree to check the branch out in: said before anything
    is written, with what to do, rather than as git's "must be run in a work tree"."""
    if repo.bare:
        raise PublishError(
            f"branch {ctx.dest.branch} must be published through a checkout ({reason}), and "
            f"--workdir {repo.git_dir} is a bare clone, which has no work tree: give "
            "--workdir a clone with a work tree, or leave --workdir out"
        )


def _convert_back(repo: Any, ctx: _Context, folder: BranchFolder) -> None:
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


def _refuse_new_credentials(ctx: _Context, folder: BranchFolder | None) -> None:
    """The credential scan, before anything is written, of the files this attempt would
    store in git: the scan is what keeps a credential out of the deploy repository. A file
    whose blob on the branch has the generated bytes' id (same path, same object) is in
    the repository already, byte for byte: committing it again stores no new object, so
    refusing it would keep nothing out of git (it got there with the commit that added it;
    check's P110 and generate's D305 still report its source in the catalogue). Through a
    checkout (`folder` None) git attributes may change what `git add` stores, so the blob
    ids of the generated bytes decide nothing there: every file is scanned."""
    paths = [p for p in sorted(ctx.tree) if folder is None or not folder.same_as_generated(p)]
    ctx.options.phase(f"scanning {plural(len(paths), 'file')} for credentials")
    refuse_credentials({p: ctx.tree[p] for p in paths})


def _crlf_reason(setup: CloneSetup, tree: Mapping[str, bytes]) -> str:
    if setup.autocrlf and any(b"\r" in data for data in tree.values()):
        return "core.autocrlf converts the line ends of a generated file"
    return ""


def _keep_commit(repo: Any, ctx: _Context) -> str:
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


def _write_and_commit(repo: Any, ctx: _Context, attempt: int) -> PublishResult:
    """The attempt through the clone's checkout: the tree written there, then committed."""
    out = _checkout_folder(repo, ctx.dest)
    old = _index_folder(out)
    # A branch a newer edgemodels published to is not rewritten by an older one: it would
    # undo the newer layout on the deploy branch, which RHACM then applies (D306).
    branch = f"the deploy branch {ctx.dest.shown}"
    versions = version_findings(out, False, ctx.options.force, branch)
    if versions:
        refused = tuple(on_branch(_in_branch(d, out, ctx.dest), ctx.dest) for d in versions)
        return PublishResult("findings", refused, where=ctx.dest.shown)
    if ctx.options.dry_run:
        plan = plan_tree(out, ctx.tree, ctx.options.force)
    else:
        plan = write_tree(out, ctx.tree, ctx.options.force)
    commit = partial(commit_folder, repo, ctx.dest, settings=ctx.settings, generated=ctx.tree)
    return _outcome(ctx, attempt, old, plan, commit)


def _commit_objects(
    repo: Any,
    ctx: _Context,
    attempt: int,
    base: str | None,
    folder: BranchFolder,
    setup: CloneSetup,
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
    old = index_tree([*manifest.files, "README.md"], folder.read_plain)
    # As on a checkout (_write_and_commit): D306 first, then a damaged manifest.
    branch = f"the deploy branch {ctx.dest.shown}"
    recorded = recorded_in(manifest_raw(folder))
    versions = recorded_findings(recorded, path, False, ctx.options.force, branch)
    if versions:
        refused = tuple(on_branch(d, ctx.dest) for d in versions)
        return PublishResult("findings", refused, where=ctx.dest.shown)
    if damaged is not None:
        raise damaged
    plan = plan_branch(folder, ctx.tree, manifest, ctx.options.force)

    def commit(message: str) -> str | None:
        changes = TreeChanges(
            {_in_folder(ctx.dest, p): ctx.tree[p] for p in (*plan.added, *plan.changed)},
            tuple(_in_folder(ctx.dest, p) for p in plan.removed),
        )
        return commit_objects(repo, ctx.dest, base, changes, message, ctx.settings, setup)

    return _outcome(ctx, attempt, old, plan, commit)


def _in_folder(dest: Destination, path: str) -> str:
    return f"{dest.path}/{path}" if dest.path else path


def _outcome(
    ctx: _Context,
    attempt: int,
    old: Mapping[str, DeployedModel],
    plan: Plan,
    commit: Callable[[str], str | None],
) -> PublishResult:
    """Findings for the conflicts, or the commit message and the commit (none for a dry
    run, or when nothing changed)."""
    where = ctx.dest.shown
    if plan.conflicts:
        found = conflict_findings(plan, Path(ctx.dest.path or "."))
        return PublishResult("findings", tuple(on_branch(d, ctx.dest) for d in found), where=where)
    message = commit_message(ctx, old, plan)
    by_hand = hand_applied([*plan.added, *plan.changed, *plan.removed])
    note = hub_note(by_hand, plan.added, ctx.tree)
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


def _in_branch(finding: Diagnostic, out: Path, dest: Destination) -> Diagnostic:
    """`finding` on a file under `out` (the clone's copy of --path), named by its path in
    the branch, as conflict findings are."""
    rel = Path(finding.location.path).relative_to(out).as_posix()
    path = f"{dest.path}/{rel}" if dest.path else rel
    return replace(finding, location=replace(finding.location, path=path))


def on_branch(finding: Diagnostic, dest: Destination) -> Diagnostic:
    """A finding on a file of the deploy branch, named `URL@BRANCH:PATH` (git's `rev:path`):
    a bare `hub/channel.yaml` reads as a file of the working copy, which is not the one
    edited (generated/hub/channel.yaml there is as generated)."""
    path = f"{redact(dest.url)}@{dest.branch}:{finding.location.path}"
    return replace(finding, location=replace(finding.location, path=path))


def commit_message(ctx: _Context, old: Mapping[str, DeployedModel], plan: Plan) -> str:
    new = index_files(ctx.tree)
    changes = diff_models(old, new)
    touched = [*plan.added, *plan.changed, *plan.removed]
    owned, shared = files_by_model(touched, {*old, *new})
    moved = {c.model for c in changes}
    # Same version, other files: a setting (resources, env, replicas...) or the image.
    redone = {m: files for m, files in owned.items() if m in new and m not in moved}
    counts = ", ".join(filter(None, [summarize(changes), _settings_subject(sorted(redone))]))
    subject = f"edgemodels: publish {ctx.header}: " + (counts or "settings changed")
    body = ["Changes per target:", *by_target(changes)] if changes else []
    if redone:
        body += [*([""] if body else []), "Same version, generated files changed:"]
        body += _redone_lines(redone, new)
    others = [p for p in shared if p != "README.md" and not p.startswith(".edgemodels/")]
    if others and not changes and not redone:
        body += [f"No model was added, upgraded or removed; changed: {_listed(others)}."]
    elif not body:
        body = ["No model was added, upgraded or removed; generated settings changed."]
    files = (
        f"Files under {ctx.dest.path or '/'}: {len(plan.added)} added, "
        f"{len(plan.changed)} changed, {len(plan.removed)} removed"
    )
    parts = [subject, "", *body, "", files]
    note = hub_note(hand_applied(touched), plan.added, ctx.tree)
    if note:
        parts += ["", note + "."]
    if plan.overwritten:
        parts += ["", *_discarded(ctx.dest.path, plan.overwritten)]
    if ctx.options.message_extra:
        parts += ["", redact(ctx.options.message_extra.strip())]
    return "\n".join([*parts, "", ctx.trailer]) + "\n"


MAX_NAMED = 3  # models named in the subject
MAX_FILES = 5  # files named per model


def _settings_subject(models: list[str]) -> str:
    if not models:
        return ""
    named = ", ".join(models[:MAX_NAMED])
    if len(models) > MAX_NAMED:
        named += f" and {len(models) - MAX_NAMED} more"
    return f"settings of {named} changed"


def _redone_lines(redone: Mapping[str, list[str]], new: Mapping[str, DeployedModel]) -> list[str]:
    """`  detector 1.0.0 (all-sites): chart/values.yaml` per model, at most MAX_DISCARDED."""
    lines = []
    for model in sorted(redone)[:MAX_DISCARDED]:
        where = ", ".join(sorted(new[model].placements)) or "no placement"
        lines.append(f"  {model} {new[model].version} ({where}): {_listed(redone[model])}")
    if len(redone) > MAX_DISCARDED:
        lines.append(f"  ... and {len(redone) - MAX_DISCARDED} more")
    return lines


def _listed(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:MAX_FILES])
    return shown + (f" and {len(paths) - MAX_FILES} more" if len(paths) > MAX_FILES else "")


MAX_DISCARDED = 50


def _discarded(prefix: str, paths: Sequence[str]) -> list[str]:
    """The hand edits on the branch that --force replaced: the commit says which, so the
    branch's history shows what was lost and where to find it (the commit before)."""
    shown = [
        f"  {prefix.rstrip('/') + '/' if prefix else ''}{path}" for path in paths[:MAX_DISCARDED]
    ]
    if len(paths) > MAX_DISCARDED:
        shown.append(f"  ... and {len(paths) - MAX_DISCARDED} more")
    files = plural(len(paths), "file")
    head = f"Hand edits discarded (--force), {files}; the parent commit has them:"
    return [head, *shown]


def _index_folder(out: Path) -> dict[str, DeployedModel]:
    """What the branch deploys now, read from the files its manifest lists."""
    if not out.is_dir():
        return {}
    try:
        owned = read_manifest(out).files
    except OutputError:
        return {}  # a damaged manifest: write_tree reports it
    return index_tree([*owned, "README.md"], lambda p: _read_plain(out, p))


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
