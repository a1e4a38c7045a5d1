"""Running `kubectl kustomize`.

kustomize.py decides what to build; this module runs the builds side by side (each a
separate process). What a failed build's stderr says becomes a finding on the
kustomization in kustomizeerrors.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from edgemodels.launch import GOGC
from edgemodels.validate import cores

_TIMEOUT = 300


class Running:
    """The builds running now. Once stopped, none starts: a worker thread that was between
    its gate and its Popen when the run was stopped (SIGTERM, Ctrl-C, the caller done)
    would otherwise start a kubectl after the others were killed, and leave it running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[str]] = set()
        self._stopped = False

    def start(self, argv: list[str]) -> subprocess.Popen[str] | None:
        """A started build, or None when the run is stopped. Raises OSError as Popen. Its
        output is read as UTF-8, which kubectl writes whatever the locale: read in the
        locale's encoding, a non-ASCII value came out wrong, or stopped the run under an
        ASCII one (LC_ALL=C without Python's coercion)."""
        with self._lock:  # held across Popen: stop() cannot come between it and the add
            if self._stopped:
                return None
            proc = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=_go_env(),
                encoding="utf-8",
                errors="replace",
            )
            self._procs.add(proc)
            return proc

    def done(self, proc: subprocess.Popen[str]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            for proc in self._procs:
                proc.kill()


def run(binary: str, folder: Path, running: Running | None = None) -> tuple[bool, str]:
    """(built, output or error). A hung build becomes an error of its targets, not a crash.
    The process is in `running` while it runs."""
    running = Running() if running is None else running
    try:
        proc = running.start([binary, "kustomize", str(folder)])
    except OSError as exc:
        return False, f"cannot run {binary}: {exc.strerror or exc}"
    if proc is None:
        return False, "stopped before it started"
    with proc:
        try:
            out, err = proc.communicate(timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return False, f"kubectl kustomize did not finish within {_TIMEOUT} s"
        finally:
            running.done(proc)
    return proc.returncode == 0, out if proc.returncode == 0 else err


# kubectl 1.33+ reads the user's preferences (`~/.kube/kuberc`, `--kuberc`, $KUBERC):
# default flags per command, so `kubectl kustomize` could get `--enable-helm` or
# `--load-restrictor LoadRestrictionsNone` there. RHACM and Argo CD build overlays with
# no such file, and a build that depended on one would also escape the result cache's
# keys. Both switches are read by the kubectl versions that know kuberc (1.33: the
# KUBECTL_KUBERC gate; 1.34+: KUBERC=off) and ignored by older ones.
NO_KUBERC = {"KUBERC": "off", "KUBECTL_KUBERC": "false"}


def _go_env() -> dict[str, str]:
    """Go's collector set to run a quarter as often: ~30% less kubectl CPU on 100-overlay
    aggregates (0.9 -> 0.7 s) for ~60 MB more memory each. A GOGC the user set wins (the
    program sets this one for itself at start, launch.py; this is for library callers).
    The user's kubectl preferences are off (NO_KUBERC)."""
    env = dict(os.environ)
    env.setdefault("GOGC", GOGC)
    env.update(NO_KUBERC)
    return env


Split = Callable[[Path, int], tuple[Path, Path]]  # a build's first `n` members, and the rest
Outcome = tuple[bool, str]  # (it built, its output or its error)
Part = tuple[int, Callable[[], Outcome]]  # how many members of the build; its outcome
MIN_PART = 10  # members: a part smaller than this is not worth another kubectl to start


def run_all(
    binary: str,
    folders: Sequence[Path],
    gate: cores.Gate | None = None,
    sizes: Sequence[int] = (),
    split: Split | None = None,
    started: threading.Event | None = None,
) -> Iterator[list[Part]]:
    """Builds run side by side, each a separate process; outcomes come in order, each as
    soon as it is there, so the caller parses one while the next ones still build. Builds
    not needed any more (the caller stopped early) are stopped. A build runs inside `gate`,
    when given.

    Each build comes as its parts: one part, (its size, its outcome), or two when it was
    made two. `sizes`: how many members each build has. With them and `split`, the last
    build, when it starts while another still runs, is made two: its first members now
    and the rest when a build ends, sized so that both end together (_Pace). Otherwise the
    end of a run would wait for that one build on one core while the other core idles: on
    the benchmark fleet its last 0.3-0.4 s. The first part comes as soon as it is built,
    so the caller handles it while the second still builds (waiting on the second's
    outcome when it asks for it).

    `started` is set when the first build starts.
    """
    workers = max(1, min(len(folders), cores.available()))
    running = Running()
    pace = _Pace()

    def one(index: int) -> list[Part]:
        folder, later = folders[index], None
        size = sizes[index] if sizes else 0
        with gate or nullcontext():
            if split is not None and index == len(folders) - 1 and size:
                now = pace.first_part(size)
                if now is not None:
                    first, rest = split(folder, now)
                    later = pool.submit(_timed_in, gate, pace, size - now, binary, rest, running)
                    folder, size = first, now
            if started is not None:
                started.set()
            outcome = pace.timed(size, lambda: run(binary, folder, running))
        parts: list[Part] = [(size, lambda: outcome)]
        return parts if later is None else [*parts, (sizes[index] - size, later.result)]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        ended = False
        try:
            yield from pool.map(one, range(len(folders)))
            ended = True  # a second part may still build: its outcome is the caller's
        finally:
            if not ended:  # stopped early (Ctrl-C, SIGTERM): what still builds is not needed
                pool.shutdown(cancel_futures=True, wait=False)
                running.stop()


class _Pace:
    """How long this run's builds take per member, from those done, and so when the ones
    running now will end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, tuple[float, int]] = {}  # a build: (its start, its size)
        self._rate: float | None = None  # seconds per member of the last build done

    def timed(self, size: int, build: Callable[[], tuple[bool, str]]) -> tuple[bool, str]:
        key, start = id(build), time.monotonic()
        with self._lock:
            self._running[key] = (start, size)
        try:
            return build()
        finally:
            with self._lock:
                del self._running[key]
                if size:
                    self._rate = (time.monotonic() - start) / size

    def first_part(self, size: int) -> int | None:
        """How many of `size` members to build now, the rest when the running build that
        ends last is done, for both parts to end together; None: build them all now."""
        with self._lock:
            rate, running = self._rate, list(self._running.values())
        if rate is None or not running:
            return None
        left = max(start + each * rate for start, each in running) - time.monotonic()
        now = round((max(left, 0.0) / rate + size) / 2)
        return now if MIN_PART <= now <= size - MIN_PART else None


def _timed_in(
    gate: cores.Gate | None,
    pace: _Pace,
    size: int,
    binary: str,
    folder: Path,
    running: Running,
) -> Outcome:
    with gate or nullcontext():
        return pace.timed(size, lambda: run(binary, folder, running))


def has_kubectl() -> bool:
    return shutil.which("kubectl") is not None


_VERSION_TIMEOUT = 60  # a dispatcher asks the cluster its version first (5 s at most)


def client_version(binary: str) -> str | None:
    """What `binary version --client -o json` says, in the environment the builds run in;
    None when it fails."""
    try:
        done = subprocess.run(
            [binary, "version", "--client", "-o", "json"],
            capture_output=True,
            timeout=_VERSION_TIMEOUT,
            env=_go_env(),
            check=False,
            encoding="utf-8",
            errors="replace",
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
