"""The clean-up of a run that Ctrl-C or SIGTERM stops: its child processes stopped, its
temporary folder removed whole.

GitPython waits for a git command in `communicate()`; when Ctrl-C or SIGTERM interrupts the
wait (a KeyboardInterrupt, or errors.Terminated), it leaves the command running. A signal
sent to this process only (a CI runner's cancel, `kill PID`) then left a git command (a
clone, a push) running after publish had stopped, writing into the temporary clone as it
was removed. The children are found in `/proc/self/task/*/children` (Linux); elsewhere
there is nothing to find and nothing is done. A signal during the removal itself stopped it
half-way: the folder's removal goes on to the end, and is interrupted afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

GRACE = 2.0  # seconds a child has to end on SIGTERM before it is killed


def children() -> list[int]:
    """The process ids of this process's children (every thread's)."""
    found: list[int] = []
    for listing in glob.glob("/proc/self/task/*/children"):
        with suppress(OSError), open(listing, encoding="ascii") as handle:
            found += [int(pid) for pid in handle.read().split()]
    return found


def stop_children(grace: float = GRACE) -> None:
    """SIGTERM to every child, then SIGKILL to those still running after `grace` seconds;
    each is waited for (reaped), so none outlives the clean-up that follows."""
    pending = set(children())
    for pid in pending:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while pending:
        pending = {pid for pid in pending if not _ended(pid)}
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.02)
    for pid in pending:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _ended(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # reaped already (by subprocess)
        return True
    return done != 0


@contextmanager
def children_stopped_on_interrupt() -> Iterator[None]:
    """Ctrl-C or SIGTERM inside: the children are stopped before it goes on up (and the
    clean-up of the callers runs)."""
    try:
        yield
    except KeyboardInterrupt:
        stop_children()
        raise


def remove_folder(path: Path) -> None:
    """`path` and everything in it, whatever Ctrl-C or SIGTERM lands meanwhile: the removal
    goes on, and the interruption is raised once it is done. (Blocking the signals would
    not do: one sent to the process reaches another thread, a GitPython watchdog, and
    Python raises it here all the same.)"""
    stopped: KeyboardInterrupt | None = None
    while True:
        try:
            shutil.rmtree(path, ignore_errors=True)
            break
        except KeyboardInterrupt as exc:
            stopped = exc
    if stopped is not None:
        raise stopped
