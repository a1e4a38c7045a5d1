"""`edgemodels server start|stop|status`, seen from the command line: start a server in the
background and wait until it listens, ask one to stop or how it is."""

from __future__ import annotations

import os
import select
import socket
import sys
import time
from typing import Any

from edgemodels.errors import OutputError, UsageError
from edgemodels.server import wire
from edgemodels.server.place import (
    Place,
    remove_if_stale,
    server_lock,
    socket_refusal,
    take_lock,
)

START_SECONDS = 30.0  # to import edgemodels and listen, on a slow machine
STOP_SECONDS = 60.0  # the server finishes the command it runs before it stops
LOG_LIMIT = 1 << 20  # a longer log is emptied when the next server starts


def start(where: Place, idle_timeout: str) -> int:
    """Start a server in a session of its own, its output in the log; its pid once it
    listens."""
    # The server takes the lock itself; should another start win the race, it says so.
    os.close(server_lock(where))
    ready, ready_writer = os.pipe()
    os.set_inheritable(ready_writer, True)
    log = _open_log(where)
    argv = [sys.executable, "-P", "-m", "edgemodels", "server", "run"]
    argv += ["--idle-timeout", idle_timeout, "--ready-fd", str(ready_writer)]
    try:
        pid = os.posix_spawn(
            sys.executable,
            argv,
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log, 1),
                (os.POSIX_SPAWN_DUP2, log, 2),
            ],
            setsid=True,  # no terminal: Ctrl-C in the shell that started it stops clients only
        )
    except OSError as exc:
        os.close(ready)
        raise OutputError(f"cannot start {sys.executable}: {exc.strerror}") from exc
    finally:
        os.close(ready_writer)
        os.close(log)
    answer = _read_all(ready, START_SECONDS)
    if answer != "ready":
        raise OutputError(f"the server did not start: {answer or 'no answer'}; see {where.log}")
    return pid


def _open_log(where: Place) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(where.log, flags, 0o600)
    except OSError as exc:
        raise OutputError(f"cannot open {where.log}: {exc.strerror}") from exc
    if os.fstat(fd).st_size > LOG_LIMIT:
        os.ftruncate(fd, 0)
    return fd


def _read_all(fd: int, seconds: float) -> str:
    """What is written to `fd` until its writers close it, or until `seconds` pass."""
    deadline = time.monotonic() + seconds
    data = b""
    try:
        while (left := deadline - time.monotonic()) > 0 and select.select([fd], [], [], left)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace").strip()


def stop(where: Place) -> int:
    """Ask the server to stop; its pid once it has. UsageError when none runs."""
    answer = ask(where, "stop")
    if answer is None:
        raise UsageError(f"no server runs (no server listens on {where.socket})")
    pid = int(answer["stopping"])
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline:
        lock = take_lock(where)  # the server's lock goes when its process ends
        if lock is not None:
            os.close(lock)
            return pid
        time.sleep(0.02)
    raise OutputError(f"the server (pid {pid}) is still finishing a command; it stops after it")


def ask(where: Place, what: str) -> dict[str, Any] | None:
    """The server's answer to a control request; None when no server runs."""
    try:
        info = os.lstat(where.socket)
    except FileNotFoundError:
        return None
    problem = socket_refusal(where, info)
    if problem:
        raise OutputError(f"not using the server: {problem}")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(where.socket)
        except ConnectionRefusedError:
            remove_if_stale(where)
            return None
        except OSError:
            return None
        sock.settimeout(10.0)  # the answer comes from the accepting thread, never queued
        wire.send(sock, {"control": what})
        return wire.receive(sock)
