"""A validate run that is stopped (SIGTERM from a cancelled CI job, Ctrl-C) leaves nothing
running and nothing behind: no build process, no kubectl, no temporary folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edgemodels.validate.offload import PROCESS_MIN_TARGETS

from .trees import add_overlays, stand_in, write_tree

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

# A kubectl that never finishes a build: the run is stopped while builds are running.
SLOW_KUBECTL = '#!/bin/sh\necho $$ > "$KUBECTL_PIDS/$$"\nexec sleep 120\n'


@pytest.fixture
def started(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A tree with enough overlays for a build process, and the environment of a run whose
    kubectl hangs and whose temporary folders are all under tmp_path."""
    tree = write_tree(tmp_path / "tree")
    add_overlays(tree, PROCESS_MIN_TARGETS)
    pids, tmp = tmp_path / "pids", tmp_path / "tmp"
    for folder in (pids, tmp):
        folder.mkdir()
    env = {
        **os.environ,
        "PATH": stand_in(tmp_path, "kubectl", SLOW_KUBECTL),
        "KUBECTL_PIDS": str(pids),
        "TMPDIR": str(tmp),
        "EDGEMODELS_CACHE_DIR": str(tmp_path / "cache"),
    }
    return tree, env


def _stop_while_building(
    tree: Path, env: dict[str, str], stop: signal.Signals, group: bool
) -> tuple[int, str, float]:
    """(exit code, stderr, seconds to stop) of `edgemodels validate` sent `stop` once a
    kubectl build runs; to its whole process group as a terminal's Ctrl-C, or to it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "edgemodels", "validate", "--validator", "builtin", str(tree)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
        # a shell's background job ignores SIGINT, and the ignoring is inherited
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    pids = Path(env["KUBECTL_PIDS"])
    deadline = time.monotonic() + 60
    while not any(pids.iterdir()) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert any(pids.iterdir()), "no kubectl build started"
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, stop)
    else:
        proc.send_signal(stop)
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    tmp = Path(env["TMPDIR"])  # it holds all of a run's folders
    kubectl = [int(p.name) for p in pids.iterdir()]

    def left() -> list[str]:
        return [
            *(f"kubectl {pid}" for pid in kubectl if _running(pid)),
            *(f"build process {pid}" for pid in _build_processes(proc.pid)),
            *(p.name for p in tmp.iterdir()),
        ]

    deadline = time.monotonic() + 30  # a killed run's build process cleans up on its own
    while left() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left() == []
    return proc.returncode, err, took


def _build_processes(parent: int) -> list[int]:
    """The running build processes started by process `parent`."""
    argv = f"edgemodels.validate.buildprocess\0{parent}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and argv in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return [pid for pid in found if _running(pid)]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_sigterm_stops_the_builds_and_removes_their_folders(
    started: tuple[Path, dict[str, str]],
) -> None:
    code, err, took = _stop_while_building(*started, signal.SIGTERM, group=False)
    assert (code, err) == (143, "edgemodels: terminated\n")
    assert took < 30  # the kubectl builds would take two minutes


def test_ctrl_c_stops_the_run_the_same_way(started: tuple[Path, dict[str, str]]) -> None:
    code, err, took = _stop_while_building(*started, signal.SIGINT, group=True)
    assert (code, err) == (130, "edgemodels: interrupted\n")
    assert took < 30


def test_a_killed_run_leaves_no_build_running(started: tuple[Path, dict[str, str]]) -> None:
    # SIGKILL (the OOM killer, a CI job's last resort) cannot be handled: the kernel tells
    # the build process, which stops its builds and removes its folder by itself.
    code, _, _ = _stop_while_building(*started, signal.SIGKILL, group=False)
    assert code == -signal.SIGKILL


def test_no_build_starts_once_the_run_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker between its gate and its Popen when the run is stopped must not start a
    # kubectl after the others were killed (one run in three left it running).
    from edgemodels.validate import kubectl

    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("KUBECTL_PIDS", str(pids))
    stand_in(tmp_path, "kubectl", SLOW_KUBECTL)
    running = kubectl.Running()
    running.stop()
    outcome = kubectl.run(str(tmp_path / "bin" / "kubectl"), tmp_path, running)
    assert outcome == (False, "stopped before it started")
    assert list(pids.iterdir()) == []


# A stop that comes while the checking half of validate is imported (the builds run then):
# `edgemodels.validate.pipeline`'s own import raises SIGTERM. Raised inside the import, the
# exception stopped it half way, or was lost in the import system's clean-up and the run
# went on; held, it is raised once the module is whole.
_STOPPED_IN_IMPORT = """
import importlib.abc, signal, sys
from pathlib import Path
from edgemodels.errors import Terminated, raise_on_sigterm
from edgemodels.validate.run import ValidateOptions, validate_tree

class Stop(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "edgemodels.validate.pipeline":
            signal.raise_signal(signal.SIGTERM)
        return None

raise_on_sigterm()
sys.meta_path.insert(0, Stop())
try:
    validate_tree(Path(sys.argv[1]), ValidateOptions(validator="builtin", result_cache=False))
except Terminated:
    made = sys.modules.get("edgemodels.validate.pipeline")
    print("terminated", "whole" if hasattr(made, "check_tree") else "half made")
else:
    print("not stopped")
"""


def test_a_stop_during_the_checks_import_waits_for_it_to_end(tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "tree")
    env = {**os.environ, "EDGEMODELS_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.run(
        [sys.executable, "-c", _STOPPED_IN_IMPORT, str(tree)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.stdout == "terminated whole\n", run.stderr
