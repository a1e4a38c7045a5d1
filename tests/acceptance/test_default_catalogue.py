"""Without a CATALOGUE argument, commands find the nearest catalogue up the folder tree, up to
the top of the git work tree, and print paths relative to the working folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from edgemodels.catalogue.default import default_catalogue_path
from edgemodels.cli import main

TEMPLATE = Path(__file__).resolve().parents[2] / "repo-template"
BROKEN = "wraper: http "


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git work tree with the template's split catalogue, one model with a typo."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    shutil.copytree(TEMPLATE / "catalogue", root / "catalogue")
    model = root / "catalogue" / "models" / "forecaster.yaml"
    model.write_text(model.read_text().replace("wrapper: http ", BROKEN))
    return root


@pytest.mark.parametrize(
    ("folder", "shown", "named"),
    [
        (".", "catalogue/models/forecaster.yaml", "catalogue"),
        ("catalogue/models", "forecaster.yaml", ".."),
        ("catalogue", "models/forecaster.yaml", "."),  # the folder, not its catalogue.yaml
        ("docs/notes", "../../catalogue/models/forecaster.yaml", "../../catalogue"),
    ],
)
def test_check_from_any_folder_of_the_repository(
    repo: Path,
    folder: str,
    shown: str,
    named: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (repo / folder).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(repo / folder)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert f"{shown}:10:7: S001 unknown field 'wraper'" in out
    assert f"checked {named}: 1 error" in out


def test_generate_and_plan_find_it_too(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = repo / "catalogue" / "models" / "forecaster.yaml"
    model.write_text(model.read_text().replace(BROKEN, "wrapper: http "))
    monkeypatch.chdir(repo / "catalogue" / "models")
    assert main(["generate", "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "models" / "forecaster").is_dir()
    shutil.copy(TEMPLATE / "sites.yaml", tmp_path / "sites.yaml")
    assert main(["plan", "-i", str(tmp_path / "sites.yaml")]) == 0


@pytest.mark.parametrize(
    ("folder", "shown"),
    [(".", "generated"), ("catalogue/models", "../../generated"), ("catalogue", "../generated")],
)
def test_generate_updates_the_tree_beside_the_catalogue_without_o(
    repo: Path,
    folder: str,
    shown: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In the layout `init` makes, `check` and `validate` take no argument; `generate` took
    none but -o, so the day's loop was `check`, then a usage error. Without -o it updates
    generated/ beside the catalogue, once that holds a generated tree; it never guesses
    where a first tree goes."""
    model = repo / "catalogue" / "models" / "forecaster.yaml"
    model.write_text(model.read_text().replace(BROKEN, "wrapper: http "))
    monkeypatch.chdir(repo / folder)
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert (
        f"missing -o/--output, the folder of the generated tree (without it, generate "
        f"updates the tree in {shown}, beside the catalogue, but that folder holds none): "
        f"edgemodels generate -o {shown}" in err
    )
    assert not (repo / "generated").exists()
    assert main(["generate", "-o", shown]) == 0
    capsys.readouterr()
    model.write_text(model.read_text().replace("version: 1.0.0", "version: 1.0.1"))
    assert main(["generate", "--check"]) == 1
    assert "to update it, run: edgemodels generate -o " in capsys.readouterr().out
    assert main(["generate"]) == 0
    assert capsys.readouterr().out.startswith(f"{shown}: 0 added, 4 changed")
    assert main(["generate", "--check"]) == 0


@pytest.mark.parametrize(
    ("folder", "shown"),
    [(".", "sites.yaml"), ("catalogue/models", "../../sites.yaml")],
)
def test_plan_reads_sites_yaml_beside_the_catalogue_without_i(
    repo: Path,
    folder: str,
    shown: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`init` puts sites.yaml beside catalogue/: plan reads it without -i, and without it
    says which file it looked for instead of click's bare "Missing option"."""
    model = repo / "catalogue" / "models" / "forecaster.yaml"
    model.write_text(model.read_text().replace(BROKEN, "wrapper: http "))
    monkeypatch.chdir(repo / folder)
    assert main(["plan"]) == 2
    assert (
        "missing -i/--inventory, the sites to plan for (without it, plan reads "
        f"{shown}, beside the catalogue, but there is none): edgemodels plan -i SITES.yaml"
    ) in capsys.readouterr().err
    shutil.copy(TEMPLATE / "sites.yaml", repo / "sites.yaml")
    assert main(["plan"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Plan for catalogue ") and out.splitlines()[0].endswith(" on 2 sites")


def test_the_search_stops_at_the_top_of_the_git_work_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(TEMPLATE / "catalogue", tmp_path / "catalogue")  # outside the repository
    inner = tmp_path / "other" / "sub"
    inner.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path / "other", check=True)
    monkeypatch.chdir(inner)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert f"none found in {inner} or the folders above it up to {tmp_path / 'other'}" in err
    assert default_catalogue_path(tmp_path / "plain" / "sub") == tmp_path / "catalogue"


def test_a_split_folder_not_named_catalogue_is_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """examples/lrt: catalogue.yaml beside models/ and workloads.yaml. Reading catalogue.yaml
    alone said every target was unused (exit 0), and generate wrote a tree with no model."""
    example = Path(__file__).resolve().parents[2] / "examples" / "lrt"
    shutil.copytree(example, tmp_path / "lrt")
    (tmp_path / "sites.yaml").write_text("kind: SiteInventory\n")  # not a catalogue file
    assert default_catalogue_path(tmp_path / "lrt" / "models") == tmp_path / "lrt"
    monkeypatch.chdir(tmp_path / "lrt" / "models")
    assert main(["check"]) == 0
    assert "checked ..: no findings" in capsys.readouterr().out
    (tmp_path / "catalogue.yaml").write_text((example / "catalogue.yaml").read_text())
    # sites.yaml is not a catalogue file, and lrt/ is a catalogue of its own
    assert default_catalogue_path(tmp_path) == tmp_path / "catalogue.yaml"


@pytest.mark.parametrize("command", ["check", "generate", "plan", "publish"])
@pytest.mark.parametrize("part", ["catalogue/catalogue.yaml", "catalogue/models/forecaster.yaml"])
def test_one_file_of_a_catalogue_folder_is_refused_naming_the_folder(
    repo: Path,
    command: str,
    part: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`check catalogue/catalogue.yaml`, the file just edited, checked the settings alone
    (R107: no model uses the targets, exit 0), and `publish` of it committed a tree without
    the models, removing them from every site."""
    shutil.copy(TEMPLATE / "sites.yaml", repo / "sites.yaml")
    monkeypatch.chdir(repo)
    extra = {"generate": ["-o", "out"], "plan": ["-i", "sites.yaml"], "publish": ["--dry-run"]}
    assert main([command, part, *extra.get(command, [])]) == 2
    assert capsys.readouterr().err == (
        f"edgemodels: error: {part} is one file of the catalogue folder catalogue/, which is "
        "read as a whole: alone it lacks the models, targets or settings of the other files "
        "(a tree generated from it would remove those models from the sites); give the "
        f"folder: edgemodels {command} catalogue\n"
    )
    assert not (repo / "out").exists()


def test_a_file_set_aside_in_a_dot_folder_is_checked_on_its_own(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    drafts = repo / "catalogue" / ".drafts"
    drafts.mkdir()
    shutil.copy(repo / "catalogue" / "models" / "forecaster.yaml", drafts / "forecaster.yaml")
    monkeypatch.chdir(drafts)
    assert main(["check", "forecaster.yaml"]) == 1  # read alone: the targets are elsewhere
    assert "spec.targets defines none\nchecked forecaster.yaml: 2 errors" in capsys.readouterr().out
