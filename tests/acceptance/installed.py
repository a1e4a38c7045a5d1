"""The installed `edgemodels` program, run as a user runs it, on an edited copy of an example."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EDGEMODELS = Path(sys.executable).parent / "edgemodels"


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EDGEMODELS), *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
    )


def edit(path: Path, old: str, new: str) -> None:
    """`old` in the file, once, replaced by `new`; `old` must be there."""
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))
