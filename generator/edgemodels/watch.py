"""What changed under a folder since it was last asked: Linux inotify, for a resident server.

A resident server (resident.py) compares each new tree with its output folder. Once nothing
else is done again, the stat of ten thousand files and of their folders is most of a
regenerate. A `Watch` keeps an inotify watch on the folder and on every folder below it,
and says which paths had an event since it was last asked, as git's fsmonitor does for
`git status`: a file with no event on its name, nor on a folder above it, is as it was.

It is trusted only where inotify sees every change: on the local filesystems in LOCAL (a
network filesystem changed from another machine sends no event), one filesystem for the
whole folder, while no event was dropped (IN_Q_OVERFLOW) and no watched folder was moved
(its watch would then name the wrong path), and while the folder's path still leads to the
folder watched (a link in it repointed, or a folder above it moved, sends no event; the
watches are on the folder the path led to when the watch began). Anything else, and any
error, answers None: the caller compares everything by its stat, as it does without the
server. Writes through a shared memory mapping send no event; git's fsmonitor has the same
blind spot.

An output folder's state folder is watched for its own entries (the manifest), not its
working folders (staging); a catalogue folder's hidden folders (`.git`) are not watched, but
for its state folders' own entries (a manifest marks a generated tree). No symlink is
followed: a folder a link leads to is not watched (resident.py takes the stat of the files
read through a link at every load instead).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import sys
from collections.abc import Callable
from pathlib import Path

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_DONT_FOLLOW = 0x2000000
IN_ISDIR = 0x40000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC

MASK = (
    IN_MODIFY
    | IN_ATTRIB
    | IN_CLOSE_WRITE
    | IN_MOVED_FROM
    | IN_MOVED_TO
    | IN_CREATE
    | IN_DELETE
    | IN_DELETE_SELF
    | IN_MOVE_SELF
    | IN_ONLYDIR
    | IN_DONT_FOLLOW
)
EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then the name, NUL-padded

# statfs f_type of filesystems whose every change goes through this kernel (linux/magic.h)
LOCAL = frozenset(
    {
        0xEF53,  # ext2/3/4
        0x58465342,  # xfs
        0x9123683E,  # btrfs
        0x01021994,  # tmpfs
        0x858458F6,  # ramfs
        0x794C7630,  # overlayfs
        0xF2F52010,  # f2fs
        0x2FC12FC1,  # zfs
        0xCA451A4E,  # bcachefs
    }
)
STATE_DIR = ".edgemodels"


class Watch:
    """Inotify watches on a folder and every folder below it."""

    def __init__(self, root: Path, fd: int, skip: Callable[[str], bool]) -> None:
        self.named = os.path.abspath(root)  # as named: a link, or below one, may change
        self.root = os.path.realpath(self.named)  # the folder the watches are on
        self.fd = fd
        self.skip = skip
        info = os.stat(self.root)
        self.dev, self.ino = info.st_dev, info.st_ino
        self.folders: dict[int, str] = {}  # watch descriptor -> folder ("" is the root)
        self.dead = False

    @classmethod
    def start(cls, root: Path, skip: Callable[[str], bool] | None = None) -> Watch | None:
        """A watch on `root` and the folders below it but those `skip` names (by their
        path from `root`), or None where it could not be trusted. By default the state
        folder's working folders are skipped (an output folder's)."""
        libc = _libc()
        if libc is None or filesystem_type(root) not in LOCAL:
            return None
        fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            return None
        try:
            watch = cls(root, fd, skip or _working_folder)
        except OSError:
            os.close(fd)
            return None
        if not watch._add_tree(""):
            watch.close()
            return None
        return watch

    def changes(self) -> set[str] | None:
        """The paths (relative to the root; a folder stands for all below it) that had an
        event since the last call, or None when some may have been missed: the watch is
        then closed and of no more use."""
        found: set[str] = set()
        if not self.dead and not self._same_folder():
            self.dead = True
        while not self.dead:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                self.dead = True
                break
            if not data:
                break
            self._read(data, found)
        if self.dead:
            self.close()
            return None
        return found

    def _same_folder(self) -> bool:
        """Whether the root's name still leads to the folder watched: a link in its path
        repointed, or a folder above it moved or replaced, sends no event to the watches."""
        try:
            info = os.stat(self.named)
        except OSError:
            return False
        return (info.st_dev, info.st_ino) == (self.dev, self.ino)

    def close(self) -> None:
        self.dead = True
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _read(self, data: bytes, found: set[str]) -> None:
        at = 0
        while at + EVENT.size <= len(data):
            wd, mask, _, length = EVENT.unpack_from(data, at)
            name = data[at + EVENT.size : at + EVENT.size + length].rstrip(b"\0")
            at += EVENT.size + length
            if mask & (IN_Q_OVERFLOW | IN_MOVE_SELF):
                self.dead = True  # events were dropped, or a folder's path is no more its own
                return
            folder = self.folders.get(wd)
            if folder is None:
                continue  # a watch removed already
            if folder == "" and not name and mask & (IN_DELETE_SELF | IN_IGNORED):
                self.dead = True  # the folder itself is gone
                return
            path = _join(folder, os.fsdecode(name)) if name else folder
            found.add(path)
            if mask & IN_IGNORED:
                del self.folders[wd]
                continue
            new_folder = mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO) and name
            if new_folder and not self._add_tree(path):
                self.dead = True
                return

    def _add_tree(self, rel: str) -> bool:
        """Watch `rel` and every folder below it (not below the state folder); False when a
        watch could not be added or a folder is on another filesystem."""
        if rel and self.skip(rel):
            return True
        full = os.path.join(self.root, rel) if rel else self.root
        try:
            info = os.lstat(full)
        except FileNotFoundError:
            return True  # gone again: its event says so
        except OSError:
            return False
        if info.st_dev != self.dev:
            return False
        libc = _libc()
        assert libc is not None
        wd = libc.inotify_add_watch(self.fd, os.fsencode(full), MASK)
        if wd < 0:
            errno = ctypes.get_errno()
            # ENOENT, ENOTDIR: a folder below gone, or a link now (its event says so); the
            # root itself must be watched
            return bool(rel) and errno in (2, 20)
        self.folders[wd] = rel
        try:
            with os.scandir(full) as entries:
                folders = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return all(self._add_tree(_join(rel, name)) for name in folders)


def _working_folder(rel: str) -> bool:
    """The state folder's own folders (staging, a new tree's folders before their commit)."""
    return rel.startswith(f"{STATE_DIR}/")


def hidden(rel: str) -> bool:
    """A folder whose name starts with '.' (a catalogue's `.git`): never catalogue files.
    A state folder is watched for its own entries all the same: its manifest coming or
    going makes the folder above a generated tree, skipped by the catalogue, or not."""
    *above, name = rel.split("/")
    inside = any(part.startswith(".") for part in above)  # a state folder's working folders
    return inside or (name.startswith(".") and name != STATE_DIR)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


_LIBC: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL | None:
    global _LIBC
    if _LIBC is None and sys.platform.startswith("linux"):
        try:
            _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            _LIBC.inotify_init1.argtypes = [ctypes.c_int]
            _LIBC.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        except (OSError, AttributeError):
            return None
    return _LIBC


def filesystem_type(path: Path) -> int | None:
    """statfs(2)'s f_type of the filesystem holding `path` (None when unknown)."""
    libc = _libc()
    if libc is None:
        return None
    buf = ctypes.create_string_buffer(256)  # struct statfs is 120 bytes on 64-bit Linux
    if libc.statfs(os.fsencode(path), buf) != 0:
        return None
    return int(struct.unpack_from("l", buf.raw)[0]) & 0xFFFFFFFF


def unchanged(dirty: set[str]) -> Callable[[str], bool]:
    """Whether a path is outside every path of `dirty` (a folder stands for all below it)."""
    prefixes = tuple(f"{d}/" for d in dirty)

    def clean(path: str) -> bool:
        return path not in dirty and not path.startswith(prefixes)

    return clean
