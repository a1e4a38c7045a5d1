"""Progress reporting as a parameter: the core loops over long work through a `Progress`,
and only the command line decides whether a person sees a bar (see cli/terminal.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TypeVar

T = TypeVar("T")


class Progress(Protocol):
    def __call__(self, items: Sequence[T], label: str) -> AbstractContextManager[Iterable[T]]: ...


@contextmanager
def _silent(items: Sequence[T], label: str) -> Iterator[Iterable[T]]:
    yield items


def no_progress(items: Sequence[T], label: str) -> AbstractContextManager[Iterable[T]]:
    """Plain iteration: the default for library calls, tests, pipes and CI."""
    return _silent(items, label)


# A step of a command that has no items to count (a clone, a push): its name is said as it
# starts ("cloning https://...", "pushing"), to a person at a terminal only.
Phase = Callable[[str], None]


def no_phase(label: str) -> None:
    """Say nothing: the default for library calls, tests, pipes and CI."""
