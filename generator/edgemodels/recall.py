"""Results of pure functions remembered from one run to the next, by the identity of inputs
that a resident server reuses unchanged (resident.py).

A resident server hands a command the very objects of the last run for what did not change:
the parsed tree of an unchanged catalogue file, and so the model built from it, and so that
model's plan. A `Table` remembers what a function returned for such an object, for one
`context` (everything else the function reads, compared by value): a new context empties
the table. Entries hold their object, so an id is never taken for another object's. What a
run did not ask for is dropped when the next run that uses the table begins
(`Recall.turn`): memory follows the catalogue, not the history of edits.

A command run in a process of its own gets `NOTHING`, which computes every time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Table:
    """What one function returned, by the identity of its one varying input."""

    def __init__(self, context: Hashable, run: int = 0) -> None:
        self.context = context
        self.run = run  # the run that last used the table
        self._now: dict[int, tuple[object, Any]] = {}
        self._last: dict[int, tuple[object, Any]] = {}

    def get(self, obj: object, compute: Callable[[], T]) -> T:
        key = id(obj)
        hit = self._now.get(key)
        if hit is None:
            hit = self._last.get(key)
        if hit is not None and hit[0] is obj:
            self._now[key] = hit
            value: T = hit[1]
            return value
        value = compute()
        self._now[key] = (obj, value)
        return value

    def turn(self, run: int) -> None:
        """A new run uses the table: keep what the last run that used it asked for."""
        if run != self.run:
            self._last, self._now, self.run = self._now, {}, run


class Recall:
    """The tables of one resident catalogue, by function name."""

    def __init__(self) -> None:
        self._tables: dict[str, Table] = {}
        self._run = 0

    def table(self, name: str, context: Hashable) -> Table:
        table = self._tables.get(name)
        if table is None or table.context != context:
            table = self._tables[name] = Table(context, self._run)
        table.turn(self._run)
        return table

    def turn(self) -> None:
        """A run begins. A table keeps what the last run that used it asked for: `check`
        between two `generate`s does not empty the render tables."""
        self._run += 1


class Same:
    """A context part compared by identity, not value: parsed data equal in value may sit
    on other lines, and findings name lines. Holding the object keeps its id its own."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


ONCE = Same(None)  # the key of a table's one entry: what depends on its context alone


class _Never(Table):
    def get(self, obj: object, compute: Callable[[], T]) -> T:
        return compute()


class _Nothing(Recall):
    def table(self, name: str, context: Hashable) -> Table:
        return _NEVER


_NEVER = _Never(None)
NOTHING: Recall = _Nothing()
