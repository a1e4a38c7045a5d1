"""What Helm's Go code writes to standard error during one call, caught for that call.

Helm logs with Go's `log` and `slog` straight to file descriptor 2: coalescing warnings
(values that disagree in shape with a chart's defaults), symlinks its loader follows, and
so on (helmwarn.py turns them into findings). So while a Helm call runs, descriptor 2 is a
pipe: each call, when it returns, reads what is in it and keeps Helm's Go log lines
(`2006/01/02 15:04:05 text`, where the text is one Helm is known to log: golog.HELMS);
whatever else came (the progress bar, Python's warnings, other threads, a Go log line
that is not Helm's) goes on to the real stderr unchanged and in order. A reader thread empties
the pipe meanwhile, so a call that logs more than a pipe holds never blocks, and what is
written after the last call is passed on too.

Charts render side by side, in threads, and descriptor 2 is the whole process's: a line
read while two calls ran could be either one's. Such calls are run again alone (another
call waits), which gives their lines exactly: a call says the same each time (only the
order of its lines varies, with Go's map order). Lines read while no call runs are
nobody's: they are passed on.

The pipe is in place only while a Helm call runs (a terminal check elsewhere, such as the
progress bar's, sees the real stderr outside them). A child process started meanwhile
inherits it; what it writes later is still passed on. A process that dies inside a Helm call
(a Go runtime crash exits at once) leaves what it wrote last in the pipe: a keeper process
passes that on (_keeper). It holds the stderr it was given until this process ends, and
no longer: a child forked without exec (a daemon, a `fork` worker) closes the pipe and
the keeper's lifeline at once (_forget), else a reader of that stderr (`2>&1 | cat`,
`subprocess.run(capture_output=True)`) waited for the child to end as well.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from edgemodels.validate.golog import GO_LOG, HELMS, line_end, line_start

T = TypeVar("T")


@dataclass
class _Call:
    lines: list[str] = field(default_factory=list)
    shared: bool = False  # a line came while another call ran too: whose is unknown


class _Tap:
    """Descriptor 2 led through a pipe while any Helm call runs (see the module's doc)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the pipe, the calls and the redirection
        self.read_end, self.write_end = os.pipe()
        # Not non-blocking (the keeper's `cat` reads it too): a poll says what can be read.
        self.ready = select.poll()
        self.ready.register(self.read_end, select.POLLIN)
        self.keeper = _keeper(self.read_end)
        self.saved: int | None = None  # the real fd 2 while it is the pipe
        self.calls: set[int] = set()  # ids of the calls running
        self.by_id: dict[int, _Call] = {}
        self.held = b""  # read, not yet whole (a line's start)
        self.turns = threading.Condition()  # calls side by side, or one alone
        self.running = 0
        self.alone = 0  # calls run again alone, waiting or running
        threading.Thread(target=self._drain_forever, name="helm-stderr", daemon=True).start()

    def call(self, fn: Callable[[], T], heard: list[str]) -> T:
        """fn(), with the Go log lines it wrote added to `heard` (even when it raises)."""
        one = _Call()
        try:
            with self._side_by_side():
                self._open(one)
                try:
                    return fn()
                finally:
                    self._close(one)
        finally:
            if one.shared:
                one = self._again(fn)
            heard.extend(one.lines)

    def _again(self, fn: Callable[[], object]) -> _Call:
        """fn run again with no other Helm call beside it: only its lines come."""
        one = _Call()
        with self.turns:
            self.alone += 1
            self.turns.wait_for(lambda: self.running == 0)
            self.running += 1
        try:
            self._open(one)
            try:
                close = getattr(fn(), "close", None)  # a loaded chart, made twice
                if callable(close):
                    close()
            except Exception:  # the first call raised it too, and said so
                pass
            finally:
                self._close(one)
        finally:
            with self.turns:
                self.running -= 1
                self.alone -= 1
                self.turns.notify_all()
        return one

    def forget(self) -> None:
        """In a child forked without exec: let go of the pipe, the keeper's lifeline and,
        when forked inside a call, the pipe as fd 2 (the child's stderr is the real one)."""
        ends = [self.read_end, self.write_end, *(self.keeper[1:] if self.keeper else ())]
        if self.saved is not None:
            os.dup2(self.saved, 2)
            ends.append(self.saved)
        for end in ends:
            with contextlib.suppress(OSError):
                os.close(end)

    def _side_by_side(self) -> _Turn:
        return _Turn(self)

    def _open(self, one: _Call) -> None:
        with self.lock:
            if not self.calls:
                self._drain()  # what came since the last call is nobody's
                try:
                    self.saved = os.dup(2)
                    os.dup2(self.write_end, 2)
                except OSError:  # no stderr (closed): nothing to catch
                    self.saved = None
            self.calls.add(id(one))
            self.by_id[id(one)] = one

    def _close(self, one: _Call) -> None:
        with self.lock:
            self._drain()  # the call has returned: everything it wrote is in the pipe
            self.calls.discard(id(one))
            del self.by_id[id(one)]
            if not self.calls and self.saved is not None:
                self._drain(whole=True)
                os.dup2(self.saved, 2)
                os.close(self.saved)
                self.saved = None

    def _drain_forever(self) -> None:
        waiting = select.poll()  # not select(): a descriptor above 1023 is fine
        waiting.register(self.read_end, select.POLLIN)
        while True:
            waiting.poll()
            with self.lock:
                self._drain()

    def _drain(self, whole: bool = False) -> None:
        """Read what the pipe holds and sort it (the lock is held). `whole`: a line's start
        held back is passed on too (no writer can finish it: the calls are done)."""
        while self.ready.poll(0):  # only holders of the lock read: what it says is there
            chunk = os.read(self.read_end, 65536)
            if not chunk:
                break
            self.held += chunk
        self.held = self._sort(self.held)
        if whole and self.held:
            self._pass(self.held)
            self.held = b""

    def _sort(self, data: bytes) -> bytes:
        """Keep Helm's Go log lines of `data`, pass on the rest; what may be the start of a
        line not yet whole is returned, to be sorted with what comes next."""
        while data:
            match = GO_LOG.search(data)
            if match is None:
                keep = line_start(data)
                self._pass(data[:keep])
                return data[keep:]
            self._pass(data[: match.start()])
            end = line_end(data, match.end())
            if end is None:
                return data[match.start() :]
            if HELMS.match(data, match.end()):
                self._heard(data[match.start() : end + 1], match.end() - match.start())
            else:
                self._pass(data[match.start() : end + 1])
            data = data[end + 1 :]
        return b""

    def _heard(self, line: bytes, date: int) -> None:
        """A line of Helm's (`date` bytes of Go's date, then its text, then a newline)."""
        if not self.calls:  # written while no Helm call ran: not one's to report
            self._pass(line)
            return
        text = line[date:-1].decode("utf-8", "replace")
        calls = [self.by_id[c] for c in self.calls]
        if len(calls) == 1:
            calls[0].lines.append(text)
        for one in calls if len(calls) > 1 else ():
            one.shared = True

    def _pass(self, data: bytes) -> None:
        """Write `data` to the real stderr (fd 2 itself when the pipe is not in place)."""
        target = self.saved if self.saved is not None else 2
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(target, view) :]
            except BlockingIOError:  # a stderr made non-blocking elsewhere: wait, not drop
                writable = select.poll()
                writable.register(target, select.POLLOUT)
                writable.poll()
            except OSError:  # stderr closed: nothing can be said on it
                return


def _keeper(read_end: int) -> tuple[subprocess.Popen[bytes], int] | None:
    """A process that passes on what is left in the pipe once this one is gone, and the
    lifeline it waits on: a process that dies inside a Helm call (a Go runtime crash exits
    at once, Ctrl-C, SIGKILL) leaves its last words in the pipe, where the reader thread,
    gone with it, passed on only 4 of 20 in a test. The keeper reads nothing before: the
    lines are this process's to sort. (`sh` and `cat`: a few ms to start, no interpreter.)"""
    lifeline, alive = os.pipe()  # `alive` is this process's only: its end is the sign
    try:
        # Its stdin the lifeline, its fd 2 the pipe's read end: dash takes no fd above 9
        # in a redirection, and Popen maps only these three.
        keeper = subprocess.Popen(
            ["sh", "-c", "cat >/dev/null; exec cat <&2"],
            stdin=lifeline,
            stdout=2,  # stderr as it is now (the pipe is not in place yet)
            stderr=read_end,
            start_new_session=True,  # a Ctrl-C at the terminal stops this process, not it
        )
    except OSError:  # no sh: without a keeper, as before
        os.close(alive)
        return None
    finally:
        os.close(lifeline)
    return keeper, alive


class _Turn:
    """Held by each call run side by side with others; a call run again alone waits for
    them to end, and new ones wait for it."""

    def __init__(self, tap: _Tap) -> None:
        self.tap = tap

    def __enter__(self) -> None:
        with self.tap.turns:
            self.tap.turns.wait_for(lambda: self.tap.alone == 0)
            self.tap.running += 1

    def __exit__(self, *exc: object) -> None:
        with self.tap.turns:
            self.tap.running -= 1
            self.tap.turns.notify_all()


_tap: _Tap | None = None
_made = threading.Lock()


def _forget() -> None:
    """A forked child's start: this process's tap is not its own (its threads are not
    there), nor may it hold the keeper's lifeline (see the module's doc)."""
    global _tap, _made
    _made = threading.Lock()  # another thread may have held it at the fork
    tap, _tap = _tap, None
    if tap is not None:
        tap.forget()


os.register_at_fork(after_in_child=_forget)


def call(fn: Callable[[], T], heard: list[str]) -> T:
    """fn() (a Helm call), with the Go log lines it wrote to stderr added to `heard`
    (their text after the date) instead of reaching stderr."""
    global _tap
    with _made:
        if _tap is None:
            _tap = _Tap()
    return _tap.call(fn, heard)
