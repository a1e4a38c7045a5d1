"""The fast path of `edgemodels check|generate`: hand the command to the user's server, if one
runs, and relay what it writes.

launch.py calls this before click or anything heavy is imported, and it imports only the
standard library modules it needs, the socket ones only once a socket is there: with no
server, the cost is one lstat. None means: run the command here. That is the answer for a
missing or dead server (a dead one's socket is removed), a folder or socket that is not the
user's alone (with a warning), a server with other code or interpreter settings (silently),
and a server that ends before the command does (with a line on stderr: check and generate
may run again, generate's writes are atomic).

Ctrl-C and SIGTERM are forwarded to the server, which stops the command as they would
stop it here; a second one, or one before the command started (it waits its turn behind
another client's), leaves at once.
"""

from __future__ import annotations

import os
import sys

from edgemodels.server.place import Place, place_of, socket_refusal
from edgemodels.umask import current_umask

TYPE_CHECKING = False  # typing itself is not imported here: it takes milliseconds
if TYPE_CHECKING:
    from typing import Any

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # as in edgemodels.cli (not imported: click)


def run_on_server(args: list[str]) -> int | None:
    """The exit status of the command the server ran; None to run it here."""
    where = place_of(os.environ)
    try:
        info = os.lstat(where.socket)
    except OSError:
        return None  # no server: the usual case
    problem = socket_refusal(where, info)
    if problem:
        sys.stderr.write(f"edgemodels: warning: not using the server: {problem}\n")
        return None
    request = _request(args)
    if request is None:
        return None
    import socket

    sock = _connect(socket, where)
    if sock is None:
        return None
    with sock:
        return _relay(sock, request)


def _connect(socket: Any, where: Place) -> Any:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(where.socket)
    except OSError as exc:
        sock.close()
        if isinstance(exc, ConnectionRefusedError):  # nobody listens: a dead server's
            from edgemodels.server.place import remove_if_stale

            remove_if_stale(where)
        return None
    return sock


def _request(args: list[str]) -> dict[str, Any] | None:
    """What the server needs to run the command as this process would; None when this
    process has no working folder, or a stream is closed or not a plain text stream."""
    from edgemodels.server.stamp import code_stamp, interpreter

    try:
        cwd = os.getcwd()
        streams = {"stdout": _stream(sys.stdout), "stderr": _stream(sys.stderr)}
    except (OSError, AttributeError, ValueError):
        return None
    main = sys.modules["__main__"]
    return {
        "v": 1,
        "argv": args,
        "argv0": sys.argv[0],
        "main": getattr(main, "__package__", None),
        "cwd": cwd,
        "env": dict(os.environ),
        "umask": current_umask(),
        "streams": {**streams, "stdin": {"tty": _isatty(sys.stdin)}},
        "stamp": code_stamp(),
        "python": interpreter(),
    }


def _stream(stream: Any) -> dict[str, Any]:
    tty = stream.isatty()
    return {
        "tty": tty,
        "size": list(os.get_terminal_size(stream.fileno())) if tty else None,
        "encoding": stream.encoding,
        "errors": stream.errors,
        "line_buffering": stream.line_buffering,
        "write_through": stream.write_through,
    }


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _relay(sock: Any, request: dict[str, Any]) -> int | None:
    import signal

    from edgemodels.server import wire

    # Signals go to the relay loop before the request does: the command may start at once.
    read, write = os.pipe()
    os.set_blocking(write, False)
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    previous = {each: signal.signal(each, _noted) for each in (signal.SIGINT, signal.SIGTERM)}
    try:
        sock.sendall(wire.encode(request))
        return Relay(sock, read, wire).run()
    except OSError:  # the server went before it had the request: nothing ran
        return None
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)
        signal.set_wakeup_fd(previous_fd)
        os.close(read)
        os.close(write)


def _noted(signum: int, frame: Any) -> None:
    """The signal's number is in the wakeup pipe, for the relay loop."""


class Relay:
    """The loop: the server's frames to stdout and stderr, signals to the server."""

    def __init__(self, sock: Any, signals: int, wire: Any) -> None:
        self.sock = sock
        self.signals = signals
        self.wire = wire
        self.frames = wire.Frames()
        self.started = False
        self.forwarded = False
        self.failed: dict[int, int] = {}  # fd -> errno of a write that failed

    def run(self) -> int | None:
        import select

        while True:
            ready = select.select([self.sock, self.signals], [], [])[0]
            if self.signals in ready:
                for signum in os.read(self.signals, 64):
                    left = self._signal(signum)
                    if left is not None:
                        return left
            if self.sock in ready:
                data = self._receive()
                if data is None:
                    return None
                for message in self.frames.feed(data):
                    if "exit" in message:
                        return int(message["exit"])
                    if "stale" in message:
                        return None
                    self._handle(message)

    def _receive(self) -> bytes | None:
        try:
            data = bytes(self.sock.recv(1 << 16))
        except OSError:
            data = b""
        if not data:
            sys.stderr.write(
                "edgemodels: warning: the server ended before the command did; running it here\n"
            )
            return None
        return data

    def _signal(self, signum: int) -> int | None:
        """Forward a SIGINT or SIGTERM; leave (its exit status) on a second one, or when
        the command has not started."""
        if self.started and not self.forwarded and self._send({"signal": signum}):
            self.forwarded = True
            return None
        terminated = signum == 15
        sys.stderr.write(f"edgemodels: {'terminated' if terminated else 'interrupted'}\n")
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED

    def _handle(self, message: dict[str, Any]) -> None:
        if message.get("started"):
            self.started = True
            return
        for key, fd in (("out", 1), ("err", 2)):
            if key in message:
                failed = self._write(fd, message[key].encode("latin-1"))
                reply = {"ack": message["n"], "errno": failed} if failed else {"ack": message["n"]}
                self._send(reply)

    def _write(self, fd: int, data: bytes) -> int:
        if fd in self.failed:
            return self.failed[fd]
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(fd, view) :]
        except OSError as exc:
            self.failed[fd] = exc.errno or 5
            return self.failed[fd]
        return 0

    def _send(self, message: dict[str, Any]) -> bool:
        """False when the server has gone (its end of the connection is seen next)."""
        try:
            self.sock.sendall(self.wire.encode(message))
        except OSError:
            return False
        return True
