"""`validate_tree(root, options)`: render, build and check a generated tree, offline.

The pipeline: find the tree's parts (plain manifests, charts, kustomizations) -> load plain
manifests -> render each chart for each placement's values -> build each overlay -> check
every resulting object against JSON Schemas -> check what RHACM needs beyond schemas ->
merge findings that differ only by the placement that produced them.

kustomize runs in a process of its own, started before anything else: the builds are the
longest part (offload.py). This module imports only what it takes to start that process,
walk the tree and hand it what to build. The rest (pipeline.py: the Helm SDK, the policy
engine, the schema validators) is imported after the hand-over, while the first build
starts: imported first, it held the first build back by 0.12 s on the benchmark fleet.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal

from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import InputError, ToolMissingError, signals_held
from edgemodels.progress import Progress, no_progress
from edgemodels.repofolders import up_to_repository_root
from edgemodels.validate import k8s_schemas
from edgemodels.validate.discover import TreeLayout, discover
from edgemodels.validate.kubeconform import find_binary
from edgemodels.validate.kubectl import has_kubectl
from edgemodels.validate.offload import building
from edgemodels.validate.reuse import start as start_reuse

# tree.MANIFEST_PATH, written out: importing edgemodels.tree here would delay the first build.
MANIFEST_PATH = ".edgemodels/manifest.json"
ValidatorChoice = Literal["auto", "builtin", "kubeconform"]


@dataclass(frozen=True)
class ValidateOptions:
    kubernetes_version: str = k8s_schemas.DEFAULT_KUBERNETES_VERSION
    skip_kinds: tuple[str, ...] = ()
    validator: ValidatorChoice = "auto"
    require_all: bool = False  # a missing tool (kubectl) is an error, not a skipped part
    strict: bool = True  # unknown fields are findings
    cache_dir: Path | None = None  # default: k8s_schemas.default_cache_dir()
    kubeconform: str | None = None  # binary; default $EDGEMODELS_KUBECONFORM or PATH
    policies: bool = True  # run the manifest rules of the policy pack
    policy_config: Path | None = None  # default: .edgemodels-policy.yaml found from the tree
    result_cache: bool = True  # reuse what unchanged model folders gave (resultcache.py)
    progress: Progress = no_progress  # a bar for a person at a terminal (cli/terminal.py)
    # Said as soon as it is known, before the builds: a finding of what will make the run
    # long (K335, inputscan.py), which the report gives only at its end
    notice: Callable[[Diagnostic], None] = lambda finding: None


@dataclass(frozen=True)
class ParsedDocument:
    """A document a caller already has in memory (e.g. the generator that just wrote it)."""

    path: str  # tree-relative path findings name
    data: object
    text: str = ""  # its YAML text, to give findings a line; without it they point at line 1
    index: int = 0  # which document of `text`


def validate_tree(root: Path, options: ValidateOptions) -> list[Diagnostic]:
    """Every finding on the generated tree at `root`, sorted."""
    started_ns = time.time_ns()
    if not root.exists():
        raise InputError(
            f"{root}: no such folder; generate the tree first: edgemodels generate -o {root}"
        )
    if not root.is_dir():
        raise InputError(f"{root} is not a folder")
    _refuse_part_of_a_tree(root)
    with building(root, options.policy_config, options.policies) as builds:
        layout = discover(root)
        if not (root / MANIFEST_PATH).is_file():
            _refuse_catalogue(root, layout)
        if not (layout.plain_files or layout.charts or layout.builds or layout.listings):
            _refuse_empty(root, layout)
        if options.require_all and (layout.builds or layout.listings) and not has_kubectl():
            raise ToolMissingError(
                "kubectl not found on PATH: kustomizations cannot be built (--require-all)"
            )
        for slow in layout.slow:
            options.notice(slow)
        reuse = start_reuse(root, layout, _reusing(options), options.cache_dir, started_ns)
        builds.use(reuse.to_build(layout))  # first: the builds are the longest part of a run
        # Only now (see above), with SIGINT and SIGTERM held: the builds run meanwhile, so
        # a stop (a cancelled job) lands in this import as often as not, and raised in it
        # the exception can be lost in the import system's clean-up ("Exception ignored"):
        # the run went on, its builds waited for.
        with signals_held():
            from edgemodels.validate import pipeline

        return pipeline.check_tree(root, options, layout, builds, reuse)


def enclosing_tree(folder: Path) -> Path | None:
    """The generated tree `folder` lies inside (a folder above it holding the manifest, up
    to the repository's root), named from `folder` as given; None for a folder that holds
    its own manifest or lies in no tree."""
    if (folder / MANIFEST_PATH).is_file():
        return None
    above = islice(up_to_repository_root(folder), 1, None)
    return next((shown for shown, real in above if (real / MANIFEST_PATH).is_file()), None)


def _refuse_part_of_a_tree(root: Path) -> None:
    """A folder of a generated tree validated alone is not what RHACM applies: its hub
    objects name folders from the tree's root (K308 on a clean tree), its charts render
    without the Subscriptions' values."""
    tree = enclosing_tree(root)
    if tree is not None:
        raise InputError(
            f"{root} is a folder of the generated tree {tree}: validated alone, its objects "
            f"would miss the rest of the tree; validate the whole tree (edgemodels validate "
            f"{tree})"
        )


def _reusing(options: ValidateOptions) -> bool:
    """Whether the run uses the result cache: not with kubeconform, whose findings on every
    object come from one process (resultcache.py)."""
    if not options.result_cache or options.validator == "kubeconform":
        return False
    return options.validator == "builtin" or find_binary(options.kubeconform) is None


def _refuse_empty(root: Path, layout: TreeLayout) -> None:
    """A folder holding nothing to validate is a mistyped path, not a clean tree: "no
    findings" there would pass a CI gate. A generated tree has a manifest (whose files K209
    reports when they are gone); a hand-written one needs at least one manifest."""
    if layout.refused or (root / MANIFEST_PATH).is_file():
        return
    raise InputError(
        f"{root} holds nothing to validate: no {MANIFEST_PATH} and no Kubernetes manifest, "
        "chart or kustomization (is it the generated tree?)"
    )


_EDGEMODELS_KINDS = re.compile(
    rb"^kind:[ \t]*[\"']?(ModelCatalogue|SiteInventory|WorkloadPlacement)\b", re.MULTILINE
)
_MAX_SNIFFED = 1 << 20  # bytes of a file looked at for an edgemodels kind


def _refuse_catalogue(root: Path, layout: TreeLayout) -> None:
    """A folder that is no generated tree but holds one below it (a catalogue repository's
    root), or holds catalogue or inventory files, is the wrong folder: validated, its
    catalogue files would read as unknown Kubernetes kinds, and passed with --skip-kind."""
    nested = sorted(
        p.parent.parent.relative_to(root).as_posix()
        for pattern in ("*/" + MANIFEST_PATH, "*/*/" + MANIFEST_PATH)
        for p in root.glob(pattern)
    )
    found = _edgemodels_files(root, layout.plain_files)
    if not nested and not found:
        return
    what = [f"a generated tree in {', '.join(nested[:3])}"] if nested else []
    if found:
        listed = ", ".join(f"{path} ({kind})" for path, kind in found[:3])
        more = f" and {len(found) - 3} more" if len(found) > 3 else ""
        what.append(f"edgemodels input files ({listed}{more}), which `edgemodels check` checks")
    target = (root / nested[0]).as_posix() if nested else "OUTPUT"
    raise InputError(
        f"{root} is not a generated tree (no {MANIFEST_PATH}) but holds {' and '.join(what)}: "
        f"validate the tree that `edgemodels generate -o OUTPUT` wrote (edgemodels validate "
        f"{target})"
    )


def _edgemodels_files(root: Path, paths: Sequence[str]) -> list[tuple[str, str]]:
    found = []
    for path in paths:
        try:
            with open(root / path, "rb") as fh:
                head = fh.read(_MAX_SNIFFED)
        except OSError:
            continue
        match = _EDGEMODELS_KINDS.search(head)
        if match:
            found.append((path, match[1].decode()))
    return found


def validate_documents(
    documents: Sequence[ParsedDocument], options: ValidateOptions, root: Path | None = None
) -> list[Diagnostic]:
    """Schema and RHACM checks on documents already in memory: nothing is parsed again.

    Charts and overlays are not rendered here (they need files); with `root`, git-paths
    are checked against that folder.
    """
    with signals_held():
        from edgemodels.validate import pipeline

    return pipeline.check_documents(documents, options, root)
