"""The command registry: complete, lazy, and every command documents an example."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from closed_pipe import run_into_closed_pipe

from edgemodels.cli import COMMANDS, cli, guarded, main

CLI_DIR = Path(__file__).resolve().parents[2] / "generator" / "edgemodels" / "cli"
NOT_COMMANDS = {"__init__", "options", "paths", "publishreport", "terminal"}


def test_every_command_module_is_registered() -> None:
    modules = {p.stem for p in CLI_DIR.glob("*.py")} - NOT_COMMANDS
    registered = {entry.module for entry in COMMANDS.values()}
    assert modules == registered


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_shows_an_example(name: str) -> None:
    args = [name, "export", "--help"] if name == "policy" else [name, "--help"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_version_does_not_import_the_commands() -> None:
    code = (
        "import sys; from edgemodels.cli import main; main(['--version']);"
        "print('helm_python' in sys.modules, 'cel' in sys.modules, 'git' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "False False False"


def test_generate_on_its_own_imports_nothing_a_server_keeps(tmp_path: Path) -> None:
    """A generate without a server imports neither the server's state nor the policy engine
    and inotify watch it holds (0.02-0.04 s of a regenerate's start), and a run without a
    message to redact does not compile the redaction's expressions."""
    catalogue = Path(__file__).resolve().parents[2] / "examples" / "lrt"
    code = (
        "import sys; from edgemodels.cli import main; from edgemodels import redaction;"
        f"rc = main(['generate', {str(catalogue)!r}, '-o', {str(tmp_path / 'out')!r}]);"
        "print(rc, sorted(m for m in sys.modules if m.startswith(('edgemodels.resident',"
        " 'edgemodels.policy', 'edgemodels.watch', 'cel'))),"
        " redaction._redaction.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "0 [] 0"


def test_help_lists_every_command_without_importing_one() -> None:
    code = (
        "import sys; from edgemodels.cli import main; main(['--help']);"
        "print(sorted(m for m in sys.modules if m.startswith('edgemodels.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[-1] == "['edgemodels.cli.terminal']"
    for name, entry in COMMANDS.items():
        assert any(line.split() == [name, *entry.summary.split()] for line in lines), name


@pytest.mark.skipif(sys.platform == "win32", reason="poll() and SIGPIPE are POSIX notions")
@pytest.mark.parametrize("args", [["rules", "--all"], ["rule", "Y001"], ["--help"]])
def test_a_closed_output_ends_the_run_quietly_as_git_does(args: list[str]) -> None:
    """`edgemodels rules --all | head -1`: the reader goes before the output is written."""
    run = run_into_closed_pipe(args)
    assert (run.returncode, run.stderr) == (141, "")


def test_a_broken_pipe_elsewhere_is_still_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    def body() -> int:
        raise BrokenPipeError("the build process has gone")

    assert guarded(body) == 3
    assert "internal error: BrokenPipeError" in capsys.readouterr().err


@pytest.mark.parametrize(("typed", "meant"), [("chek", "check"), ("vaildate", "validate")])
def test_a_misspelt_command_gets_a_suggestion(
    typed: str, meant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([typed]) == 2
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in capsys.readouterr().err
    assert main(["xyzzy"]) == 2
    assert "Did you mean" not in capsys.readouterr().err


@pytest.mark.parametrize("name", ["check", "validate", "publish"])
def test_o_is_the_report_file_where_output_is(name: str) -> None:
    """As on plan and policy export; generate's -o stays its tree folder."""
    result = CliRunner().invoke(cli, [name, "--help"])
    assert "-o, --output" in result.output


def test_check_o_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "lrt"
    report = tmp_path / "check.json"
    assert main(["check", str(example), "-o", str(report), "--format", "json"]) in (0, 1)
    assert report.read_text().startswith("{")


def test_a_path_the_system_refuses_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Longer than PATH_MAX (4,096 bytes): the input is at fault, not edgemodels (exit 2,
    not "internal error")."""
    out = tmp_path / "/".join(["g" * 250] * 17)
    catalogue = Path(__file__).parents[2] / "examples" / "lrt"
    assert main(["generate", str(catalogue), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "edgemodels: error: File name too long: " in err
    assert "internal error" not in err and len(err) < 400


def test_the_typical_flow_of_the_help_runs_as_shown(tmp_path: Path) -> None:
    """`edgemodels --help` shows a flow a new user types line by line: up to `validate`
    (plan needs a base branch, publish a deploy repository), each line runs as written,
    one after the other in one shell, on the layout `init` makes."""
    result = CliRunner().invoke(cli, ["--help"])
    flow = result.output.split("Typical flow:")[1].split("\n\n")[0]
    lines = [line.split("  #")[0].strip() for line in flow.strip().splitlines()]
    assert lines[0].startswith("edgemodels init ") and lines[3].startswith("edgemodels validate")
    bin_dir = Path(sys.executable).parent
    script = "set -e\nexport PATH=" + f"{bin_dir}:$PATH\n" + "\n".join(lines[:4])
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "validated generated: no findings" in done.stdout
    assert sorted(p.name for p in (tmp_path / "my-catalogue").iterdir() if p.is_dir()) == [
        ".git",
        ".github",
        "catalogue",
        "generated",
        "schemas",
    ]


def test_publish_help_says_what_names_the_branch_with_either_delivery() -> None:
    """--branch/--path reach the Subscriptions, or with Argo CD delivery the Applications'
    targetRevision and path, and --repo leaves the URL either one clones."""
    result = CliRunner().invoke(cli, ["publish", "--help"], terminal_width=400)
    assert result.exit_code == 0, result.output
    named = "the Subscriptions (with delivery argocd, the Applications) name it"
    assert result.output.count(named) == 2
    assert "the Channel (or the Argo CD Applications) keeps spec.git.url" in result.output
