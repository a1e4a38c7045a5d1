"""User-facing error types. cli.py maps them to exit codes in one place."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager


class EdgeModelsError(Exception):
    """A problem the user can fix: bad usage, unreadable input, a missing tool.

    Exit code 2. The message is printed as is, without a traceback.
    """

    exit_code = 2


class UsageError(EdgeModelsError):
    """Wrong options or arguments."""


class InputError(EdgeModelsError):
    """An input file or folder cannot be read or is not what was expected."""


class NoCatalogueFiles(InputError):
    """A catalogue path that holds no catalogue file (Y014). `plan --base` reads this at the
    base revision as "no catalogue yet", not as an error."""


class ToolMissingError(EdgeModelsError):
    """An external program that this step needs is not installed."""


class OutputError(EdgeModelsError):
    """The output folder or repository cannot be written safely."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job, `kill`), raised where Ctrl-C raises KeyboardInterrupt,
    so a run stops as it does on Ctrl-C: child processes stopped, temporary folders
    removed, nothing half-written. Without it Python dies at once on SIGTERM and leaves
    all of those behind. Exit 143, as a shell reports a SIGTERM."""


def raise_on_sigterm() -> None:
    """From now on SIGTERM raises Terminated in the main thread (program entries only: a
    library does not change its caller's signal handling)."""

    def handler(signum: int, frame: object) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, handler)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the block runs (an import), and give each one that
    came to its own handler as the block ends. Raised inside an import, KeyboardInterrupt
    or Terminated can stop Python's import system between its steps and leave a module
    half made in sys.modules, which every later import gets (an ImportError or
    AttributeError: a crash, where the process goes on, as the server does); or a
    library's import-time `except:` (ruamel.yaml has one) takes it, and the run goes on
    as if no signal came. Held, the signal is raised once the import is whole. A block
    outside the main thread, where Python runs no handler, holds nothing."""
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    try:
        previous = {each: signal.signal(each, hold) for each in STOP_SIGNALS}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(held):  # to its handler now: raised here, or the default
            signal.raise_signal(signum)
