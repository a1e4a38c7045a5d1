"""`edgemodels server`: start, stop, status and run (in the foreground) the user's server."""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shlex
import sys
from typing import Any

import click

from edgemodels.cli import COMMANDS, EXIT_CLEAN, EXIT_FINDINGS, guarded
from edgemodels.display import quoted
from edgemodels.errors import EdgeModelsError
from edgemodels.launch import SERVED
from edgemodels.server import control
from edgemodels.server.listener import listen
from edgemodels.server.place import place_of
from edgemodels.server.serve import Server

_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")


def parse_duration(ctx: click.Context, param: click.Parameter, value: str) -> float | None:
    """30m, 1h, 1h30m, 90s or 90 (seconds) as seconds; 0 as None (never)."""
    match = _DURATION.fullmatch(value.strip())
    if not match or not value.strip():
        raise click.BadParameter(f"{quoted(value)} is not a duration such as 30m, 1h30m or 90s")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return float(hours * 3600 + minutes * 60 + seconds) or None


idle_option = click.option(
    "--idle-timeout",
    metavar="DURATION",
    callback=parse_duration,
    default="30m",
    show_default=True,
    help="Stop after this long without a command (30m, 1h, 90s; 0: never).",
)


@click.group("server")
def command() -> None:
    """Keep edgemodels running between commands, so check and generate start at once.

    While a server runs, `edgemodels check` and `edgemodels generate` typed by this user
    are run by it, with the same output, exit code and files as on their own; without
    one they run as always. One server per user, on a socket in $XDG_RUNTIME_DIR/edgemodels/
    (/tmp/edgemodels-UID/ without it). EDGEMODELS_SERVER=off runs every command on its own.

    \b
    Example:
      edgemodels server start            # in the background; stops after 30m idle
      edgemodels check catalogue/        # run by the server
      edgemodels server status
      edgemodels server stop
    """


@command.command("start")
@idle_option
def start_command(idle_timeout: float | None) -> int:
    """Start a server in the background; refused when one already runs.

    Prints the socket it listens on and its pid. Its log is server.log beside the socket.
    Exit 0 when it listens, 2 when one already runs or it cannot start.

    \b
    Example:
      edgemodels server start --idle-timeout 2h
    """

    def body() -> int:
        where = place_of(os.environ)
        pid = control.start(where, _duration_text(idle_timeout))
        idle = f"after {_duration_text(idle_timeout)} idle" if idle_timeout else "on `stop`"
        click.echo(f"edgemodels server listening on {where.socket} (pid {pid}; stops {idle})")
        return EXIT_CLEAN

    return guarded(body)


@command.command("stop")
def stop_command() -> int:
    """Stop the server, after the command it runs (if any).

    Exit 0 once it has stopped, 2 when no server runs.

    \b
    Example:
      edgemodels server stop
    """

    def body() -> int:
        pid = control.stop(place_of(os.environ))
        click.echo(f"edgemodels server stopped (pid {pid})")
        return EXIT_CLEAN

    return guarded(body)


@command.command("status")
def status_command() -> int:
    """Show the server's pid, uptime, commands run, memory and socket.

    Exit 0 when a server runs, 1 when none does.

    \b
    Example:
      edgemodels server status
    """

    def body() -> int:
        where = place_of(os.environ)
        answer = control.ask(where, "status")
        if answer is None:
            click.echo(f"edgemodels server: not running (nothing listens on {where.socket})")
            return EXIT_FINDINGS
        click.echo(status_text(answer["status"]), nl=False)
        return EXIT_CLEAN

    return guarded(body)


@command.command("run")
@idle_option
@click.option("--ready-fd", type=int, hidden=True, help="Write 'ready' (or the error) here.")
def run_command(idle_timeout: float | None, ready_fd: int | None) -> int:
    """Run a server in the foreground, its log on stderr (for debugging and tests).

    Ctrl-C or SIGTERM stops it (a command it runs then is stopped as by Ctrl-C).

    \b
    Example:
      edgemodels server run --idle-timeout 0
    """

    def body() -> int:
        try:
            listening = listen(place_of(os.environ))
        except EdgeModelsError as exc:
            _tell(ready_fd, f"{exc}")
            raise
        for name in SERVED:  # the first command need not import them
            importlib.import_module(f"edgemodels.cli.{COMMANDS[name].module}")
        os.chdir("/")  # hold no folder: each command runs in its client's
        server = Server(listening, idle_timeout, sys.stderr)
        _tell(ready_fd, "ready")
        return server.serve()

    return guarded(body)


def _tell(fd: int | None, text: str) -> None:
    """Tell `server start` (waiting on `fd`) how it went; gone (Ctrl-C), it hears nothing."""
    if fd is not None:
        with contextlib.suppress(OSError):
            os.write(fd, text.encode())
        os.close(fd)


def _duration_text(seconds: float | None) -> str:
    if not seconds:
        return "0"
    whole = int(seconds)
    hours, minutes, secs = whole // 3600, whole // 60 % 60, whole % 60
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)


def status_text(status: dict[str, Any]) -> str:
    rss = status.get("rss")
    idle = status.get("idle_timeout")
    running = status.get("running")
    rows = [
        ("uptime", _duration_text(status["uptime"]) or "0s"),
        ("commands", str(status["commands"])),
        ("running", f"{shlex.join(running[0])} ({running[1]:.1f} s)" if running else "nothing"),
        ("memory", f"{rss / (1 << 20):.1f} MiB resident" if rss else "unknown"),
        ("socket", status["socket"]),
        ("log", status["log"]),
        ("stops", f"after {_duration_text(idle)} idle" if idle else "on `server stop`"),
    ]
    lines = [f"edgemodels server: running, pid {status['pid']}, edgemodels {status['version']}"]
    lines += [f"  {name:<9} {value}" for name, value in rows]
    return "\n".join(lines) + "\n"
