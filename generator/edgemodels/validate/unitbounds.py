"""What a result cache entry may be made from: a kustomize family that names nothing outside
its folder (stays_inside), and files nothing changed in while the run read them (settled).

resultcache.py's keys hold every byte of a unit's folder; they are only true of a unit whose
result comes from that folder alone, and from what the folder held when it was read.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

# A file changed this close to a run's start may have changed after the run read it: its
# time comes from the kernel's coarse clock, up to a tick (1-10 ms) behind.
RACY_NS = 20_000_000
_RESOURCE_KEYS = ("resources", "bases", "components")


def stays_inside(
    root: Path, home: str, below: Mapping[str, object], kustomizations: Mapping[str, object]
) -> bool:
    """Whether every kustomization below the family folder `home` (`below`: their folders'
    documents, by_home) names only what is inside it: each string of it that could be a
    path (a resource, a patch, a generator's file, ...) stays inside `home`, and each
    resource is a file there or a kustomize folder the walk found (`kustomizations`, every
    one's document as discover read it); a name that is neither may be a remote. Only such
    a family goes in the cache: its key holds every byte of its folder, so one taken from
    it does still."""
    top = os.fspath(root)
    return all(
        data is not None and _paths_inside(data, folder, home, top, kustomizations)
        for folder, data in below.items()
    )


def by_home(
    kustomizations: Mapping[str, object], homes: Iterable[str]
) -> dict[str, dict[str, object]]:
    """{home: {kustomize folder in it: its document}} for the folders of `homes`."""
    wanted = set(homes)
    found: dict[str, dict[str, object]] = {}
    for folder, data in kustomizations.items():
        home = folder if folder in wanted else under(folder, wanted)
        if home is not None:
            found.setdefault(home, {})[folder] = data
    return found


def _paths_inside(
    data: object, folder: str, home: str, top: str, known: Mapping[str, object]
) -> bool:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _RESOURCE_KEYS and isinstance(value, list):
                if not all(_present(e, folder, home, top, known) for e in value):
                    return False
            elif not _paths_inside(value, folder, home, top, known):
                return False
        return True
    if isinstance(data, list):
        return all(_paths_inside(item, folder, home, top, known) for item in data)
    if isinstance(data, str):
        return _inside(data, folder, home)
    return True


def _inside(text: str, folder: str, home: str) -> bool:
    if "://" in text or text.startswith(("/", "~")) or ("\n" in text and ".." in text):
        return False
    target = posixpath.normpath(posixpath.join(folder, text))
    return target == home or target.startswith(home + "/")


def _present(entry: object, folder: str, home: str, top: str, known: Mapping[str, object]) -> bool:
    if not isinstance(entry, str) or not _inside(entry, folder, home):
        return False
    target = posixpath.normpath(posixpath.join(folder, entry))
    return target in known or os.path.isfile(os.path.join(top, target))


def settled(path: str, started_ns: int) -> bool:
    """Whether nothing in `path` (a file, or a folder and everything in it) changed since
    `started_ns` (a change time, which no program can set back). Then what a run that
    started then read of it is what it holds now: a unit made from it may go in."""
    before = started_ns - RACY_NS
    try:
        info = os.lstat(path)
        if info.st_ctime_ns >= before:
            return False
        return not stat.S_ISDIR(info.st_mode) or _settled_below(path, before)
    except OSError:
        return False


def _settled_below(folder: str, before: int) -> bool:
    with os.scandir(folder) as found:
        for entry in found:
            if entry.stat(follow_symlinks=False).st_ctime_ns >= before:
                return False
            if entry.is_dir(follow_symlinks=False) and not _settled_below(entry.path, before):
                return False
    return True


def under(path: str, folders: Mapping[str, object] | set[str]) -> str | None:
    """The folder of `folders` that holds `path`."""
    parent = posixpath.dirname(path)
    while parent:
        if parent in folders:
            return parent
        parent = posixpath.dirname(parent)
    return None
