"""The generated tree as data: a FileTree maps posix paths (relative to the output folder)
to bytes. Here is what every module handling a tree shares: the paths a tree may hold, the
files of the state folder, a file's digest, and reading a file of the folder back without
following a symlink. The rules for an output folder are described here for the modules that
apply them: treemanifest.py (ownership), folderplan.py (`plan_tree` compares a tree with a
folder without writing; the plan's parts are in treeplan.py, shared with branchplan.py) and
treewrite.py (`write_tree` applies it).

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

import os
import re
import stat
from functools import lru_cache
from hashlib import sha256
from pathlib import Path

from edgemodels.errors import OutputError
from edgemodels.treecache import CACHE_FILES

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


def digest(data: bytes) -> str:
    return sha256(data).hexdigest()


def as_written(data: bytes, sha: str | None) -> bool:
    """`data` is the file edgemodels wrote with sha256 `sha`, or that file with CRLF line
    ends (committed from a Windows editor or checkout, `unix2dos`): a change of line ends
    alone edits nothing, and writing the file again loses nothing (the manifest's sum was
    taken of the LF bytes edgemodels writes)."""
    if sha is None:
        return False
    return digest(data) == sha or (b"\r\n" in data and digest(lf_ends(data)) == sha)


def lf_ends(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


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


def read_regular(root: Path, path: str) -> bytes | None:
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
