"""Build every kustomization with the real kustomize (`kubectl kustomize`).

One `kubectl kustomize` process per overlay costs ~125 ms; one aggregate kustomization over
all of them is ~12x faster (deps.md section 2). The aggregate lives in a temporary folder
outside the tree (the tree is never written): one wrapper per target marks its objects with
an annotation so the output can be split again, and `originAnnotations` says which file
each object came from, so findings land on the base file that wrote it. When the aggregate
fails (two overlays emit the same object, or one overlay is broken) each target is built on
its own, which also gives each broken overlay its own finding.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from edgemodels.diagnostics import Location
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.discover import kustomization_file
from edgemodels.validate.manifests import Manifest, Source, manifests_of
from edgemodels.validate.report import Finding

MARKER = "edgemodels.io/validate-build"
ORIGIN = "config.kubernetes.io/origin"
_TIMEOUT = 300
_ACCUMULATING = "accumulating resources from '"
_ERR_RE = re.compile(r'err="(?P<err>(?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Built:
    manifests: list[Manifest] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    missing_tool: bool = False


def _write_wrappers(root: Path, targets: Sequence[str], tmp: Path) -> list[str]:
    names = []
    for index, target in enumerate(targets):
        wrapper = tmp / f"w{index:05d}"
        wrapper.mkdir()
        spec = {
            "resources": [os.path.relpath(root / target, wrapper)],
            "commonAnnotations": {MARKER: str(index)},
        }
        (wrapper / "kustomization.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
        names.append(wrapper.name)
    return names


def _write_top(folder: Path, resources: Sequence[str]) -> None:
    folder.mkdir(exist_ok=True)
    spec = {"resources": list(resources), "buildMetadata": ["originAnnotations"]}
    (folder / "kustomization.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")


def _kustomize(binary: str, folder: Path) -> tuple[bool, str]:
    proc = subprocess.run(
        [binary, "kustomize", str(folder)],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    return proc.returncode == 0, proc.stdout if proc.returncode == 0 else proc.stderr


def _error_text(stderr: str, root: Path) -> str:
    """kubectl's error, from the innermost resource it names, with tree-relative paths."""
    match = _ERR_RE.search(stderr)
    text = match["err"].replace('\\"', '"') if match else stderr.strip()
    text = " ".join(text.removeprefix("Error: ").removeprefix("error: ").split())
    innermost = text.rfind(_ACCUMULATING)
    if innermost > 0:
        text = text[innermost:]
    return text.replace(f"{root}/", "").replace(str(root), ".")


def build_error(root: Path, target: str, stderr: str) -> Finding:
    """K206 on the overlay's kustomization, on the entry the error names when it names one."""
    path = kustomization_file(root / target)
    rel = path.relative_to(root).as_posix() if path else f"{target}/kustomization.yaml"
    text = _error_text(stderr, root)
    line = 1
    if path is not None:
        for number, content in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            entry = content.strip().removeprefix("- ").strip("'\" ")
            if entry and ("/" in entry or "." in entry) and entry in text:
                line = number
                break
    return diagnostic("K206", Location(rel, line, 1), f"kustomize build failed: {text}"), ""


def _strip_marker(node: object) -> None:
    if isinstance(node, MutableMapping):
        annotations = node.get("annotations")
        if isinstance(annotations, MutableMapping):
            annotations.pop(MARKER, None)
            annotations.pop(ORIGIN, None)
        for value in node.values():
            _strip_marker(value)
    elif isinstance(node, list):
        for item in node:
            _strip_marker(item)


class _Origins:
    """Per-run cache of the files built objects came from, to place findings on them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._docs: dict[str, tuple[str, list[Manifest]]] = {}

    def source(self, rel: str, kind: str, name: str) -> Source | None:
        if rel not in self._docs:
            path = self.root / rel
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
            self._docs[rel] = (text, manifests_of(rel, text)[0] if text else [])
        text, docs = self._docs[rel]
        if not docs:
            return None
        same_kind = [d for d in docs if d.kind == kind] or docs
        match = next((d for d in same_kind if d.name and d.name in name), same_kind[0])
        return match.source


def _origin_path(annotation: str, built_in: Path, root: Path) -> str | None:
    for line in annotation.splitlines():
        if line.startswith("path:"):
            full = os.path.normpath(built_in / line.split(":", 1)[1].strip())
            rel = os.path.relpath(full, root)
            return None if rel.startswith("..") else Path(rel).as_posix()
    return None


def _split(
    output: str, built_in: Path, targets: Sequence[str], keep: set[str], origins: _Origins
) -> list[Manifest]:
    """The output's objects of the `keep` targets, marker removed, placed on their origin."""
    root = origins.root
    found = []
    docs, _ = manifests_of("<kustomize output>", output)
    for doc in docs:
        marker, origin = doc.annotation(MARKER), doc.annotation(ORIGIN) or ""
        if marker is None or not marker.isdigit() or not isinstance(doc.data, MutableMapping):
            continue
        target = targets[int(marker)]
        if target not in keep:
            continue
        _strip_marker(doc.data)
        rel = _origin_path(origin, built_in, root)
        source = origins.source(rel, doc.kind, doc.name) if rel else None
        if source is None:
            kustomization = kustomization_file(root / target)
            fallback = kustomization.relative_to(root).as_posix() if kustomization else target
            source = Source(fallback)
        context = f"overlay {Path(target).name}"
        found.append(Manifest(doc.data, source, context))
    return found


def batches(targets: Sequence[str]) -> list[list[str]]:
    """Targets in rounds with at most one overlay of each model per round.

    Overlays of one model emit the same objects (same kind, namespace, name), which an
    aggregate kustomization rejects as an ID clash; overlays of different models do not.
    """
    families: dict[str, list[str]] = {}
    for target in targets:
        family = target.split("/overlays/")[0] if "/overlays/" in target else target
        families.setdefault(family, []).append(target)
    rounds: list[list[str]] = []
    for members in families.values():
        for number, target in enumerate(members):
            if number == len(rounds):
                rounds.append([])
            rounds[number].append(target)
    return rounds


def build(root: Path, builds: Sequence[str], listings: Sequence[str]) -> Built:
    """Every target built; documents of `builds` returned for validation."""
    targets = [*builds, *listings]
    if not targets:
        return Built()
    binary = shutil.which("kubectl")
    if binary is None:
        first = kustomization_file(root / targets[0])
        where = Location(first.relative_to(root).as_posix() if first else targets[0], 1, 1)
        message = (
            f"kubectl not found on PATH: {len(targets)} kustomization(s) not built or validated"
        )
        return Built([], [(diagnostic("K207", where, message, severity="warning"), "")], True)
    origins = _Origins(root)
    keep = set(builds)
    with tempfile.TemporaryDirectory(prefix="edgemodels-kustomize-") as tmp_name:
        folders = []
        for number, batch in enumerate(batches(targets)):
            folder = Path(tmp_name) / f"round{number:03d}"
            folder.mkdir()
            _write_top(folder, _write_wrappers(root, batch, folder))
            folders.append((folder, batch))
        outcomes = _kustomize_all(binary, [f for f, _ in folders])
        manifests: list[Manifest] = []
        solos: list[tuple[Path, list[str], str]] = []
        for (folder, batch), (ok, text) in zip(folders, outcomes, strict=True):
            if ok:
                manifests.extend(_split(text, folder, batch, keep, origins))
            else:  # an ID clash or a broken overlay: each target of the round on its own
                solos.extend(_solo_folders(folder, batch))
        findings: list[Finding] = []
        solo_outcomes = _kustomize_all(binary, [solo for solo, _, _ in solos])
        for (solo, batch, target), (ok, text) in zip(solos, solo_outcomes, strict=True):
            if ok:
                manifests.extend(_split(text, solo, batch, keep, origins))
            else:
                findings.append(build_error(root, target, text))
    return Built(manifests, findings)


def _solo_folders(folder: Path, batch: list[str]) -> list[tuple[Path, list[str], str]]:
    """One top kustomization per wrapper of a round (markers stay indexes into `batch`)."""
    solos = []
    for index, target in enumerate(batch):
        solo = folder / f"solo{index:05d}"
        _write_top(solo, [f"../w{index:05d}"])
        solos.append((solo, batch, target))
    return solos


def _kustomize_all(binary: str, folders: Sequence[Path]) -> list[tuple[bool, str]]:
    """Builds run side by side: each is a separate process, mostly waiting on its own I/O."""
    workers = max(1, min(len(folders), os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda folder: _kustomize(binary, folder), folders))


def has_kubectl() -> bool:
    return shutil.which("kubectl") is not None
