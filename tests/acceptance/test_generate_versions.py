"""A tree written by another edgemodels version (D306): no silent downgrade, and --check says
which version wrote the tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from generate_helpers import files_of, run_generate
from test_generate_lifecycle import Repo, catalogue

from edgemodels import generate, treeversion
from edgemodels.treeversion import is_newer, release


def as_version(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    """Run as edgemodels `version`: the manifest records it, the comparison uses it."""
    monkeypatch.setattr(generate, "__version__", version)
    monkeypatch.setattr(treeversion, "__version__", version)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def test_releases_compare_by_number_not_text() -> None:
    assert release("0.10.0") == (0, 10) and release("v1.2") == (1, 2) and release("x") is None
    assert is_newer("0.10.0", "0.9.1") and is_newer("1.0", "0.99.99")
    assert not is_newer("0.2.0", "0.2") and not is_newer("0.2.0rc1", "0.2.0")
    assert not is_newer("0.1.0", "0.2.0") and not is_newer("garbage", "0.1.0")
    # A post-release follows its release (PEP 440): 0.1.0 must not overwrite its tree.
    assert is_newer("0.1.0.post1", "0.1.0") and is_newer("0.1.0-2", "0.1.0.post1")
    assert not is_newer("0.1.0", "0.1.0.post1") and not is_newer("0.1.0.post1", "0.1.1")
    assert not is_newer("0.1.0.post1", "0.1.0.post1") and not is_newer("0.1.0rc1", "0.1.0")


def test_an_older_edgemodels_does_not_overwrite_a_newer_tree(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    as_version(monkeypatch, "0.10.0")
    assert repo.generate(catalogue()) == 0
    written = files_of(repo.out)
    as_version(monkeypatch, "0.9.1")
    capsys.readouterr()
    assert repo.generate(catalogue()) == 1
    out = capsys.readouterr().out
    manifest = (repo.out / ".edgemodels" / "manifest.json").as_posix()
    assert f"{manifest}:3:1: D306 {repo.out} was written by edgemodels 0.10.0, this is 0.9.1" in out
    assert "upgrade edgemodels (pip install -U 'edgemodels==0.10.0'" in out
    assert "or pass --force" in out
    assert files_of(repo.out) == written  # nothing downgraded
    assert repo.generate(catalogue(), "--force") == 0
    assert b'"edgemodelsVersion": "0.9.1"' in (repo.out / ".edgemodels/manifest.json").read_bytes()


def test_a_newer_edgemodels_rewrites_an_older_tree_without_a_word(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    as_version(monkeypatch, "0.1.0")
    assert repo.generate(catalogue()) == 0
    as_version(monkeypatch, "0.2.0")
    capsys.readouterr()
    assert repo.generate(catalogue()) == 0
    assert "D306" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrote", "runs", "advice"),
    [
        ("0.1.0", "0.2.0", "regenerate with 0.2.0 and commit the tree"),
        ("0.2.0", "0.1.0", "upgrade edgemodels (pip install -U 'edgemodels==0.2.0'"),
    ],
)
def test_check_names_the_version_that_wrote_the_tree(
    repo: Repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    wrote: str,
    runs: str,
    advice: str,
) -> None:
    as_version(monkeypatch, wrote)
    assert repo.generate(catalogue()) == 0
    as_version(monkeypatch, runs)
    capsys.readouterr()
    assert repo.generate(catalogue(), "--check") == 1
    out = capsys.readouterr().out
    assert f"D306 {repo.out} was written by edgemodels {wrote}, this is {runs}: {advice}" in out
    manifest = (repo.out / ".edgemodels" / "manifest.json").as_posix()
    assert (  # the manifest alone differs: said so, and what it is
        f"{manifest}:1:1: D304 out of date: the ownership manifest (.edgemodels/manifest.json) "
        "is not what generate writes, though every generated file is; generate would rewrite it"
    ) in out
    assert "out of date (0 added, 1 changed, 0 removed, " in out


def test_check_of_a_tree_of_this_version_says_nothing_of_versions(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.generate(catalogue()) == 0
    assert run_generate(str(repo.file), "-o", str(repo.out), "--check") == 0
    assert "D306" not in capsys.readouterr().out
