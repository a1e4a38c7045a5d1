"""Where the server listens, set up before it serves: the lock taken, the socket bound (0600)
and listening, the pid file written, or why not. Apart from serve.py, which serves on it."""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass

from edgemodels.errors import OutputError
from edgemodels.server.place import Place, server_lock

BACKLOG = 64


@dataclass
class Listening:
    where: Place
    listener: socket.socket
    lock: int  # file descriptor holding the lock


def listen(where: Place) -> Listening:
    """Take the lock, bind the socket (0600) and write the pid file, or say why not."""
    lock = server_lock(where)
    try:
        with contextlib.suppress(FileNotFoundError):  # a dead server's: we hold the lock
            os.unlink(where.socket)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        mask = os.umask(0o177)
        try:
            listener.bind(where.socket)
        finally:
            os.umask(mask)
        listener.listen(BACKLOG)
        _write_pid(where)
    except OSError as exc:
        os.close(lock)
        raise OutputError(f"cannot listen on {where.socket}: {exc.strerror or exc}") from exc
    return Listening(where, listener, lock)


def _write_pid(where: Place) -> None:
    temporary = f"{where.pid}.{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(f"{os.getpid()}\n")
    os.replace(temporary, where.pid)
