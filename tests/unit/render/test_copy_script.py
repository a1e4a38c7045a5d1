"""The copy Job's and the prefetch holder's scripts, run for real with a POSIX shell (and busybox when installed)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edgemodels.render import site_container
from edgemodels.render.site_container import COPY_SCRIPT, HOLD_SCRIPT

from .samples import fleet


def shells() -> list[list[str]]:
    found = [["/bin/sh"]] if Path("/bin/sh").exists() else []
    busybox = shutil.which("busybox")
    if busybox:
        found.append([busybox, "sh"])
    return found


def run(shell: list[str], image: Path, pvc: Path, version: str) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "MODEL_PATH": str(image),
        "MODELS_ROOT": str(pvc),
        "MODEL_VERSION_DIR": version,
    }
    done = subprocess.run([*shell, "-c", COPY_SCRIPT], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def make_image(root: Path, content: str) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "weights.bin").write_text(content)
    (root / "sub" / "config.json").write_text("{}")
    return root


@contextlib.contextmanager
def in_own_group(
    argv: list[str], env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A process in a group of its own, killed with whatever it started when the block ends
    (in a pod, the container's end takes every process)."""
    proc = subprocess.Popen(argv, env=env, start_new_session=True)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_for_a_child(proc: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    """Until the shell has started a command (it has set its traps before that): a signal
    sent sooner, while a loaded host starts the shell, finds no trap. Where Linux's list of
    a process's children is missing, half a second."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if not children.exists():
        time.sleep(0.5)
        return
    deadline = time.monotonic() + seconds
    while not children.read_text().strip():
        assert proc.poll() is None and time.monotonic() < deadline, "the shell started nothing"
        time.sleep(0.005)


@pytest.fixture(params=shells(), ids=lambda s: Path(s[0]).name)
def shell(request: pytest.FixtureRequest) -> list[str]:
    return list(request.param)


def test_versions_are_copied_aside_and_current_switches(shell: list[str], tmp_path: Path) -> None:
    pvc = tmp_path / "pvc"
    pvc.mkdir()
    for version in ("1", "2", "3"):
        image = make_image(tmp_path / f"image-{version}", f"weights {version}")
        run(shell, image, pvc, version)
        assert os.readlink(pvc / "current") == f"versions/{version}"
        assert (pvc / "current" / "weights.bin").read_text() == f"weights {version}"
        assert (pvc / "current" / "sub" / "config.json").is_file()
    # The version being replaced stays for pods still reading it; older ones go.
    assert sorted(p.name for p in (pvc / "versions").iterdir()) == ["2", "3"]


def test_rerunning_the_same_version_changes_nothing(shell: list[str], tmp_path: Path) -> None:
    pvc = tmp_path / "pvc"
    pvc.mkdir()
    run(shell, make_image(tmp_path / "i1", "one"), pvc, "1")
    run(shell, make_image(tmp_path / "i2", "two"), pvc, "2")
    run(shell, make_image(tmp_path / "i2b", "changed"), pvc, "2")  # the Job ran again
    assert (pvc / "current" / "weights.bin").read_text() == "two"
    assert sorted(p.name for p in (pvc / "versions").iterdir()) == ["1", "2"]


def test_an_interrupted_copy_is_redone(shell: list[str], tmp_path: Path) -> None:
    pvc = tmp_path / "pvc"
    (pvc / "versions" / "1.partial").mkdir(parents=True)
    (pvc / "versions" / "1.partial" / "junk").write_text("half")
    (pvc / "versions" / "1").mkdir()  # a copy that never completed
    run(shell, make_image(tmp_path / "i", "full"), pvc, "1")
    assert (pvc / "current" / "weights.bin").read_text() == "full"
    assert not (pvc / "current" / "junk").exists()
    assert (pvc / "current" / ".edgemodels-complete").is_file()


def test_the_prefetch_holder_stops_at_once_on_sigterm(shell: list[str]) -> None:
    # Its own process group: the `sleep` it leaves behind is cleaned up with it (in a pod,
    # the container's end takes every process).
    with in_own_group([*shell, "-c", HOLD_SCRIPT]) as proc:
        wait_for_a_child(proc)  # its sleep
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)  # it holds
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0


def run_job(shell: list[str], job: dict[str, Any], image: Path, pvc: Path) -> None:
    """The generated Job's own script and environment, its image's folder mocked by `image`."""
    (copy,) = job["spec"]["template"]["spec"]["containers"]
    assert copy["command"][:3] == ["/tools/busybox", "sh", "-c"]
    env = {e["name"]: e["value"] for e in copy["env"]}
    env.update(PATH=os.environ["PATH"], MODEL_PATH=str(image), MODELS_ROOT=str(pvc))
    done = subprocess.run(
        [*shell, "-c", copy["command"][3]], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_rebuilt_image_of_the_same_version_is_copied(shell: list[str], tmp_path: Path) -> None:
    catalogue = fleet()
    model = next(m for m in catalogue.models if m.wrapper == "container")
    pvc = tmp_path / "pvc"
    pvc.mkdir()
    for n, image in enumerate(("img@sha256:" + "a" * 64, "img@sha256:" + "b" * 64)):
        job = site_container.copy_job(catalogue, model, image, "busybox", "o")
        run_job(shell, job, make_image(tmp_path / f"image-{n}", f"build {n}"), pvc)
        assert (pvc / "current" / "weights.bin").read_text() == f"build {n}"
    assert len(list((pvc / "versions").iterdir())) == 2


def test_versions_that_one_folder_name_would_merge_are_both_copied(
    shell: list[str], tmp_path: Path
) -> None:
    catalogue = fleet()
    model = next(m for m in catalogue.models if m.wrapper == "container")
    pvc = tmp_path / "pvc"
    pvc.mkdir()
    for version in ("1.0+a", "1.0_a"):
        job = site_container.copy_job(
            catalogue, replace(model, version=version), "img:1", "busybox", "o"
        )
        run_job(shell, job, make_image(tmp_path / version, version), pvc)
        assert (pvc / "current" / "weights.bin").read_text() == version


def test_the_volume_holds_at_most_two_versions_even_while_copying(
    shell: list[str], tmp_path: Path
) -> None:
    pvc = tmp_path / "pvc"
    pvc.mkdir()
    for version in ("1", "2"):
        run(shell, make_image(tmp_path / f"image-{version}", version), pvc, version)
    assert sorted(p.name for p in (pvc / "versions").iterdir()) == ["1", "2"]
    env = {"PATH": os.environ["PATH"], "MODELS_ROOT": str(pvc), "MODEL_VERSION_DIR": "3"}
    env["MODEL_PATH"] = str(tmp_path / "missing")  # the copy of 3 stops half way
    done = subprocess.run([*shell, "-c", COPY_SCRIPT], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    # The claim has room for two (`container.size`): 1 went before 3 was copied.
    assert sorted(p.name for p in (pvc / "versions").iterdir()) == ["2", "3.partial"]
    assert (pvc / "current" / "weights.bin").read_text() == "2"


def test_a_stopped_copy_job_never_switches_current(shell: list[str], tmp_path: Path) -> None:
    """A Job pruned while it copies (a newer Job replaced it) must not switch `current` to
    its old version after the newer one did: on TERM it stops before its next step."""
    pvc = tmp_path / "pvc"
    pvc.mkdir()
    run(shell, make_image(tmp_path / "image-new", "new"), pvc, "new")
    slow = tmp_path / "bin"
    slow.mkdir()
    started = tmp_path / "cp-started"
    (slow / "cp").write_text(f'#!/bin/sh\n: > {started}\nsleep 1\nexec {shutil.which("cp")} "$@"\n')
    (slow / "cp").chmod(0o755)
    env = {
        "PATH": f"{slow}:{os.environ['PATH']}",
        "MODEL_PATH": str(make_image(tmp_path / "image-old", "old")),
        "MODELS_ROOT": str(pvc),
        "MODEL_VERSION_DIR": "old",
    }
    with in_own_group([*shell, "-c", COPY_SCRIPT], env) as proc:
        deadline = time.monotonic() + 60
        while not started.exists():  # inside the slow cp
            assert proc.poll() is None and time.monotonic() < deadline, "no copy started"
            time.sleep(0.005)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 143
    assert os.readlink(pvc / "current") == "versions/new"


def test_a_folder_kubelet_made_for_a_subpath_mount_is_replaced_by_the_symlink(
    shell: list[str], tmp_path: Path
) -> None:
    # A workload that mounts `subPath: current` before the first copy finished: kubelet
    # creates the missing subPath as an empty folder, which `mv -T` cannot replace.
    pvc = tmp_path / "pvc"
    (pvc / "current").mkdir(parents=True)
    run(shell, make_image(tmp_path / "image", "weights 1"), pvc, "1")
    assert os.readlink(pvc / "current") == "versions/1"
    assert (pvc / "current" / "weights.bin").read_text() == "weights 1"


def test_a_current_folder_with_files_is_left_and_the_copy_fails(
    shell: list[str], tmp_path: Path
) -> None:
    pvc = tmp_path / "pvc"
    (pvc / "current").mkdir(parents=True)
    (pvc / "current" / "mine.txt").write_text("not edgemodels'")
    env = {
        "PATH": os.environ["PATH"],
        "MODEL_PATH": str(make_image(tmp_path / "image", "weights 1")),
        "MODELS_ROOT": str(pvc),
        "MODEL_VERSION_DIR": "1",
    }
    done = subprocess.run([*shell, "-c", COPY_SCRIPT], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "is a folder with files, not a symlink" in done.stderr
    assert (pvc / "current" / "mine.txt").read_text() == "not edgemodels'"
