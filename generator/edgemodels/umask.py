"""The process's umask, which the system gives only by setting another."""

from __future__ import annotations

import os


def current_umask() -> int:
    """The umask, read by setting it (to 0o077, so nothing made meanwhile by another thread
    is more open than it would be) and setting it back."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
