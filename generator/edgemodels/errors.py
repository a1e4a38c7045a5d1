"""User-facing error types. cli.py maps them to exit codes in one place."""

from __future__ import annotations

import signal


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
