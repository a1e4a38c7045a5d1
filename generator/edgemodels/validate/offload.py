"""Where the kustomize builds of a validate run happen: a Python process of their own on a
big tree, a thread on a small one.

The builds are `kubectl kustomize` processes, but parsing their output, splitting it by
overlay and finding the files objects came from is Python: on the 1,000-model benchmark
fleet about 0.6 s of work that, in a thread, waits for the interpreter lock while charts
render, and makes them wait in turn. In a process of its own it runs beside them: the
whole validate took 12% less time (6.0 -> 5.3 s).

The process starts before anything else of the run: while it starts (an interpreter and
its imports, ~0.1 s), this process walks the tree (discover.py), then hands it what to
build, with the kustomizations' entries it read, and the other process starts building at
once. (It used to walk the tree itself, to start without waiting: the same walk twice, and
the builds are the longest part of a run, which the end of the run waits for.) It also
runs the manifest rules on what it built, each aggregate's objects while the next ones
build, so the end of a run waits only for the last one's. A process costs ~0.2 s of CPU
(an interpreter and the imports), more than a small tree's builds take: below
PROCESS_MIN_TARGETS, or on one core, the builds run in a thread here. Its answer is used
only if it checked with the same rules as this process.

While this process renders charts, each process keeps to its share of the cores; the
first one done hands its share to the other (cores.py).

The process is `python -m edgemodels.validate.offload`, given the tree and what to build
as one line of JSON on stdin, told that the renders are done when its stdin closes, and
answering on stdout: each aggregate's objects pickled as they are built (this process
checks their schemas as they come), then its findings and what refers to them (one
pickler). Unlike `multiprocessing` it never imports the caller's main module again (a
script calling `validate_tree` without a `__main__` guard would run twice), and nothing
forks the Go runtime of the Helm SDK, which does not survive `fork`. When the process
cannot start, fails or answers with something that does not unpickle, the builds run
here, so a real error is raised where it happens.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import Terminated
from edgemodels.validate import cores
from edgemodels.validate.discover import TreeLayout
from edgemodels.validate.kustomize import Built, build
from edgemodels.validate.manifests import Manifest
from edgemodels.yamltree import collect_rarely

# The policy engine (CEL, 0.05 s to import) is imported where it is used: this process
# starts the build process and walks the tree before it needs the engine (run.py).
if TYPE_CHECKING:
    from edgemodels.policy import PolicySet

PROCESS_MIN_TARGETS = 50  # kustomizations; below, a thread
STOP_WAIT = 5.0  # seconds the build process has to stop before it is killed
_PR_SET_PDEATHSIG = 1  # prctl(2)


class Builds:
    """The kustomize builds of one tree, started as early as the tree is known."""

    def __init__(
        self, root: Path, pool: ThreadPoolExecutor, policy: Path | None, policies: bool
    ) -> None:
        self.root, self.pool = root, pool
        self.request = {"root": str(root), "policies": policies, "policy": policy and str(policy)}
        self.proc = _start(root)
        self.asked = threading.Event()  # the request is written: stdin may be closed
        self.answer: Future[_Answer | None] | None = None
        self.local: Future[Built] | None = None
        self.layout: TreeLayout | None = None
        # Each aggregate's objects as the process sends them; None after the last.
        self.sent: queue.SimpleQueue[list[Manifest] | None] = queue.SimpleQueue()
        self.ended = False  # the None is taken
        self.ahead = False  # result() is the process's: its objects came first, arrived()

    def use(self, layout: TreeLayout) -> None:
        """Build what this process found: in the process, or here when it is small."""
        self.layout = layout
        if len(layout.builds) + len(layout.listings) < PROCESS_MIN_TARGETS:
            self.stop()
        if self.proc is None:
            self.local = self.pool.submit(
                build, self.root, layout.builds, layout.listings, layout.entries
            )
            return
        work = {
            **self.request,
            "builds": layout.builds,
            "listings": layout.listings,
            "entries": dict(layout.entries),
        }
        self.answer = self.pool.submit(self._ask, self.proc, json.dumps(work).encode())

    def render_gate(self) -> cores.Gate:
        """How many charts this process may render at once: its share of the cores while
        the build process builds, every core once it has answered (cores.py)."""
        total = cores.available()
        if self.answer is None:
            return cores.Gate(total)
        renders, builds = cores.split(total)
        gate = cores.Gate(renders)
        self.answer.add_done_callback(lambda _: gate.widen(builds))
        return gate

    def renders_done(self) -> None:
        """Tell the build process this one renders no more: it may build on every core.
        (Its stdin is closed: it reads to the end after the request.)"""
        if self.proc is not None and self.proc.stdin is not None and self.answer is not None:
            self.asked.wait()
            with contextlib.suppress(OSError):  # it has ended already
                self.proc.stdin.close()

    def arrived(self) -> list[list[Manifest]]:
        """The built objects the process sent since the last call, an aggregate's at a time,
        without waiting for more. When result() says `ahead`, its objects are the ones these
        and coming() gave, so what checks them as they come need not check them again."""
        found = []
        while not self.sent.empty() and (sent := self._take()) is not None:
            found.append(sent)
        return found

    def coming(self) -> Iterator[list[Manifest]]:
        """The built objects the process sends from now on, as they come, until it is done
        (as arrived()); the renders are done."""
        self.renders_done()
        while self.answer is not None and (sent := self._take()) is not None:
            yield sent

    def _take(self) -> list[Manifest] | None:
        """The next objects sent, waiting for them; None once the process is done."""
        if self.ended:
            return None
        sent = self.sent.get()
        self.ended = sent is None
        return sent

    def _ask(self, proc: subprocess.Popen[bytes], work: bytes) -> _Answer | None:
        """The build process's answer to `work`, unpickled in this thread as it comes (0.07 s
        on the fleet, which the end of the run no longer waits for); None when it failed or
        its answer is not one."""
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(work + b"\n")
            proc.stdin.flush()
        except OSError:  # it has ended already
            pass
        finally:
            self.asked.set()
        try:
            with proc.stdout:
                answer = _last(pickle.Unpickler(proc.stdout), self.sent.put)
                proc.stdout.read()
        finally:
            self.sent.put(None)
        with contextlib.suppress(OSError):  # it has ended: its stdin is not needed
            proc.stdin.close()
        proc.wait()
        return answer if proc.returncode == 0 else None

    def result(self, policies: PolicySet | None) -> tuple[Built, list[Diagnostic]]:
        """What the builds gave, and the findings of `policies` (the manifest rules of the
        run, as the build process loaded them too) on it. `ahead` tells whether its objects
        are those arrived() gave (and gives, for the last ones)."""
        layout = self.layout
        assert layout is not None, "use() comes first"
        if self.local is not None:
            built = self.local.result()
            return built, policy_findings(self.root, built.manifests, policies)
        assert self.answer is not None
        self.renders_done()
        answer = self.answer.result()
        if answer is not None and answer.rules == _codes(policies):
            self.ahead = True
            return answer.built, answer.checked
        built = build(self.root, layout.builds, layout.listings, layout.entries)
        return built, policy_findings(self.root, built.manifests, policies)

    def stop(self) -> None:
        """Stop the build process: asked first (SIGTERM), so it stops its kubectl builds
        and removes its temporary folder; killed when it has not ended within STOP_WAIT."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(STOP_WAIT)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            if self.answer is None:  # no thread is talking to it: its pipes and exit are ours
                with self.proc:
                    pass
        self.proc = None


def _last(unpickler: pickle.Unpickler, ahead: Callable[[list[Manifest]], object]) -> _Answer | None:
    """The build process's answer, after the objects it sent ahead (each aggregate's, which
    the answer refers to), given to `ahead` as they come; None when it ends without one."""
    while True:
        try:
            sent = unpickler.load()  # our own child's, not outside input
        except Exception:  # ended or cut short (a debugger, a signal): anything is raised
            return None
        if isinstance(sent, _Answer):
            return sent
        ahead(sent)


@dataclass(frozen=True)
class _Answer:
    """The build process's work: what it built, and the rules' findings on it."""

    rules: tuple[str, ...] | None  # the codes of the rules it ran; None: no policies
    built: Built
    checked: list[Diagnostic]


def _codes(policies: PolicySet | None) -> tuple[str, ...] | None:
    return None if policies is None else tuple(r.code for r in policies.rules)


@contextmanager
def building(root: Path, policy: Path | None = None, policies: bool = True) -> Iterator[Builds]:
    """Start building `root`'s kustomizations now (see Builds); stopped on the way out.
    With `policies`, the manifest rules (configured by `policy`, else found from `root`)
    check the built objects in the same process."""
    with ThreadPoolExecutor(1) as pool:
        builds = Builds(root, pool, policy, policies)
        try:
            yield builds
        finally:
            if builds.local is None:
                builds.stop()  # the caller failed before waiting: stop the builds


def _start(root: Path) -> subprocess.Popen[bytes] | None:
    if not root.is_dir() or cores.available() < 2:
        return None  # on one core a second process only adds its start-up
    argv = [sys.executable, "-m", "edgemodels.validate.offload", str(os.getpid())]
    try:
        return subprocess.Popen(  # its stderr is not read: a failure is redone here
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        return None


def _serve(parent: int | None = None) -> None:
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
    out.dump(_Answer(_codes(rules.result()), built, checked))


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


def policy_findings(
    root: Path, manifests: list[Manifest], policies: PolicySet | None
) -> list[Diagnostic]:
    """The manifest rules' findings (policies.py), imported at the first use."""
    from edgemodels.validate import policies as rules

    return rules.policy_findings(root, manifests, policies)


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
    # Run the importable module's _serve, not this copy's: pickles name a class by its
    # module, and the caller has no `__main__._Answer`.
    from edgemodels.validate.offload import _serve as serve

    try:
        serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
    except KeyboardInterrupt:  # stopped (Ctrl-C, or stop()): its folder is removed already
        sys.exit(143 if isinstance(sys.exc_info()[1], Terminated) else 130)
    # Answered, and the folder is removed. The caller waits for this process to end (its
    # exit code says the answer is whole): the interpreter's teardown, freeing every object
    # built, would keep it waiting 0.01-0.02 s on the benchmark fleet. (The answer is
    # written unbuffered, _Pipe.)
    os._exit(0)
