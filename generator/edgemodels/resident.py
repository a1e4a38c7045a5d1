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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from edgemodels.cachewrite import save_learned
from edgemodels.errors import EdgeModelsError
from edgemodels.knownfiles import KnownFiles
from edgemodels.policy.config import find_config, load_config
from edgemodels.policy.loader import default_pack_files, load_policies
from edgemodels.policy.model import PolicySet
from edgemodels.treecache import RACY_NS, TreeCache, load_cache
from edgemodels.treewrite import save_later
from edgemodels.watch import Watch, unchanged
from edgemodels.yamlio import YamlFile

MAX_TREES = 4  # output folders whose state is kept (least recently used dropped first)
MAX_CATALOGUES = 4  # catalogues (with the folder they are named from) likewise


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
