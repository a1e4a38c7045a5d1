"""Running `kubectl kustomize`, and what its errors say in a finding.

kustomize.py decides what to build; this module runs the builds side by side (each a
separate process) and turns a failed build's stderr into a finding on the kustomization.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import yaml

from edgemodels.diagnostics import Location
from edgemodels.fsnames import text_form
from edgemodels.launch import GOGC
from edgemodels.validate import cores
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.discover import (
    MANIFEST_SUFFIXES,
    kustomization_entries,
    kustomization_file,
)
from edgemodels.validate.manifests import load_stream
from edgemodels.validate.report import Finding

_TIMEOUT = 300
_ACCUMULATING = "accumulating resources from '"
_ERR_RE = re.compile(r'err="(?P<err>(?:[^"\\]|\\.)*)"')
_RECURSED = re.compile(r"(?:recursed accumulation of|couldn't make target for) path '[^']*': ")
_ERR_BLOCK = re.compile(r"err=<\n(?P<err>.*?)\n\s*>", re.DOTALL)
_TWICE = re.compile(r'line \d+: (mapping key "(?P<key>[^"]+)" already defined) at line \d+')
_UNKNOWN_FIELD = re.compile(r'invalid Kustomization: json: unknown field "([^"]+)"')
_YAML_LINE = re.compile(r"invalid Kustomization: yaml: line (\d+):")
_UNMATCHED = re.compile(r'no resource matches strategic merge patch "[^"/]*/(?P<name>[^".\[]+)')


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


def _error_text(stderr: str, root: Path) -> str:
    """kubectl's error, from the innermost resource it names, with tree-relative paths."""
    match = _ERR_RE.search(stderr)
    block = _ERR_BLOCK.search(stderr) if match is None else None
    if match is not None:
        text = match["err"].replace('\\"', '"')
    else:  # a multi-line error, which klog writes as a block
        text = block["err"] if block is not None else stderr.strip()
    text = " ".join(text.removeprefix("Error: ").removeprefix("error: ").split())
    text = text.replace("map[string]interface {}(nil): ", "")  # Go's type, not the reader's
    innermost = text.rfind(_ACCUMULATING)
    # An aggregate names its member by a path from a temporary folder ('../../tmp/...'):
    # what follows kustomize's recursion into the member is the member's own error.
    recursed = [m.end() for m in _RECURSED.finditer(text)]
    start = max([innermost, *recursed[-1:]])
    if start > 0:
        text = text[start:]
    return tree_relative(text, root)


def tree_relative(text: str, root: Path) -> str:
    """`text` with the tree's folder left out of the paths it names. kustomize names them
    absolute (symlinks resolved), so a relative `root` is only matched as a whole path:
    replaced inside `/tmp/fb/d/models`, `fb/d/` left `/tmp/models`, a folder that does not
    exist."""
    forms = [os.path.realpath(root), os.path.abspath(root)]
    if str(root) not in (".", ""):
        forms.append(str(root))
    for form in dict.fromkeys(forms):
        pattern = rf"(?<![\w.~/-]){re.escape(form)}(?:/|(?![\w~/-]|\.[\w.]))"
        text = re.sub(pattern, lambda m: "" if m[0].endswith("/") else ".", text)
    return text


def build_error(root: Path, target: str, stderr: str) -> Finding:
    """K206 on the kustomization whose entry the error names (the overlay's, or that of a
    base or component it reads), else on the overlay's first line."""
    path = kustomization_file(root / target)
    rel = path.relative_to(root).as_posix() if path else f"{target}/kustomization.yaml"
    text = _error_text(stderr, root)
    twice = _TWICE.search(text)
    if twice is not None:  # its lines are of kustomize's copy: the file's line is found
        where_twice = _held_twice(root, target, twice["key"])
        if where_twice is not None:
            text = text[: twice.start()] + twice[1] + text[twice.end() :]
            return diagnostic("K206", where_twice, f"kustomize build failed: {text}"), ""
    where = _named_entry(root, target, text) or _unreadable(root, target, text)
    where = where or Location(rel, 1, 1)
    patched = _UNMATCHED.search(text)
    if patched and path is not None and where.line == 1:  # the patch naming that object
        where = Location(rel, _line_with(path, f"name: {patched['name']}") or 1, 1)
    if where.line == 1 and path is not None:  # the entry as written, as before
        for number, content in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        ):
            entry = content.strip().removeprefix("- ").strip("'\" ")
            if entry and ("/" in entry or "." in entry) and entry in text:
                where = Location(rel, number, 1)
                break
    return diagnostic("K206", where, f"kustomize build failed: {text}"), ""


def _line_with(path: Path, needle: str) -> int | None:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return next((n for n, line in enumerate(lines, start=1) if needle in line), None)


def _reached(root: Path, target: str) -> list[str]:
    """`target` and the kustomize folders it reaches, outermost first."""
    folders, queue = [target], [target]
    while queue:
        folder = queue.pop(0)
        for entry in kustomization_entries(kustomization_file(root / folder) or ""):
            inner = posixpath.normpath(posixpath.join(folder, entry))
            if inner not in folders and kustomization_file(root / inner) is not None:
                folders.append(inner)
                queue.append(inner)
    return folders


def _unreadable(root: Path, target: str, text: str) -> Location | None:
    """The line of the kustomization kustomize could not read. Its error does not name the
    file (`invalid Kustomization: json: unknown field "x"`, or `yaml: line N: ...`), and
    for one in a base every overlay fails on it: the file is found among those the build
    reaches, innermost first, by the field it names or by not parsing."""
    field = _UNKNOWN_FIELD.search(text)
    syntax = _YAML_LINE.search(text)
    if field is None and syntax is None:
        return None
    for folder in reversed(_reached(root, target)):
        path = kustomization_file(root / folder)
        if path is None:
            continue
        rel = path.relative_to(root).as_posix()
        content = path.read_text(encoding="utf-8", errors="replace")
        if field is not None:
            key = re.compile(rf"^\s*(?:- )?['\"]?{re.escape(field[1])}['\"]?\s*:")
            for number, text_line in enumerate(content.splitlines(), start=1):
                if key.match(text_line):
                    return Location(rel, number, 1)
        elif syntax is not None:
            said, found = int(syntax[1]), _syntax_line(content)
            if found is not None:  # the earlier of the two parsers' lines: where it begins
                return Location(rel, min(found or said, said), 1)
    return None


def _held_twice(root: Path, target: str, key: str) -> Location | None:
    """Where a resource file the build reaches holds `key` twice in one mapping."""
    for folder in reversed(_reached(root, target)):
        for entry in kustomization_entries(kustomization_file(root / folder) or ""):
            rel = posixpath.normpath(posixpath.join(folder, entry))
            if not rel.endswith(MANIFEST_SUFFIXES) or not os.path.isfile(root / rel):
                continue
            text = (root / rel).read_text(encoding="utf-8", errors="replace")
            for d in load_stream(rel, text, fast=False).diagnostics:
                if d.code == "K109" and f"'{key}'" in d.message:
                    return d.location
    return None


def _syntax_line(content: str) -> int | None:
    """None when `content` parses; else the first line the error names (the construct
    that does not end, a flow sequence left open, or the error), or 0 for none."""
    try:
        for _ in yaml.parse(content, Loader=yaml.CSafeLoader):
            pass
    except yaml.MarkedYAMLError as error:
        marks = [m.line + 1 for m in (error.context_mark, error.problem_mark) if m is not None]
        return min(marks, default=0)
    except yaml.YAMLError:
        return 0
    return None


def _named_entry(root: Path, target: str, text: str) -> Location | None:
    """The line of the kustomization (of `target` or of a folder it reaches) that lists the
    tree path the error names, innermost first: a base listing a missing file, not the
    overlay's entry for that base."""
    folders = _reached(root, target)
    for folder in reversed(folders):
        path = kustomization_file(root / folder)
        if path is None:
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, content in enumerate(lines, start=1):
            entry = content.strip().removeprefix("- ").strip("'\" ")
            if not entry or entry.startswith("#") or ":" in entry.split("/")[0]:
                continue
            named = text_form(posixpath.normpath(posixpath.join(folder, entry)))  # as kubectl says
            pattern = rf"(?<![\w./-]){re.escape(named)}(?![\w./-])|from '{re.escape(entry)}'"
            if re.search(pattern, text):
                return Location(path.relative_to(root).as_posix(), number, 1)
    return None


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
