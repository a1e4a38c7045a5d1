"""`plan --base` of a catalogue that has moved in its repository since the base revision
(`git mv catalogue fleet`): the base has no catalogue at the new path, which plan says
(D129) instead of showing every model as new without a word, unless git's rename detection
finds where it was (D131); `--base-catalogue` names where it was, so the comparison and its
removal guards are right again."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_plan_cli import git, plan, repo  # noqa: F401 - repo: the fixture

from edgemodels.cli import EXIT_USAGE


def move_and_retire(root: Path) -> None:
    """The catalogue moves to fleet/ (committed) and sktime leaves 3 of the 4 sites."""
    git(root, "mv", "catalogue", "fleet")
    git(root, "commit", "-q", "-m", "fleet")
    (root / "fleet" / "models" / "sktime.yaml").unlink()


def test_a_base_without_the_catalogue_is_said(
    repo: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    # moved, but not with git (no `git mv`, no `git add`): git finds no rename
    (repo / "catalogue").rename(repo / "fleet")
    assert plan("-i", "sites.yaml", "fleet", "--base", "main") == 0  # every model is new
    out = capsys.readouterr().out
    assert "fleet/catalogue.yaml:8:9: D129 [info] the base main (" in out
    assert (
        "has no catalogue at fleet: every model is planned as added and no removal is "
        "checked; if the catalogue was elsewhere then (moved since), name that path with "
        "--base-catalogue"
    ) in out


def test_git_finds_where_it_was(
    repo: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    move_and_retire(repo)
    assert plan("-i", "sites.yaml", "fleet", "--base", "main~1") == 1
    out = capsys.readouterr().out
    assert "fleet/catalogue.yaml:8:9: D101 models are removed from 3 of 4 sites (75%)" in out
    assert "fleet/catalogue.yaml:8:9: D131 [info] the base main~1 (" in out
    assert (
        "has no catalogue at fleet: git finds it moved since, from catalogue, and the plan "
        "compares with the catalogue there; --base-catalogue PATH names another path"
    ) in out
    assert "D129" not in out


def test_base_catalogue_names_where_it_was(
    repo: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    move_and_retire(repo)
    args = ("-i", "sites.yaml", "fleet", "--base", "main~1", "--base-catalogue", "catalogue")
    assert plan(*args) == 1
    out = capsys.readouterr().out
    assert "fleet/catalogue.yaml:8:9: D101 models are removed from 3 of 4 sites (75%)" in out
    assert "D129" not in out and "D131" not in out
    assert "compared with main~1" in out
    # named from the working folder, as the catalogue is
    (repo / "sub").mkdir()
    with pytest.MonkeyPatch.context() as patched:
        patched.chdir(repo / "sub")
        rc = plan(
            "-i",
            "../sites.yaml",
            "../fleet",
            "--base",
            "main~1",
            "--base-catalogue",
            "../catalogue",
        )
    assert rc == 1 and "D101 models are removed from 3 of 4" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--base-catalogue", "catalogue"), "--base-catalogue needs --base"),
        (("--base", "main", "--base-catalogue", "/elsewhere"), "--base-catalogue /elsewhere is"),
    ],
)
def test_base_catalogue_usage(
    repo: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    assert plan("-i", "sites.yaml", "catalogue", *args) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_a_base_catalogue_that_was_not_there_either_is_said(
    repo: Path,  # noqa: F811 - the fixture
    capsys: pytest.CaptureFixture[str],
) -> None:
    move_and_retire(repo)
    args = ("-i", "sites.yaml", "fleet", "--base", "main~1", "--base-catalogue", "nowhere")
    assert plan(*args) == 0
    assert "D129 [info] the base main~1 (" in capsys.readouterr().out
