"""The server: a socket, one command at a time in the main thread, the others queued.

A thread accepts connections and reads each first frame: a status or stop request is
answered at once, a client whose code stamp or interpreter differs is told to run the
command itself (and if the server's own files have changed, it stops after the command it
runs), and the rest wait in a queue. The main thread takes them in turn: the client's
process state set up (command.py), `cli.main(argv)` inside `serving.active(state)`, the
exit status sent, the server's state put back. It ends after `--idle-timeout` without a
command, on `server stop`, on SIGINT or SIGTERM, and once its code is out of date.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import queue
import shlex
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from edgemodels import __version__, resident, serving
from edgemodels.server import wire
from edgemodels.server.admission import changed, first_difference, same_user, well_formed
from edgemodels.server.command import CannotEnter, client_state, run_command
from edgemodels.server.interrupts import BUSY, IDLE, Interrupts, ServerStop
from edgemodels.server.listener import Listening
from edgemodels.server.stamp import code_stamp, interpreter
from edgemodels.server.streams import Channel

PROTOCOL = 1
QUIET_SECONDS = 1.0  # without a command for this long, collect what the last ones left
FIRST_FRAME_SECONDS = 5.0  # a connection that sends no request in this time is dropped

Work = tuple[socket.socket, dict[str, Any]]  # a connection and its request


class Server:
    def __init__(self, listening: Listening, idle_timeout: float | None, log: TextIO) -> None:
        self.listening = listening
        self.idle_timeout = idle_timeout
        self.log_file = log
        self.stamp = code_stamp()
        self.python = json.loads(json.dumps(interpreter()))  # as a client's arrives
        self.interrupts = Interrupts()
        self.work: queue.SimpleQueue[Work | None] = queue.SimpleQueue()
        self.state = resident.Resident()
        self.started = self.last_command = time.monotonic()
        self.commands = 0
        self.litter = False  # commands ran since the last full garbage collection
        self.running: tuple[list[str], float] | None = None  # argv and start, for status
        self.acceptor = threading.Thread(target=self._accept, name="edgemodels-accept", daemon=True)

    def log(self, text: str) -> None:
        with contextlib.suppress(Exception):
            self.log_file.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n")
            self.log_file.flush()

    def serve(self) -> int:
        self.interrupts.install()
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.acceptor.start()  # SIGINT and SIGTERM go to the main thread only
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        self.log(f"listening on {self.listening.where.socket} (pid {os.getpid()}, {__version__})")
        try:
            self._loop()
        except ServerStop:
            self.log("stopping: signal")
        finally:
            self._close()
        return 0

    def _loop(self) -> None:
        while not self.interrupts.stopping:
            self.interrupts.phase = IDLE
            try:
                item = self.work.get(timeout=self._wait())
            except queue.Empty:
                if not self.litter:
                    self.log(f"stopping: idle for {self.idle_timeout:g} s")
                    return
                self.interrupts.phase = BUSY
                self._collect()
                continue
            self.interrupts.phase = BUSY
            if item is not None:
                try:
                    self._serve(*item)
                except Exception as exc:  # a bug here: the client runs the command itself
                    self.log(f"internal error: {type(exc).__name__}: {exc}")
                    item[0].close()
        self.log("stopping")

    def _collect(self) -> None:
        """A full collection once the commands have stopped coming for a moment: in
        between, a client would wait for it (tens of milliseconds on a large heap). What
        the commands learned goes into the output folders' caches then too, for the runs
        made without the server (resident.Resident.flush)."""
        gc.collect()
        self._keep("write the caches", self.state.flush)
        self.litter = False

    def _keep(self, what: str, step: Callable[[], None]) -> None:
        """A cache is only a cache: failing to write one is logged, never the server's end."""
        try:
            step()
        except Exception as exc:
            self.log(f"could not {what}: {type(exc).__name__}: {exc}")

    def _wait(self) -> float | None:
        """How long to wait for the next command: until the idle timeout, or until it is
        time to collect garbage."""
        left = self._idle_left()
        if not self.litter:
            return left
        return QUIET_SECONDS if left is None else min(left, QUIET_SECONDS)

    def _idle_left(self) -> float | None:
        if self.idle_timeout is None:
            return None
        return max(0.0, self.idle_timeout - (time.monotonic() - self.last_command))

    def _serve(self, conn: socket.socket, request: wire.Message) -> None:
        if _left(conn):  # Ctrl-C while it waited its turn: the client ran nothing
            conn.close()
            return
        start = time.monotonic()
        self.running = (request["argv"], start)
        channel = Channel(conn, self.interrupts.forward)
        status = self._run(channel, request)
        self.running = None
        if status is not None:
            channel.send({"exit": status})
        channel.close()
        self.commands += 1
        elapsed = time.monotonic() - start
        self.log(f"{shlex.join(request['argv'])}: exit {status} in {elapsed:.3f} s")
        self.litter = True
        self.last_command = time.monotonic()

    def _run(self, channel: Channel, request: wire.Message) -> int | None:
        self.interrupts.begin(channel)
        try:
            with client_state(request, channel), serving.active(self.state):
                channel.send({"started": True})
                channel.start()
                return run_command(request, self.interrupts)
        except CannotEnter as exc:
            channel.send({"stale": f"cannot enter the working folder: {exc}"})
            return None
        finally:
            self.interrupts.end()

    # --- the accepting thread --------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listening.listener.accept()
            except OSError:  # shut down: the server ends
                return
            try:
                self._admit(conn)
            except Exception as exc:  # one broken client never stops the server
                self.log(f"dropped a connection: {type(exc).__name__}: {exc}")
                conn.close()

    def _admit(self, conn: socket.socket) -> None:
        if not same_user(conn):
            conn.close()
            return
        conn.settimeout(FIRST_FRAME_SECONDS)
        request = wire.receive(conn)
        conn.settimeout(None)
        control = request.get("control") if request else None
        refusal = None if request is None or control else self._refusal(request)
        if request is None:
            conn.close()
        elif control == "status":
            self._answer(conn, {"status": self.status()})
        elif control == "stop":
            self._answer(conn, {"stopping": os.getpid()})
            self.stop("server stop")
        elif control is not None:
            conn.close()
        elif refusal is not None:
            self.log(f"{shlex.join(request.get('argv') or [])}: not run: {refusal}")
            self._answer(conn, {"stale": refusal})
        else:
            self.work.put((conn, request))

    def _answer(self, conn: socket.socket, message: wire.Message) -> None:
        with contextlib.suppress(OSError):
            wire.send(conn, message)
        conn.close()

    def _refusal(self, request: wire.Message) -> str | None:
        """Why this server must not run the request's command, if so."""
        if self.interrupts.stopping:
            return "the server is stopping"
        if request.get("v") != PROTOCOL or not well_formed(request):
            return "another protocol"
        if request.get("stamp") != self.stamp:
            self.log(
                f"a client's code differs: {first_difference(request.get('stamp'), self.stamp)}"
            )
            if code_stamp() != self.stamp:
                self.stop("edgemodels' files have changed since the server started")
                return "the server's code is out of date"
            return "another edgemodels installation"
        if request.get("python") != self.python:
            return f"other interpreter settings: {changed(request.get('python'), self.python)}"
        return None

    def stop(self, why: str) -> None:
        if not self.interrupts.stopping:
            self.log(f"stop requested: {why}")
        self.interrupts.stopping = True
        self.work.put(None)

    def status(self) -> dict[str, Any]:
        where = self.listening.where
        running = self.running
        return {
            "pid": os.getpid(),
            "version": __version__,
            "uptime": time.monotonic() - self.started,
            "commands": self.commands,
            "running": None if running is None else [running[0], time.monotonic() - running[1]],
            "rss": resident_memory(),
            "socket": where.socket,
            "log": where.log,
            "idle_timeout": self.idle_timeout,
            "idle_left": self._idle_left(),
        }

    def _close(self) -> None:
        """New clients find no socket; queued ones are told to run their command
        themselves. The lock stays: it goes with the process (launch.py ends it with
        os._exit), so `server stop`, which waits for it, returns once the process is gone."""
        where = self.listening.where
        for path in (where.socket, where.pid):
            with contextlib.suppress(OSError):
                os.unlink(path)
        with contextlib.suppress(OSError):
            self.listening.listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self.listening.listener.close()
        self.acceptor.join(timeout=FIRST_FRAME_SECONDS + 1)
        while True:
            try:
                item = self.work.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self._answer(item[0], {"stale": "the server is stopping"})
        self._keep("write the caches and close the watches", self.state.close)
        self.log(f"stopped after {self.commands} commands")


def _left(conn: socket.socket) -> bool:
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def resident_memory() -> int | None:
    """Bytes of memory the process has resident now (Linux), or None."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
