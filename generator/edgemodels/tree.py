"""The generated tree as data, and the only code that writes it into an output folder.

A FileTree maps posix paths (relative to the output folder) to bytes. `plan_tree` compares
a tree with a folder without writing; `write_tree` applies it.

Ownership: `.edgemodels/manifest.json` lists every file edgemodels wrote, with its sha256.
Only those files are ever changed or deleted; any other file in the folder is left alone.
A listed file whose content no longer matches its sha256 was edited by hand: it is reported
and kept unless `force` is given.

Atomicity (what is guaranteed, and how):
- All new content is first written into `.edgemodels/staging/` (same filesystem as the
  output), while the previous tree stays untouched. An interruption here (Ctrl-C, kill,
  crash) leaves the previous tree exactly as it was.
- Then a journal listing every rename and delete is written (fsynced, created by rename)
  and the commit runs: only `rename(2)` and `unlink(2)` calls, with SIGINT/SIGTERM held
  back. Each file is replaced atomically (readers see the old or the new bytes, never a
  mix). If the commit itself is cut short (SIGKILL, power loss), the next run finishes it
  from the journal before anything else, so a folder is never left half old, half new
  once a run completes. The manifest is replaced last.
- The tree is not swapped as one directory because the folder may hold files that are
  not ours (often it is a git checkout); a directory swap would move those too.
- File data is not fsynced one by one (30,000 fsyncs take minutes); after a power loss
  the filesystem's rename ordering (ext4 auto_da_alloc, xfs, btrfs) is relied upon.
Symlinks are never followed inside the output folder: a symlink where a generated file or
folder should be is reported, and only the link itself is ever replaced or removed.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import Literal

from edgemodels.errors import OutputError
from edgemodels.treecache import CACHE_FILES, TreeCache
from edgemodels.treemerge import marker_line, sides

FileTree = dict[str, bytes]

STATE_DIR = ".edgemodels"
MANIFEST_PATH = f"{STATE_DIR}/manifest.json"
GITIGNORE_PATH = f"{STATE_DIR}/.gitignore"
LOCK_PATH = f"{STATE_DIR}/lock"
JOURNAL_PATH = f"{STATE_DIR}/journal.json"
STAGING_DIR = f"{STATE_DIR}/staging"
TREE_FILES_IN_STATE_DIR = frozenset({MANIFEST_PATH, GITIGNORE_PATH})
# A run's own files in the state folder: git-ignored, never part of the tree.
WORKING_FILES = frozenset({LOCK_PATH, JOURNAL_PATH, f"{JOURNAL_PATH}.tmp", *CACHE_FILES})
MAX_PATH_BYTES = 1024

ConflictKind = Literal["hand-edited", "unowned", "blocked", "merged"]
State = Literal["unchanged", "added", "changed", "hand-edited", "unowned", "blocked", "merged"]


@dataclass(frozen=True)
class Provenance:
    edgemodels_version: str
    catalogue_name: str
    catalogue_digest: str


@dataclass(frozen=True)
class Manifest:
    files: Mapping[str, str]  # path -> sha256 hex
    raw: bytes = b""
    merged_at: int | None = None  # line of a git conflict marker: the files of both sides


@dataclass(frozen=True)
class Conflict:
    path: str
    kind: ConflictKind
    detail: str
    line: int = 1  # where in the file; 1 for the file as a whole


@dataclass(frozen=True)
class Plan:
    """What applying a tree to a folder does. Paths are sorted."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    conflicts: tuple[Conflict, ...] = ()
    interrupted: bool = False  # a journal of an unfinished commit is present
    overwritten: tuple[str, ...] = field(default=())  # hand edits replaced under `force`

    @property
    def differs(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.conflicts)


def digest(data: bytes) -> str:
    return sha256(data).hexdigest()


# A path of plain ASCII names, none starting with a dot, each at most 255 bytes: safe
# without a closer look (no "", ".", "..", ".git" or STATE_DIR part). Nearly every
# generated path is one; the rest get `check_path`'s whole test.
_PLAIN_NAME = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}"
_PLAIN_PATH = re.compile(rf"(?:{_PLAIN_NAME}/)*{_PLAIN_NAME}")


@lru_cache(maxsize=1 << 17)  # each path is checked by render, finalize and plan
def check_path(path: str) -> str:
    """A path may name only a file strictly inside the output folder, outside `.git`."""
    plain = len(path) <= MAX_PATH_BYTES and _PLAIN_PATH.fullmatch(path)
    if not plain and unsafe_path(path):
        raise OutputError(f"refusing unsafe output path {path!r}")
    return path


def unsafe_path(path: str) -> bool:
    parts = path.split("/")
    return (
        not path
        or "\x00" in path
        or "\\" in path
        or path.startswith("/")
        or len(path.encode()) > MAX_PATH_BYTES
        or any(p in ("", ".", "..", ".git") for p in parts)
        or any(len(p.encode()) > 255 for p in parts)
        or (parts[0] == STATE_DIR and path not in TREE_FILES_IN_STATE_DIR)
    )


# --- manifest ---------------------------------------------------------------------------


def manifest_bytes(
    tree: Mapping[str, bytes], provenance: Provenance, cache: TreeCache | None = None
) -> bytes:
    doc = {
        "$comment": "Generated by edgemodels. Do not edit: the files edgemodels owns here.",
        "edgemodelsVersion": provenance.edgemodels_version,
        "catalogue": {"name": provenance.catalogue_name, "digest": provenance.catalogue_digest},
        "files": {
            p: cache.digest(p, tree[p]) if cache else digest(tree[p])
            for p in sorted(tree)
            if p != MANIFEST_PATH
        },
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


GITIGNORE = b"""# Generated by edgemodels. Do not edit.
# Working files of `edgemodels generate`; they never belong in git.
/lock
/journal.json
/journal.json.tmp
/staging/
/cache
/cache.tmp
/cache.blob
/cache.blob.tmp
"""


def finalize_tree(
    tree: Mapping[str, bytes], provenance: Provenance, cache: TreeCache | None = None
) -> FileTree:
    """The tree plus `.edgemodels/.gitignore` and the manifest listing every other file."""
    for path in tree:
        check_path(path)
    out = dict(tree)
    out[GITIGNORE_PATH] = GITIGNORE
    out[MANIFEST_PATH] = manifest_bytes(out, provenance, cache)
    return out


def manifest_text(out: Path) -> bytes | None:
    """The manifest's bytes as they are (None when there is none), damaged or not."""
    return _read_regular(out, MANIFEST_PATH)


def read_manifest(out: Path) -> Manifest:
    """The files edgemodels owns in `out` (none when there is no manifest)."""
    raw = _read_regular(out, MANIFEST_PATH)
    if raw is None:
        return Manifest({})
    merged_at = marker_line(raw)
    if merged_at is not None:
        ours, theirs = sides(raw)
        files = {**_manifest_files(out, theirs), **_manifest_files(out, ours)}
        return Manifest(files, raw, merged_at)
    return Manifest(_manifest_files(out, raw), raw)


def _manifest_files(out: Path, raw: bytes) -> dict[str, str]:
    try:
        doc = json.loads(raw)
        files = doc["files"]
        if not isinstance(files, dict) or not all(
            isinstance(v, str) and len(v) == 64 for v in files.values()
        ):
            raise ValueError("files must map paths to sha256 digests")
    except (ValueError, KeyError, TypeError) as exc:
        raise OutputError(
            f"{out / MANIFEST_PATH} is damaged ({exc}); restore it from git, or delete it to "
            "start over (then every file in the folder counts as not written by edgemodels)"
        ) from exc
    for path in files:
        check_path(path)
    return dict(files)


# --- reading the folder without following symlinks ---------------------------------------

_Kind = Literal["missing", "file", "dir", "other"]


class _Folder:
    """Read-only view of the output folder; parent folders are checked once each."""

    def __init__(self, root: Path, cache: TreeCache) -> None:
        self.root = root
        self.cache = cache
        self.since = time.time_ns()  # before any stat is taken (see treecache.racy)
        self.prefix = f"{root}/"  # plain strings: pathlib costs seconds on 30,000 files
        self._dirs: dict[str, bool] = {"": True}
        self._good: set[str] = set()  # folders whose parents_ok was True

    def parents_ok(self, path: str) -> bool:
        """Every parent of `path` is a real folder or missing (no symlink, no file)."""
        parent = path.rpartition("/")[0]
        if parent in self._good:
            return True
        ok = self._parents_ok(path)
        if ok:
            self._good.add(parent)
        return ok

    def _parents_ok(self, path: str) -> bool:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            rel = "/".join(parts[:i])
            known = self._dirs.get(rel)
            if known is None:
                try:
                    mode = os.lstat(self.prefix + rel).st_mode
                    known = stat.S_ISDIR(mode)
                except FileNotFoundError:
                    known = True  # missing: mkdir will create it
                self._dirs[rel] = known
            if not known:
                return False
        return True

    def kind(self, path: str) -> _Kind:
        return _kind(self.lstat(path))

    def lstat(self, path: str) -> os.stat_result | None:
        try:
            return os.lstat(self.prefix + path)
        except (FileNotFoundError, NotADirectoryError):
            return None


def _kind(st: os.stat_result | None) -> _Kind:
    if st is None:
        return "missing"
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    return "file" if stat.S_ISREG(st.st_mode) else "other"


def _read_regular(root: Path, path: str) -> bytes | None:
    """Bytes of a regular file, None if missing; a symlink is never followed."""
    full = f"{root}/{path}"
    try:
        fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot read {full}: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"{full} is not a regular file")
        chunks = []
        while chunk := os.read(fd, max(info.st_size, 1) + 1):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# --- planning ----------------------------------------------------------------------------


def plan_tree(
    out: Path,
    tree: Mapping[str, bytes],
    force: bool = False,
    cache: TreeCache | None = None,
    manifest: Manifest | None = None,
) -> Plan:
    """Compare `tree` with the folder: what would be added, changed, removed, refused.
    With a cache, files whose stat is as last recorded are not read (treecache.py).
    `manifest`: the folder's, when the caller has read it already."""
    if manifest is None:
        manifest = read_manifest(out) if out.is_dir() else Manifest({})
    owned = manifest.files
    folder = _Folder(out, cache or TreeCache())
    folder.cache.bind(owned, manifest.raw)
    added: list[str] = []
    changed: list[str] = []
    conflicts: list[Conflict] = []
    overwritten: list[str] = []
    unchanged = 0
    if manifest.merged_at is not None and not force:
        conflicts.append(Conflict(MANIFEST_PATH, "merged", _DETAIL["merged"], manifest.merged_at))
    for path in sorted(tree):
        check_path(path)
        state = _compare(folder, path, tree[path], owned.get(path))
        if state == "unchanged":
            unchanged += 1
        elif state == "added":
            added.append(path)
        elif state == "changed":
            changed.append(path)
        elif state in ("hand-edited", "merged") and force:
            changed.append(path)
            overwritten.append(path)
        elif state == "merged":
            line = marker_line(_read_regular(out, path) or b"") or 1
            conflicts.append(Conflict(path, state, _DETAIL[state], line))
        else:
            conflicts.append(Conflict(path, state, _DETAIL[state]))
    removed = _stale(folder, tree, owned, force, conflicts, overwritten)
    return Plan(
        tuple(added),
        tuple(changed),
        tuple(removed),
        unchanged,
        tuple(conflicts),
        (out / JOURNAL_PATH).exists(),
        tuple(sorted(overwritten)),
    )


_DETAIL: dict[str, str] = {
    "hand-edited": "generated file was edited by hand; regenerating would overwrite the edit "
    "(move the change into the catalogue, or rerun with --force to discard it)",
    "unowned": "a file not written by edgemodels is in the way; move or delete it",
    "blocked": "a symlink or a non-folder stands where a generated folder or file goes",
    "merged": "merge conflict in the generated tree: regenerate with --force (the catalogue "
    "is the source of truth), then git add the tree",
}


def _compare(folder: _Folder, path: str, new: bytes, owned_sha: str | None) -> State:
    if not folder.parents_ok(path):
        return "blocked"
    st = folder.lstat(path)
    kind = _kind(st)
    if kind == "missing":
        return "added"
    if kind == "dir":
        return "blocked"
    if kind == "other":  # a symlink or a special file: only the link itself is ever replaced
        return "hand-edited" if owned_sha is not None else "blocked"
    if path == MANIFEST_PATH:
        old = _read_regular(folder.root, path)
        return "unchanged" if old == new else "changed"
    cache = folder.cache
    if st is not None and owned_sha is not None and cache.known_sha(path, st) == owned_sha:
        # The file is as edgemodels last wrote or read it: no need to read it again.
        cache.keep(path)
        return "unchanged" if cache.digest(path, new) == owned_sha else "changed"
    old = _read_regular(folder.root, path)
    if old == new:
        if st is not None:
            cache.saw(path, st, cache.digest(path, new), folder.since)
        return "unchanged"
    if owned_sha is None:
        return "unowned"
    if digest(old or b"") == owned_sha:
        return "changed"
    return "merged" if marker_line(old or b"") else "hand-edited"


def _stale(
    folder: _Folder,
    tree: Mapping[str, bytes],
    owned: Mapping[str, str],
    force: bool,
    conflicts: list[Conflict],
    overwritten: list[str],
) -> list[str]:
    """Owned files the new tree no longer has: removed, unless edited by hand."""
    removed = []
    for path in sorted(set(owned) - set(tree)):
        kind = folder.kind(path) if folder.parents_ok(path) else "missing"
        if kind in ("missing", "dir"):
            continue  # already gone, or replaced by a folder that is not ours
        data = _read_regular(folder.root, path) if kind == "file" else None
        if data is not None and digest(data) == owned[path]:
            removed.append(path)
        elif force:
            removed.append(path)
            overwritten.append(path)
        elif data is not None and (line := marker_line(data)):
            conflicts.append(Conflict(path, "merged", _DETAIL["merged"], line))
        else:
            conflicts.append(
                Conflict(
                    path,
                    "hand-edited",
                    "generated file was edited by hand and is no "
                    "longer generated; delete it yourself, or rerun with --force",
                )
            )
    return removed


def iter_changes(plan: Plan) -> Iterator[tuple[str, str]]:
    """(state, path) pairs in path order, for summaries."""
    rows = [("added", p) for p in plan.added]
    rows += [("changed", p) for p in plan.changed]
    rows += [("removed", p) for p in plan.removed]
    yield from sorted(rows, key=lambda r: r[1])
