"""Symlinks in a catalogue folder as `check`, `generate` and `publish` read them: a link to a
file is read; a link to a folder, or to no file, is not, and says so (Y016); a file read
through a link out of the git repository is a warning (Y017). Real git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from edgemodels.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lrt"


def _repository(tmp_path: Path, git: bool = True) -> Path:
    """A repository holding the example catalogue in catalogue/ (git init'ed when `git`)."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "catalogue")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    os.chdir(root)
    code = main(["check", "catalogue", *args])
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture(autouse=True)
def _back_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path.cwd())  # each test changes into its repository


def test_a_symlinked_models_folder_is_an_error_naming_the_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was skipped without a word: `check` passed on the catalogue without its models
    (and a publish would have removed them from every site)."""
    root = _repository(tmp_path)
    (root / "catalogue" / "models").rename(root / "shared-models")
    os.symlink("../shared-models", root / "catalogue" / "models")
    code, out = _check(root, capsys)
    assert code == 1
    assert out[0].startswith(
        "catalogue/models:1:1: Y016 a symlink to the folder '../shared-models': its files "
        "are not read"
    )
    assert main(["generate", "catalogue", "-o", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_a_symlink_to_no_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link to a file outside the repository is what a clone (CI) holds: a dangling one."""
    root = _repository(tmp_path)
    os.symlink("../../../elsewhere/extra.yaml", root / "catalogue" / "models" / "extra.yaml")
    os.symlink("loop-b.yaml", root / "catalogue" / "loop-a.yaml")
    os.symlink("loop-a.yaml", root / "catalogue" / "loop-b.yaml")
    code, out = _check(root, capsys)
    assert code == 1
    found = sorted(line.split(" a symlink")[0] for line in out if " Y016 " in line)
    assert found == [
        "catalogue/loop-a.yaml:1:1: Y016",
        "catalogue/loop-b.yaml:1:1: Y016",
        "catalogue/models/extra.yaml:1:1: Y016",
    ]
    assert "'../../../elsewhere/extra.yaml', which is no file here" in "\n".join(out)


def test_a_file_link_out_of_the_repository_is_read_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    model = root / "catalogue" / "models" / "sktime.yaml"
    model.rename(outside / "sktime.yaml")
    os.symlink(outside / "sktime.yaml", model)
    code, out = _check(root, capsys)
    assert code == 0  # read: the model is there, no R104 or R105
    assert out[0].startswith(
        f"catalogue/models/sktime.yaml:1:1: Y017 [warning] a symlink to "
        f"'{outside / 'sktime.yaml'}', outside the repository {os.path.realpath(root)}"
    )
    assert _check(root, capsys, "--strict")[0] == 1
    # one inside the repository is read as the file, without a word
    shutil.move(outside / "sktime.yaml", root / "sktime.yaml")
    model.unlink()
    os.symlink("../../sktime.yaml", model)
    assert _check(root, capsys) == (0, ["checked catalogue: no findings"])


def test_outside_git_a_file_link_is_read_without_a_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path, git=False)
    outside = tmp_path / "outside"
    outside.mkdir()
    model = root / "catalogue" / "models" / "sktime.yaml"
    model.rename(outside / "sktime.yaml")
    os.symlink(outside / "sktime.yaml", model)
    assert _check(root, capsys) == (0, ["checked catalogue: no findings"])


def test_a_symlink_to_a_generated_tree_is_skipped_as_the_tree_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path)
    assert main(["generate", str(root / "catalogue"), "-o", str(root / "generated")]) == 0
    os.symlink("../generated", root / "catalogue" / "generated")
    capsys.readouterr()
    code, out = _check(root, capsys)
    assert code == 0
    assert out[0].startswith("catalogue/generated:1:1: Y015 [warning]")


def test_a_folder_of_nothing_but_a_symlinked_folder_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "catalogue").mkdir()
    os.symlink("../real", tmp_path / "catalogue" / "models")
    assert main(["check", str(tmp_path / "catalogue")]) == 2
    err = capsys.readouterr().err
    assert "no catalogue files (*.yaml) found (Y014)" in err
    assert (
        f"not read (symlinks to a folder or to no file): {tmp_path / 'catalogue' / 'models'}" in err
    )
