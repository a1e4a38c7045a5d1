"""stdout and stderr of a command the server runs: text streams that write to the client.

Each chunk of output is sent as a numbered frame and the write returns when the client has
written it to its own stdout or stderr, as a write to a pipe or terminal returns when the
kernel took it. So a slow reader (`| less`) holds the command back, and a failed write
fails in the command with the client's errno: `edgemodels check | head -1` gets the
BrokenPipeError it would get on its own, and `cli.output_closed()` then finds the stream's
file descriptor closed (a pipe of the server's whose reading end is closed when the
client's stdout is) and ends the run quietly with 141.

The streams tell what the client's would: isatty(), encoding, errors, line buffering; the
terminal size is answered in command.py.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import queue
import signal
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from edgemodels.server import wire

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

CHUNK = 1 << 16  # bytes per frame
BUFFER = 8192  # as a BufferedWriter's: what is held before it is sent


class Channel:
    """The server's end of one client's connection while its command runs."""

    def __init__(self, conn: socket.socket, forward: Callable[[Channel, int], None]) -> None:
        self.conn = conn
        self.forward = forward  # a signal for this channel's command
        self.acks: queue.SimpleQueue[tuple[int, int] | None] = queue.SimpleQueue()
        self.sent = 0
        self.gone = False
        self.reader = threading.Thread(target=self._read, name="edgemodels-client", daemon=True)

    def start(self) -> None:
        """Read acks and signals from now on, in a thread that never takes SIGINT or
        SIGTERM: those stay for the main thread, which may be holding them off
        (treewrite's commit)."""
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.reader.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)

    def _read(self) -> None:
        while True:
            try:
                message = wire.receive(self.conn)
            except (OSError, ValueError):
                message = None
            if message is None:  # the client has gone: its command is stopped as by
                self.acks.put(None)  # SIGTERM, as a process whose terminal closed would be
                self.forward(self, signal.SIGTERM)
                return
            if "ack" in message:
                self.acks.put((int(message["ack"]), int(message.get("errno", 0))))
            elif message.get("signal") in (signal.SIGINT, signal.SIGTERM):
                self.forward(self, int(message["signal"]))

    def send(self, message: wire.Message) -> None:
        """Best effort: a client that has gone is not an error of the server."""
        if not self.gone:
            try:
                wire.send(self.conn, message)
            except OSError:
                self.gone = True

    def write(self, kind: str, data: bytes) -> int:
        """Send one chunk and wait until the client wrote it: its errno (0: written).
        Output for a client that has gone is dropped; its command is being stopped."""
        self.sent += 1
        number = self.sent
        self.send({kind: data.decode("latin-1"), "n": number})
        while not self.gone:
            ack = self.acks.get()  # Ctrl-C may interrupt the wait: the chunk was sent
            if ack is None:
                self.gone = True
            elif ack[0] == number:  # an earlier number: the ack of an interrupted wait
                return ack[1]
        return 0

    def close(self) -> None:
        """Stop the reader (it sees the end of the connection) and close."""
        with contextlib.suppress(OSError):
            self.conn.shutdown(socket.SHUT_RDWR)
        if self.reader.ident is not None:  # started
            self.reader.join()
        self.conn.close()


class ClientOutput(io.BufferedIOBase):
    """The binary layer under the client's stdout or stderr (a TextIOWrapper's buffer).

    Unlike a BufferedWriter it empties its buffer before sending, so a send interrupted by
    Ctrl-C while the client writes is never sent again."""

    def __init__(self, channel: Channel, kind: str, tty: bool, unbuffered: bool) -> None:
        super().__init__()
        self.name = "<stdout>" if kind == "out" else "<stderr>"  # as sys.stdout.name
        self.channel = channel
        self.kind = kind
        self.tty = tty
        self.unbuffered = unbuffered  # python -u, PYTHONUNBUFFERED: every write goes at once
        self.pending = bytearray()
        # fileno(): the writing end of a pipe of the server's, never written to; its
        # reading end is closed once the client reports its own stream closed, so that
        # poll() on it says what poll() on the client's would (cli.output_closed).
        self.probe_read, self.probe_write = os.pipe()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.tty

    def fileno(self) -> int:
        return self.probe_write

    def write(self, data: ReadableBuffer) -> int:
        if self.closed:
            raise ValueError("write to closed file")
        size = memoryview(data).nbytes
        self.pending += data
        if self.unbuffered or len(self.pending) >= BUFFER:
            self.flush()
        return size

    def flush(self) -> None:
        if self.closed:
            raise ValueError("flush of closed file")
        while self.pending:
            chunk = bytes(self.pending[:CHUNK])
            del self.pending[:CHUNK]
            failed = self.channel.write(self.kind, chunk)
            if failed:
                self.pending.clear()
                self._fail(failed)

    def _fail(self, number: int) -> None:
        if number == errno.EPIPE and self.probe_read >= 0:
            os.close(self.probe_read)
            self.probe_read = -1
        raise OSError(number, os.strerror(number))  # EPIPE: a BrokenPipeError

    def close(self) -> None:
        """Drop what is left (the server flushes the streams itself when the command
        ends, and a closed client takes nothing more) and close the probe."""
        if not self.closed:
            self.pending.clear()
            for fd in (self.probe_read, self.probe_write):
                if fd >= 0:
                    os.close(fd)
            self.probe_read = self.probe_write = -1
        super().close()


class ClientInput(io.BufferedIOBase):
    """stdin: empty (check and generate read no stdin; `-` is run by the client itself),
    a terminal if the client's is."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.name = "<stdin>"
        self.tty = tty

    def readable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.tty

    def read(self, size: int | None = -1) -> bytes:
        return b""

    def read1(self, size: int = -1) -> bytes:
        return b""

    def readinto(self, buffer: Any) -> int:
        return 0


def text_output(channel: Channel, kind: str, spec: dict[str, Any]) -> io.TextIOWrapper:
    """A text stream as the client's (`spec`: tty, encoding, errors, line_buffering,
    write_through), writing to the client."""
    return io.TextIOWrapper(
        ClientOutput(channel, kind, bool(spec["tty"]), bool(spec["write_through"])),
        encoding=str(spec["encoding"]),
        errors=str(spec["errors"]),
        line_buffering=bool(spec["line_buffering"]),
        write_through=bool(spec["write_through"]),
    )


def text_input(spec: dict[str, Any]) -> io.TextIOWrapper:
    return io.TextIOWrapper(ClientInput(bool(spec["tty"])), encoding="utf-8")
