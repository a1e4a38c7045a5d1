"""An output folder that overlaps the catalogue is refused before anything is written, and a
generated tree left inside a catalogue folder is skipped by discovery, with a warning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from generate_helpers import REPO, files_of, run_generate

from edgemodels.cli import main

EXAMPLE = REPO / "examples" / "lrt"


@pytest.fixture
def cat(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "cat")
    return tmp_path / "cat"


@pytest.mark.parametrize("output", ["cat/generated", "cat", "cat/models", ".", "link/out"])
def test_output_overlapping_the_catalogue_is_refused(
    cat: Path, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (cat.parent / "link").symlink_to(cat)  # a symlink cannot hide the overlap
    before = sorted(p.relative_to(cat.parent) for p in cat.parent.rglob("*"))
    assert run_generate(str(cat), "-o", str(cat.parent / output)) == 2
    assert "overlaps the catalogue" in capsys.readouterr().err
    assert sorted(p.relative_to(cat.parent) for p in cat.parent.rglob("*")) == before
    assert main(["check", str(cat)]) == 0


def test_catalogue_inside_the_output_is_refused(cat: Path) -> None:
    assert run_generate(str(cat / "models"), "-o", str(cat), "--check") == 2


def test_sibling_output_is_accepted(cat: Path) -> None:
    assert run_generate(str(cat), "-o", str(cat.parent / "generated")) == 0
    single = cat.parent / "single"  # a one-file catalogue: beside it is outside it
    single.mkdir()
    shutil.copy(cat / "catalogue.yaml", single / "catalogue.yaml")
    assert run_generate(str(single / "catalogue.yaml"), "-o", str(single / "g2")) == 0


def test_an_output_named_from_inside_the_catalogue_gets_the_folder_beside_it(
    cat: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-o generated` typed in the catalogue folder; the refusal said "e.g. a sibling
    folder", not which."""
    monkeypatch.chdir(cat)
    assert run_generate("-o", "generated") == 2
    assert capsys.readouterr().err == (
        "edgemodels: error: the output folder generated overlaps the catalogue .: generated "
        "files would be read as catalogue files; write the tree to a folder outside the "
        "catalogue (such as ../generated, beside it)\n"
    )


def test_generated_tree_inside_the_catalogue_is_skipped(
    cat: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = cat.parent / "out"
    assert run_generate(str(cat), "-o", str(out)) == 0
    shutil.copytree(out, cat / "deploy" / "generated")  # e.g. an older run or a copy
    capsys.readouterr()
    assert main(["check", str(cat)]) == 0
    text = capsys.readouterr().out
    assert "deploy/generated:1:1: Y015 [warning]" in text
    assert "S004" not in text
    assert main(["check", "--strict", str(cat)]) == 1


def test_a_comment_above_an_entry_rewrites_no_generated_file(cat: Path) -> None:
    out = cat.parent / "out"
    assert run_generate(str(cat), "-o", str(out)) == 0
    before = files_of(out)
    for name in ("catalogue.yaml", "models/sktime.yaml"):
        path = cat / name
        path.write_text("# reviewed by the line team\n" + path.read_text())
    assert run_generate(str(cat), "-o", str(out)) == 0
    assert files_of(out) == before  # the manifest's catalogue digest included


@pytest.mark.parametrize("name", ["report.json", "results.SARIF", "junit.xml"])
def test_an_output_named_like_a_report_is_refused(
    cat: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = cat.parent / name
    assert run_generate(str(cat), "-o", str(cat.parent / "tree"), "--output", str(out)) == 2
    assert "looks like a report file" in capsys.readouterr().err
    assert not out.exists()


def test_an_existing_file_as_output_is_refused(cat: Path) -> None:
    (cat.parent / "plain").write_text("x")
    assert run_generate(str(cat), "-o", str(cat.parent / "plain")) == 2
