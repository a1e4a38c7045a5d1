"""The files of one catalogue as a long-running `edgemodels server` last read them
(resident.py keeps one KnownFiles per catalogue): a file is read again only when its stat
changed, or when the inotify watch on its folder saw it change.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from edgemodels.catalogue.schema import validate_file
from edgemodels.catalogue.sources import GENERATED_MARK, Discovered, discover
from edgemodels.diagnostics import Diagnostic
from edgemodels.recall import Recall
from edgemodels.secrets_scan import scan_value
from edgemodels.treecache import RACY_NS
from edgemodels.watch import Watch, hidden, unchanged
from edgemodels.yamlio import ParseMemo, YamlFile, load_positioned

MARK = "/" + "/".join(GENERATED_MARK)  # a generated tree's manifest, below its folder

Stat = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


@dataclass
class _Read:
    stat: Stat
    file: YamlFile
    found: list[Diagnostic]
    schema: list[Diagnostic] | None = None
    used: int = 0  # the load that last used it
    link: bool = False  # a symlink or hard link when read: edits may send no event here


@dataclass(frozen=True)
class _Listed:
    """A catalogue's files as `discover` found them."""

    path: Path
    found: Discovered
    rels: dict[str, str]  # each file (as named) -> its path from the watched folder
    links: bool  # a link to a folder or named like a catalogue file: walked at every load
    through: frozenset[str]  # files reached through a link: no watch here sees their edits


class KnownFiles:
    """The catalogue files of one catalogue as last read (catalogue.Known): a file whose
    stat is unchanged is not read again. A file changed within RACY_NS of being read is not
    kept: an edit in the same clock tick could keep its stat (treecache.py, racy stats).

    While an inotify watch on the catalogue's folder (watch.py) has seen no change of a
    file since a load read or checked it, its stat is not even taken, and the folder is not
    walked again while no file was added, removed or renamed."""

    def __init__(self, catalogue: Path) -> None:
        self._files: dict[str, _Read] = {}
        self._by_id: dict[int, _Read] = {}
        self._load = 0
        self.recall = Recall()
        self.root = catalogue if catalogue.is_dir() else catalogue.parent
        self.single = not catalogue.is_dir()  # one file: its folder's own entries only
        self.watch: Watch | None = None
        self.trusted = False  # a load checked every file while the watch was on
        self.dirty: set[str] = set()  # changed since
        self._clean: Callable[[str], bool] | None = None  # for this load
        self._listed: _Listed | None = None
        self._names: dict[str, str] = {}

    @contextmanager
    def loading(self) -> Iterator[KnownFiles]:
        """One load: what it did not use is dropped at its end (a removed or renamed file)."""
        self._load += 1
        self.recall.turn()
        self._clean = self._watched()
        done = False
        try:
            yield self
            done = True
        finally:
            self._files = {k: r for k, r in self._files.items() if r.used == self._load}
            self._by_id = {id(r.file): r for r in self._files.values()}
            if self._listed is not None:
                self._names = {k: v for k, v in self._names.items() if k in self._listed.rels}
            if done:  # every file was read, or had no change since the last load
                self.trusted, self.dirty = self.watch is not None, set()
            self._clean = None

    def _watched(self) -> Callable[[str], bool] | None:
        changes = self.watch.changes() if self.watch is not None else None
        if changes is None:  # none yet, or events were missed: start over, trust later
            skip = (lambda rel: True) if self.single else hidden
            self.watch = Watch.start(self.root, skip) if self.root.is_dir() else None
            self.trusted, self.dirty, self._listed = False, set(), None
            return None
        self.dirty |= changes
        return unchanged(self.dirty) if self.trusted else None

    def discover(self, path: Path) -> Discovered:
        """`sources.discover`, walked again only when a file may have come or gone."""
        listed = self._listed
        if self._clean is None or listed is None or listed.path != path or self._moved(listed):
            links: list[str] = []
            found = discover(path, links)
            rels = {os.fspath(p): os.path.relpath(p, self.root) for p in found.files}
            linked = bool(links) or (self.single and os.path.islink(path))
            through = frozenset(map(os.fspath, found.through))
            listed = self._listed = _Listed(path, found, rels, linked, through)
        return listed.found

    def _moved(self, listed: _Listed) -> bool:
        """A change that may add or remove a catalogue file: the folder is walked again.
        A link's target may come or go where no watch sees it: its folder is always walked."""
        if listed.links:
            return True
        known = set(listed.rels.values())
        for rel in self.dirty:
            name = rel.rpartition("/")[2]
            full = os.path.join(self.root, rel)
            if name == GENERATED_MARK[0] or os.path.isdir(full):
                return True  # a folder came or went, or a generated tree appeared in one
            if f"/{rel}".endswith(MARK):
                return True  # a manifest came or went: its folder is skipped, or read again
            if rel in known:
                if not os.path.isfile(full):
                    return True  # a file of the catalogue was removed
            elif name.endswith((".yaml", ".yml")) and not name.startswith("."):
                return True  # a new catalogue file
        return False

    def shown(self, path: Path, name: Callable[[], str]) -> str:
        """How `path` is named in findings, worked out again only for a changed path."""
        key = os.fspath(path)
        known = self._names.get(key)
        if known is None or not self._unchanged(key):
            known = self._names[key] = name()
        return known

    def _unchanged(self, key: str) -> bool:
        """No event of the watch on `key` since it was last read. A file in a folder
        reached through a link is where the watches (on the catalogue's own folders) are
        not: its stat is taken at every load, as a linked file's is."""
        listed = self._listed
        if self._clean is None or listed is None or key in listed.through:
            return False
        rel = listed.rels.get(key)
        return rel is not None and self._clean(rel)

    def read(
        self, path: Path, shown: str, memo: ParseMemo | None
    ) -> tuple[YamlFile, list[Diagnostic]]:
        key = f"{os.fspath(path)}\0{shown}"
        known = self._files.get(key)
        if known is not None and not known.link and self._unchanged(os.fspath(path)):
            known.used = self._load
            return known.file, known.found
        now = time.time_ns()
        try:
            st = os.stat(path)
        except OSError:
            return load_positioned(path, shown, memo)
        stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        if known is not None and known.stat == stat:
            known.used = self._load
            return known.file, known.found
        yf, found = load_positioned(path, shown, memo)
        if st.st_ctime_ns < now - RACY_NS:
            if not yf.vetted and yf.data is not None and not scan_value(yf.data):
                yf = replace(yf, vetted=True)  # scanned once here, not at every command
            # a link's target, or a file of more names than one, may be written through a
            # name no watch here sees: its stat is taken at every load
            link = st.st_nlink > 1 or os.path.islink(path)
            self._files[key] = _Read(stat, yf, found, None, self._load, link)
            self._by_id[id(yf)] = self._files[key]
        return yf, found

    def schema(self, yf: YamlFile) -> list[Diagnostic]:
        known = self._by_id.get(id(yf))
        if known is None or known.file is not yf:
            return validate_file(yf)
        if known.schema is None:
            known.schema = validate_file(yf)
        return known.schema

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None
