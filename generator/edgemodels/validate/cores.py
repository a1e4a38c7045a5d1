"""How many cores a validate run may use, and how its two processes share them.

A run on a tree with many kustomizations has two processes at work: this one renders
charts (Helm's Go code, in threads), the build process runs `kubectl kustomize` (offload.py).
Each used to start as many at once as there are cores, so on two cores four Go programs
and two interpreters took turns: four times the context switches, and on the benchmark
fleet 1.2 s more CPU than when each process keeps to its half. So each keeps to its
share (`split`) through a Gate, and the one that finishes first hands its share over.
"""

from __future__ import annotations

import os
import threading
from types import TracebackType


def available() -> int:
    """The cores this process may run on: a container's CPU set, not the host's count."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def split(total: int) -> tuple[int, int]:
    """(renders, builds): how many of `total` cores each process uses while both work."""
    builds = max(1, total // 2)
    return max(1, total - builds), builds


class Gate:
    """At most `width` holders at once, let in in the order they came (a Semaphore lets a
    thread that just left take its place again before one that waits: a build or chart
    could wait for the rest, and work waiting for it in order with it); `widen` lets more in.
    """

    def __init__(self, width: int) -> None:
        self._changed = threading.Condition()
        self._width, self._inside = width, 0
        self._next_ticket = self._serving = 0

    @property
    def width(self) -> int:
        return self._width

    def widen(self, more: int) -> None:
        with self._changed:
            self._width += more
            self._changed.notify_all()

    def __enter__(self) -> None:
        with self._changed:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._changed.wait_for(lambda: self._serving == ticket and self._inside < self._width)
            self._serving += 1
            self._inside += 1
            self._changed.notify_all()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._changed:
            self._inside -= 1
            self._changed.notify_all()
