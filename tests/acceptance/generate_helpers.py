"""Running `edgemodels generate` as a user does, and reading what it wrote."""

from __future__ import annotations

from pathlib import Path

from edgemodels.cli import main
from edgemodels.tree import LOCK_PATH

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"


def run_generate(*args: str) -> int:
    """`edgemodels generate ARGS`, through the real CLI."""
    return main(["generate", *args])


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under root except the run-time lock, by posix path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() != LOCK_PATH
    }
