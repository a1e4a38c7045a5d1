"""Frames on the server's socket: a 4-byte big-endian length, then that many bytes of JSON.

Client to server: one request (`argv`, `cwd`, `env`, ...; or `control`: status or stop),
then `ack` (a chunk of output was written: its number, and the errno if that failed) and
`signal` (the client got SIGINT or SIGTERM). Server to client: `stale` (run it yourself),
`started`, `out` and `err` (bytes as Latin-1 text, numbered), `exit`; or the answer to a
control request. JSON is ASCII-escaped, so text that holds lone surrogates (file names and
environment values that are not UTF-8) travels too.
"""

from __future__ import annotations

import json
import socket
import struct

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: typing takes milliseconds to import
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    Message: TypeAlias = dict[str, Any]

HEADER = struct.Struct(">I")
MAX_FRAME = 64 << 20  # far above any request or chunk; a larger length is a broken peer


def encode(message: Message) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("ascii")
    return HEADER.pack(len(body)) + body


def send(sock: socket.socket, message: Message) -> None:
    sock.sendall(encode(message))


def receive(sock: socket.socket) -> Message | None:
    """The next message; None when the peer closed the connection between two frames."""
    header = _exactly(sock, HEADER.size, eof_ok=True)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ConnectionError(f"frame of {size} bytes")
    return _decoded(_exactly(sock, size, eof_ok=False) or b"")


def _exactly(sock: socket.socket, size: int, eof_ok: bool) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            if eof_ok and not data:
                return None
            raise ConnectionError("connection closed inside a frame")
        data += chunk
    return bytes(data)


def _decoded(body: bytes | bytearray) -> Message:
    message = json.loads(body)
    if not isinstance(message, dict):
        raise ConnectionError("a frame that is not a JSON object")
    return message


class Frames:
    """Messages cut from a byte stream read in pieces (the client's select loop)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self.buffer += data
        messages = []
        while len(self.buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.buffer)
            if size > MAX_FRAME:
                raise ConnectionError(f"frame of {size} bytes")
            end = HEADER.size + size
            if len(self.buffer) < end:
                break
            messages.append(_decoded(self.buffer[HEADER.size : end]))
            del self.buffer[:end]
        return messages
