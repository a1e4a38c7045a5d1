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
from collections.abc import Sequence
from pathlib import Path


def _digest(folder: str) -> str | None:
    """A hash of every file below `folder` (names and bytes), or None when not twinnable.
    Paths are strings: `Path` objects were most of this walk's cost."""
    h = hashlib.sha256()
    own_name = os.path.basename(folder).encode()
    for current, dirs, names in os.walk(folder):
        dirs.sort()
        if any(os.path.islink(os.path.join(current, name)) for name in [*dirs, *names]):
            return None
        here = os.path.relpath(current, folder)
        for name in sorted(names):
            try:
                with open(os.path.join(current, name), "rb") as file:
                    data = file.read()
            except OSError:
                return None
            if own_name in data:
                return None  # it may name its own folder: a twin would name the original
            rel = name if here == "." else posixpath.join(here.replace(os.sep, "/"), name)
            h.update(f"{len(rel)}:{rel}:{len(data)}:".encode())
            h.update(data)
    return h.hexdigest()


def twins(root: Path, targets: Sequence[str]) -> dict[int, int]:
    """{index of a target: index of the earlier sibling it is a byte-identical copy of}."""
    top = os.fspath(root)
    first: dict[tuple[str, str], int] = {}
    found: dict[int, int] = {}
    for index, target in enumerate(targets):
        folder = os.path.join(top, target)
        if not target or os.path.islink(folder) or not os.path.isdir(folder):
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
