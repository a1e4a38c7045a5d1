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


def committed_example_repo(tmp_path: Path) -> Path:
    """example_repo, its first commit (on main) holding the example catalogue."""
    root = example_repo(tmp_path)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "catalogue")
    return root


def single_file_repo(tmp_path: Path) -> Path:
    """A repository whose catalogue is one file, catalogue.yaml (the example's head file with
    the sktime model appended under its `spec:`), committed on main."""
    root = tmp_path / "single"
    root.mkdir()
    git(root, "init", "-q")
    models = (EXAMPLES / "lrt" / "models" / "sktime.yaml").read_text().split("spec:", 1)[1]
    head = (EXAMPLES / "lrt" / "catalogue.yaml").read_text()
    (root / "catalogue.yaml").write_text(head + models)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one file")
    return root
