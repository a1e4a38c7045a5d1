"""`edgemodels generate`: catalogue -> GitOps tree, written into a folder or checked against it.

Pipe: load (with checks) -> render (pure) -> finalize (manifest, treemanifest.py) ->
plan/write (folderplan.py, treewrite.py).
Catalogue findings of error severity stop before anything is rendered.
"""

from __future__ import annotations

import hashlib
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from edgemodels import __version__, display, lifetime, serving
from edgemodels.catalogue import LoadResult, load, suppressions_of
from edgemodels.catalogue.model import Catalogue
from edgemodels.changegroups import group_texts, top_folder_counts
from edgemodels.diagnostics import Diagnostic, Location, has_failures
from edgemodels.errors import UsageError
from edgemodels.folderplan import plan_tree
from edgemodels.hookindex import in_hook, with_unstaged
from edgemodels.output import plural
from edgemodels.progress import Progress, no_progress
from edgemodels.recall import NOTHING, Recall
from edgemodels.render import RenderOptions, SourceInfo, render_catalogue
from edgemodels.render.common import inside
from edgemodels.secrets_scan import scan_value
from edgemodels.tree import MANIFEST_PATH, FileTree
from edgemodels.treecache import TreeCache, load_cache
from edgemodels.treemanifest import Provenance, finalize_tree
from edgemodels.treeplan import Conflict, Plan, iter_changes
from edgemodels.treeversion import version_findings
from edgemodels.treewrite import write_tree
from edgemodels.yamlio import YamlFile, locate
from edgemodels.yamljson import content_digest

CONFLICT_CODES = {
    "hand-edited": ("D301", "hand-edited-output"),
    "unowned": ("D302", "unowned-output-file"),
    "leftover": ("D302", "unowned-output-file"),
    "blocked": ("D303", "blocked-output-path"),
    "merged": ("D307", "merge-conflict-in-output"),
}
STALE_CODE = ("D304", "stale-output")
CREDENTIAL_CODE = ("D305", "credential-in-catalogue")
UNUSED_SUPPRESSION = "P001"


@dataclass(frozen=True)
class GenerateOptions:
    catalogue: Path
    output: Path
    check: bool = False  # compare only; write nothing
    force: bool = False  # overwrite (or remove) generated files that were edited by hand
    cache: bool = True  # use and update OUTPUT/.edgemodels/cache (treecache.py)
    render: RenderOptions = field(default_factory=RenderOptions)
    progress: Progress = no_progress  # a bar for a person at a terminal (cli/terminal.py)
    group_stale: bool = False  # --check: one D304 per folder (text), not per file


@dataclass(frozen=True)
class GenerateResult:
    findings: tuple[Diagnostic, ...]
    plan: Plan | None = None  # None when the catalogue has errors
    files: int = 0  # files in the generated tree
    no_tree: bool = False  # --check of an OUTPUT without a generated tree


def source_info(
    catalogue_path: Path, files: list[YamlFile], cwd: Path, cache: TreeCache | None = None
) -> SourceInfo:
    """Banner paths and the digest are relative to the catalogue's parent folder, so the
    output is the same whichever folder edgemodels runs from. The digest covers each file's
    path and parsed content, not its text: a comment or a reformat changes no generated
    file, the manifest included."""
    resolved = catalogue_path.resolve()
    base = resolved.parent
    shown = resolved.name + ("/" if resolved.is_dir() else "")
    digest = hashlib.sha256()
    entries = sorted((_relative(cwd, base, f.path), _content(f, cache)) for f in files)
    for rel, content in entries:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + content.encode() + b"\0")
    return SourceInfo(
        display.shown(shown), "sha256:" + digest.hexdigest(), base.as_posix(), cwd.as_posix()
    )


def _content(yf: YamlFile, cache: TreeCache | None) -> str:
    return cache.content(yf.text, yf.data) if cache else content_digest(yf.data)


def _relative(cwd: Path, base: Path, shown: str) -> str:
    return inside(shown, cwd.as_posix(), base.as_posix()) or shown


def build_tree(
    catalogue: Catalogue,
    source: SourceInfo,
    options: RenderOptions,
    progress: Progress = no_progress,
    cache: TreeCache | None = None,
    recall: Recall = NOTHING,
) -> FileTree:
    provenance = Provenance(__version__, catalogue.name, source.digest)
    files = render_catalogue(catalogue, source, options, progress, cache, recall)
    return finalize_tree(files, provenance, cache)


def generate(options: GenerateOptions, cwd: Path | None = None) -> GenerateResult:
    here = cwd or Path.cwd()
    refuse_overlap(options.catalogue, options.output)
    warm = serving.current()
    cache = None
    if options.cache:
        cache = warm.cache_for(options.output) if warm else load_cache(options.output)
    recall = NOTHING
    if warm is None:
        result = load(options.catalogue, here, cache)
    else:
        with warm.files_of(options.catalogue, here).loading() as known:
            result = load(options.catalogue, here, cache, known)
        recall = known.recall
    if result.catalogue is None:  # the loader refuses to build on errors, even suppressed ones
        return GenerateResult(tuple(result.diagnostics))
    diagnostics = catalogue_findings(result)
    if has_failures(diagnostics):
        return GenerateResult(tuple(diagnostics))
    source = source_info(options.catalogue, result.merged.files, here, cache)
    tree = build_tree(result.catalogue, source, options.render, options.progress, cache, recall)
    versions = version_findings(options.output, options.check, options.force)
    if versions and not options.check:  # a newer edgemodels wrote the tree: no downgrade
        return GenerateResult((*diagnostics, *versions))
    diagnostics += versions
    if options.check:
        plan = plan_tree(options.output, tree, options.force, cache)
        if in_hook():  # what the commit holds: a file git's index lacks is missing
            plan = with_unstaged(plan, options.output, tree)
    else:
        plan = write_tree(options.output, tree, options.force, cache)
    if warm is not None and cache is not None:
        warm.learned(options.output, cache, tree, result.merged.files)
    findings = [*diagnostics, *conflict_findings(plan, options.output)]
    no_tree = options.check and not (options.output / MANIFEST_PATH).is_file()
    if no_tree:
        findings.append(no_tree_finding(options.output, len(tree)))
    elif options.check:
        stale = grouped_stale_findings if options.group_stale else stale_findings
        findings += stale(plan, options.output)
    lifetime.keep(result, tree, cache, source)  # freed by the process's end, if it is near
    return GenerateResult(tuple(findings), plan, len(tree), no_tree)


def no_tree_finding(output: Path, files: int) -> Diagnostic:
    """--check of a folder without a generated tree: one finding, not one per file it would
    write (a mistyped OUTPUT in CI read as a stale tree, one D304 per file). Still exit 1:
    to the gate, a tree never generated is a tree out of date."""
    code, name = STALE_CODE
    state = "holds no generated tree" if output.is_dir() else "does not exist"
    message = (
        f"{output} {state} (no {MANIFEST_PATH}): generate would write all {plural(files, 'file')}; "
        f"check the path, or run generate -o {output} and commit the tree"
    )
    return Diagnostic(Location(output.as_posix(), 1, 1), code, message, "error", name)


def refuse_overlap(catalogue: Path, output: Path) -> None:
    """An output folder that is the catalogue folder, lies inside it or holds it would mix
    generated YAML into the catalogue: the next load reads it as catalogue files. Real
    paths are compared, so a symlink cannot hide the overlap. A catalogue that is one file
    only has to stay out of the output's way: other files beside it are never read."""
    cat, out = os.path.realpath(catalogue), os.path.realpath(output)
    single_file = os.path.isfile(cat)
    overlap = out == cat if single_file else _within(out, cat) or _within(cat, out)
    if overlap:
        raise UsageError(
            f"the output folder {output} overlaps the catalogue {catalogue}: generated files "
            "would be read as catalogue files; write the tree to a folder outside the "
            f"catalogue ({_outside(catalogue, output, single_file)})"
        )


def _outside(catalogue: Path, output: Path, single_file: bool) -> str:
    """A folder to name instead: `-o generated` typed in catalogue/ means ../generated, the
    folder -o names from the working folder."""
    if (
        single_file
        or not output.name
        or not _within(os.path.abspath(output), os.path.abspath(catalogue))
    ):
        return "e.g. a sibling folder"
    return f"such as {os.path.normpath(catalogue / os.pardir / output.name)}, beside it"


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def catalogue_findings(result: LoadResult) -> list[Diagnostic]:
    """The loader's findings after inline suppressions, as `check` reports them. Policies
    are `check`'s job: their suppressions count as unused here, so that note is dropped."""
    found = [*result.diagnostics, *credential_findings(result.merged.files)]
    return [d for d in suppressions_of(result, found) if d.code != UNUSED_SUPPRESSION]


def credential_findings(files: list[YamlFile]) -> list[Diagnostic]:
    """D305: a credential-looking value in the catalogue stops generate, so it never lands
    in a tree that gets committed. `check` says so too (P110), but policies can be turned
    off in the policy config; this cannot. The value itself is never shown. A file whose
    tree came from (or went into) the cache was scanned when it was parsed."""
    code, name = CREDENTIAL_CODE
    found = []
    for yf in files:
        if yf.vetted:
            continue
        for hit in scan_value(yf.data):
            line, col = locate(yf.data, hit.path)
            message = (
                f"{hit.kind}: generate writes no tree with a credential in it (it would be "
                "committed and pulled by every site); reference a Secret by name instead"
            )
            found.append(Diagnostic(Location(yf.path, line, col), code, message, "error", name))
    return found


def _where(output: Path, path: str) -> Location:
    return Location((output / path).as_posix(), 1, 1)  # the file as a whole


def conflict_findings(plan: Plan, output: Path) -> list[Diagnostic]:
    return [_conflict(c, output) for c in plan.conflicts]


def _conflict(conflict: Conflict, output: Path) -> Diagnostic:
    code, name = CONFLICT_CODES[conflict.kind]
    where = Location((output / conflict.path).as_posix(), conflict.line, 1)
    return Diagnostic(where, code, conflict.detail, "error", name)


def stale_findings(plan: Plan, output: Path) -> list[Diagnostic]:
    """--check: one finding per file that differs from what the catalogue produces."""
    code, name = STALE_CODE
    found = [
        Diagnostic(
            _where(output, path),
            code,
            f"out of date: generate would {_VERB[state]} this file",
            "error",
            name,
        )
        for state, path in iter_changes(plan)
    ]
    return found + interrupted_findings(plan, output)


def grouped_stale_findings(plan: Plan, output: Path) -> list[Diagnostic]:
    """--check in text: one finding per folder (a hub folder, a model's), and one for the
    model folders with the same changes (a version bump: two files in each of them)."""
    code, name = STALE_CODE
    found = [
        Diagnostic(
            _where(output, folder), code, f"out of date: generate would {text}", "error", name
        )
        for folder, text in group_texts(iter_changes(plan), _VERB)
    ]
    return found + interrupted_findings(plan, output)


def interrupted_findings(plan: Plan, output: Path) -> list[Diagnostic]:
    if not plan.interrupted:
        return []
    code, name = STALE_CODE
    message = "an earlier generate was interrupted while writing; run generate to finish it"
    return [Diagnostic(_where(output, ".edgemodels/journal.json"), code, message, "error", name)]


_VERB = {"added": "add", "changed": "change", "removed": "remove"}
_DONE = {"added": "added", "changed": "changed", "removed": "removed"}


MAX_LISTED = 200
# More changed paths than this are said per folder, as --check says them: a setting of
# `defaults` changes a file in each of 500 model folders, 200 lines of paths before.
MAX_PATHS_ONE_BY_ONE = 20


def summary(
    plan: Plan, output: Path, check: bool, max_paths: int = MAX_LISTED, no_tree: bool = False
) -> str:
    """Counts, then (not under --check) one line per added/changed/removed file; on a first
    write, one per top folder with its count."""
    counts = f"{len(plan.added)} added, {len(plan.changed)} changed, {len(plan.removed)} removed"
    if plan.conflicts:
        head = f"{output}: nothing written, {plural(len(plan.conflicts), 'conflict')}"
    elif check and no_tree:
        head = f"{output}: no generated tree ({plural(len(plan.added), 'file')} to add)"
    elif check:
        state = "out of date" if plan.differs else "up to date"
        head = f"{output}: {state} ({counts}, {plan.unchanged} unchanged)"
    else:
        head = f"{output}: {counts}, {plan.unchanged} unchanged"
    lines = [head]
    # --check lists nothing here: its D304 findings name each file, prefixed with OUTPUT.
    if not plan.conflicts and not no_tree and not check:
        rows = [f"  {state:8} {path}" for state, path in iter_changes(plan)]
        if _first_write(plan):  # thousands of paths that all say "added": counts instead
            rows = [f"  {'added':8} {line}" for line in top_folder_counts(plan.added)]
        elif len(rows) > MAX_PATHS_ONE_BY_ONE:
            rows = [
                f"  {folder}: {text}" for folder, text in group_texts(iter_changes(plan), _DONE)
            ]
        if len(rows) > max_paths:  # a first run of a large catalogue adds tens of thousands
            rows = [*rows[:max_paths], f"  ... and {len(rows) - max_paths} more"]
        lines += rows
        lines += [f"  (discarded a hand edit of {path})" for path in plan.overwritten]
    return "\n".join(lines) + "\n"


def _first_write(plan: Plan) -> bool:
    return bool(plan.added) and not (plan.changed or plan.removed or plan.unchanged)


def remedy(plan: Plan, catalogue: Path | None, output: Path) -> str:
    """--check: what to run when the tree is stale (empty when it is not, or on conflicts,
    whose findings say what to do). `catalogue` None: it was found, not given."""
    if plan.conflicts or not (plan.differs or plan.interrupted):
        return ""
    source = f" {shlex.quote(str(catalogue))}" if catalogue is not None else ""
    out = shlex.quote(str(output))
    return f"to update it, run: edgemodels generate{source} -o {out} && git add {out}\n"
