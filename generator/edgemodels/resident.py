"""What a long-running `edgemodels server` keeps in memory between the commands it runs.

A command run by the server finds the state with `serving.current()`; a command run in a
process of its own finds None and works as it always has. The server wraps each command it
runs in `serving.active(state)`.

Everything kept is checked before it is used, as the on-disk cache is (treecache.py): a
render is found by the digest of everything it reads, a result of the work per model by
the identity of its inputs (recall.py), a file's content by its stat, or by an inotify
watch that saw no change of it since (watch.py). So what happened between two commands (an
edit, a `git checkout`, a run without the server) costs time, never a wrong result.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from edgemodels.cachewrite import save_learned
from edgemodels.catalogue.schema import validate_file
from edgemodels.catalogue.sources import GENERATED_MARK, Discovered, discover
from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import EdgeModelsError
from edgemodels.policy.config import find_config, load_config
from edgemodels.policy.loader import default_pack_files, load_policies
from edgemodels.policy.model import PolicySet
from edgemodels.recall import Recall
from edgemodels.secrets_scan import scan_value
from edgemodels.treecache import RACY_NS, TreeCache, load_cache
from edgemodels.treewrite import save_later
from edgemodels.watch import Watch, hidden, unchanged
from edgemodels.yamlio import ParseMemo, YamlFile, load_positioned

MAX_TREES = 4  # output folders whose state is kept (least recently used dropped first)
MAX_CATALOGUES = 4  # catalogues (with the folder they are named from) likewise
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


@dataclass
class _Learned:
    """What the last run into one output folder learned."""

    cache: TreeCache
    tree: Mapping[str, bytes]
    files: list[YamlFile]
    saved: bool = False


@dataclass
class _Output:
    """One output folder: what the last run learned, and the watch on the folder."""

    learned: _Learned | None = None
    watch: Watch | None = None
    trusted: bool = False  # a run verified every file while the watch was on
    dirty: set[str] = field(default_factory=set)  # changed since that run

    def watched(self, out: Path) -> Callable[[str], bool] | None:
        """Drain the watch's events: the paths they leave untouched, when it can be trusted."""
        changes = self.watch.changes() if self.watch is not None else None
        if changes is None:  # none yet, or events were missed: start over, trust later
            self.watch = Watch.start(out)
            self.trusted, self.dirty = False, set()
            return None
        self.dirty |= changes
        return unchanged(self.dirty) if self.trusted else None

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None


class Resident:
    """The state one server keeps between commands."""

    def __init__(self) -> None:
        self._outputs: OrderedDict[str, _Output] = OrderedDict()
        self._catalogues: OrderedDict[tuple[str, str, bool], KnownFiles] = OrderedDict()
        self._policies: tuple[object, PolicySet | None] = (None, None)

    def files_of(self, catalogue: Path, base: Path) -> KnownFiles:
        """What is known of `catalogue`'s files, named from `base` (findings name files
        relative to the folder a command runs in)."""
        # A file and a folder are watched apart (a file's folder for its own entries only):
        # a file replaced by a folder of its name is another catalogue
        key = (os.path.realpath(catalogue), os.path.realpath(base), catalogue.is_dir())
        known = self._catalogues.get(key)
        if known is None:
            known = self._catalogues[key] = KnownFiles(catalogue)
        self._catalogues.move_to_end(key)
        while len(self._catalogues) > MAX_CATALOGUES:
            self._catalogues.popitem(last=False)[1].close()
        return known

    def policies(self, config: Path | None, folder: Path) -> PolicySet:
        """`policy.load_policies(config, folder)`, loaded again only when a file it reads
        changed (the config, the shipped pack, the repository's policy files) or names
        would read otherwise (another working folder)."""
        key, policies = self._policies
        now = _policy_key(config, folder)
        if policies is None or now is None or now != key:
            policies = load_policies(config, folder)
            # the stats taken before the load: a file edited since differs from them
            self._policies = (now, policies)
        return policies

    def cache_for(self, out: Path) -> TreeCache:
        """The cache for a run writing or checking `out`: what the last run of this server
        there learned (the one on disk for the first), and what the watch on it saw."""
        key = os.path.realpath(out)
        output = self._outputs.get(key)
        if output is None:
            output = self._outputs[key] = _Output()
            self._evict()
        self._outputs.move_to_end(key)
        watched = output.watched(out)
        if output.learned is None:
            cache = load_cache(out)
            cache.persist, cache.watched = False, watched
            return cache
        last = output.learned.cache
        return TreeCache(
            earlier=last.used_renders,
            records=last.seen,
            digests=last.digests,
            contents=last.contents,
            persist=False,
            manifest=last.manifest,
            watched=watched,
        )

    def learned(
        self, out: Path, cache: TreeCache, tree: Mapping[str, bytes], files: list[YamlFile]
    ) -> None:
        """Keep what a run into `out` learned for the next, only as much as the current
        tree and catalogue files need: memory follows their size, not the edits made. The
        run compared the folder with the tree (by stat where the watch did not vouch for a
        file): from now on, what the watch reports is all that changed."""
        cache.digests = {p: d for p, d in cache.digests.items() if p in tree}
        cache.contents = {f.text: c for f in files if (c := cache.contents.get(f.text))}
        key = os.path.realpath(out)
        output = self._outputs.setdefault(key, _Output())
        output.learned = _Learned(cache, tree, files)
        output.trusted = output.watch is not None
        output.dirty = set()

    def flush(self) -> None:
        """Write what the runs learned into each output folder's cache (treecache.py), for
        the runs made without the server; the server calls it when idle and when it stops."""
        for key, output in self._outputs.items():
            self._save(key, output)

    def close(self) -> None:
        """Flush, and stop watching."""
        self.flush()
        for output in self._outputs.values():
            output.close()
        for known in self._catalogues.values():
            known.close()

    def _evict(self) -> None:
        while len(self._outputs) > MAX_TREES:
            key, output = self._outputs.popitem(last=False)
            self._save(key, output)
            output.close()

    def _save(self, key: str, output: _Output) -> None:
        learned = output.learned
        if learned is None or learned.saved:
            return
        cache = TreeCache(
            used_renders=dict(learned.cache.used_renders),
            seen=dict(learned.cache.seen),
            digests=dict(learned.cache.digests),
            rendered=1,  # nothing of it is on disk yet
        )
        learned.saved = save_later(
            Path(key), partial(save_learned, Path(key), cache, learned.tree, learned.files)
        )


def _policy_key(config: Path | None, folder: Path) -> tuple[object, ...] | None:
    """What a policy set is loaded from, with each file's stat; None when unsure."""
    try:
        found = config if config is not None else find_config(folder)
        files = [found] if found is not None else []
        if found is not None and found.is_file():
            files += [p for p, _ in load_config(found)[0].policy_files]
        files += default_pack_files()
        stats = tuple((os.fspath(p), _stat(p)) for p in files)
        return (os.fspath(config or ""), os.path.realpath(folder), os.getcwd(), stats)
    except (OSError, EdgeModelsError):
        return None


def _stat(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    if st.st_ctime_ns >= time.time_ns() - RACY_NS:
        raise OSError("changed too recently to be told apart by its stat")
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
