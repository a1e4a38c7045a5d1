"""Running `edgemodels generate` as a user does, and reading what it wrote."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from edgemodels.cli import main
from edgemodels.tree import WORKING_FILES

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"


def run_generate(*args: str) -> int:
    """`edgemodels generate ARGS`, through the real CLI."""
    return main(["generate", *args])


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under root except a run's working files (lock, cache), by posix path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() not in WORKING_FILES
    }


def save_golden(out: Path, expected: Path) -> None:
    """Replace the golden folder `expected` with the generated tree in `out`."""
    shutil.rmtree(expected, ignore_errors=True)
    shutil.copytree(out, expected)
    for name in WORKING_FILES:
        (expected / name).unlink(missing_ok=True)


def sub_edit(rel: str, pattern: str, replacement: str, count: int = 1) -> Callable[[Path], None]:
    """An edit of the file `rel` below the folder it is given: `pattern` replaced (it must
    be there)."""

    def edit(folder: Path) -> None:
        path = folder / rel
        text, done = re.subn(pattern, replacement, path.read_text(), count=count)
        assert done, f"{pattern!r} not in {rel}"
        path.write_text(text)

    return edit
