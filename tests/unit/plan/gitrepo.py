"""Real temporary git repositories holding the example catalogue, for the --base tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def example_repo(tmp_path: Path) -> Path:
    """A new repository with the example catalogue in catalogue/ and sites.yaml, uncommitted."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(EXAMPLES / "lrt", root / "catalogue")
    shutil.copy(EXAMPLES / "sites.yaml", root / "sites.yaml")
    return root
