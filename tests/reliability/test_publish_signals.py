"""`publish` stopped by a signal sent to it alone (a CI runner's cancel, `kill PID`): the
git command it waits for is stopped with it, and its temporary clone is removed (a clone
left running raced the removal of its folder, which was left behind, part of it)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from edgemodels.errors import Terminated, raise_on_sigterm
from edgemodels.publishing import run_publish
from edgemodels.publishoptions import PublishOptions

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lrt"

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not Path("/proc/self/task").is_dir(),
    reason="needs git, and /proc to find the child processes",
)

SERVER_SECONDS = 3
# The server makes its pack slowly (git runs this instead of pack-objects).
SLOW_PACK = """#!/bin/sh
touch {started}
sleep {seconds}
exec "$@"
"""


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def running_in(folder: Path) -> list[str]:
    """The command lines of the processes that name `folder` in theirs."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        if str(folder) in line:
            found.append(line)
    return found


def edgemodels(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "edgemodels", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # pytest run as a background job (`nohup ... &`) ignores SIGINT, and the ignoring
        # is inherited: edgemodels would rightly go on, as a background job does on Ctrl-C
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _catalogue_deploy_and_tmp(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The example catalogue, an empty bare deploy repository, and a folder for TMPDIR."""
    catalogue = tmp_path / "catalogue"
    shutil.copytree(EXAMPLE, catalogue)
    bare = tmp_path / "deploy.git"
    git("init", "-q", "--bare", str(bare))
    temp = tmp_path / "tmp"
    temp.mkdir()
    return catalogue, bare, temp


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_the_clone_stops_it_and_removes_the_clone(
    tmp_path: Path, signum: signal.Signals
) -> None:
    catalogue, bare, temp = _catalogue_deploy_and_tmp(tmp_path)
    env = {**os.environ, "TMPDIR": str(temp), "EDGEMODELS_SERVER": "off"}
    args = ["publish", str(catalogue), "--repo", str(bare), "--branch", "acm-dev"]
    first = edgemodels(args, env)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    before = git("--git-dir", str(bare), "rev-parse", "acm-dev")
    model = catalogue / "models" / "sktime.yaml"
    model.write_text(model.read_text().replace("1.4.2", "1.5.0"))
    # The clone waits for the server (file://: a plain path is copied, not served), and
    # writes what it gets into its folder afterwards.
    hook, started = tmp_path / "pack-objects", tmp_path / "clone-started"
    hook.write_text(SLOW_PACK.format(started=started, seconds=SERVER_SECONDS))
    hook.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[uploadpack]\n\tpackObjectsHook = {hook}\n")
    env["HOME"] = str(home)  # the hook is taken from the user's config only
    run = edgemodels([*args, "--repo", f"file://{bare}"], env)
    deadline = time.monotonic() + 60
    while not started.exists():
        assert run.poll() is None, run.communicate(timeout=30)
        assert time.monotonic() < deadline, "the clone never started"
        time.sleep(0.02)
    run.send_signal(signum)
    _, err = run.communicate(timeout=30)
    assert run.returncode == (143 if signum == signal.SIGTERM else 130), err
    assert "Traceback" not in err
    assert running_in(temp) == []
    time.sleep(SERVER_SECONDS + 1)  # a clone left running would write into it now
    assert git("--git-dir", str(bare), "rev-parse", "acm-dev") == before
    assert list(temp.iterdir()) == []


def test_a_signal_during_the_removal_of_the_clone_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM at the end of a run, as the temporary clone is removed: the removal stopped
    half-way and left the rest of the clone behind (3 runs in 60 of a signal loop)."""
    catalogue, bare, temp = _catalogue_deploy_and_tmp(tmp_path)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    real, sent = shutil.rmtree, []

    def signalled(path: Path, *args: object, **kwargs: object) -> None:
        if not sent:  # the signal lands as the removal starts
            sent.append(path)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.1)  # Python raises it here, in the main thread
        real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shutil, "rmtree", signalled)
    previous = signal.getsignal(signal.SIGTERM)
    raise_on_sigterm()
    try:
        options = PublishOptions(catalogue, str(bare), "acm-dev")
        with pytest.raises(Terminated):
            run_publish(options, warn=lambda text: None)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert list(temp.iterdir()) == []
    assert git("--git-dir", str(bare), "log", "--format=%s", "acm-dev").startswith(
        "edgemodels: publish lrt: 4 added"
    )
