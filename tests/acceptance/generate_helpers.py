"""Running `edgemodels generate` as a user does, and reading what it wrote."""

from __future__ import annotations

from pathlib import Path

import click

from edgemodels.cli import cli, main
from edgemodels.cli.generate import command
from edgemodels.tree import LOCK_PATH

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"


def run_generate(*args: str) -> int:
    """`edgemodels generate ARGS`, through the real CLI once the command is registered."""
    if "generate" in cli.commands:
        return main(["generate", *args])
    try:
        return int(command.main(list(args), prog_name="edgemodels generate", standalone_mode=False))
    except click.ClickException as exc:
        exc.show()
        return 2


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under root except the run-time lock, by posix path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() != LOCK_PATH
    }
