"""Whether this command runs inside `edgemodels server`, and with which resident state.

The server wraps each command it runs in `active(state)`; a command finds the state with
`current()`, None when it runs in a process of its own. Kept apart from resident.py, which
is what the server keeps: it imports the policy engine and the inotify watch, 0.02-0.04 s
that a `generate` run on its own would pay only to learn that no server runs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edgemodels.resident import Resident

_CURRENT: ContextVar[Resident | None] = ContextVar("edgemodels_resident", default=None)


def current() -> Resident | None:
    return _CURRENT.get()


@contextmanager
def active(state: Resident) -> Iterator[Resident]:
    token = _CURRENT.set(state)
    try:
        yield state
    finally:
        _CURRENT.reset(token)
