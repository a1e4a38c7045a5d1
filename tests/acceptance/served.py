"""A real `edgemodels server run` in a runtime folder of a test's own, and the CLI run with and
without it (each a process of its own, as typed in a shell)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from edgemodels.server.place import Place, place_of

START_SECONDS = 30.0


def runtime_folder() -> Path:
    """A new XDG_RUNTIME_DIR: short (a socket path has at most 107 bytes), 0700."""
    return Path(tempfile.mkdtemp(prefix="em-", dir="/tmp"))


def environment(runtime: Path, served: bool = True, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "EDGEMODELS_SERVER"}
    env["XDG_RUNTIME_DIR"] = str(runtime)
    if not served:
        env["EDGEMODELS_SERVER"] = "off"
    return {**env, **extra}


def edgemodels(
    args: Sequence[str], cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edgemodels", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Server:
    runtime: Path
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def place(self) -> Place:
        return place_of({"XDG_RUNTIME_DIR": str(self.runtime)})

    def env(self, served: bool = True, **extra: str) -> dict[str, str]:
        return environment(self.runtime, served, **extra)

    def run(
        self, args: Sequence[str], cwd: Path, served: bool = True, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return edgemodels(args, cwd, self.env(served, **extra))

    def commands(self) -> list[str]:
        """The log's line for each command run so far: `ARGV: exit N in S s`."""
        return [line for line in self.log_text().splitlines() if ": exit " in line]

    def wait_for_commands(self, count: int, seconds: float = 60.0) -> list[str]:
        """The log's command lines once there are `count` (it is written just after the
        exit status is sent)."""
        deadline = time.monotonic() + seconds
        while len(self.commands()) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.commands()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_until(self, what: str, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while what not in self.log_text():
            assert time.monotonic() < deadline, f"no {what!r} in the log:\n{self.log_text()}"
            time.sleep(0.01)

    def wait_for_exit(self, seconds: float = 60.0) -> int:
        return self.process.wait(timeout=seconds)


@contextlib.contextmanager
def running_server(
    runtime: Path, *options: str, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """`edgemodels server run` in the foreground, its log in the runtime folder; stopped
    (SIGTERM, then SIGKILL) however the test ends."""
    log = runtime / "test-server.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "edgemodels", "server", "run", "--idle-timeout", "0", *options],
            env=env or environment(runtime),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
            start_new_session=True,  # a test's Ctrl-C never reaches it
        )
    server = Server(runtime, process, log)
    try:
        server.wait_until("listening on", START_SECONDS)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative posix path -> bytes)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
