"""Aggregate kustomizations: many overlays built by one `kubectl kustomize`, and its
output split back into each overlay's objects.

One process per overlay costs ~125 ms; one aggregate over many is ~12x faster (measured
on 200 overlays). An aggregate holds at most one overlay of each model (`groups`), because
overlays of one model emit the same kind/namespace/name, which kustomize rejects as a
clash. `originAnnotations` says which file each object came from, so findings land on
the base file that wrote it, and, for an overlay whose files all lie in its model's
folder, which overlay built it (owners.py); any other overlay gets a wrapper that marks
its objects with an annotation. kustomize.py decides what to build and when.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

from edgemodels.fsnames import text_form
from edgemodels.validate.discover import kustomization_file
from edgemodels.validate.manifests import Manifest, Source, manifests_of
from edgemodels.validate.owners import family, origin_file, owner

MARKER = "edgemodels.io/validate-build"
ORIGIN = "config.kubernetes.io/origin"


def wrapper(root: Path, target: str, index: int, tmp: Path) -> str:
    """A wrapper marking the target's objects so the output can be split again; its entry
    in an aggregate (owners.py says when the target needs none)."""
    wrapper = tmp / f"w{index:05d}"
    if not wrapper.is_dir():
        wrapper.mkdir()
        spec = {
            "resources": [text_form(os.path.relpath(root / target, wrapper))],
            "commonAnnotations": {MARKER: str(index)},
        }
        (wrapper / "kustomization.yaml").write_text(json.dumps(spec), encoding="utf-8")
    return f"../{wrapper.name}"


def write_top(folder: Path, resources: Sequence[str]) -> None:
    # JSON, which is YAML too: PyYAML's pure-Python dumper took 0.02-0.04 s for the fleet's
    # five aggregates, before the first build could start.
    spec = {"resources": [text_form(r) for r in resources], "buildMetadata": ["originAnnotations"]}
    (folder / "kustomization.yaml").write_text(json.dumps(spec), encoding="utf-8")


def _strip_marker(node: object) -> None:
    if isinstance(node, dict):
        annotations = node.get("annotations")
        if isinstance(annotations, dict):
            annotations.pop(MARKER, None)
            annotations.pop(ORIGIN, None)
        for value in node.values():
            _strip_marker(value)
    elif isinstance(node, list):
        for item in node:
            _strip_marker(item)


# A file without a document marker whose top level has `kind:` holds one object: the usual
# base file. Its objects come from document 0, known without parsing it (parsing the
# 1,100 base files of the benchmark fleet cost as much as parsing the build output).
_MARKER_LINE = re.compile(r"^(?:---|\.\.\.)", re.MULTILINE)
_TOP_KIND = re.compile(r"^kind:", re.MULTILINE)


class Origins:
    """Per-run cache of the files built objects came from, to place findings on them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._docs: dict[str, tuple[str, list[Manifest] | None]] = {}

    def source(self, rel: str, kind: str, name: str) -> Source | None:
        if rel not in self._docs:
            path = self.root / rel
            text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            if text and _TOP_KIND.search(text) and not _MARKER_LINE.search(text):
                self._docs[rel] = (text, None)
            else:
                self._docs[rel] = (text, manifests_of(rel, text)[0] if text else [])
        text, docs = self._docs[rel]
        if docs is None:
            return Source(rel, text, 0)
        if not docs:
            return None
        same_kind = [d for d in docs if d.kind == kind] or docs
        match = next((d for d in same_kind if d.name and d.name in name), same_kind[0])
        return match.source


def _member(
    doc: Manifest, origin: str, built_in: Path, root: Path, families: dict[str, int]
) -> int | None:
    """The target an object of an aggregate came from: its marker, else its origin."""
    marker = doc.annotation(MARKER)
    if marker is not None and marker.isdigit():
        return int(marker)
    where = origin_file(origin, built_in, root)
    return owner(where, families) if where else None


def split_output(
    output: str,
    built_in: Path,
    targets: Sequence[str],
    origins: Origins,
    families: dict[str, int],
) -> list[tuple[Manifest, str]] | None:
    """(object, target) of the output: marker removed, placed on the file it came from.

    An object carries the marker of its wrapper, or comes from the family folder of one
    of `families` (the unwrapped targets, owners.py); None when one does neither.
    """
    root = origins.root
    found = []
    docs, _ = manifests_of("<kustomize output>", output)
    for doc in docs:
        origin = doc.annotation(ORIGIN) or ""
        index = _member(doc, origin, built_in, root, families)
        if index is None:
            if families:
                return None
            continue  # every member is wrapped: nothing unmarked comes from them
        target = targets[index]
        _strip_marker(doc.data)
        rel = origin_file(origin, built_in, root, ("path",))  # the file that wrote it
        source = origins.source(rel, doc.kind, doc.name) if rel else None
        if source is None:
            kustomization = kustomization_file(root / target)
            fallback = kustomization.relative_to(root).as_posix() if kustomization else target
            source = Source(fallback)
        context = f"overlay {Path(target).name}"
        built = Manifest(doc.data, source, context, overlay=target, size=doc.size)
        found.append((built, target))
    return found


# Overlays per aggregate. A `kubectl kustomize` costs ~0.04 s of CPU to start (0.12 s when
# an overlay has a strategic-merge patch: kustomize then loads its OpenAPI document), and
# kustomize slows down more than linearly on large aggregates (4.8-9 s for 400). On the
# benchmark fleet, whose overlays have JSON patches (render/kustomize.py), 25, 50 and 100
# took the same CPU per overlay; 50 ended the run 0.2 s sooner than 100, as the last
# build, which one core runs alone once the charts are rendered, is half as long; 30 and
# 40 ended no sooner.
_GROUP = 50


def groups(targets: Sequence[str], size: int = _GROUP) -> list[list[int]]:
    """Target indexes in aggregates with at most one overlay of each model, `size` at most.

    Overlays of one model emit the same objects (same kind, namespace and name), which one
    aggregate rejects as an ID clash; overlays of different models do not. kustomize slows
    down more than linearly on very large aggregates, hence the cap. There are as few
    aggregates as the cap and the model with the most overlays allow, since each `kubectl`
    process costs CPU to start (_GROUP; rounds of one overlay per model left aggregates of 1
    and 3 overlays on the benchmark fleet), and they are filled evenly, so the builds
    running side by side end together: models with the most overlays first, each overlay
    into the emptiest aggregate without its model.
    """
    by_family: dict[str, list[int]] = {}
    for index, target in enumerate(targets):
        by_family.setdefault(family(target), []).append(index)
    most = max(map(len, by_family.values()), default=1)
    found: list[list[int]] = [[] for _ in range(max(-(-len(targets) // size), most))]
    for members in sorted(by_family.values(), key=len, reverse=True):
        free = sorted(found, key=len)
        for index, group in zip(members, free, strict=False):
            group.append(index)
    return [sorted(g) for g in found if g]
