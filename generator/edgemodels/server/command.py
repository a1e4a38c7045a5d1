"""One command run by the server: the client's process state while it runs, the server's after.

What a command sees of its process, and what it may change, is the client's while it runs
and the server's again afterwards: working folder, environment, umask, sys.argv and the
program name click derives from it, stdin, stdout and stderr (also sys.__stdout__ and
friends), the terminal size, signal handlers and mask, the garbage collector's settings,
tempfile's folder and the warnings filters. sys.exit() ends the command, and so does
os._exit() while it runs: neither ends the server.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import tempfile
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

from edgemodels import cli
from edgemodels.errors import Terminated
from edgemodels.server.interrupts import TEARDOWN, Interrupts
from edgemodels.server.streams import Channel, text_input, text_output
from edgemodels.umask import current_umask


class CannotEnter(Exception):
    """The client's working folder cannot be entered here (it has gone since): the client
    runs the command itself."""


STREAMS = ("stdin", "stdout", "stderr", "__stdin__", "__stdout__", "__stderr__")


@dataclass
class Saved:
    """The server's own process state, to put back after a command."""

    cwd: str
    environ: dict[str, str]
    umask: int
    argv: list[str]
    main_package: Any
    path: list[str]
    streams: dict[str, Any]
    terminal_size: Callable[..., os.terminal_size]
    exit: Any  # os._exit
    handlers: dict[int, Any]
    mask: set[Any]
    wakeup: int
    gc_threshold: tuple[int, int, int]
    gc_enabled: bool
    tempdir: str | None
    filters: list[Any] = field(default_factory=list)

    @classmethod
    def take(cls) -> Saved:
        wakeup = signal.set_wakeup_fd(-1)
        signal.set_wakeup_fd(wakeup)
        return cls(
            os.getcwd(),
            dict(os.environ),
            current_umask(),
            list(sys.argv),
            getattr(sys.modules["__main__"], "__package__", None),
            list(sys.path),
            {name: getattr(sys, name) for name in STREAMS},
            os.get_terminal_size,
            os._exit,
            {each: signal.getsignal(each) for each in signal.valid_signals()},
            signal.pthread_sigmask(signal.SIG_BLOCK, []),
            wakeup,
            gc.get_threshold(),
            gc.isenabled(),
            tempfile.tempdir,
            list(warnings.filters),
        )

    def restore(self) -> None:
        for name, stream in self.streams.items():
            setattr(sys, name, stream)
        os.chdir(self.cwd)
        _replace_environ(self.environ)
        os.umask(self.umask)
        sys.argv[:] = self.argv
        sys.modules["__main__"].__package__ = self.main_package
        sys.path[:] = self.path
        os.get_terminal_size = self.terminal_size
        os._exit = self.exit
        for each, handler in self.handlers.items():
            if handler is not None and signal.getsignal(each) is not handler:
                signal.signal(each, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)
        signal.set_wakeup_fd(self.wakeup)
        gc.set_threshold(*self.gc_threshold)
        (gc.enable if self.gc_enabled else gc.disable)()
        # yamltree.collector_paused freezes what a run built: unfrozen, its cycles can be
        # collected (the server freezes nothing of its own)
        gc.unfreeze()
        tempfile.tempdir = self.tempdir
        _reset_warnings(self.filters)


def _replace_environ(environ: dict[str, str]) -> None:
    """In place, through os.environ: the C environment (child processes, libraries that
    call getenv) changes with it."""
    os.environ.clear()
    os.environ.update(environ)


def _reset_warnings(filters: list[Any]) -> None:
    """The filters as they were, and every "once per place" warning may be shown again,
    as in a new process (resetwarnings() starts a new generation of the registries)."""
    warnings.resetwarnings()
    warnings.filters[:] = filters  # type: ignore[index]  # a list, typed as a Sequence


@contextlib.contextmanager
def client_state(request: dict[str, Any], channel: Channel) -> Iterator[None]:
    """The client's process state for the body; the server's own again after it, however
    the body ends. Raises CannotEnter, having set nothing, when the client's working
    folder cannot be entered."""
    saved = Saved.take()
    try:
        os.chdir(request["cwd"])
    except OSError as exc:
        raise CannotEnter(str(exc)) from exc
    try:
        _adopt(request, channel)
        yield
    finally:
        _close_streams()
        saved.restore()


def _adopt(request: dict[str, Any], channel: Channel) -> None:
    _replace_environ(request["env"])
    os.umask(int(request["umask"]))
    sys.argv[:] = [request["argv0"], *request["argv"]]
    sys.modules["__main__"].__package__ = request["main"]  # click names the program by it
    specs = request["streams"]
    streams = {
        "stdin": text_input(specs["stdin"]),
        "stdout": text_output(channel, "out", specs["stdout"]),
        "stderr": text_output(channel, "err", specs["stderr"]),
    }
    for name, stream in streams.items():  # sys.__stdout__ too: shutil asks it the size
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    os.get_terminal_size = _terminal_size(specs, os.get_terminal_size)
    os._exit = _exit  # a command's os._exit ends the command, not the server
    tempfile.tempdir = None  # found again from the client's TMPDIR when first asked
    _reset_warnings(list(warnings.filters))


def _close_streams() -> None:
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        with contextlib.suppress(Exception):  # a closed client: nothing more can be said
            stream.flush()
        with contextlib.suppress(Exception):
            stream.close()


def _exit(status: int) -> NoReturn:
    raise SystemExit(status)


def _terminal_size(
    specs: dict[str, Any], real: Callable[..., os.terminal_size]
) -> Callable[..., os.terminal_size]:
    """os.get_terminal_size as the client's process would answer it, for its stdout and
    stderr (also asked as fd 1 and 2, or through sys.__stdout__ as shutil does)."""
    sizes: dict[int, Any] = {
        1: specs["stdout"]["size"],
        2: specs["stderr"]["size"],
        sys.stdout.fileno(): specs["stdout"]["size"],
        sys.stderr.fileno(): specs["stderr"]["size"],
    }

    def get_terminal_size(fd: int = 1, /) -> os.terminal_size:
        if fd not in sizes:
            return real(fd)
        if sizes[fd] is None:
            raise OSError(25, os.strerror(25))  # ENOTTY, as for a pipe or a file
        return os.terminal_size(tuple(sizes[fd]))

    return get_terminal_size


def run_command(request: dict[str, Any], interrupts: Interrupts) -> int:
    """cli.main(argv) as the client's process would run it: its exit status."""
    try:
        interrupts.enter()
        status = cli.main(request["argv"])
    except BaseException as exc:
        interrupts.phase = TEARDOWN  # first, before any call: no signal raises from here
        return _status_of(exc)
    interrupts.phase = TEARDOWN
    return status


def _status_of(exc: BaseException) -> int:
    """The exit status a process ends with when `exc` leaves its main function."""
    if isinstance(exc, SystemExit):
        if exc.code is None or isinstance(exc.code, int):
            return int(exc.code or 0)
        print(exc.code, file=sys.stderr)
        return 1
    if isinstance(exc, KeyboardInterrupt):
        terminated = isinstance(exc, Terminated)
        print(f"edgemodels: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        return cli.EXIT_TERMINATED if terminated else cli.EXIT_INTERRUPTED
    traceback.print_exception(exc, file=sys.stderr)
    return 1
