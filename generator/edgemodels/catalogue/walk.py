"""The files of a catalogue folder: a walk that follows symlinks as a user reads the folder.

A link to a folder is followed wherever it leads (catalogue/links.py says where that is a
warning: out of the repository, into a submodule), so a shared models folder linked into
two catalogues of one repository is read in both. Three rules keep the walk finite and its
result one set of files, whatever the links:

- Each real file is read once. A file reachable by several paths is named by the path with
  the fewest symlinks on it (the file's own path when the catalogue holds it), and among
  those by the first in the catalogue's order (as path parts sort). A second path to it
  is no second copy: no model is defined twice by it.
- Each real folder is walked once, by that same path (links are followed a level at a time,
  each level in the catalogue's order), so links that reach one folder many ways cost one
  walk of it.
- A link to a folder on its own path (the folder holding it, or one above, through any
  links) is a loop: not followed, and reported (Y016), as a link to nothing is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from edgemodels.errors import InputError

MAX_FILES = 100_000
GENERATED_MARK = (".edgemodels", "manifest.json")  # what `generate` leaves in its tree
YAML = (".yaml", ".yml")

Parts = tuple[str, ...]  # a path from the catalogue's root, as walked (through links)


class Discovered(NamedTuple):
    """What `discover` found in a catalogue folder."""

    files: list[Path]  # the catalogue files, in a stable order, each real file once
    generated: list[Path]  # folders skipped: they hold a tree edgemodels generated
    unread: list[Path]  # symlinks not read: to nothing (dangling, a loop of links), in a loop
    linked: list[Path]  # the symlinks read or followed (to a file or a folder)
    through: frozenset[Path]  # the files among `files` reached through a link
    checkouts: list[Path]  # folders walked that hold a `.git`: a checkout of their own


def discover(path: Path, links: list[str] | None = None) -> Discovered:
    """The files of a catalogue, in a stable order, and the folders skipped because they
    hold a tree edgemodels generated (`.edgemodels/manifest.json`): its YAML is Kubernetes
    objects, not catalogue files, and reading it would bury the catalogue in findings.

    Hidden files and folders (a name starting with '.') are not catalogue files, and hidden
    folders are not walked at all (a `.git` folder holds thousands of files). Symlinks are
    followed as the module's docstring says; one that leads to nothing, one named like a
    catalogue file that leads to no file (a fifo), and one to a folder on its own path
    are `unread`, for the loader to report.
    Files are ordered by their path's parts, as pathlib orders paths: the first definition
    of a section wins (sources.merge). `links` gets each link met, its target there or not:
    its target's edits, and its coming or going, happen elsewhere."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_file():
        return Discovered([path], [], [], [], frozenset(), [])
    if not path.is_dir():
        raise InputError(f"{path}: not a file or directory")
    walk = _Walk(path, links)
    walk.folder(os.fspath(path), (), 0, (os.path.realpath(path),))
    while walk.pending:  # links a level deeper, in the catalogue's order
        level, walk.pending = sorted(walk.pending), []
        for parts, entry, depth, chain in level:
            walk.folder(entry, parts, depth, chain)
    kept = sorted((parts, depth) for depth, parts in walk.found.values())
    return Discovered(
        [path.joinpath(*parts) for parts, _ in kept],
        [path.joinpath(*g) for g in sorted(walk.generated)],
        [path.joinpath(*u) for u in sorted(walk.unread)],
        [path.joinpath(*k) for k in sorted(walk.linked)],
        frozenset(path.joinpath(*parts) for parts, depth in kept if depth),
        [path.joinpath(*c) for c in sorted(walk.checkouts)],
    )


# A folder link to follow: its parts, its path, the links on its path, the real folders
# from the catalogue's root to its target (a link to one of them is a loop).
Pending = tuple[Parts, str, int, tuple[str, ...]]


@dataclass
class _Walk:
    root: Path
    links: list[str] | None
    found: dict[str, tuple[int, Parts]] = field(default_factory=dict)  # real path: links, parts
    generated: list[Parts] = field(default_factory=list)
    unread: list[Parts] = field(default_factory=list)
    linked: list[Parts] = field(default_factory=list)
    checkouts: list[Parts] = field(default_factory=list)
    walked: set[str] = field(default_factory=set)  # real folders
    pending: list[Pending] = field(default_factory=list)

    def folder(self, folder: str, parts: Parts, depth: int, chain: tuple[str, ...]) -> None:
        """Add the catalogue files below `folder` (named by `parts` from the catalogue's
        root; `chain[-1]` is its real path); a folder holding a generated tree, the root
        too, adds itself to `generated` instead. A folder walked already is not again."""
        real = chain[-1]
        if real in self.walked:
            return
        self.walked.add(real)
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            return  # unreadable: as pathlib's walk, which skips what it cannot list
        if any(e.name == GENERATED_MARK[0] and _marks(e) for e in entries):
            self.generated.append(parts)
            return
        if parts and any(e.name == ".git" for e in entries):
            self.checkouts.append(parts)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            here = (*parts, entry.name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    inner = os.path.join(real, entry.name)
                    self.folder(entry.path, here, depth, (*chain, inner))
                elif entry.is_symlink():
                    self.link(entry, here, depth, chain)
                elif entry.name.endswith(YAML) and entry.is_file():
                    self.file(os.path.join(real, entry.name), here, depth)
            except OSError:
                continue

    def link(
        self, entry: os.DirEntry[str], parts: Parts, depth: int, chain: tuple[str, ...]
    ) -> None:
        """Follow a link to a folder (a level deeper) or to a file named like a catalogue
        file; one that leads to nothing may have been either (in a clone, a link out of the
        repository leads to nothing), and is `unread`. A link to any other file is not a
        catalogue file."""
        if self.links is not None:
            self.links.append(entry.path)  # its target may come, go or change unseen
        if _leads_to(entry.is_dir):
            target = os.path.realpath(entry.path)
            if os.path.isfile(os.path.join(target, *GENERATED_MARK)):
                self.generated.append(parts)  # a generated tree's files are not read anyway
            elif any(_within(real, target) for real in chain):
                self.unread.append(parts)  # a loop: the walk would never end
            else:
                self.linked.append(parts)
                self.pending.append((parts, entry.path, depth + 1, (*chain, target)))
        elif _leads_to(entry.is_file):
            if entry.name.endswith(YAML):
                self.linked.append(parts)
                self.file(os.path.realpath(entry.path), parts, depth + 1)
        elif entry.name.endswith(YAML) or not os.path.exists(entry.path):
            self.unread.append(parts)

    def file(self, real: str, parts: Parts, depth: int) -> None:
        key = (depth, parts)
        known = self.found.get(real)
        if known is None or key < known:
            self.found[real] = key
        if len(self.found) > MAX_FILES:
            raise InputError(f"{self.root}: more than {MAX_FILES} YAML files")


def _within(path: str, folder: str) -> bool:
    """`path` is `folder` or below it (both real paths)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _leads_to(kind: Callable[[], bool]) -> bool:
    """Whether a link leads to a folder (`entry.is_dir`) or a file (`entry.is_file`): not
    when it leads nowhere, or in a loop (ELOOP)."""
    try:
        return kind()
    except OSError:
        return False


def _marks(entry: os.DirEntry[str]) -> bool:
    """`entry` is the state folder of a generated tree (holds manifest.json)."""
    try:
        return entry.is_dir(follow_symlinks=False) and os.path.isfile(
            os.path.join(entry.path, GENERATED_MARK[1])
        )
    except OSError:
        return False
