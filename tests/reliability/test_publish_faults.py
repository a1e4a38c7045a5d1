"""`publish` under faults: SIGKILL at random points (with its git programs), runs at once.

The deploy repository is a bare repository on disk. After every kill it must pass
`git fsck --strict`, hold no lock file, and its branch must point at the old commit or at a
complete new commit whose tree is byte for byte the expected new tree; the next run (same
options, no manual step) must publish the new tree.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from .conftest import FIGURES, SEED
from .procs import run_at_once, run_child, stratified
from .trees import snapshot
from .workspace import run

PUBLISH_KILLS = int(os.environ.get("EDGEMODELS_PUBLISH_KILLS", "6"))
BRANCH = "acm-dev"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="publish needs git")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def branch_files(bare: Path, rev: str = BRANCH) -> dict[str, str]:
    """path -> blob id of every file of the commit."""
    listing = git(bare, "ls-tree", "-r", "-z", rev)
    found = {}
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        found[path] = meta.split()[2]
    return found


def expected_files(tree: Path) -> dict[str, str]:
    return {path: _blob_id(data) for path, data in snapshot(tree).items()}


def _wait_for_servers(bare: Path, seconds: float = 30) -> None:
    """Until no `git-receive-pack` of `bare` runs (found in /proc)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        serving = False
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                args = cmdline.read_bytes().split(b"\0")
            except OSError:
                continue  # ended meanwhile
            if any(b"receive-pack" in a for a in args) and any(
                str(bare).encode() in a for a in args
            ):
                serving = True
                break
        if not serving:
            return
        time.sleep(0.05)
    raise AssertionError(f"a git-receive-pack of {bare} still runs after {seconds} s")


def assert_sound(bare: Path, old_commit: str, new_files: dict[str, str]) -> str:
    """The repository after a fault: 'old' or 'new' (a complete commit); else fail. The
    server side of a push the fault cut off may still be ending (SERVER_APART): it is let
    finish first, as a real server would."""
    _wait_for_servers(bare)
    locks = [p.relative_to(bare).as_posix() for p in bare.rglob("*.lock")]
    assert locks == [], f"lock files left in the deploy repository: {locks}"
    git(bare, "fsck", "--strict", "--no-dangling", "--no-progress")
    tip = git(bare, "rev-parse", BRANCH).strip()
    if tip == old_commit:
        return "old"
    assert git(bare, "rev-parse", f"{tip}^").strip() == old_commit, "the branch skipped a commit"
    assert branch_files(bare, tip) == new_files, "a commit that is not the complete new tree"
    assert "Published by edgemodels" in git(bare, "log", "-1", "--format=%B", tip)
    return "new"


@pytest.fixture(scope="module")
def pristine(
    versions: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """A bare deploy repository holding the old tree, and that commit."""
    bare = tmp_path_factory.mktemp("deploy") / "deploy.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True, timeout=60)
    result = run(["publish", str(versions[0]), "--repo", str(bare), "--branch", BRANCH])
    assert result.code == 0, result.err
    return bare, git(bare, "rev-parse", BRANCH).strip()


def _git_steps(logs: Path) -> list[tuple[str, str]]:
    lines = (logs / "git").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split(" ", 1)) for line in lines if " " in line]  # type: ignore[misc]


def _publish_args(catalogue: Path, bare: Path, workdir: Path | None) -> list[str]:
    args = ["publish", str(catalogue), "--repo", str(bare), "--branch", BRANCH]
    return args + (["--workdir", str(workdir)] if workdir else [])


# A deploy repository on a local path is served by a `git-receive-pack` that git starts as
# a child of the push, so killing publish's process group killed the server side too, in
# the middle of its ref update, leaving `refs/heads/<branch>.lock` (about one run in five).
# A real remote's server is not ours to kill: it runs in a session of its own here.
SERVER_APART = {
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "remote.origin.receivepack",
    "GIT_CONFIG_VALUE_0": "setsid -w git-receive-pack",
}


@pytest.mark.slow
@pytest.mark.parametrize("with_workdir", [False, True], ids=["temporary-clone", "workdir"])
def test_sigkill_at_random_points_never_corrupts_the_deploy_repository(
    tmp_path: Path,
    versions: tuple[Path, Path],
    expected: tuple[Path, Path],
    pristine: tuple[Path, str],
    with_workdir: bool,
) -> None:
    _, new_cat = versions
    source, old_commit = pristine
    new_files = expected_files(expected[1])
    bare, logs, temp = tmp_path / "deploy.git", tmp_path / "logs", tmp_path / "tmp"
    workdir = tmp_path / "workdir" if with_workdir else None
    temp.mkdir()
    env = {"TMPDIR": str(temp), **SERVER_APART}
    shutil.copytree(source, bare)
    calibration = run_child(_publish_args(new_cat, bare, workdir), logs, env=env)
    assert calibration.code == 0, calibration.err
    ops = calibration.ops
    pushes = [int(n) for n, cmd in _git_steps(logs) if cmd == "push"]
    assert pushes, "the calibration run pushed nothing"
    rng = random.Random(SEED + with_workdir)
    states: Counter[str] = Counter()
    leftovers = 0
    for number in range(PUBLISH_KILLS):
        shutil.rmtree(bare)
        shutil.copytree(source, bare)
        if workdir is not None:  # a working clone that holds the old branch, as in real use
            shutil.rmtree(workdir, ignore_errors=True)
            assert run(_publish_args(versions[0], bare, workdir)).code == 0
        args = _publish_args(new_cat, bare, workdir)
        if number % 3 == 2:  # while the push runs: the remote may or may not take it
            when = stratified(rng, number // 3, max(1, PUBLISH_KILLS // 3), 0.3)
            done = run_child(args, logs, kill_at_op=pushes[0], kill_delay=when, env=env)
        elif number % 4 == 3:
            when = stratified(rng, number // 4, max(1, PUBLISH_KILLS // 4), 1.0)
            done = run_child(args, logs, kill_after=when, env=env)
        else:
            point = stratified(rng, number - number // 4, PUBLISH_KILLS - PUBLISH_KILLS // 4, ops)
            done = run_child(args, logs, kill_at_op=1 + int(point), env=env)
        assert done.code in (0, -9), done.err
        states[assert_sound(bare, old_commit, new_files)] += 1
        leftovers += len(list(temp.iterdir()))
        shutil.rmtree(temp)
        temp.mkdir()
        again = run(args)  # the next run: same command, nothing cleaned by hand
        assert again.code == 0, again.out + again.err
        assert assert_sound(bare, old_commit, new_files) == "new"
    label = "publish --workdir" if with_workdir else "publish"
    FIGURES[f"{label}: SIGKILLs survived"] += PUBLISH_KILLS
    for state, count in states.items():
        FIGURES[f"{label}: kills leaving the {state} commit"] += count
    FIGURES[f"{label}: temporary clones left behind by kills"] += leftovers


@pytest.mark.parametrize("with_workdir", [False, True], ids=["temporary-clone", "workdir"])
def test_two_publishes_at_once_neither_corrupts_the_other(
    tmp_path: Path,
    versions: tuple[Path, Path],
    expected: tuple[Path, Path],
    pristine: tuple[Path, str],
    with_workdir: bool,
) -> None:
    old_cat, new_cat = versions
    source, old_commit = pristine
    trees = {
        frozenset(expected_files(expected[0]).items()),
        frozenset(expected_files(expected[1]).items()),
    }
    bare = tmp_path / "deploy.git"
    shutil.copytree(source, bare)
    workdir = tmp_path / "workdir" if with_workdir else None
    refused = 0
    for round_ in range(3):
        cats = (new_cat, old_cat) if round_ % 2 else (old_cat, new_cat)
        commands = [_publish_args(cat, bare, workdir) for cat in cats]
        refused += run_at_once(commands, tmp_path, "another edgemodels")
        git(bare, "fsck", "--strict", "--no-dangling", "--no-progress")
        history = git(bare, "rev-list", "--parents", BRANCH).splitlines()
        assert all(len(line.split()) <= 2 for line in history), "a merge commit appeared"
        for line in history:  # every commit holds one complete tree
            assert frozenset(branch_files(bare, line.split()[0]).items()) in trees
    assert old_commit in git(bare, "rev-list", BRANCH)
    label = "publish --workdir" if with_workdir else "publish"
    FIGURES[f"{label}: concurrent pairs run"] += 3
    FIGURES[f"{label}: concurrent runs refused by a lock"] += refused
