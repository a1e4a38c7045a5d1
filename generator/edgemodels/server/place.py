"""Where a user's server listens: a folder that is the user's alone, checked before each use.

`$XDG_RUNTIME_DIR/edgemodels/` (the session's private runtime folder) when it is set, else
`/tmp/edgemodels-<uid>/`. Anyone can make a folder in /tmp, so a folder or socket that
belongs to another user, or that others may read or write, is never used: whoever listens
there would receive every command line, working folder and environment sent to it.

Standard library only (os, stat): the client runs this before anything heavy is imported.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping


class Place:
    """The paths in one server folder. A plain class: typing is not imported on the fast path."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    @property
    def socket(self) -> str:
        return os.path.join(self.folder, "server.sock")

    @property
    def pid(self) -> str:
        return os.path.join(self.folder, "server.pid")

    @property
    def log(self) -> str:
        return os.path.join(self.folder, "server.log")

    @property
    def lock(self) -> str:
        """Held by the running server for its whole life (flock): the kernel lets it go
        when the process ends, however it ends."""
        return os.path.join(self.folder, "server.lock")


def place_of(environ: Mapping[str, str]) -> Place:
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):  # the XDG spec: a relative value is to be ignored
        return Place(os.path.join(runtime, "edgemodels"))
    return Place(f"/tmp/edgemodels-{os.getuid()}")


def refusal(path: str, info: os.stat_result, kind: int) -> str | None:
    """Why `path` (lstat `info`) must not be used as a `kind` (stat.S_IFDIR, S_IFSOCK)."""
    if stat.S_IFMT(info.st_mode) != kind:
        return f"{path} is not a {'folder' if kind == stat.S_IFDIR else 'socket'}"
    if info.st_uid != os.getuid():
        return f"{path} belongs to uid {info.st_uid}, not to uid {os.getuid()}"
    if info.st_mode & 0o077:
        return f"{path} is open to other users (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def folder_refusal(where: Place) -> str | None:
    try:
        return refusal(where.folder, os.lstat(where.folder), stat.S_IFDIR)
    except OSError as exc:
        return f"{where.folder}: {exc.strerror}"


def socket_refusal(where: Place, info: os.stat_result) -> str | None:
    """Why the socket found at `where.socket` (lstat `info`) must not be used, if so."""
    return folder_refusal(where) or refusal(where.socket, info, stat.S_IFSOCK)


def ensure_folder(where: Place) -> str | None:
    """Make the folder (0700) if it is missing; why it cannot be used, if it cannot."""
    try:
        os.mkdir(where.folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        return f"cannot make {where.folder}: {exc.strerror}"
    return folder_refusal(where)


def take_lock(where: Place) -> int | None:
    """The lock's file descriptor, held until it is closed (or the process ends); None when
    a running server holds it."""
    import fcntl  # not on the client's fast path

    fd = os.open(where.lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def server_lock(where: Place) -> int:
    """The lock a server starts under, taken (its file descriptor); an unusable folder or a
    server that already runs is the error to show."""
    from edgemodels.errors import OutputError, UsageError  # not on the client's fast path

    problem = ensure_folder(where)
    if problem:
        raise OutputError(f"not starting a server: {problem}")
    lock = take_lock(where)
    if lock is None:
        raise UsageError(f"a server already runs (pid {recorded_pid(where)}, {where.socket})")
    return lock


def recorded_pid(where: Place) -> int | None:
    try:
        with open(where.pid, encoding="ascii") as fh:
            return int(fh.read().strip())
    except (OSError, ValueError):
        return None


def remove_if_stale(where: Place) -> None:
    """Remove the socket and pid file of a server that has gone: only if no process has
    the pid the pid file names and no process holds the lock (a server starting right
    now holds it before it binds)."""
    pid = recorded_pid(where)
    if pid is not None:
        try:
            os.kill(pid, 0)
            return
        except ProcessLookupError:
            pass
        except OSError:  # EPERM: the pid is another user's process, so not our server
            pass
    fd = take_lock(where)
    if fd is None:
        return
    try:
        for path in (where.socket, where.pid):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    finally:
        os.close(fd)
