"""A command run by the server prints, exits and writes exactly what it does on its own.

Each case builds the same folder twice and runs the same command line in each, once on its
own (EDGEMODELS_SERVER=off) and once through a real server, with the same relative paths:
stdout, stderr, the exit code and every file in the folder afterwards must be the same.
"""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from one_edit import EDITS, FOUND, MODEL, initialised_with_one_edit
from served import Server, edgemodels, remove, running_server, runtime_folder, tree

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lrt"


def lrt(folder: Path) -> None:
    shutil.copytree(EXAMPLE, folder / "lrt")


def in_catalogue_folder(folder: Path) -> None:
    shutil.copytree(EXAMPLE, folder / "catalogue")


def broken(folder: Path) -> None:
    """A copy with errors: an unknown target, a model without image."""
    lrt(folder)
    model = folder / "lrt" / "models" / "anomaly-scorer.yaml"
    text = model.read_text(encoding="utf-8").replace("lrt-non-arm]", "lrt-nonarm]")
    model.write_text(
        text.replace("      image: registry", "      imagex: registry", 1), encoding="utf-8"
    )


def generated(folder: Path) -> None:
    """The catalogue and the tree generated from it (by a command on its own)."""
    lrt(folder)
    env = {**os.environ, "EDGEMODELS_SERVER": "off"}
    done = edgemodels(["generate", "lrt", "-o", "deploy"], folder, env)
    assert done.returncode == 0, done.stderr


def stale(folder: Path) -> None:
    """A tree generated from the catalogue before a model's version changed."""
    generated(folder)
    model = folder / "lrt" / "models" / "sktime.yaml"
    model.write_text(model.read_text(encoding="utf-8").replace("1.4.2", "1.4.3"), encoding="utf-8")


def one_edit(folder: Path) -> None:
    """A repository `init` made, with a misspelt target and a bad quantity (one_edit.py);
    without what differs in each copy: the git index (the stat of each file) and the cache
    of the tree `init` generated (CACHE, below)."""
    repo = initialised_with_one_edit(folder)
    shutil.rmtree(repo / ".git")
    for cache in (repo / "generated" / ".edgemodels").glob("cache*"):
        cache.unlink()


CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "check clean": (lrt, ["check", "lrt"]),
    "check with errors": (broken, ["check", "lrt"]),
    "check --format json": (broken, ["check", "lrt", "--format", "json"]),
    "check with schema and reference errors": (one_edit, ["check", "demo/catalogue"]),
    "generate with schema and reference errors": (
        one_edit,
        ["generate", "demo/catalogue", "-o", "demo/generated"],
    ),
    "generate": (lrt, ["generate", "lrt", "-o", "deploy"]),
    "generate again (its cache)": (generated, ["generate", "lrt", "-o", "deploy"]),
    "generate --check stale": (stale, ["generate", "lrt", "-o", "deploy", "--check"]),
    "usage error": (lrt, ["check", "lrt", "--format", "yaml"]),
    "missing path": (lrt, ["check", "nowhere/catalogue.yaml"]),
    "default catalogue": (in_catalogue_folder, ["check"]),
}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    runtime = runtime_folder()
    try:
        with running_server(runtime) as running:
            yield running
    finally:
        remove(runtime)


@pytest.mark.parametrize("name", list(CASES))
def test_the_same_with_and_without_the_server(name: str, server: Server, tmp_path: Path) -> None:
    build, args = CASES[name]
    work, alone, served = tmp_path / "work", tmp_path / "alone", tmp_path / "served"
    runs = []
    before = len(server.commands())
    for kept, by_server in ((alone, False), (served, True)):  # the same paths, one by one
        work.mkdir()
        build(work)
        runs.append(server.run(args, work, served=by_server))
        work.rename(kept)
    local, remote = runs
    assert len(server.wait_for_commands(before + 1)) == before + 1, server.log_text()
    assert (remote.returncode, remote.stdout, remote.stderr) == (
        local.returncode,
        local.stdout,
        local.stderr,
    )
    assert _comparable(tree(served)) == _comparable(tree(alone))


def test_schema_and_reference_errors_through_the_server(server: Server, tmp_path: Path) -> None:
    """Both findings of one edit in one run through a server; then, by the same server (which
    keeps each file's schema findings), what is said as each edit is undone."""
    one_edit(tmp_path)
    repo, before = tmp_path / "demo", len(server.commands())
    runs = []
    for undone in ((), EDITS[1:], EDITS):
        model = repo / MODEL
        text = model.read_text(encoding="utf-8")
        for original, edited in undone:
            text = text.replace(edited, original)
        model.write_text(text, encoding="utf-8")
        done = server.run(["check", "catalogue"], repo)
        runs.append((done.returncode, done.stdout.splitlines()[:-1]))
    unused = "catalogue/catalogue.yaml:44:5: R107 [warning] target 'all-sites' is used by no model"
    assert runs == [(1, FOUND), (1, [unused, FOUND[0]]), (0, [])]
    assert len(server.wait_for_commands(before + 3)) == before + 3, server.log_text()


# generate's cache differs between any two runs: a random blob id, and the inode and times
# of each file it saw. A server keeps it in memory and writes it when commands pause (the
# tests of resident.py check what it writes), so it is left out here.
CACHE = ("deploy/.edgemodels/cache", "deploy/.edgemodels/cache.blob")


def _comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path not in CACHE}


def _on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes]:
    """Run with stdin, stdout and stderr on one pseudo-terminal of 40x30 (narrow: click wraps its usage line): its exit code and
    every byte written to it, in order."""
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 40, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "edgemodels", *args],
        cwd=cwd,
        env={k: v for k, v in env.items() if k not in ("CI", "NO_COLOR", "COLUMNS", "LINES")},
        stdin=side,
        stdout=side,
        stderr=side,
    )
    os.close(side)
    data = b""
    try:
        while chunk := os.read(main, 65536):
            data += chunk
    except OSError:  # EIO: every writer has closed the terminal
        pass
    finally:
        os.close(main)
    return process.wait(timeout=60), data


@pytest.mark.skipif(sys.platform != "linux", reason="pseudo-terminal semantics")
@pytest.mark.parametrize("args", [["check", "lrt"], ["check", "lrt", "--format", "yaml"]])
def test_the_same_on_a_terminal(args: list[str], server: Server, tmp_path: Path) -> None:
    """Colours, the terminal's width in a usage message, stdout and stderr interleaved."""
    broken(tmp_path)
    before = len(server.commands())
    alone = _on_a_terminal(args, tmp_path, server.env(served=False))
    served = _on_a_terminal(args, tmp_path, server.env())
    assert len(server.wait_for_commands(before + 1)) == before + 1
    assert served == alone
    assert b"\x1b[" in alone[1] or alone[0] == 2  # coloured findings (or a usage error)
