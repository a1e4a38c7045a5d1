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

The process is `python -m edgemodels.validate.buildprocess` (buildprocess.py), given the
tree and what to build as one line of JSON on stdin, told that the renders are done when
its stdin closes, and answering on stdout: each aggregate's objects pickled as they are
built (this process checks their schemas as they come), then its findings and what
refers to them (one pickler). Unlike `multiprocessing` it never imports the caller's
main module again (a script calling `validate_tree` without a `__main__` guard would run
twice), and nothing forks the Go runtime of the Helm SDK, which does not survive `fork`.
When the process cannot start, fails or answers with something that does not unpickle,
the builds run here, so a real error is raised where it happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from edgemodels.diagnostics import Diagnostic
from edgemodels.validate import cores
from edgemodels.validate.discover import TreeLayout
from edgemodels.validate.kustomize import Built, build
from edgemodels.validate.manifests import Manifest

# The policy engine (CEL, 0.05 s to import) is imported where it is used: this process
# starts the build process and walks the tree before it needs the engine (run.py).
if TYPE_CHECKING:
    from edgemodels.policy import PolicySet

PROCESS_MIN_TARGETS = 50  # kustomizations; below, a thread
STOP_WAIT = 5.0  # seconds the build process has to stop before it is killed


class Builds:
    """The kustomize builds of one tree, started as early as the tree is known."""

    def __init__(
        self, root: Path, pool: ThreadPoolExecutor, policy: Path | None, policies: bool
    ) -> None:
        self.root, self.pool = root, pool
        self.request = {"root": str(root), "policies": policies, "policy": policy and str(policy)}
        self.proc = _start(root)
        self.asked = threading.Event()  # the request is written: stdin may be closed
        self.answer: Future[Answer | None] | None = None
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

    def _ask(self, proc: subprocess.Popen[bytes], work: bytes) -> Answer | None:
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
        if answer is not None and answer.rules == rule_codes(policies):
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


def _last(unpickler: pickle.Unpickler, ahead: Callable[[list[Manifest]], object]) -> Answer | None:
    """The build process's answer, after the objects it sent ahead (each aggregate's, which
    the answer refers to), given to `ahead` as they come; None when it ends without one."""
    while True:
        try:
            sent = unpickler.load()  # our own child's, not outside input
        except Exception:  # ended or cut short (a debugger, a signal): anything is raised
            return None
        if isinstance(sent, Answer):
            return sent
        ahead(sent)


@dataclass(frozen=True)
class Answer:
    """The build process's work: what it built, and the rules' findings on it."""

    rules: tuple[str, ...] | None  # the codes of the rules it ran; None: no policies
    built: Built
    checked: list[Diagnostic]


def rule_codes(policies: PolicySet | None) -> tuple[str, ...] | None:
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
    argv = [sys.executable, "-m", "edgemodels.validate.buildprocess", str(os.getpid())]
    try:
        return subprocess.Popen(  # its stderr is not read: a failure is redone here
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        return None


def policy_findings(
    root: Path, manifests: list[Manifest], policies: PolicySet | None
) -> list[Diagnostic]:
    """The manifest rules' findings (policies.py), imported at the first use."""
    from edgemodels.validate import policies as rules

    return rules.policy_findings(root, manifests, policies)
