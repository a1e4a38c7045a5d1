"""Shared set-up of the reliability suite: how many cases to run, and a summary of figures.

CI runs a bounded number of cases; more on demand:

    EDGEMODELS_FUZZ_EXAMPLES=5000 EDGEMODELS_KILLS=1000 .venv/bin/python -m pytest tests/reliability

Each test records its figures (cases run, kills and where they landed) in `FIGURES`; they
are printed at the end of the run, which is where docs/reliability.md takes them from.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from .trees import old_and_new
from .workspace import run

FUZZ_EXAMPLES = int(os.environ.get("EDGEMODELS_FUZZ_EXAMPLES", "60"))
KILLS = int(os.environ.get("EDGEMODELS_KILLS", "50"))
SEED = int(os.environ.get("EDGEMODELS_FAULT_SEED", "20240611"))

FIGURES: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.write_sep("-", "reliability figures")
        for key in sorted(FIGURES):
            terminalreporter.write_line(f"{key}: {FIGURES[key]}")


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(old catalogue, new catalogue), shared by the tests of a module."""
    yield old_and_new(tmp_path_factory.mktemp("catalogues"))


@pytest.fixture(scope="module")
def expected(
    versions: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """Folders holding the complete old and the complete new tree."""
    root = tmp_path_factory.mktemp("expected")
    for name, catalogue in zip(("old", "new"), versions, strict=True):
        result = run(["generate", str(catalogue), "-o", str(root / name)])
        assert result.code == 0, result.err
    return root / "old", root / "new"
