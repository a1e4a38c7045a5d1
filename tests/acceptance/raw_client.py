"""A client that misbehaves on purpose, for the server's tests (run as a script, so that its
interpreter settings are a real client's).

    python raw_client.py hold  ARGS...   sends the command, acks nothing until stdin closes
    python raw_client.py leave ARGS...   sends the command, leaves once it has started

It prints each frame's keys as it gets them, one line each, flushed.
"""

from __future__ import annotations

import socket
import sys

from edgemodels.server import wire
from edgemodels.server.client import _request
from edgemodels.server.place import place_of


def main(mode: str, args: list[str]) -> int:
    import os

    request = _request(args)
    assert request is not None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(place_of(os.environ).socket)
    wire.send(sock, request)
    while (message := wire.receive(sock)) is not None:
        print(" ".join(sorted(message)), flush=True)
        if mode == "leave" and message.get("started"):
            sock.close()
            return 0
        if mode == "hold" and ("out" in message or "err" in message):
            sys.stdin.read()  # the command waits for this ack meanwhile
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
