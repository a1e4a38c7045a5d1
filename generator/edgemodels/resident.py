"""What a long-running `edgemodels server` keeps in memory between the commands it runs.

A command run by the server finds the state with `current()`; a command run in a process of
its own finds None and works as it always has. The server wraps each command it runs in
`active(state)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Resident:
    """The state one server keeps between commands."""


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
