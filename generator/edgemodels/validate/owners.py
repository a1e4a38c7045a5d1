"""Which overlay of an aggregate build an object came from, without a wrapper per overlay.

kustomize.py builds many overlays in one aggregate, and aggregates.py must split the
output again. A wrapper kustomization per overlay that stamps its objects with a marker
annotation does that for any overlay, but costs kustomize a third more CPU (one more
kustomization level per overlay, on the benchmark fleet 4.2 s instead of 3.5 s). An
aggregate holds at most one overlay of each family (the folder above `overlays/`), and
`originAnnotations` names the file (or, for a generator, the kustomization) each object
came from. So when every file an overlay can reach lies inside its own family folder,
the family folder that holds an object's origin names its overlay. Such an overlay is
*contained* and is listed in the aggregate as it is; any other (a remote or shared base,
a symlink, families nested in each other) keeps its wrapper. An object whose origin
names no family of its aggregate makes the caller build that aggregate again with
wrappers.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from edgemodels.fsnames import os_form
from edgemodels.validate.discover import kustomization_entries, kustomization_path

Entries = Mapping[str, Sequence[str]]  # kustomize folder: its kustomization's entries


def family(target: str) -> str:
    """The folder whose overlays emit the same objects: `models/a` for `models/a/overlays/x`."""
    return target.split("/overlays/")[0]


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")


def _reaches_out(top: str, folder: str, home: str, seen: set[str], read: Entries) -> bool:
    """Whether the kustomization in `folder` (below the tree at `top`) can reach anything
    outside `home`. Paths are strings: `Path`s were most of this walk's cost."""
    if folder in seen:
        return False
    seen.add(folder)
    path = kustomization_path(os.path.join(top, folder))
    if path is None or os.path.islink(path):
        return True
    entries = read[folder] if folder in read else kustomization_entries(path)
    for entry in entries:
        target = posixpath.normpath(posixpath.join(folder, entry))
        if "://" in entry or not _inside(target, home):
            return True  # a remote, or a shared base elsewhere
        try:
            mode = os.lstat(os.path.join(top, target)).st_mode  # one look: link, folder
        except OSError:
            continue  # missing: the build says so
        if stat.S_ISLNK(mode):
            return True  # a link to who knows where
        if stat.S_ISDIR(mode) and _reaches_out(top, target, home, seen, read):
            return True
    return False


def contained(root: Path, targets: Sequence[str], read: Entries | None = None) -> set[int]:
    """Indexes of the targets whose every reachable file is inside their own family folder,
    and whose family folder holds no other family's (nor sits inside one). `read`: the
    kustomizations' entries as discover read them (the others are read here)."""
    top = os.fspath(root)
    families = {family(t) for t in targets}
    nested = set()
    for home in families:
        parent = posixpath.dirname(home)
        while parent:
            if parent in families:
                nested |= {home, parent}
            parent = posixpath.dirname(parent)
    found = set()
    for index, target in enumerate(targets):
        home = family(target)
        if home in nested or not _inside(target, home) or os.path.islink(os.path.join(top, home)):
            continue
        if not _reaches_out(top, target, home, set(), read or {}):
            found.add(index)
    return found


def origin_file(
    annotation: str, built_in: Path, root: Path, keys: tuple[str, ...] = ("path", "configuredIn")
) -> str | None:
    """The tree-relative file an `originAnnotations` value names: `path:` for a resource,
    `configuredIn:` for a generated object; None for a remote or outside the tree."""
    top = os.path.abspath(root)
    for line in annotation.splitlines():
        key, _, value = line.partition(":")
        if key in keys and value.strip():
            # kubectl's UTF-8 text, as the file system takes it (`café` under LC_ALL=C).
            full = os.path.abspath(os.path.join(built_in, os_form(value.strip())))
            if not full.startswith(top + os.sep):
                return None
            return full[len(top) + 1 :].replace(os.sep, "/")
    return None


def owner(origin: str, families: dict[str, int]) -> int | None:
    """The target whose family folder holds `origin`, of one aggregate's `families`."""
    parent = posixpath.dirname(origin)
    while parent:
        if parent in families:
            return families[parent]
        parent = posixpath.dirname(parent)
    return None
