"""What the last `generate` into a folder learned, so the next one redoes only what changed.

`.edgemodels/cache` in the output folder (git-ignored; never part of the tree) holds:

- renders: the files each model rendered to, under a key that digests everything its
  render reads (see `render.memo`). A model whose key is unchanged is not rendered again.
- files: for each generated file as last seen, its (size, mtime, ctime, inode) and sha256.
  A file whose stat still matches is not read again to compare it with the new tree.

It is only a cache. A missing, damaged or foreign file means "render and read everything",
never an error, and a cache written by other code (another edgemodels version, or a
changed checkout) is ignored as a whole: its key includes a digest of edgemodels' own code.

Racy stats (the problem git calls "racy clean"): file times come from a clock that ticks
every few milliseconds, so a file edited in the same tick as the stat was taken, keeping
its size, would look unchanged. A record is therefore kept only for a file whose ctime was
already older than RACY_NS (whole-second filesystems: RACY_COARSE_NS) when it was taken:
any later change sets ctime to a newer tick, which the next run sees.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha256
from pathlib import Path

from edgemodels import __version__

CACHE_PATH = ".edgemodels/cache"
MAGIC = b"edgemodels cache 1\n"  # then the index's length (8 bytes), the index, the blob
FORMAT = 1
RACY_NS = 50_000_000  # far above any kernel timestamp tick (1-10 ms)
RACY_COARSE_NS = 2_000_000_000  # filesystems with whole-second (FAT: 2 s) timestamps
MAX_CACHE_BYTES = 1 << 31  # a bigger file is not ours to read: start over

FileStat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Record = tuple[FileStat, str]  # stat, sha256 hex of the content it had


@dataclass(frozen=True)
class Entry:
    """One model's render in the blob: its files, one after another from `at`."""

    at: int
    files: tuple[tuple[str, int, str], ...]  # path, length, sha256 hex (checked on use)


def file_stat(st: os.stat_result) -> FileStat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass
class TreeCache:
    """One run's view of the cache: what was loaded, and what this run found true."""

    blob: bytes = b""
    renders: Mapping[str, Entry] = field(default_factory=dict)
    records: Mapping[str, Record] = field(default_factory=dict)
    used_renders: dict[str, Mapping[str, bytes]] = field(default_factory=dict)
    seen: dict[str, Record] = field(default_factory=dict)  # verified by plan_tree
    digests: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # computed this run
    rendered: int = 0  # models rendered this run (not found in the cache)

    def render(self, key: str) -> Mapping[str, bytes] | None:
        """The files a model rendered to last time under `key`, if known."""
        found = self.used_renders.get(key)
        if found is not None:
            return found
        entry = self.renders.get(key)
        if entry is None:
            return None
        files, at = {}, entry.at
        for path, length, sha in entry.files:
            data = files[path] = self.blob[at : at + length]
            if sha256(data).hexdigest() != sha:
                return None  # a damaged cache is never mistaken for a render
            self.digests[path] = (data, sha)
            at += length
        self.used_renders[key] = files
        return files

    def digest(self, path: str, data: bytes) -> str:
        """sha256 hex of `data`, the content of `path`, computed once per run."""
        known = self.digests.get(path)
        if known is not None and known[0] is data:
            return known[1]
        sha = sha256(data).hexdigest()
        self.digests[path] = (data, sha)
        return sha

    def remember(self, key: str, files: Mapping[str, bytes]) -> None:
        if key not in self.used_renders:
            self.rendered += 1
            self.used_renders[key] = files

    def known_sha(self, path: str, st: os.stat_result) -> str | None:
        """The content digest of `path` if its stat is the one recorded, else None."""
        record = self.records.get(path)
        if record is None or record[0] != file_stat(st):
            return None
        return record[1]

    def keep(self, path: str) -> None:
        """The recorded stat of `path` still holds: carry the record over."""
        self.seen[path] = self.records[path]

    def saw(self, path: str, st: os.stat_result, sha: str, now_ns: int) -> None:
        """`path` had content `sha` when read after `st` was taken; `now_ns` is a time
        taken before `st` was."""
        if not racy(st, now_ns):
            self.seen[path] = (file_stat(st), sha)

    @property
    def changed(self) -> bool:
        return self.rendered > 0 or self.used_renders.keys() != self.renders.keys()


def racy(st: os.stat_result, now_ns: int) -> bool:
    window = RACY_COARSE_NS if st.st_ctime_ns % 1_000_000_000 == 0 else RACY_NS
    return st.st_ctime_ns >= now_ns - window


@lru_cache(maxsize=1)
def code_digest() -> str:
    """edgemodels' version and the digest of its own modules: renders cached by other code
    never count (an editable install changes without a new version number)."""
    digest = sha256(f"{FORMAT}\0{__version__}\0".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


# --- load --------------------------------------------------------------------------------


def load_cache(out: Path) -> TreeCache:
    """The cache of `out`, or an empty one when there is none usable."""
    raw = _read(out / CACHE_PATH)
    if raw is None or not raw.startswith(MAGIC):
        return TreeCache()
    try:
        start = len(MAGIC) + 8
        length = int.from_bytes(raw[len(MAGIC) : start], "big")
        index = json.loads(raw[start : start + length])
        if not isinstance(index, dict) or index.get("code") != code_digest():
            return TreeCache()
        blob = raw[start + length :]
        return TreeCache(blob, _renders(index["renders"], len(blob)), _records(index["files"]))
    except (ValueError, KeyError, TypeError):
        return TreeCache()


def _read(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(MAX_CACHE_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def _renders(raw: object, size: int) -> dict[str, Entry]:
    if not isinstance(raw, dict):
        raise TypeError("renders")
    out: dict[str, Entry] = {}
    for key, (at, files) in raw.items():
        entry = Entry(at, tuple((str(path), length, str(sha)) for path, length, sha in files))
        lengths = [length for _, length, _ in entry.files]
        if not all(type(n) is int and n >= 0 for n in (at, *lengths)):
            raise TypeError("render entry")
        if at + sum(lengths) > size:
            raise ValueError("render outside the blob")
        out[key] = entry
    return out


def _records(raw: object) -> dict[str, Record]:
    if not isinstance(raw, dict):
        raise TypeError("files")
    out: dict[str, Record] = {}
    for path, (size, mtime, ctime, ino, sha) in raw.items():
        numbers = (size, mtime, ctime, ino)
        if not all(type(n) is int for n in numbers) or not isinstance(sha, str):
            raise TypeError("record")
        out[path] = ((size, mtime, ctime, ino), sha)
    return out


# --- save --------------------------------------------------------------------------------


def save_cache(
    out: Path, cache: TreeCache, written: Iterable[str], tree: Mapping[str, bytes]
) -> None:
    """Record this run's renders and file stats. Call under the folder's lock, after the
    commit. A failure to write it costs the next run time, nothing else: it is not raised."""
    now = time.time_ns()
    for path in written:
        _read_back(out, path, tree[path], cache, now)
    records = {p: cache.seen[p] for p in sorted(cache.seen) if p in tree}
    if not cache.changed and records == cache.records:
        return  # nothing new learned: leave the file (and the disk) alone
    renders: dict[str, object] = {}
    chunks: list[bytes] = []
    at = 0
    for key in sorted(cache.used_renders):
        files = cache.used_renders[key]
        listed = [[path, len(data), cache.digest(path, data)] for path, data in files.items()]
        renders[key] = [at, listed]
        chunks.extend(files.values())
        at += sum(len(data) for data in files.values())
    index = {
        "$comment": "edgemodels generate's cache; safe to delete, never commit it",
        "format": FORMAT,
        "code": code_digest(),
        "renders": renders,
        "files": {p: [*st, sha] for p, (st, sha) in records.items()},
    }
    head = json.dumps(index, separators=(",", ":")).encode()
    _write_atomic(out / CACHE_PATH, [MAGIC, len(head).to_bytes(8, "big"), head, *chunks])


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
    """A cache file half-written by a killed run (called by recovery, under the lock)."""
    with suppress(OSError):
        os.unlink(out / f"{CACHE_PATH}.tmp")
