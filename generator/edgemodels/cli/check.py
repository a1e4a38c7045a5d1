"""`edgemodels check`."""

from __future__ import annotations

from pathlib import Path

import click

from edgemodels.catalogue.sources import default_catalogue_path
from edgemodels.check import CheckOptions, run_check
from edgemodels.cli import emit_findings, guarded, report_options


@click.command("check")
@click.argument("catalogue", required=False, type=click.Path(path_type=Path))
@report_options
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@click.option(
    "--policy-config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Policy configuration (default: .edgemodels-policy.yaml next to the catalogue).",
)
@click.option("--no-policies", is_flag=True, help="Skip the policy rules.")
def command(
    catalogue: Path | None,
    fmt: str,
    output: Path | None,
    strict: bool,
    policy_config: Path | None,
    no_policies: bool,
) -> int:
    """Check a model catalogue: schema, references, names, selectors, policies.

    CATALOGUE is a catalogue file or a folder of them (default: catalogue.yaml or
    catalogue/ in the current folder). Findings are printed as
    path:line:col: CODE message. Exit 0 when clean, 1 with errors (or warnings under
    --strict), 2 when the catalogue cannot be read or holds no catalogue file, or the
    policy config is invalid (nothing is checked then).

    \b
    Example:
      edgemodels check examples/lrt
      edgemodels check catalogue/ --format json --strict
      edgemodels check catalogue/ --format gitlab --output gl-code-quality.json
    """

    def body() -> int:
        path = catalogue or default_catalogue_path(Path.cwd())
        options = CheckOptions(path, strict, policy_config, not no_policies)
        _, diags = run_check(options)
        return emit_findings(diags, fmt, f"checked {path}", strict, output=output)

    return guarded(body)
