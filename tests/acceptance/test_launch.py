"""The program's entry runs a command that loads Helm's Go SDK again with GOGC set, once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from latin1 import clean_environment

from edgemodels import launch
from edgemodels.launch import (
    GOGC,
    command_of,
    needs_go_setup,
    needs_utf8_mode,
    settings_to_run_again,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="exec is a POSIX notion")


def test_only_the_commands_that_load_the_sdk_and_only_without_gogc() -> None:
    assert command_of(["--version"]) is None
    assert command_of(["validate", "--format", "json", "out"]) == "validate"
    assert needs_go_setup(["validate", "out"], {})
    assert needs_go_setup(["--help", "validate"], {})
    assert not needs_go_setup(["check", "catalogue"], {})
    assert not needs_go_setup(["validate", "out"], {"GOGC": "100"})
    assert not needs_go_setup(["validate", "out"], {"GOGC": ""})


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GOGC", "GODEBUG")}
    return {**env, **extra}


# Runs the real entry. The stand-in for the CLI says which GOGC it runs with, in which
# process; every start of the program says its process id first.
ENTRY = """
import os, sys
print("start", os.getpid(), flush=True)
import edgemodels.cli
edgemodels.cli.main = lambda: print("cli", os.getpid(), os.environ.get("GOGC")) or 0
from edgemodels.launch import main
sys.exit(main())
"""


def _starts(
    args: list[str], env: dict[str, str], entry: str = ENTRY, flags: tuple[str, ...] = ()
) -> list[list[str]]:
    """The lines `entry` prints, run as the program with `args` (and Python's `flags`)."""
    proc = subprocess.run(
        [sys.executable, *flags, "-c", entry, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return [line.split() for line in proc.stdout.splitlines()]


def test_validate_runs_itself_again_in_the_same_process_with_gogc() -> None:
    lines = _starts(["validate", "out"], _environment())
    pid = lines[0][1]
    assert lines == [["start", pid], ["start", pid], ["cli", pid, GOGC]]


def test_a_gogc_the_user_set_is_kept_and_nothing_runs_again() -> None:
    lines = _starts(["validate", "out"], _environment(GOGC="150"))
    assert [line[0] for line in lines] == ["start", "cli"]
    assert lines[1][2] == "150"


def test_other_commands_run_once_and_without_gogc() -> None:
    lines = _starts(["check", "catalogue"], _environment())
    assert [line[0] for line in lines] == ["start", "cli"]
    assert lines[1][2] == "None"


def test_only_a_locale_that_does_not_give_names_back_as_utf8_runs_again() -> None:
    assert not needs_utf8_mode("utf-8")
    assert not needs_utf8_mode("ascii")
    assert not needs_utf8_mode("ANSI_X3.4-1968")  # the C locale's, by its name there
    assert needs_utf8_mode("iso8859-1")
    assert needs_utf8_mode("iso8859-15")
    assert needs_utf8_mode("no-such-encoding")
    assert settings_to_run_again(["check"], {}, "utf-8") == {}
    assert settings_to_run_again(["check"], {}, "iso8859-1") == {"PYTHONUTF8": "1"}
    assert settings_to_run_again(["validate"], {}, "iso8859-1") == {
        "PYTHONUTF8": "1",
        "GOGC": GOGC,
    }
    assert settings_to_run_again(["check"], {"PYTHONUTF8": "1"}, "iso8859-1") == {}
    # Python's UTF-8 mode turned off: names are UTF-8 to edgemodels all the same (launch.py)
    assert settings_to_run_again(["check"], {"PYTHONUTF8": "0"}, "iso8859-1") == {"PYTHONUTF8": "1"}


# The stand-in for the CLI says which GOGC and file system encoding it runs with.
LOCALE_ENTRY = """
import os, sys
print("start", os.getpid(), sys.getfilesystemencoding(), flush=True)
import edgemodels.cli
edgemodels.cli.main = lambda: print(
    "cli", os.getpid(), os.environ.get("GOGC"), sys.getfilesystemencoding()
) or 0
from edgemodels.launch import main
sys.exit(main())
"""


def test_under_a_latin1_locale_it_runs_again_in_utf8_mode(latin1: dict[str, str]) -> None:
    env = clean_environment(**latin1, GOGC="100")
    lines = _starts(["check", "catalogue"], env, LOCALE_ENTRY)
    pid = lines[0][1]
    assert lines == [
        ["start", pid, "iso8859-1"],
        ["start", pid, "utf-8"],
        ["cli", pid, "100", "utf-8"],
    ]
    env = clean_environment(**latin1)
    lines = _starts(["validate", "out"], env, LOCALE_ENTRY)  # once, for both settings
    pid = lines[0][1]
    assert lines == [
        ["start", pid, "iso8859-1"],
        ["start", pid, "utf-8"],
        ["cli", pid, GOGC, "utf-8"],
    ]


def test_an_interpreter_told_to_keep_the_locales_encoding_runs_again_once(
    latin1: dict[str, str],
) -> None:
    lines = _starts(["check"], clean_environment(**latin1), LOCALE_ENTRY, ("-X", "utf8=0"))
    assert [line[0] for line in lines] == ["start", "start", "cli"]
    assert lines[-1][-1] == "iso8859-1"


def test_under_an_ascii_or_utf8_locale_it_runs_once() -> None:
    for locale, encoding in (("C", "ascii"), ("C.UTF-8", "utf-8")):
        env = clean_environment(LC_ALL=locale, PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
        lines = _starts(["check"], env, LOCALE_ENTRY)
        assert [line[0] for line in lines] == ["start", "cli"]
        assert lines[-1][-1] == encoding


ENDS_AT_ONCE = """
import atexit, sys
import edgemodels.cli
atexit.register(lambda: print("teardown", flush=True))
edgemodels.cli.main = lambda: print("cli", end="") or 4  # not flushed by itself
from edgemodels.launch import main
sys.exit(main())
"""


def test_the_program_ends_with_the_cli_exit_code_and_skips_the_teardown() -> None:
    # The interpreter's teardown frees what the run held, for nothing (launch.py): the
    # output is flushed and the process ends with the command's exit code.
    proc = subprocess.run(
        [sys.executable, "-c", ENDS_AT_ONCE, "check", "catalogue"],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (4, "cli")


RENDER = """
import sys, tempfile
from pathlib import Path
import edgemodels.cli

def render() -> int:
    import helm_python  # as the real program does: loaded only after the launch

    with tempfile.TemporaryDirectory() as tmp:
        chart = helm_python.Chart.create("demo", tmp)
        for _ in range(200):
            chart.render({}, name="demo", namespace="default")
    return 0

edgemodels.cli.main = render
from edgemodels.launch import main
sys.exit(main())
"""


def test_the_go_runtime_of_the_sdk_sees_the_setting() -> None:
    # Go's first collection comes at 4 MB of heap times GOGC/100: its trace says the goal.
    proc = subprocess.run(
        [sys.executable, "-c", RENDER, "validate"],
        capture_output=True,
        text=True,
        env=_environment(GODEBUG="gctrace=1"),
        timeout=120,
        check=True,
    )
    first = next(line for line in proc.stderr.splitlines() if line.startswith("gc 1 "))
    assert f"{4 * int(GOGC) // 100} MB goal" in first, first


def test_the_installed_program_enters_here() -> None:
    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert 'edgemodels = "edgemodels.launch:main"' in text


KEPT = """
import os, sys
from edgemodels import launch, lifetime
real_exit = launch._exit
launch._exit = lambda code: print(code, len(lifetime._kept), flush=True) or real_exit(code)
sys.exit(launch.main())
"""


@pytest.mark.parametrize(("command", "kept"), [("generate", True), ("check", False)])
def test_what_generate_built_is_left_to_the_end_of_its_process(
    tmp_path: Path, command: str, kept: bool
) -> None:
    """The program ends right after generate: freeing the catalogue and tree object by object
    was 25-60 ms of a regenerate of 1,000 models, for nothing (lifetime.py)."""
    catalogue = Path(__file__).resolve().parents[2] / "examples" / "lrt"
    args = [str(catalogue), "-o", str(tmp_path / "out")] if command == "generate" else []
    proc = subprocess.run(
        [sys.executable, "-c", KEPT, command, *(args or [str(catalogue)])],
        capture_output=True,
        text=True,
        env=_environment(EDGEMODELS_SERVER="off"),
        timeout=120,
        check=False,
    )
    code, held = proc.stdout.split()[-2:]
    assert code == "0", proc.stdout + proc.stderr
    assert (int(held) > 0) is kept


def test_a_generate_in_a_process_that_goes_on_keeps_nothing(tmp_path: Path) -> None:
    """In-process (a server's commands, tests, a command calling generate) nothing is held."""
    from edgemodels import lifetime
    from edgemodels.cli import main

    catalogue = Path(__file__).resolve().parents[2] / "examples" / "lrt"
    assert main(["generate", str(catalogue), "-o", str(tmp_path / "out")]) == 0
    assert lifetime._kept == []
    assert "server" not in launch.ENDS_AFTER


# Runs the real entry. A SIGTERM is sent to the process as module AT starts to execute (a
# point of the program's own choosing: no timing involved); MARK is written once AT has
# executed whole.
SIGNAL_AT = """
import importlib.abc, importlib.machinery, os, signal, sys
AT, MARK = sys.argv[1], sys.argv[2]

class SignalAt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != AT:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module
        def exec_module(module):
            os.kill(os.getpid(), signal.SIGTERM)
            run(module)
            open(MARK, "w").close()
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, SignalAt())
sys.argv = ["edgemodels", *sys.argv[3:]]
from edgemodels.launch import main
sys.exit(main())
"""


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("edgemodels.cli", ["check", "catalogue"]),  # the launch's import of the CLI
        ("edgemodels.cli.check", ["check", "catalogue"]),  # a command's import
        ("edgemodels.cli.rules", ["rule", "R104"]),
        ("edgemodels.cli.validate", ["validate", "out"]),
    ],
)
def test_a_sigterm_while_modules_are_imported_exits_143_once_they_are_whole(
    tmp_path: Path, module: str, args: list[str]
) -> None:
    """Before the CLI was imported, a SIGTERM killed the program without a word (no exit
    143, nothing cleaned up); inside an import, Terminated could stop Python's import
    system between its steps, leaving a module half made for every later import, or be
    taken by a library's import-time `except:`. It now comes once the import is whole."""
    mark = tmp_path / "imported"
    proc = subprocess.run(
        [sys.executable, "-c", SIGNAL_AT, module, str(mark), *args],
        capture_output=True,
        text=True,
        env=_environment(EDGEMODELS_SERVER="off", GOGC="100"),
        cwd=tmp_path,
        timeout=60,
    )
    # (click writes a blank line first when it sees the signal: a Ctrl-C's ^C echo ends)
    assert (proc.returncode, proc.stdout, proc.stderr.lstrip("\n")) == (
        143,
        "",
        "edgemodels: terminated\n",
    )
    assert mark.exists()
