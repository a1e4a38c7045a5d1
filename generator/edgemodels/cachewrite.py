"""Writing the regenerate cache (treecache.py describes it): after a commit, under the
output folder's lock. Like treewrite.py for the tree, the only code that writes it."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterable, Mapping
from contextlib import suppress
from hashlib import sha256
from pathlib import Path

from edgemodels.renderentry import entry_digest, listing
from edgemodels.treecache import (
    BLOB_PATH,
    CACHE_PATH,
    FORMAT,
    ID_BYTES,
    MAGIC,
    MANIFEST,
    STAT,
    TreeCache,
    code_digest,
)
from edgemodels.yamlio import YamlFile

COMPACT_SLACK = 1 << 20  # unused blob bytes tolerated beyond the bytes in use


def save_cache(
    out: Path, cache: TreeCache, written: Iterable[str], tree: Mapping[str, bytes]
) -> None:
    """Record this run's renders and file stats. Call under the folder's lock, after the
    commit. A failure to write it costs the next run time, nothing else: it is not raised."""
    now = time.time_ns()
    for path in written:
        _read_back(out, path, tree[path], cache, now)
    if not cache.persist:
        return
    manifest = tree.get(MANIFEST)
    if manifest is None:
        return
    stats, stats_of = _pack_stats(cache, tree), sha256(manifest).hexdigest()
    if not cache.changed and (stats, stats_of) == (cache.stats, cache.stats_of):
        return  # nothing new learned: leave the files (and the disk) alone
    renders = _save_renders(out, cache)
    index = {
        "$comment": "edgemodels generate's cache; safe to delete, never commit it",
        "format": FORMAT,
        "code": code_digest(),
        "blob": renders[0],
        "renders": renders[1],
        "manifest": stats_of,
    }
    head = json.dumps(index, separators=(",", ":")).encode()
    _write_atomic(out / CACHE_PATH, [MAGIC, len(head).to_bytes(8, "big"), head, stats])


def save_learned(
    out: Path, cache: TreeCache, tree: Mapping[str, bytes], files: Iterable[YamlFile]
) -> None:
    """Write what a resident server learned (it keeps it in memory between its runs), so a
    run without the server starts from it. Call under the folder's lock. The trees of the
    catalogue files go in too: the server read them without the cache."""
    for yf in files:
        if yf.data is not None:
            cache.store(yf.text, yf.data)
    cache.persist = True
    save_cache(out, cache, (), tree)


def _pack_stats(cache: TreeCache, tree: Mapping[str, bytes]) -> bytes:
    """The stat of each file the new manifest lists (in its order), if seen holding it.
    The manifest made of `tree` lists them, sorted, with their digests: taken from it
    rather than sorting 10,000 paths and looking up each digest again."""
    made = cache.made
    if made is not None and made.raw is tree.get(MANIFEST):
        listed = made.files
    else:
        listed = {p: cache.digest(p, tree[p]) for p in sorted(tree) if p != MANIFEST}
    unknown = STAT.pack(0, 0, 0, 0)
    seen, pack = cache.seen, STAT.pack
    return b"".join(
        [
            pack(*record[0])
            if (record := seen.get(path)) is not None and record[1] == sha
            else unknown
            for path, sha in listed.items()
        ]
    )


def _save_renders(out: Path, cache: TreeCache) -> tuple[str, dict[str, object]]:
    """Append this run's new renders to the blob, or write a compact one; (its identity,
    the index of every render in use)."""
    index: dict[str, object] = {}
    kept = {k: cache.hits[k] for k in cache.renders if k in cache.hits}  # in index order
    live = sum(length for e in kept.values() for _, length, _ in e.files)
    fresh = {k: f for k, f in cache.used_renders.items() if k not in kept}
    blob_id = cache.blob[:ID_BYTES]
    if kept and len(cache.blob) <= 2 * live + COMPACT_SLACK:
        end = _append(out, blob_id, [d for files in fresh.values() for d in files.values()])
        if end is not None:
            for key in kept:
                index[key] = cache.renders[key]  # as read: its entry was checked
            _index_new(cache, fresh, end, index)
            return blob_id.hex(), index
    blob_id = os.urandom(ID_BYTES)
    _index_new(cache, cache.used_renders, ID_BYTES, index)
    chunks = [d for files in cache.used_renders.values() for d in files.values()]
    _write_atomic(out / BLOB_PATH, [blob_id, *chunks])
    return blob_id.hex(), index


def _index_new(
    cache: TreeCache,
    renders: Mapping[str, Mapping[str, bytes]],
    at: int,
    index: dict[str, object],
) -> None:
    for key, files in renders.items():
        table = listing(files, cache.digest)
        if table is not None:  # else the render takes its place in the blob, unlisted
            index[key] = [at, table, entry_digest(table, b"".join(files.values()))]
        at += sum(len(d) for d in files.values())


def _append(out: Path, blob_id: bytes, chunks: list[bytes]) -> int | None:
    """Where `chunks` start once appended to the blob, or None when the blob on disk is
    not the one that was read."""
    try:
        fd = os.open(out / BLOB_PATH, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if os.pread(fd, ID_BYTES, 0) != blob_id:
            return None
        end = os.fstat(fd).st_size  # after any tail a killed run left: never referenced
        with os.fdopen(os.dup(fd), "ab") as fh:
            fh.writelines(chunks)
        return end
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_back(out: Path, path: str, data: bytes, cache: TreeCache, now: int) -> None:
    """Record a file this run wrote only if it still holds what was written (read after
    its stat was taken: an edit between the commit and now is not mistaken for ours)."""
    full = f"{out}/{path}"
    try:
        st = os.lstat(full)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return
        with open(full, "rb") as fh:
            if fh.read(len(data) + 1) != data:
                return
    except OSError:
        return
    cache.saw(path, st, cache.digest(path, data), now)


def _write_atomic(path: Path, chunks: list[bytes]) -> None:
    tmp = path.with_name(f"{path.name}.tmp")
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
        )
        with os.fdopen(fd, "wb") as fh:
            fh.writelines(chunks)
        os.replace(tmp, path)
    except OSError:
        with suppress(OSError):
            os.unlink(tmp)


def remove_stale_tmp(out: Path) -> None:
    """Cache files half-written by a killed run (called by recovery, under the lock)."""
    for path in (f"{CACHE_PATH}.tmp", f"{BLOB_PATH}.tmp"):
        with suppress(OSError):
            os.unlink(out / path)
