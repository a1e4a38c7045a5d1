"""Two merge requests that both change the catalogue conflict in the generated tree; generate
recognises the conflict markers (D307) and a forced run resolves them from the catalogue.
Real git: the markers are the ones git writes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from generate_helpers import files_of, run_generate

from edgemodels.treemerge import marker_line, sides

TEMPLATE = Path(__file__).resolve().parents[2] / "repo-template"
MODEL = "catalogue/models/forecaster.yaml"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *identity, *args],
        cwd=repo,
        check=check,
        capture_output=True,
        text=True,
    )


def commit_generated(repo: Path, message: str) -> None:
    assert run_generate("catalogue", "-o", "generated") == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """bob merges main after alice's merge request landed: both regenerated the tree."""
    repo = tmp_path / "repo"
    repo.mkdir()
    monkeypatch.chdir(repo)
    git(repo, "init", "-q")
    shutil.copytree(TEMPLATE / "catalogue", repo / "catalogue")
    commit_generated(repo, "start")
    git(repo, "checkout", "-qb", "alice")
    text = (repo / MODEL).read_text()
    (repo / "catalogue/models/detector.yaml").write_text(text.replace("forecaster", "detector"))
    commit_generated(repo, "add detector")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "alice")
    git(repo, "checkout", "-qb", "bob", "HEAD~1")
    (repo / MODEL).write_text(text.replace("version: 1.0.0 ", "version: 1.1.0 "))
    commit_generated(repo, "bump forecaster")
    done = git(repo, "merge", "main", check=False)
    assert done.returncode == 1 and "CONFLICT" in done.stdout
    assert "generated/.edgemodels/manifest.json" in done.stdout
    return repo


def test_generate_names_the_merge_conflict_and_writes_nothing(
    merged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files_of(merged / "generated")
    capsys.readouterr()
    for extra in ((), ("--check",)):
        assert run_generate("catalogue", "-o", "generated", *extra) == 1
        out = capsys.readouterr().out
        manifest = "generated/.edgemodels/manifest.json"
        line = marker_line((merged / manifest).read_bytes())
        assert line is not None and line > 1
        assert f"{manifest}:{line}:1: D307 merge conflict in the generated tree: " in out
        assert "regenerate with --force (the catalogue is the source of truth)" in out
        assert "damaged" not in out and "D301" not in out
        readme = marker_line((merged / "generated/README.md").read_bytes())
        assert f"generated/README.md:{readme}:1: D307 merge conflict" in out
    assert files_of(merged / "generated") == before


def test_a_forced_generate_resolves_the_conflict_from_the_catalogue(
    merged: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_generate("catalogue", "-o", "generated", "--force") == 0
    assert run_generate("catalogue", "-o", "generated", "--check") == 0
    assert run_generate("catalogue", "-o", str(tmp_path / "fresh")) == 0
    assert files_of(merged / "generated") == files_of(tmp_path / "fresh")
    git(merged, "add", "generated")
    assert git(merged, "diff", "--name-only", "--diff-filter=U").stdout == ""


def test_both_sides_of_a_diff3_conflict() -> None:
    text = b"a\n<<<<<<< HEAD\nb\n||||||| base\nx\n=======\nc\n>>>>>>> main\nd\n"
    assert sides(text) == (b"a\nb\nd\n", b"a\nc\nd\n")
    assert marker_line(text) == 2
    assert marker_line(b"<<<<<<< only an opening\n") is None
