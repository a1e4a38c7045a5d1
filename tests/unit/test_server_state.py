"""A command the server runs sees the client's process state, and leaves the server's as it
was: run here, in this process, through the server's own code, with a thread as the client."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

import click
import pytest

from edgemodels import cli, resident, serving
from edgemodels.server import wire
from edgemodels.server.command import STREAMS, CannotEnter, client_state, run_command
from edgemodels.server.interrupts import Interrupts
from edgemodels.server.streams import Channel

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="/proc/self/fd")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lrt"


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def snapshot() -> dict[str, Any]:
    """What of a process a command could change for the commands after it."""
    return {
        "cwd": os.getcwd(),
        "environ": dict(os.environ),
        "umask": _umask(),
        "argv": list(sys.argv),
        "main": getattr(sys.modules["__main__"], "__package__", None),
        "path": list(sys.path),
        "streams": {name: getattr(sys, name) for name in STREAMS},
        "handlers": {each: signal.getsignal(each) for each in signal.valid_signals()},
        "mask": signal.pthread_sigmask(signal.SIG_BLOCK, []),
        "gc": (gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()),
        "tempdir": tempfile.tempdir,
        "filters": list(warnings.filters),
        "threads": sorted(t.name for t in threading.enumerate()),
        "atexit": atexit._ncallbacks(),
        "fds": sorted(os.listdir("/proc/self/fd")),
        "functions": (os.get_terminal_size, os._exit),
        "recursion": sys.getrecursionlimit(),
    }


class Client:
    """The client's end: acks every chunk, keeps what was written."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.out = b""
        self.err = b""
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        while (message := wire.receive(self.sock)) is not None:
            for key in ("out", "err"):
                if key in message:
                    setattr(self, key, getattr(self, key) + message[key].encode("latin-1"))
                    wire.send(self.sock, {"ack": message["n"]})


def request(argv: list[str], cwd: Path, tty: bool = False, **env: str) -> dict[str, Any]:
    stream = {"tty": tty, "size": [123, 45] if tty else None, "encoding": "utf-8"}
    stream |= {"errors": "strict", "line_buffering": tty, "write_through": False}
    return {
        "argv": argv,
        "argv0": "/usr/local/bin/edgemodels",
        "main": None,
        "cwd": str(cwd),
        "env": {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), **env},
        "umask": 0o027,
        "streams": {
            "stdin": {"tty": tty},
            "stdout": stream,
            "stderr": {**stream, "line_buffering": True},
        },
    }


def served(message: dict[str, Any]) -> tuple[int, Client]:
    ours, theirs = socket.socketpair()
    client = Client(theirs)
    interrupts = Interrupts()
    channel = Channel(ours, interrupts.forward)
    interrupts.begin(channel)
    state = resident.Resident()  # what a server keeps (its watches hold fds) until it stops
    try:
        with client_state(message, channel), serving.active(state):
            channel.start()
            status = run_command(message, interrupts)
    finally:
        interrupts.end()
        channel.close()
        client.thread.join()
        theirs.close()
        state.close()
    return status, client


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "lrt")
    return tmp_path


def test_check_and_generate_leave_the_process_as_they_found_it(catalogue: Path) -> None:
    gc.unfreeze()  # as in a server: earlier tests here froze what they built; it never does
    before = snapshot()
    status, client = served(request(["check", "lrt"], catalogue))
    assert (status, client.out, client.err) == (0, b"checked lrt: no findings\n", b"")
    status, client = served(request(["generate", "lrt", "-o", "deploy"], catalogue))
    assert status == 0, client.err
    assert (catalogue / "deploy" / "README.md").is_file()
    assert snapshot() == before


def test_the_command_sees_the_client_and_its_changes_are_undone(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def nosy(argv: list[str]) -> int:
        seen.update(
            cwd=os.getcwd(),
            umask=_umask(),
            env=os.environ.get("EDGEMODELS_TEST"),
            argv=list(sys.argv),
            tty=(sys.stdin.isatty(), sys.stdout.isatty(), sys.stderr.isatty()),
            size=shutil.get_terminal_size(),
            stdin=sys.stdin.read(),
            tempdir=tempfile.gettempdir(),
        )
        click.echo(click.style("red", fg="red"))  # kept: the client's stdout is a terminal
        os.chdir("/")
        os.umask(0)
        os.environ["LEFT_BEHIND"] = "1"
        signal.signal(signal.SIGUSR1, lambda *a: None)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
        gc.set_threshold(5, 5, 5)
        gc.freeze()
        sys.path.append("/nowhere")
        warnings.simplefilter("ignore")
        os._exit(7)  # ends the command, not the process

    monkeypatch.setattr(cli, "main", nosy)
    gc.unfreeze()
    before = snapshot()
    message = request(["check"], catalogue, tty=True, EDGEMODELS_TEST="yes", TMPDIR=str(catalogue))
    status, client = served(message)
    assert (status, client.out, client.err) == (7, b"\x1b[31mred\x1b[0m\n", b"")
    assert seen == {
        "cwd": str(catalogue),
        "umask": 0o027,
        "env": "yes",
        "argv": ["/usr/local/bin/edgemodels", "check"],
        "tty": (True, True, True),
        "size": os.terminal_size((123, 45)),
        "stdin": "",
        "tempdir": str(catalogue),
    }
    assert snapshot() == before


@pytest.mark.parametrize("exit_with", [SystemExit(4), SystemExit(None), SystemExit("bye")])
def test_sys_exit_ends_the_command_with_its_status(
    catalogue: Path, monkeypatch: pytest.MonkeyPatch, exit_with: SystemExit
) -> None:
    def leaves(argv: list[str]) -> int:
        raise exit_with

    monkeypatch.setattr(cli, "main", leaves)
    status, client = served(request(["check"], catalogue))
    expected: dict[Any, tuple[int, bytes]] = {4: (4, b""), None: (0, b""), "bye": (1, b"bye\n")}
    assert (status, client.err) == expected[exit_with.code]


def test_usage_errors_name_the_program_as_the_client_was_started(catalogue: Path) -> None:
    for argv0, main, program in (
        ("/venv/bin/edgemodels", None, "edgemodels"),
        ("/x/edgemodels/__main__.py", "edgemodels", "python -m edgemodels"),
    ):
        message = request(["check", "--format", "yaml"], catalogue)
        message |= {"argv0": argv0, "main": main}
        status, client = served(message)
        assert status == 2
        assert client.err.startswith(f"Usage: {program} check [OPTIONS] [CATALOGUE]\n".encode())


def test_a_working_folder_that_has_gone_changes_nothing(tmp_path: Path) -> None:
    before = snapshot()
    ours, theirs = socket.socketpair()
    channel = Channel(ours, Interrupts().forward)
    with pytest.raises(CannotEnter), client_state(request(["check"], tmp_path / "gone"), channel):
        pytest.fail("the command must not run")
    channel.close()
    theirs.close()
    assert snapshot() == before
