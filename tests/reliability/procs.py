"""Running edgemodels in a child process that is SIGKILLed at a chosen moment.

The child is forked from the test process, which has already imported edgemodels, so a
run costs milliseconds instead of a second of interpreter start-up; it is still a separate
process, killed by the kernel without any chance to clean up. It runs in its own process
group, so the git programs publish starts die with it when the group is killed.

Two ways to pick the moment:
- `kill_at_op=k`: the child kills itself right before its k-th file-system or git call
  (os.open/replace/unlink/mkdir/rmdir/fsync, shutil.rmtree, each git command). A calibration
  run counts the calls, so k drawn from 1..count lands on every step of a run in turn.
- `kill_at_op=k, kill_delay=d`: d seconds after the k-th call began (kills during a push).
- `kill_after=s`: the parent sends SIGKILL to the group after s seconds (wall clock).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgemodels.cli import main

_OS_CALLS = ("open", "replace", "unlink", "mkdir", "rmdir", "fsync", "rename")


@dataclass(frozen=True)
class Outcome:
    code: int  # exit code, or -9 when killed
    out: str
    err: str
    ops: int  # file-system and git calls the child made (counted until it ended)

    @property
    def killed(self) -> bool:
        return self.code == -signal.SIGKILL


def _install_counter(kill_at: int | None, delay: float, counter: list[int], logs: Path) -> None:
    """Wrap the calls that change files (and git commands) to count them, and to die."""

    inside = [0]  # calls made by a wrapped call (rmtree's unlinks) are one step with it

    def die() -> None:
        os.killpg(0, signal.SIGKILL)  # the child and the git programs it started

    def tick() -> None:
        counter[0] += 1
        if kill_at is not None and counter[0] == kill_at:
            if delay <= 0:
                die()
            timer = threading.Timer(delay, die)  # while this step (a git push) runs
            timer.daemon = True
            timer.start()

    def wrap(func: Callable[..., Any], name: str = "") -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if inside[0]:
                return func(*args, **kwargs)
            tick()
            if name == "git":  # which step runs which git command, for targeted kills
                command = str(args[1][1]) if len(args) > 1 and len(args[1]) > 1 else ""
                with open(logs / "git", "a", encoding="utf-8") as fh:
                    fh.write(f"{counter[0]} {command}\n")
            inside[0] += 1
            try:
                return func(*args, **kwargs)
            finally:
                inside[0] -= 1

        return wrapped

    for name in _OS_CALLS:
        setattr(os, name, wrap(getattr(os, name)))
    shutil.rmtree = wrap(shutil.rmtree)  # type: ignore[assignment]
    try:
        import git.cmd
    except ImportError:  # pragma: no cover - publish tests skip without git
        return
    git.cmd.Git.execute = wrap(git.cmd.Git.execute, "git")  # type: ignore[method-assign]


def _child(
    args: Sequence[str], kill_at: int | None, delay: float, logs: Path, env: dict[str, str]
) -> None:
    os.setpgid(0, 0)
    out = os.open(logs / "out", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(logs / "err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(err, 2)
    # pytest's capture objects stand in for sys.stdout/err: write to the files instead.
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    os.environ.update(env)
    tempfile.tempdir = env.get("TMPDIR", tempfile.tempdir)
    counter = [0]
    code = 3
    try:
        _install_counter(kill_at, delay, counter, logs)
        code = main(list(args))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        (logs / "ops").write_text(str(counter[0]))
        os._exit(code)


@dataclass(frozen=True)
class Child:
    pid: int
    logs: Path


def spawn(
    args: Sequence[str],
    logs: Path,
    kill_at_op: int | None = None,
    env: dict[str, str] | None = None,
    kill_delay: float = 0.0,
) -> Child:
    """Start `edgemodels ARGS` in a forked child; its stdout/stderr go to files in `logs`."""
    logs.mkdir(parents=True, exist_ok=True)
    for name in ("out", "err", "ops", "git"):
        (logs / name).unlink(missing_ok=True)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child only
        try:
            _child(args, kill_at_op, kill_delay, logs, env or {})
        finally:
            os._exit(3)
    return Child(pid, logs)


def finish(child: Child, timeout: float = 120.0) -> Outcome:
    code = _wait(child.pid, timeout)
    ops = _read(child.logs / "ops")
    return Outcome(
        code,
        _read(child.logs / "out"),
        _read(child.logs / "err"),
        int(ops) if ops.isdigit() else -1,
    )


def run_at_once(commands: Sequence[Sequence[str]], logs: Path, refusal: str) -> int:
    """Start every `edgemodels` command at the same moment and wait for all. Each must
    succeed, or stop with exit 2 and `refusal` in its message; returns how many stopped."""
    children = [spawn(args, logs / f"logs{i}") for i, args in enumerate(commands)]
    refused = 0
    for child in children:
        done = finish(child)
        assert done.code in (0, 2), done.err
        if done.code == 2:
            refused += 1
            assert refusal in done.err, done.err
    return refused


def run_child(
    args: Sequence[str],
    logs: Path,
    kill_at_op: int | None = None,
    kill_after: float | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    kill_delay: float = 0.0,
) -> Outcome:
    """`edgemodels ARGS` in a forked child, killed at op `kill_at_op` (`kill_delay` seconds
    after that op began) or after `kill_after` seconds."""
    child = spawn(args, logs, kill_at_op, env, kill_delay)
    if kill_after is not None:
        time.sleep(kill_after)
        _kill_group(child.pid)
    return finish(child, timeout)


def stratified(rng: random.Random, number: int, count: int, high: float) -> float:
    """The `number`-th of `count` random points spread evenly over (0, high]: every part of
    a run gets its share of kills, whatever the seed."""
    return high * (number + rng.random()) / count


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        # Its group is gone (all finished), or the child has not called setpgid yet.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFSIGNALED(status):
                _kill_group(pid)  # git children of a killed publish die with it
                return -os.WTERMSIG(status)
            return os.WEXITSTATUS(status)
        if time.monotonic() > deadline:
            _kill_group(pid)
            os.waitpid(pid, 0)
            raise AssertionError(f"child {pid} still running after {timeout} s")
        time.sleep(0.002)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
