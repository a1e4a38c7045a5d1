"""The build process of a validate run (offload.py starts it and reads its answer).

`python -m edgemodels.validate.buildprocess PARENT` reads the tree and what to build as one
line of JSON on stdin, builds it (kustomize.py), runs the manifest rules on each aggregate's
objects while the next ones build, and answers on stdout: each aggregate's objects pickled
as they are built, then an `offload.Answer` (one pickler). Its stdin closing says the
caller renders no more charts: then it builds on every core. It stops on the first SIGTERM
or SIGINT, and when its parent dies.
"""

from __future__ import annotations

import ctypes
import json
import os
import pickle
import signal
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import Terminated
from edgemodels.validate import cores
from edgemodels.validate.kustomize import build
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.offload import Answer, policy_findings, rule_codes
from edgemodels.yamltree import collect_rarely

if TYPE_CHECKING:
    from edgemodels.policy import PolicySet

_PR_SET_PDEATHSIG = 1  # prctl(2)


def serve(parent: int | None = None) -> None:
    _stop_on_first_signal()
    if parent is not None:
        _stop_with(parent)
    collect_rarely()  # as the command-line entry does: 0.03-0.05 s less here on the fleet
    request = json.loads(sys.stdin.buffer.readline())
    root = Path(request["root"])
    builds, listings = tuple(request["builds"]), tuple(request["listings"])
    renders, share = cores.split(cores.available())
    gate = cores.Gate(share)
    # The caller closes stdin when it renders no more: then every core builds.
    threading.Thread(target=_widen_at_end, args=(gate, renders), daemon=True).start()
    # The rules check each aggregate's objects while the next ones build (kubectl is
    # another process): at the end only the last aggregate's are left, not all of them.
    # Each aggregate's objects are sent as they are built, so the caller unpickles them
    # meanwhile; the answer at the end refers to them (one pickler: its memo) and is small.
    out = pickle.Pickler(_Pipe(sys.stdout.fileno()), protocol=pickle.HIGHEST_PROTOCOL)
    started = threading.Event()
    with ThreadPoolExecutor(1) as checker:
        # Read while the first aggregate builds, not before: that would hold it back.
        rules = checker.submit(_rules, request, root, started)
        checking: list[Future[list[Diagnostic]]] = []

        def check(manifests: list[Manifest]) -> None:
            checking.append(checker.submit(_check, root, manifests, rules))
            out.dump(manifests)

        built = build(root, builds, listings, request["entries"], gate, check, started)
        checked = [d for future in checking for d in future.result()]
    out.dump(Answer(rule_codes(rules.result()), built, checked))


class _Pipe:
    """The answer's way to the caller: each write whole, by `os.write` until done.

    Not `sys.stdout.buffer`: its writes to a full pipe lost 64 KiB blocks when the process
    was stopped and continued (Ctrl-Z and `fg`, or paused by a profiler such as py-spy or
    a debugger), and the caller, finding the answer broken, built everything again. Here a
    write the kernel cut short is finished. The pickler writes 64 KiB frames, so no buffer
    is needed."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        return len(data)


def _rules(request: dict[str, Any], root: Path, started: threading.Event) -> PolicySet | None:
    started.wait()
    if not request["policies"]:
        return None
    from edgemodels.policy import load_policies

    return load_policies(request["policy"] and Path(request["policy"]), root)


def _check(
    root: Path, manifests: list[Manifest], rules: Future[PolicySet | None]
) -> list[Diagnostic]:
    return policy_findings(root, manifests, rules.result())


def _stop_on_first_signal() -> None:
    """SIGTERM (stop()) or SIGINT (Ctrl-C, sent to the caller too) raises once, and both
    are ignored from then on: a Ctrl-C is followed by the caller's SIGTERM, which must not
    cut short the removal of the temporary folder that the first one started."""

    def stop(signum: int, frame: object) -> None:
        for each in (signal.SIGINT, signal.SIGTERM):
            signal.signal(each, signal.SIG_IGN)
        raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt

    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, stop)


def _stop_with(parent: int) -> None:
    """Have the kernel send SIGTERM here when the caller dies, even killed (SIGKILL, the
    OOM killer): the builds stop and the temporary folder goes, as when stop() asks, instead
    of building on for nobody (Linux; elsewhere stdin's end is the only sign)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the line above
        raise Terminated


def _widen_at_end(gate: cores.Gate, more: int) -> None:
    # The file descriptor, not sys.stdin: a thread blocked in a buffered read holds its
    # lock, and an interpreter that ends first (done before the caller's renders) aborts.
    while os.read(0, 65536):
        pass
    gate.widen(more)


if __name__ == "__main__":
    try:
        serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    except KeyboardInterrupt:  # stopped (Ctrl-C, or stop()): its folder is removed already
        sys.exit(143 if isinstance(sys.exc_info()[1], Terminated) else 130)
    # Answered, and the folder is removed. The caller waits for this process to end (its
    # exit code says the answer is whole): the interpreter's teardown, freeing every object
    # built, would keep it waiting 0.01-0.02 s on the benchmark fleet. (The answer is
    # written unbuffered, _Pipe.)
    os._exit(0)
