"""Small edges of the command line, run through `main` as a user runs it, on real files."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import click
import pytest

from edgemodels.cli import COMMANDS, cli, main
from edgemodels.cli.paths import PathParam

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

UNMATCHED_IGNORE = 'ignore: [{rule: P103, paths: ["nope/*.yaml"]}]\n'


def test_explaining_a_code_prints_no_config_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rule D101` printed the config's P006 warning (an `ignore:` path matching no file),
    which says nothing about the code explained; `rules`, which lists what a run uses,
    still prints it."""
    (tmp_path / ".edgemodels-policy.yaml").write_text(UNMATCHED_IGNORE, encoding="utf-8")
    heads = {
        "D101": "D101 mass-removal",
        "mass-removal": "D101 mass-removal",
        "p101": "P101 image-pinned-by-digest",
        "image-tag-not-latest": "P102 image-tag-not-latest",
    }
    for typed, head in heads.items():
        assert main(["rule", typed, "--catalogue", str(tmp_path)]) == 0
        out, err = capsys.readouterr()
        assert out.startswith(f"{head}\n") and err == "", typed
    assert main(["rules", "--catalogue", str(tmp_path)]) == 0
    assert "P006 [warning] ignore: 'nope/*.yaml' matches no file" in capsys.readouterr().err


def test_a_code_outside_the_policies_is_explained_whatever_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No policy config changes D101, so an invalid one (exit 2 for `rules`) does not stop
    its explanation; a policy rule's, which the config can change, still does."""
    (tmp_path / ".edgemodels-policy.yaml").write_text("rules: {P101: loud}\n", "utf-8")
    assert main(["rule", "D101", "--catalogue", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("D101 mass-removal\n") and err == ""
    assert main(["rule", "P101", "--catalogue", str(tmp_path)]) == 2
    assert "the policy config is invalid" in capsys.readouterr().err


@pytest.fixture
def single(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A one-file catalogue, catalogue.yaml, and sites.yaml, in the working folder."""
    here = tmp_path / "work"
    here.mkdir()
    shutil.copy(EXAMPLES / "lrt" / "catalogue.yaml", here / "catalogue.yaml")
    shutil.copy(EXAMPLES / "sites.yaml", here / "sites.yaml")
    monkeypatch.chdir(here)
    return here


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["check", "catalogue.yaml/"], "'[CATALOGUE]': Path 'catalogue.yaml/' ends in '/'"),
        (
            ["generate", "catalogue.yaml/", "-o", "out"],
            "'[CATALOGUE]': Path 'catalogue.yaml/' ends in '/'",
        ),
        (["plan", "catalogue.yaml/"], "'[CATALOGUE]': Path 'catalogue.yaml/' ends in '/'"),
        (["publish", "catalogue.yaml/", "--dry-run"], "'[CATALOGUE]': Path 'catalogue.yaml/'"),
        (
            ["plan", "catalogue.yaml", "-i", "sites.yaml/"],
            "'-i' / '--inventory': File 'sites.yaml/' ends in '/'",
        ),
        (
            ["check", "catalogue.yaml/models"],
            "'[CATALOGUE]': Path 'catalogue.yaml/models' goes through 'catalogue.yaml'",
        ),
        (
            ["check", "catalogue.yaml", "-o", "report.json/"],
            "'-o' / '--output': File 'report.json/' ends in '/', which names a folder.",
        ),
    ],
)
def test_a_file_named_with_a_trailing_slash_is_refused_as_the_system_refuses_it(
    single: Path, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check catalogue.yaml/` checked catalogue.yaml (pathlib drops the `/`), where `cat`
    and git say "Not a directory": a usage error now, and nothing is done."""
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert f"Error: Invalid value for {said}" in err and out == ""
    assert sorted(p.name for p in single.iterdir()) == ["catalogue.yaml", "sites.yaml"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["-i", "folder"], "'-i' / '--inventory': File 'folder' is a directory."),
        (["-i", "missing.yaml"], "'-i' / '--inventory': File 'missing.yaml' does not exist."),
        (["--workload-sites", "folder"], "'--workload-sites': File 'folder' is a directory."),
        (["-o", "folder"], "'-o' / '--output': File 'folder' is a directory."),
    ],
)
def test_plan_names_the_option_of_a_path_of_the_wrong_kind(
    single: Path, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan -i catalogue` (a folder) said "catalogue: cannot read: Is a directory", naming
    no option: now as click says it of every path option of the command line."""
    (single / "folder").mkdir()
    assert main(["plan", "catalogue.yaml", "-i", "sites.yaml", *args]) == 2
    out, err = capsys.readouterr()
    assert f"Error: Invalid value for {said}" in err and out == ""


def test_plan_still_reads_the_sites_from_standard_input(
    single: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"kind: x\n")))
    assert main(["plan", "catalogue.yaml", "-i", "-"]) == 1
    assert "<stdin>:1:1: D201 not a site inventory" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["rules", "--catalogue", "missing"], "'--catalogue': Path 'missing' does not exist."),
        (["rule", "P101", "--config", "missing.yaml"], "'--config': File 'missing.yaml' does"),
        (
            ["check", "catalogue.yaml", "--policy-config", "missing.yaml"],
            "'--policy-config': File 'missing.yaml' does not exist.",
        ),
        (
            ["policy", "export", "--config", "missing.yaml"],
            "'--config': File 'missing.yaml' does not exist.",
        ),
    ],
)
def test_a_missing_policy_path_names_its_option(
    single: Path, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """These said "missing.yaml: policy config not found" or "missing: no such file or
    directory", naming no option."""
    assert main(args) == 2
    assert f"Error: Invalid value for {said}" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "generate", "plan", "publish"])
def test_a_missing_catalogue_names_the_argument(
    single: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check nosuch` said "nosuch: no such file or directory" (and `generate nosuch` or
    `plan nosuch` first asked for -o or -i): now as click says it of every path option."""
    assert main([command, "nosuch"]) == 2
    out, err = capsys.readouterr()
    assert "Error: Invalid value for '[CATALOGUE]': Path 'nosuch' does not exist." in err
    assert out == ""


def test_every_path_parameter_takes_the_name_as_typed() -> None:
    """Every path argument and option is a PathParam: a click.Path of its own would take
    `catalogue.yaml/` as the file again."""
    group = cli
    ctx = click.Context(group)
    found = []
    commands = [group.get_command(ctx, name) for name in COMMANDS]
    while commands:
        command = commands.pop()
        assert command is not None
        if isinstance(command, click.Group):
            commands += [command.get_command(ctx, n) for n in command.list_commands(ctx)]
        for param in command.params:
            if isinstance(param.type, click.Path):
                found.append(f"{command.name} {param.name}")
                assert isinstance(param.type, PathParam), found[-1]
    assert len(found) >= 15


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "catalogue.yaml", "-i", "https://ci:Hunter2-pass@git.example.com/sites.yaml"],
        ["check", "--policy-config", "https://ci:Hunter2-pass@git.example.com/p.yaml"],
        ["rules", "--catalogue", "https://ci:Hunter2-pass@git.example.com/c"],
    ],
)
def test_a_usage_error_masks_a_password_it_quotes(
    single: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """click's "does not exist" quotes the value as given: a URL pasted with its password
    is masked there as in every other message."""
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "Hunter2-pass" not in err
