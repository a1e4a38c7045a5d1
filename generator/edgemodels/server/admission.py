"""What the server checks of a connection before it runs its command, and what it logs
when it will not: the peer is the user's own process, the request has the fields a command
is run with; the differences of a client's code stamp and interpreter settings."""

from __future__ import annotations

import os
import socket
import struct
from typing import Any

from edgemodels.display import quoted

REQUEST: dict[str, type] = {
    "argv": list,
    "argv0": str,
    "cwd": str,
    "env": dict,
    "umask": int,
    "streams": dict,
}
STREAM: dict[str, type | tuple[type, ...]] = {
    "tty": bool,
    "size": (list, type(None)),
    "encoding": str,
    "errors": str,
}


def well_formed(request: dict[str, Any]) -> bool:
    """The fields a command is run with, of the right types (the rest is compared)."""
    streams = request.get("streams")
    return (
        all(isinstance(request.get(key), kind) for key, kind in REQUEST.items())
        and isinstance(streams, dict)
        and all(
            isinstance(streams.get(name), dict)
            and all(isinstance(streams[name].get(key), kind) for key, kind in STREAM.items())
            for name in ("stdout", "stderr")
        )
        and isinstance(streams.get("stdin"), dict)
    )


def first_difference(theirs: object, ours: str) -> str:
    """The first line of the client's code stamp that is not the server's (a file)."""
    lines = str(theirs).splitlines()
    mine = ours.splitlines()
    for index, line in enumerate(lines):
        if index >= len(mine) or line != mine[index]:
            return (
                f"{quoted(line)}, here {quoted(mine[index])}" if index < len(mine) else quoted(line)
            )
    return f"the server also has {quoted(mine[len(lines)])}" if len(mine) > len(lines) else "?"


def changed(theirs: object, ours: dict[str, Any]) -> str:
    """The interpreter settings in which the client differs from the server."""
    if not isinstance(theirs, dict):
        return "none"
    return ", ".join(
        f"{key} {_setting(theirs.get(key))} (here {_setting(ours[key])})"
        for key in ours
        if theirs.get(key) != ours[key]
    )


def _setting(value: object) -> str:
    """A setting as Python writes it, but its strings (paths) quoted as display.quoted
    quotes them: repr wrote a path not ASCII, under an ASCII locale, as surrogate escapes."""
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(_setting(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_setting(k)}: {_setting(v)}" for k, v in value.items()) + "}"
    return repr(value)


def same_user(conn: socket.socket) -> bool:
    """The folder is the user's alone, but root can still connect: only the user's own
    processes are served."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    size = struct.calcsize("3i")
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, size))
    return bool(uid == os.getuid())
