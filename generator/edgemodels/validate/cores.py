"""How many cores a validate run may use."""

from __future__ import annotations

import os


def available() -> int:
    """The cores this process may run on: a container's CPU set, not the host's count."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1
