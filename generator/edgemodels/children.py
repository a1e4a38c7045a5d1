"""The child processes of a run that is interrupted, stopped before its clean-up.

GitPython waits for a git command in `communicate()`; when Ctrl-C or SIGTERM interrupts the
wait (a KeyboardInterrupt, or errors.Terminated), it leaves the command running. A signal
sent to this process only (a CI runner's cancel, `kill PID`) then left `git push` pushing
after publish had said it stopped, and a git command writing objects into the temporary
clone as it was removed, which was left behind. The children are found in
`/proc/self/task/*/children` (Linux); elsewhere there is nothing to find and nothing is done.
"""

from __future__ import annotations

import glob
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

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
