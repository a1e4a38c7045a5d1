"""Colour and progress, only for a person at a terminal.

Plain output whenever the stream is not a TTY (piped, redirected, CI logs), when `CI` is
set (CI systems often fake a TTY), or when `NO_COLOR` is set (https://no-color.org: any
non-empty value). Progress bars go to stderr so they never mix into a report on stdout.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO, TypeVar

import click

from edgemodels.diagnostics import Diagnostic
from edgemodels.output import render_text_styled

T = TypeVar("T")

# role -> (foreground colour, bold)
_STYLES: dict[str, tuple[str | None, bool]] = {
    "error": ("red", True),
    "warning": ("yellow", True),
    "info": ("cyan", False),
    "location": (None, True),
    "summary": (None, True),
}

# Below this many items a bar only flickers.
PROGRESS_MIN_ITEMS = 50


def _in_ci() -> bool:
    return bool(os.environ.get("CI"))


def is_interactive(stream: TextIO | None = None) -> bool:
    """A person is watching: a TTY and not a CI job."""
    stream = stream or sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not _in_ci()


def use_colour(stream: TextIO | None = None) -> bool:
    return is_interactive(stream) and not os.environ.get("NO_COLOR")


def _click_style(text: str, role: str) -> str:
    fg, bold = _STYLES.get(role, (None, False))
    if fg is None and not bold:
        return text
    return click.style(text, fg=fg, bold=bold)


def text_report(diags: Sequence[Diagnostic], subject: str, colour: bool) -> str:
    """The text report, coloured when `colour`."""
    return render_text_styled(diags, subject, _click_style if colour else lambda t, r: t)


@contextmanager
def progress(items: Sequence[T], label: str) -> Iterator[Iterable[T]]:
    """Iterate `items` with a progress bar on an interactive stderr; plain iteration otherwise.

    Usage: `with progress(charts, "rendering") as bar: for chart in bar: ...`
    """
    if len(items) < PROGRESS_MIN_ITEMS or not is_interactive(sys.stderr):
        yield items
        return
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield bar


def phases(command: str) -> Callable[[str], None]:
    """`publish: cloning ...` lines on an interactive stderr, with the seconds since the
    command started, so a long run is not silent; nothing otherwise."""
    if not is_interactive(sys.stderr):
        return lambda label: None
    start = time.monotonic()

    def say(label: str) -> None:
        click.echo(f"{command}: {label} ({time.monotonic() - start:.1f} s)", err=True)

    return say
