"""Overlays that kustomize would build into the same objects: built once, reported for each.

A generated model often has identical overlays for several targets (same patch, same
base). Two sibling folders whose files are byte for byte the same build to the same
output, because every path they name resolves to the same place and kustomize never uses
a folder's own name. Each `kubectl kustomize` overlay costs ~10 ms of CPU; on the
1,000-model benchmark fleet a third of the overlays are twins. Not twinned: a folder
holding a symlink (it may resolve differently from each folder) and one whose files
mention the folder's name (a twin would still name the original).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from collections.abc import Sequence
from pathlib import Path


def _digest(folder: str) -> str | None:
    """A hash of every file below `folder` (names and bytes), or None when not twinnable.
    Paths are strings and a folder is read once (os.scandir): `Path` objects, and a stat
    per entry to find links, were most of this walk's cost."""
    h = hashlib.sha256()
    return h.hexdigest() if _add(h, folder, "", os.fsencode(os.path.basename(folder))) else None


def _add(h: hashlib._Hash, folder: str, rel: str, own_name: bytes) -> bool:
    """Hash the files of `folder`, then its folders, by name; False when not twinnable."""
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError:
        return False
    if any(e.is_symlink() for e in entries):
        return False
    folders = []
    for entry in entries:
        if entry.is_dir():
            folders.append(entry)
            continue
        try:
            with open(entry.path, "rb") as file:
                data = file.read()
        except OSError:
            return False
        if own_name in data:
            return False  # it may name its own folder: a twin would name the original
        name = f"{rel}{entry.name}"
        raw = os.fsencode(name)  # surrogates under an ASCII locale: the name's bytes
        h.update(b"%d:%s:%d:" % (len(raw), raw, len(data)))
        h.update(data)
    return all(_add(h, e.path, f"{rel}{e.name}/", own_name) for e in folders)


def twins(root: Path, targets: Sequence[str]) -> dict[int, int]:
    """{index of a target: index of the earlier sibling it is a byte-identical copy of}."""
    top = os.fspath(root)
    first: dict[tuple[str, str], int] = {}
    found: dict[int, int] = {}
    for index, target in enumerate(targets):
        folder = os.path.join(top, target)
        try:
            mode = os.lstat(folder).st_mode
        except OSError:
            continue
        if not target or not stat.S_ISDIR(mode):  # a link is not a folder to lstat
            continue
        digest = _digest(folder)
        if digest is None:
            continue
        key = (posixpath.dirname(target), digest)
        if key in first:
            found[index] = first[key]
        else:
            first[key] = index
    return found


def moved(path: str, original: str, twin: str) -> str:
    """`path` inside the `original` overlay folder, as the same file of its `twin`."""
    if path.startswith(original + "/"):
        return twin + path[len(original) :]
    return path
