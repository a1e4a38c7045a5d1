"""The published pre-commit hooks, run by the real `pre-commit` on a new catalogue repository.

Slow: pre-commit builds a virtualenv and pip-installs edgemodels with its dependencies from
the package index (once: the later runs reuse it; `try-repo` would build it afresh each
time). The hook repository is a clone of this checkout's HEAD (pre-commit needs committed
hooks; uncommitted work in the checkout does not matter).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from edgemodels.init import InitOptions, init_repository

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        # Wheels downloaded once are reused by later runs (the folder is git-ignored).
        "PIP_CACHE_DIR": str(REPO / ".cache" / "pip"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


@pytest.fixture
def hook_repo(tmp_path: Path) -> Iterator[Path]:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: try-repo needs the hooks committed in a git repository")
    clone = tmp_path / "edgemodels"
    done = run(["git", "clone", "-q", "--no-local", str(REPO), str(clone)], tmp_path)
    assert done.returncode == 0, done.stderr
    if not (clone / ".pre-commit-hooks.yaml").exists():
        pytest.skip(".pre-commit-hooks.yaml is not committed yet")
    yield clone


@pytest.mark.slow
def test_hooks_pass_then_catch_a_stale_tree(
    tmp_path: Path,
    hook_repo: Path,
    pre_commit_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in pre_commit_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")
    head = run(["git", "rev-parse", "HEAD"], hook_repo).stdout.strip()
    catalogue = tmp_path / "catalogue-repo"
    # The hooks as `init` configures them (its .pre-commit-config.yaml, pinned to the
    # clone's HEAD): one hook environment, built at the first run and reused after.
    init_repository(
        InitOptions(
            catalogue,
            git_url="https://git.example.com/edge/deploy.git",
            tool_repo=str(hook_repo),
            tool_rev=head,
        )
    )
    assert run(["git", "commit", "-q", "-m", "catalogue"], catalogue).returncode == 0
    pre_commit = str(BIN / "pre-commit")

    def hooks(*args: str) -> subprocess.CompletedProcess[str]:
        return run([pre_commit, "run", *args], catalogue, timeout=540)

    done = hooks("--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("edgemodels check", "edgemodels generate --check", "edgemodels validate"):
        assert re.search(rf"^{re.escape(name)}\.+Passed$", done.stdout, re.M), done.stdout

    # A version bump without regenerating: the committed tree is stale.
    model = catalogue / "catalogue" / "models" / "forecaster.yaml"
    model.write_text(model.read_text().replace("1.0.0", "1.1.0"))
    assert run(["git", "add", "-A"], catalogue).returncode == 0
    done = hooks()
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^edgemodels generate --check\.+Failed$", done.stdout, re.M), done.stdout
    assert "D304" in done.stdout
    # in text, one finding per folder with its files
    assert "generated/models/forecaster:1:1: D304 out of date: generate would change" in done.stdout
    assert "chart/Chart.yaml" in done.stdout

    # A catalogue error: check prints its findings, generate --check only says it compared
    # nothing, so each finding is shown once.
    model.write_text(model.read_text().replace("wrapper: http", "wraper: http"))
    assert run(["git", "add", "-A"], catalogue).returncode == 0
    done = hooks()
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count(" S001 unknown field 'wraper'") == 1, done.stdout
    assert "the catalogue has 1 error (see edgemodels check)" in done.stdout
    # ... and validate does not pass the old tree as if the change had validated.
    assert re.search(r"^edgemodels validate\.+\(no files to check\)Skipped$", done.stdout, re.M)

    # A commit that only deletes the model: pre-commit leaves deleted files out of its list,
    # so only always_run keeps check and generate --check from being skipped.
    assert run(["git", "reset", "-q", "--hard"], catalogue).returncode == 0
    assert run(["git", "rm", "-q", str(model)], catalogue).returncode == 0
    done = hooks()
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^edgemodels generate --check\.+Failed$", done.stdout, re.M), done.stdout
    assert not re.search(r"^edgemodels check\.+.*Skipped$", done.stdout, re.M), done.stdout
    assert "generated/models/forecaster:1:1: D304 out of date: generate would remove" in done.stdout

    # A README-only commit: the slow validate is skipped, the cheap whole-catalogue hooks pass.
    assert run(["git", "reset", "-q", "--hard"], catalogue).returncode == 0
    readme = catalogue / "README.md"
    readme.write_text(readme.read_text() + "\nOur notes.\n")
    assert run(["git", "add", "README.md"], catalogue).returncode == 0
    done = hooks()
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^edgemodels validate\.+\(no files to check\)Skipped$", done.stdout, re.M)
    for name in ("edgemodels check", "edgemodels generate --check"):
        assert re.search(rf"^{re.escape(name)}\.+Passed$", done.stdout, re.M), done.stdout
