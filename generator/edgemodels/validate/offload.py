"""Where the kustomize builds of a validate run happen: a Python process of their own on a
big tree, a thread on a small one.

The builds are `kubectl kustomize` processes, but parsing their output, splitting it by
overlay and finding the files objects came from is Python: on the 1,000-model benchmark
fleet about 0.6 s of work that, in a thread, waits for the interpreter lock while charts
render, and makes them wait in turn. In a process of its own it runs beside them: the
whole validate took 12% less time (6.0 -> 5.3 s). A process costs ~0.2 s to start (an
interpreter and the imports), more than a small tree's builds take, hence the threshold.

The process is `python -m edgemodels.validate.offload`, given the work as JSON on stdin
and answering with the pickled `Built` on stdout: unlike `multiprocessing` it never
imports the caller's main module again (a script calling `validate_tree` without a
`__main__` guard would run twice), and nothing forks the Go runtime of the Helm SDK, which
does not survive `fork`. When the process cannot start, fails or answers with something
that does not unpickle, the builds run here, so a real error is raised where it happens.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from edgemodels.validate.kustomize import Built, build
from edgemodels.yamlio import collect_rarely

PROCESS_MIN_TARGETS = 50  # kustomizations; below, a thread


@contextmanager
def building(
    root: Path, builds: Sequence[str], listings: Sequence[str]
) -> Iterator[Callable[[], Built]]:
    """Start every build now; the function yielded waits for what they built."""
    with ThreadPoolExecutor(1) as thread:
        proc = _start(root, builds, listings)
        if proc is None:
            future = thread.submit(build, root, builds, listings)
            yield future.result
            return
        request = json.dumps({"root": str(root), "builds": builds, "listings": listings})
        answer = thread.submit(proc.communicate, request.encode())

        def result() -> Built:
            out, _ = answer.result()
            if proc.returncode == 0:
                try:
                    built = pickle.loads(out)  # our own child's answer, not outside input
                except Exception:  # cut short (a debugger, a signal): unpickling raises anything
                    built = None
                if isinstance(built, Built):
                    return built
            return build(root, builds, listings)

        try:
            yield result
        finally:
            if proc.poll() is None:  # the caller failed before waiting: stop the builds
                proc.kill()


def _start(
    root: Path, builds: Sequence[str], listings: Sequence[str]
) -> subprocess.Popen[bytes] | None:
    if len(builds) + len(listings) < PROCESS_MIN_TARGETS:
        return None
    argv = [sys.executable, "-m", "edgemodels.validate.offload"]
    try:
        return subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError:
        return None


def _serve() -> None:
    collect_rarely()  # as the command-line entry does: 0.03-0.05 s less here on the fleet
    request = json.loads(sys.stdin.buffer.read())
    built = build(Path(request["root"]), request["builds"], request["listings"])
    sys.stdout.buffer.write(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _serve()
