"""Build every kustomization with the real kustomize (`kubectl kustomize`).

The overlays are built in aggregates (aggregates.py) in a temporary folder outside the
tree (the tree is never written), side by side (kubectl.py). A failing aggregate is split
in two and built again, down to the broken overlay, which gets its own finding. A twin
overlay takes its original's objects (twins.py), and a listing that only lists resources
is checked without kustomize (listings.py), while the first build runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import count
from pathlib import Path

from edgemodels.diagnostics import Location
from edgemodels.output import plural
from edgemodels.validate.aggregates import Origins, groups, split_output, wrapper, write_top
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.cores import Gate
from edgemodels.validate.discover import kustomization_file
from edgemodels.validate.kubectl import run_all
from edgemodels.validate.kustomizations import idle_patches, outside_tree
from edgemodels.validate.kustomizeerrors import build_error
from edgemodels.validate.listings import check_listings, holds_refused, simple_listing
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.owners import Entries, contained, family
from edgemodels.validate.report import Finding
from edgemodels.validate.twins import moved, twins

Ready = Callable[[list[tuple[Manifest, str]]], object]  # given (object, target) as they come


@dataclass(frozen=True)
class Built:
    manifests: list[Manifest] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    missing_tool: bool = False


def build(
    root: Path,
    builds: Sequence[str],
    listings: Sequence[str],
    read: Entries | None = None,
    gate: Gate | None = None,
    each: Callable[[list[Manifest]], object] | None = None,
    started: threading.Event | None = None,
) -> Built:
    """Every target built; documents of `builds` returned for validation. `read`: the
    kustomizations' entries as discover read them (TreeLayout.entries); `gate`: how many
    kubectl builds may run at once (every core's worth without it); `each` is given the
    documents of `builds` as they are ready, a part at a time, each document once.

    `started` is set when the first kubectl build starts, or when none will: what can
    wait for it does (here the listings' checks, 0.025 s on the benchmark fleet's hub)
    rather than hold the first build back."""
    started = threading.Event() if started is None else started
    with ThreadPoolExecutor(1) as side:
        try:
            static = [f for f in listings if simple_listing(root, f)]
            listed = side.submit(check_listings, root, static, started)
            built = [f for f in listings if f not in static and not holds_refused(root, f)]
            targets = [*builds, *built]
            if not targets:
                started.set()
                return Built([], listed.result())
            binary = shutil.which("kubectl")
            if binary is None:
                return Built([], [_no_kubectl(root, targets)], True)
            with tempfile.TemporaryDirectory(prefix="edgemodels-kustomize-") as tmp_name:
                keep = set(builds)
                ready = (lambda pairs: each([m for m, t in pairs if t in keep])) if each else None
                # Its real path: kustomize resolves an aggregate's `../` entries from there,
                # so with TMPDIR a link (macOS: /var -> /private/var) they led elsewhere.
                tmp = Path(os.path.realpath(tmp_name))
                manifests, findings = _build_all(
                    root, binary, tmp, targets, read, gate, ready, started
                )
            findings += outside_tree(root, targets, read)
            return Built([m for m, t in manifests if t in keep], listed.result() + findings)
        finally:
            started.set()  # also when none started (no kubectl, an error): nothing waits


def _no_kubectl(root: Path, targets: Sequence[str]) -> Finding:
    first = kustomization_file(root / targets[0])
    where = Location(first.relative_to(root).as_posix() if first else targets[0], 1, 1)
    unbuilt = plural(len(targets), "kustomization")
    message = f"kubectl not found on PATH: {unbuilt} not built or validated"
    return diagnostic("K207", where, message, severity="warning"), ""


def _build_all(
    root: Path,
    binary: str,
    tmp: Path,
    targets: Sequence[str],
    read: Entries | None,
    gate: Gate | None,
    ready: Ready | None,
    started: threading.Event,
) -> tuple[list[tuple[Manifest, str]], list[Finding]]:
    """Every target built; a twin overlay takes its original's objects (twins.py).

    A twin of an overlay that failed is built itself, so its error names its own files.
    """
    run = _Run(root, binary, tmp, targets, contained(root, targets, read), gate, ready, started)
    copies = twins(root, targets)
    for index, original in sorted(copies.items()):
        run.twins.setdefault(targets[original], []).append(targets[index])
    first = [i for i in range(len(targets)) if i not in copies]
    manifests, findings, failed = _build_rounds(run, first)
    run.twins.clear()  # a twin built itself (its original failed) has no twins
    again = [i for i, original in copies.items() if original in failed]
    more, more_findings, _ = _build_rounds(run, again)
    return manifests + more + run.copied, findings + more_findings + run.idle


def _moved(manifest: Manifest, original: str, twin: str) -> Manifest:
    """An object of the `original` overlay as its `twin`'s: named by the twin's files."""
    source = replace(manifest.source, path=moved(manifest.source.path, original, twin))
    return replace(manifest, source=source, context=f"overlay {Path(twin).name}", overlay=twin)


@dataclass
class _Run:
    """What every aggregate of one build shares."""

    root: Path
    binary: str
    tmp: Path
    targets: Sequence[str]
    unwrapped: set[int]  # targets listed as they are (owners.py); the others get a wrapper
    gate: Gate | None = None
    each: Ready | None = None  # given the objects of each aggregate as it is split
    started: threading.Event | None = None  # set when the first build starts
    folders: Iterator[int] = field(default_factory=count)
    origins: Origins = field(init=False)
    twins: dict[str, list[str]] = field(default_factory=dict)  # original target: its twins
    copied: list[tuple[Manifest, str]] = field(default_factory=list)  # the twins' objects
    idle: list[Finding] = field(default_factory=list)  # patches that select nothing (K212)
    entries: dict[Path, list[str]] = field(default_factory=dict)  # an aggregate's members

    def __post_init__(self) -> None:
        self.origins = Origins(self.root)

    def ready(self, pairs: list[tuple[Manifest, str]]) -> None:
        """`pairs` were built: their twins' copies are made, and `each` is given both, an
        aggregate at a time (not every twin at the end, which the run would wait for)."""
        copies = [
            (_moved(manifest, target, twin), twin)
            for manifest, target in pairs
            for twin in self.twins.get(target, ())
        ]
        self.copied += copies
        # Here, while the next aggregates build, not all at the end of the run.
        self.idle += idle_patches(self.root, pairs + copies)
        if self.each is not None and pairs:
            self.each(pairs + copies)

    def aggregate(self, group: Sequence[int]) -> tuple[Path, dict[str, int]]:
        """A new aggregate of `group`, and the families of its unwrapped members."""
        folder = self.tmp / f"g{next(self.folders):05d}"
        folder.mkdir()
        entries, families = [], {}
        for i in group:
            if i in self.unwrapped:
                entries.append(os.path.relpath(self.root / self.targets[i], folder))
                families[family(self.targets[i])] = i
            else:
                entries.append(wrapper(self.root, self.targets[i], i, self.tmp))
        write_top(folder, entries)
        self.entries[folder] = entries
        return folder, families

    def parts(self, folder: Path, first: int) -> tuple[Path, Path]:
        """An aggregate made two, its first `first` members and the rest (kubectl.run_all):
        sibling folders of the same depth, where every entry and origin reads as from
        `folder`, so each part's output splits as that share of its own would."""
        entries = self.entries[folder]
        found = folder.with_name(f"{folder.name}a"), folder.with_name(f"{folder.name}b")
        for part, members in zip(found, (entries[:first], entries[first:]), strict=True):
            part.mkdir()
            write_top(part, members)
        return found


def _build_rounds(
    run: _Run, chosen: Sequence[int]
) -> tuple[list[tuple[Manifest, str]], list[Finding], set[int]]:
    """The `chosen` targets built side by side; a failing group is split in two and built
    again. A broken overlay thus costs a few more builds (found by bisection) instead of one
    process per overlay of its group. A group whose output cannot be split by origin is
    built again with every member wrapped. Returns (objects, findings, targets that failed)."""
    targets = run.targets
    pending = [[chosen[i] for i in g] for g in groups([targets[i] for i in chosen])]
    manifests: list[tuple[Manifest, str]] = []
    findings: list[Finding] = []
    failed: set[int] = set()
    while pending:
        built = [run.aggregate(group) for group in pending]
        retry: list[list[int]] = []
        folders, sizes = [folder for folder, _ in built], [len(group) for group in pending]
        outcomes = run_all(run.binary, folders, run.gate, sizes, run.parts, run.started)
        for whole, (folder, families), parts in zip(pending, built, outcomes, strict=True):
            # A group built in two parts (run.parts) is handled a part at a time: the first
            # while the second still builds. A part that fails is bisected on its own.
            start = 0
            for size, outcome in parts:
                group = whole[start : start + size] if len(parts) > 1 else whole
                start += size
                ok, text = outcome()
                split = split_output(text, folder, targets, run.origins, families) if ok else []
                if split is None:
                    run.unwrapped -= set(group)
                    retry.append(group)
                elif ok:
                    manifests.extend(split)
                    run.ready(split)
                elif len(group) == 1:
                    findings.append(build_error(run.root, targets[group[0]], text))
                    failed.add(group[0])
                else:
                    retry += [group[: len(group) // 2], group[len(group) // 2 :]]
        pending = retry
    return manifests, findings, failed
