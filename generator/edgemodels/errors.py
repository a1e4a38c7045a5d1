"""User-facing error types. cli.py maps them to exit codes in one place."""

from __future__ import annotations


class EdgeModelsError(Exception):
    """A problem the user can fix: bad usage, unreadable input, a missing tool.

    Exit code 2. The message is printed as is, without a traceback.
    """

    exit_code = 2


class UsageError(EdgeModelsError):
    """Wrong options or arguments."""


class InputError(EdgeModelsError):
    """An input file or folder cannot be read or is not what was expected."""


class ToolMissingError(EdgeModelsError):
    """An external program that this step needs is not installed."""


class OutputError(EdgeModelsError):
    """The output folder or repository cannot be written safely."""
