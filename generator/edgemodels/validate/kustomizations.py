"""What a kustomization can get wrong that `kubectl kustomize` builds without a word.

- K211: an entry (`resources`, `bases`, `components`) that leads out of the tree, by
  `../` or through a symlink. kustomize reads such a folder from this machine's disk, so
  the build here succeeds and its objects pass, but RHACM builds from its clone of the
  deploy branch, which holds the tree and not what lies beside it here.
- K212 (a warning): a patch whose `target` selects none of the objects its overlay built.
  kustomize applies a patch to what its target selects, and to nothing without a word
  when that is nothing (a misspelt name, a kind of another group): the change the patch
  was written for is not made. Targets are compared with the built objects, whose names a
  `namePrefix`/`nameSuffix` of the same kustomization changed, and which a selector on
  labels or annotations may still select: a target with a selector is taken to match. A
  patch that sets its object's name (`/metadata/name`) is looked for under that name.

Both run where the builds run (the build process on a big tree, a thread on a small one),
on the kustomizations' entries discover.py read.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from edgemodels.diagnostics import Location
from edgemodels.fsnames import text_form
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.discover import (
    MANIFEST_SUFFIXES,
    kustomization_entries,
    kustomization_path,
)
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.report import Finding
from edgemodels.validate.streamload import load_stream
from edgemodels.yamlio import load_positioned, locate

Entries = Mapping[str, Sequence[str]]


def outside_tree(root: Path, targets: Sequence[str], read: Entries | None) -> list[Finding]:
    """K211 on every entry of a kustomization the `targets` reach that leaves the tree.

    `read` holds every kustomize folder of the tree (discover.py's walk, which follows no
    symlink): an entry naming one of them needs no look at the disk."""
    top = os.fspath(root)
    real_top = os.path.realpath(top)
    known = read or {}
    seen: set[str] = set()
    found: list[Finding] = []
    stack = list(targets)
    while stack:
        folder = stack.pop()
        if folder in seen:
            continue
        seen.add(folder)
        entries = known.get(folder)
        if entries is None:
            path = kustomization_path(os.path.join(top, folder))
            entries = kustomization_entries(path) if path is not None else []
        for entry in entries:
            if "://" in entry or entry.startswith("git@"):
                continue  # a remote base: kustomize fetches it, on the hub as here
            if entry.endswith(MANIFEST_SUFFIXES):
                continue  # a file: kustomize refuses one outside its kustomization's folder
            target = posixpath.normpath(posixpath.join(folder, entry))
            if target in known:
                stack.append(target)
                continue
            where = _leaves(top, real_top, entry, target)
            if where is not None:
                found.append(_outside(root, folder, entry, where))
            elif os.path.isdir(os.path.join(top, target)):
                stack.append(target)
    return found


def _leaves(top: str, real_top: str, entry: str, target: str) -> str | None:
    """Where `entry` leads when that is outside the tree, else None."""
    if os.path.isabs(entry):
        return None  # kustomize refuses an absolute path itself (K206)
    if target == ".." or target.startswith("../"):
        return os.path.normpath(os.path.join(top, target))
    full = os.path.join(top, target)
    if not os.path.islink(full):
        return None
    real = os.path.realpath(full)
    return None if real == real_top or real.startswith(real_top + os.sep) else real


def _outside(root: Path, folder: str, entry: str, where: str) -> Finding:
    path = kustomization_path(os.path.join(root, folder)) or os.path.join(
        root, folder, "kustomization.yaml"
    )
    rel = Path(path).relative_to(root).as_posix()
    message = (
        f"'{entry}' leads out of the tree (to {where}): kustomize builds it here from this "
        "machine's files, but RHACM builds from the deploy branch, which holds only the "
        "tree; keep what the overlay uses inside the tree"
    )
    return diagnostic("K211", Location(rel, entry_line(path, entry), 3), message), ""


def entry_line(path: str, entry: str) -> int:
    """The line of a kustomization that lists `entry` (1 when none does)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            lines = file.read().splitlines()
    except OSError:
        return 1
    for number, line in enumerate(lines, start=1):
        if line.strip().removeprefix("- ").strip().strip("'\"") == text_form(entry):
            return number
    return 1


# --- patches that select nothing -----------------------------------------------------


def idle_patches(root: Path, built: Iterable[tuple[Manifest, str]]) -> list[Finding]:
    """K212 on each patch of a built overlay's kustomization whose target selects none of
    the objects the overlay built. `built`: (object, overlay) pairs; an overlay that did
    not build has none (K206 says why) and is not looked at."""
    by_overlay: dict[str, list[Mapping[str, object]]] = {}
    for manifest, overlay in built:
        by_overlay.setdefault(overlay, []).append(manifest.data)
    return [
        f for overlay in sorted(by_overlay) for f in _idle_in(root, overlay, by_overlay[overlay])
    ]


def _idle_in(root: Path, overlay: str, objects: Sequence[Mapping[str, object]]) -> list[Finding]:
    path = kustomization_path(os.path.join(root, overlay))
    if path is None:
        return []
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return []  # the build said what is wrong
    if "target" not in text:
        return []  # no targeted patch: nothing to parse
    rel = Path(path).relative_to(root).as_posix()
    docs = load_stream(rel, text).documents
    data = docs[0][0] if len(docs) == 1 else None
    if not isinstance(data, dict):
        return []
    affixes = (str(data.get("namePrefix") or ""), str(data.get("nameSuffix") or ""))
    idle = [
        (key, i, target)
        for key in ("patches", "patchesJson6902")
        for i, target, renamed in _targets(data.get(key), rel)
        if not _selects(target, objects, affixes, renamed)
    ]
    if not idle:  # as nearly always: the file is parsed with positions only for a finding
        return []
    positioned, _ = load_positioned(Path(path), rel)
    found: list[Finding] = []
    for key, i, target in idle:
        line, col = locate(positioned.data, (key, i, "target"), key=True)
        message = (
            f"this patch's target ({_shown(target)}) selects none of the objects "
            f"{overlay} builds: kustomize leaves the patch out without a word"
        )
        where = Location(rel, line, col)
        found.append((diagnostic("K212", where, message, severity="warning"), ""))
    return found


def _targets(entries: object, rel: str) -> list[tuple[int, Mapping[str, object], str | None]]:
    """(index, target, the name the patch gives its object, if it renames it) per patch."""
    if not isinstance(entries, list):
        return []
    return [
        (i, e["target"], _renamed_to(e.get("patch"), rel))
        for i, e in enumerate(entries)
        if isinstance(e, dict) and isinstance(e.get("target"), dict)
    ]


def _renamed_to(patch: object, rel: str) -> str | None:
    """The name an inline JSON patch sets at /metadata/name: the object it selected is
    built under that name (generate renames a copy Job whose template an overlay
    changes), so the target is looked for under it too."""
    if not isinstance(patch, str) or "/metadata/name" not in patch:
        return None
    docs = load_stream(rel, patch).documents
    ops = docs[0][0] if len(docs) == 1 else None
    if not isinstance(ops, list):
        return None
    names = [
        op.get("value")
        for op in ops
        if isinstance(op, dict)
        and op.get("op") in ("add", "replace")
        and op.get("path") == "/metadata/name"
    ]
    return names[-1] if names and isinstance(names[-1], str) else None


def _shown(target: Mapping[str, object]) -> str:
    return ", ".join(f"{k} {v}" for k, v in target.items() if isinstance(v, str))


def _selects(
    target: Mapping[str, object],
    objects: Sequence[Mapping[str, object]],
    affixes: tuple[str, str],
    renamed: str | None = None,
) -> bool:
    if "labelSelector" in target or "annotationSelector" in target:
        return True  # labels the build added or changed may be what it selects: not judged
    if renamed is not None:
        target = {**target, "name": re.escape(renamed)}
    return any(_selects_one(target, obj, affixes) for obj in objects)


def _selects_one(
    target: Mapping[str, object], obj: Mapping[str, object], affixes: tuple[str, str]
) -> bool:
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    wanted = {"kind": obj.get("kind"), "group": group, "version": version}
    if any(isinstance(target.get(k), str) and target.get(k) != v for k, v in wanted.items()):
        return False
    pattern = target.get("name")
    if not isinstance(pattern, str) or not pattern:
        return True
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str):
        return False
    prefix, suffix = affixes
    names = {name, name.removeprefix(prefix).removesuffix(suffix) if prefix or suffix else name}
    try:
        return any(re.fullmatch(pattern, n) for n in names) or pattern in name
    except re.error:
        return True  # a pattern Python's re does not read (Go's): not judged
