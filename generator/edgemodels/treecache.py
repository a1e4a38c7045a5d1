"""What the last `generate` into a folder learned, so the next one redoes only what changed.

`.edgemodels/cache` and `.edgemodels/cache.blob` in the output folder (git-ignored; never
part of the tree) hold:

- renders: the files each model rendered to, under a key that digests everything its
  render reads (see `render.memo`). A model whose key is unchanged is not rendered again.
  The positioned tree of each catalogue file is kept the same way, under the digest of its
  text, with the digest of its content (the manifest's catalogue digest is made of those):
  an unchanged file is not parsed again (parsing was a quarter of a regenerate).
  Their bytes are in the blob, which a run only appends to (rewriting 10 MB for one
  changed model cost a regenerate a sixth of its time); it is compacted when more than
  half of it is no longer used. The index lists each render's files (path, length and
  sha256 of each) as one string, with a sha256 of that listing and the render's bytes,
  checked when the render is taken: one digest per render instead of one per file, and
  one string per render in the index instead of a list per file, took a tenth off the
  cache's part of a regenerate.
- stats: for each file of the manifest as last seen, its (size, mtime, ctime, inode), in
  the manifest's order (32 bytes a file), with the digest of that manifest. A file whose
  stat still matches held the content the manifest lists, and is not read again to compare
  it with the new tree. If the manifest changed since (a run killed after its commit), no
  stat is trusted.

It is only a cache. A missing, damaged or foreign file means "render and read everything"
(a render whose bytes are cut off or changed: render that model), never an error, and a
cache written by other code (another edgemodels version, or a changed checkout) is ignored
as a whole: its key includes a digest of edgemodels' own code.

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
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgemodels import __version__
from edgemodels.codedigest import package_digest
from edgemodels.renderentry import SEP, Entry, entry_digest
from edgemodels.secrets_scan import scan_value
from edgemodels.yamljson import content_digest, decode_positioned, encode_positioned

if TYPE_CHECKING:
    from edgemodels.treemanifest import Manifest

CACHE_PATH = ".edgemodels/cache"  # MAGIC, the index's length (8 bytes), index (JSON), stats
BLOB_PATH = ".edgemodels/cache.blob"  # ID_BYTES of identity, then render bytes
MANIFEST = ".edgemodels/manifest.json"  # tree.MANIFEST_PATH (tree.py imports this module)
CACHE_FILES = (CACHE_PATH, f"{CACHE_PATH}.tmp", BLOB_PATH, f"{BLOB_PATH}.tmp")
MAGIC = b"edgemodels cache 1\n"
ID_BYTES = 16
STAT = struct.Struct("<qqqQ")  # size, mtime_ns, ctime_ns, inode; all zero: not known
FORMAT = 2
RACY_NS = 50_000_000  # far above any kernel timestamp tick (1-10 ms)
RACY_COARSE_NS = 2_000_000_000  # filesystems with whole-second (FAT: 2 s) timestamps
MAX_CACHE_BYTES = 1 << 31  # a bigger file is not ours to read: start over

FileStat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Record = tuple[FileStat, str]  # stat, sha256 hex of the content it had


def file_stat(st: os.stat_result) -> FileStat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass
class TreeCache:
    """One run's view of the cache: what was loaded, and what this run found true."""

    blob: bytes = b""  # as read, identity included (offsets count from its start)
    # key -> [at, listing, digest] as the index holds it; `entry` checks one when it is used
    # (most regenerates use all but one, but reading 2,000 ahead cost 7 ms)
    renders: Mapping[str, Any] = field(default_factory=dict)
    records: Mapping[str, Record] = field(default_factory=dict)  # filled by `bind`
    stats: bytes = b""  # as loaded: STAT per file of the manifest whose digest is `stats_of`
    stats_of: str = ""
    used_renders: dict[str, Mapping[str, bytes]] = field(default_factory=dict)
    seen: dict[str, Record] = field(default_factory=dict)  # verified by plan_tree
    digests: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # computed this run
    rendered: int = 0  # models rendered this run (not found in the cache)
    hits: dict[str, Entry] = field(default_factory=dict)  # entries whose bytes were intact
    contents: dict[str, str] = field(default_factory=dict)  # catalogue text -> content digest
    # Renders an earlier run of a resident server (resident.py) used, held in memory: taken
    # as they are, like this run's own.
    earlier: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)
    persist: bool = True  # False: a resident server keeps what was learned, not the disk
    manifest: Manifest | None = None  # the folder's, as a run last read or wrote it
    made: Manifest | None = None  # the new tree's (tree.finalize_tree)
    # A resident server's watch (watch.py): whether a path, and every folder above it, had
    # no change since a run verified it. Its record then holds without a stat.
    watched: Callable[[str], bool] | None = None

    def render(self, key: str) -> Mapping[str, bytes] | None:
        """The files a model rendered to last time under `key`, if known."""
        found = self.used_renders.get(key)
        if found is None:
            found = self.earlier.get(key)
        if found is not None:
            self.used_renders[key] = found
            return found
        entry = self.entry(key)
        if entry is None:
            return None
        files, at = {}, entry.at
        for path, length, sha in entry.files:  # their bytes and digests were checked
            data = files[path] = self.blob[at : at + length]
            self.digests[path] = (data, sha)
            at += length
        self.used_renders[key] = files
        self.hits[key] = entry
        return files

    def entry(self, key: str) -> Entry | None:
        """The render under `key` in the index, if it is well-formed, inside the blob and
        its listing and bytes have the digest recorded with them: a damaged cache is never
        mistaken for a render."""
        raw = self.renders.get(key)
        if raw is None:
            return None
        try:
            at, table, digest = raw
            parts = table.split(SEP) if table else []
            lengths = [int(n) for n in parts[1::3]]
        except (TypeError, ValueError, AttributeError):
            return None
        if type(at) is not int or at < 0 or len(parts) % 3 or min(lengths, default=0) < 0:
            return None
        end = at + sum(lengths)
        if end > len(self.blob) or entry_digest(table, memoryview(self.blob)[at:end]) != digest:
            return None
        return Entry(at, tuple(zip(parts[0::3], lengths, parts[2::3], strict=True)))

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

    def bind(self, files: Mapping[str, str], manifest: bytes) -> None:
        """Pair the loaded stats with the files of the manifest now in the folder."""
        if not self.stats or sha256(manifest).hexdigest() != self.stats_of:
            return
        paths = sorted(files)
        if len(self.stats) != STAT.size * len(paths):
            return
        unknown = (0, 0, 0, 0)
        self.records = {
            path: (st, files[path])
            for path, st in zip(paths, STAT.iter_unpack(self.stats), strict=True)
            if st != unknown
        }

    def known_sha(self, path: str, st: os.stat_result) -> str | None:
        """The content digest of `path` if its stat is the one recorded, else None."""
        record = self.records.get(path)
        if record is None or record[0] != file_stat(st):
            return None
        return record[1]

    def saw(self, path: str, st: os.stat_result, sha: str, now_ns: int) -> None:
        """`path` had content `sha` when read after `st` was taken; `now_ns` is a time
        taken before `st` was."""
        if not racy(st, now_ns):
            self.seen[path] = (file_stat(st), sha)

    # Trees of catalogue files (yamlio.ParseMemo): kept like renders, under the text's digest,
    # with the digest of their content (generate.source_info), so an unchanged file is not
    # serialised again to digest the catalogue.

    def recall(self, text: str) -> Any | None:
        files = self.render(_parse_key(text))
        if files is None:
            return None
        try:
            data = decode_positioned(files[PARSED])
        except (ValueError, KeyError):
            return None
        content = files.get(CONTENT, b"")
        if len(content) == 64 and content.isascii():
            self.contents[text] = content.decode()
        return data

    def store(self, text: str, data: Any) -> bool:
        """Keep the tree of `text` unless it holds a credential-looking value (see
        yamlio.ParseMemo); a kept tree is not scanned again (`YamlFile.vetted`)."""
        if scan_value(data):
            return False
        raw = encode_positioned(data)
        if raw is None:
            return False
        content = self.contents[text] = content_digest(data)
        self.remember(_parse_key(text), {PARSED: raw, CONTENT: content.encode()})
        return True

    def content(self, text: str, data: Any) -> str:
        """`yamljson.content_digest(data)`, `data` being the tree of `text`. Keyed by the text
        itself: a str caches its hash, so this costs no second digest of the text."""
        found = self.contents.get(text)
        return found if found is not None else content_digest(data)

    @property
    def changed(self) -> bool:
        return self.rendered > 0 or self.used_renders.keys() != self.renders.keys()


PARSED = "parsed.json"
CONTENT = "content.sha256"


def _parse_key(text: str) -> str:
    return "yaml:" + sha256(text.encode()).hexdigest()


def racy(st: os.stat_result, now_ns: int) -> bool:
    window = RACY_COARSE_NS if st.st_ctime_ns % 1_000_000_000 == 0 else RACY_NS
    return st.st_ctime_ns >= now_ns - window


@lru_cache(maxsize=1)  # asked for every model's cache key
def code_digest() -> str:
    """edgemodels' version and the digest of its own modules: renders cached by other code
    never count (an editable install changes without a new version number)."""
    return package_digest(f"{FORMAT}\0{__version__}\0")


# --- load --------------------------------------------------------------------------------


def load_cache(out: Path) -> TreeCache:
    """The cache of `out`, or an empty one when there is none usable."""
    raw = _read(out / CACHE_PATH)
    if raw is None or not raw.startswith(MAGIC):
        return TreeCache()
    try:
        start = len(MAGIC) + 8
        end = start + int.from_bytes(raw[len(MAGIC) : start], "big")
        index = json.loads(raw[start:end])
        if not isinstance(index, dict) or index.get("code") != code_digest():
            return TreeCache()
        stats = TreeCache(stats=raw[end:], stats_of=str(index["manifest"]))
        blob = _read(out / BLOB_PATH) or b""
        if len(blob) < ID_BYTES or blob[:ID_BYTES].hex() != index["blob"]:
            return stats  # renders of another blob: not these bytes
        if not isinstance(index["renders"], dict):
            return stats
        stats.blob, stats.renders = blob, index["renders"]
        return stats
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
