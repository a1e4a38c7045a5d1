"""Shared test fixtures. Git identity is pinned so tests never depend on the machine's config."""

from __future__ import annotations

import compileall
import os
from pathlib import Path

import pytest

from sarifschema import sarif_schema  # noqa: F401  (a fixture, for every test)

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"


def pytest_sessionstart(session: pytest.Session) -> None:
    """edgemodels' modules compiled once, as an install leaves them (pip compiles a wheel's;
    a user's first run writes them): with PYTHONDONTWRITEBYTECODE set, as in .ci/run,
    every `python -m edgemodels` the tests start compiled them all again, 0.1-0.3 s of
    CPU a process. Python reads them whatever that setting; they are not tracked (.gitignore),
    and nothing edgemodels keys on counts them (server/stamp.py, validate/resultcache.py).
    Under pytest-xdist the controller compiles them before its workers start."""
    if hasattr(session.config, "workerinput"):
        return
    compileall.compile_dir(REPO_ROOT / "generator" / "edgemodels", quiet=1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden trees under tests/cases/ from the current generator output.",
    )


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var, value in {
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.invalid",
        "GIT_COMMITTER_NAME": "Test Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(var, value)
    home = tmp_path / "_home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    os.environ.pop("GIT_DIR", None)
    # Never served by a server the machine's user may have running; the server's own tests
    # start theirs, each in a runtime folder of its own (tests/acceptance/served.py).
    monkeypatch.setenv("EDGEMODELS_SERVER", "off")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
