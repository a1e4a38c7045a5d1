"""SIGINT and SIGTERM in the server: for the command it runs, or for the server itself.

A client forwards the Ctrl-C (or SIGTERM) it gets; the connection's reader thread sends the
same signal to the main thread (pthread_kill), where the command runs. A real signal, not
`_thread.interrupt_main()`: a signal the main thread has blocked waits, so generate's
commit, which blocks SIGINT and SIGTERM until its renames are done (treewrite), is still
never cut short. The handler then raises what the command would get in a process of its
own: KeyboardInterrupt, or Terminated for SIGTERM.

A signal nobody forwarded is for the server (`kill`, a shutdown, Ctrl-C on `server run`):
it stops the command it runs, if any, as that command's own process would be stopped, and
the server ends. Signals that come while the server sets a command up or puts its own
state back are held until the command starts, or dropped once it is over; the handler
never raises into the server's own code.
"""

from __future__ import annotations

import queue
import signal
import threading
from types import FrameType

from edgemodels.errors import Terminated

IDLE = "idle"  # waiting for a command: a signal for the server raises ServerStop
BUSY = "busy"  # between commands: a signal for the server is noted (stopping)
SETUP = "setup"  # the client's state is being set up: a forwarded signal waits
COMMAND = "command"  # cli.main runs: signals raise
TEARDOWN = "teardown"  # the server's state is being put back: forwarded signals dropped

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ServerStop(Exception):
    """SIGINT or SIGTERM for the server while it waits for a command."""


def stop_exception(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


class Interrupts:
    def __init__(self) -> None:
        self.phase = IDLE
        self.stopping = False
        self.pending: int | None = None  # forwarded during SETUP
        self.channel: object | None = None  # whose command runs
        self.lock = threading.Lock()
        self.main = threading.main_thread().ident or 0
        # One item per signal forwarded and not yet handled (put by a reader thread, taken
        # by the handler in the main thread: SimpleQueue's put and get are atomic).
        self.forwarded: dict[int, queue.SimpleQueue[int]] = {}
        for each in SIGNALS:
            self.forwarded[each] = queue.SimpleQueue()

    def install(self) -> None:
        for each in SIGNALS:
            signal.signal(each, self.handle)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        try:
            self.forwarded[signum].get_nowait()
            forwarded = True
        except queue.Empty:
            forwarded = False
            self.stopping = True
        if self.phase == COMMAND:
            raise stop_exception(signum)
        if forwarded and self.phase == SETUP:
            self.pending = signum
        elif not forwarded and self.phase == IDLE:
            raise ServerStop

    def forward(self, channel: object, signum: int) -> None:
        """From a connection's reader thread: interrupt that connection's command, if it
        still runs."""
        with self.lock:
            if self.channel is channel and self.phase in (SETUP, COMMAND):
                self.forwarded[signum].put(signum)
                signal.pthread_kill(self.main, signum)

    def begin(self, channel: object) -> None:
        with self.lock:
            self.channel = channel
            self.pending = None
            self.phase = SETUP

    def enter(self) -> None:
        """The command starts now; a signal forwarded while it was set up stops it here."""
        self.phase = COMMAND
        if self.pending is not None:
            signum, self.pending = self.pending, None
            raise stop_exception(signum)

    def end(self) -> None:
        with self.lock:
            self.channel = None
            self.phase = BUSY
