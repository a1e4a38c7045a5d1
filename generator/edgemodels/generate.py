"""`edgemodels generate`: catalogue -> GitOps tree, written into a folder or checked against it.

Pipe: load (with checks) -> render (pure) -> finalize (manifest, treemanifest.py) ->
plan/write (folderplan.py, treewrite.py).
Catalogue findings of error severity stop before anything is rendered.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from edgemodels import __version__, display, lifetime, serving
from edgemodels.catalogue import LoadResult, load, suppressions_of
from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic, Location, has_failures
from edgemodels.errors import UsageError
from edgemodels.folderplan import plan_tree
from edgemodels.generatereport import (
    conflict_findings,
    grouped_stale_findings,
    no_tree_finding,
    stale_findings,
)
from edgemodels.hookindex import in_hook, with_unstaged
from edgemodels.progress import Progress, no_progress
from edgemodels.recall import NOTHING, Recall
from edgemodels.render import RenderOptions, SourceInfo, render_catalogue
from edgemodels.render.common import inside
from edgemodels.secrets_scan import scan_value
from edgemodels.tree import MANIFEST_PATH, FileTree
from edgemodels.treecache import TreeCache, load_cache
from edgemodels.treemanifest import Provenance, finalize_tree
from edgemodels.treeplan import Plan
from edgemodels.treeversion import version_findings
from edgemodels.treewrite import write_tree
from edgemodels.yamlio import YamlFile, locate
from edgemodels.yamljson import content_digest

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
