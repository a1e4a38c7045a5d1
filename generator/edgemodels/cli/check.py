"""`edgemodels check`."""

from __future__ import annotations

from pathlib import Path

import click

from edgemodels.catalogue.sources import default_catalogue_path
from edgemodels.check import CheckOptions, run_check
from edgemodels.cli import FORMATS, emit_findings, guarded


@click.command("check")
@click.argument("catalogue", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=FORMATS, default="text", show_default=True, help="Report format."
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
def command(catalogue: Path | None, fmt: str, strict: bool) -> int:
    """Check a model catalogue: schema, references, names, selectors, policies.

    CATALOGUE is a catalogue file or a folder of them (default: catalogue.yaml or
    catalogue/ in the current folder). Findings are printed as
    path:line:col: CODE message. Exit 0 when clean, 1 with errors (or warnings under
    --strict), 2 when the catalogue cannot be read.

    \b
    Example:
      edgemodels check examples/lrt
      edgemodels check catalogue/ --format json --strict
    """

    def body() -> int:
        path = catalogue or default_catalogue_path(Path.cwd())
        _, diags = run_check(CheckOptions(path, strict))
        return emit_findings(diags, fmt, f"checked {path}", strict)

    return guarded(body)
