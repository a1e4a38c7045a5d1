"""`edgemodels check`."""

from __future__ import annotations

from pathlib import Path

import click

from edgemodels.catalogue.default import catalogue_path
from edgemodels.check import CheckOptions, run_check
from edgemodels.cli import emit_findings, guarded
from edgemodels.cli.options import catalogue_policy_options, fail_on_option, report_options
from edgemodels.cli.paths import PathParam


@click.command("check")
@click.argument("catalogue", required=False, type=PathParam(exists=True))
@report_options
@fail_on_option
@click.option("--strict", is_flag=True, help="Warnings fail the check too: --fail-on warning.")
@catalogue_policy_options
def command(
    catalogue: Path | None,
    fmt: str,
    output: Path | None,
    fail_on: str,
    strict: bool,
    policy_config: Path | None,
    no_policies: bool,
) -> int:
    """Check a model catalogue: schema, references, names, selectors, policies.

    CATALOGUE is a catalogue file or a folder of them (default: catalogue.yaml or
    catalogue/ in the current folder or the nearest folder above it, up to the top of the git
    work tree); one file of a catalogue folder is refused (exit 2): give the folder.
    Findings are printed as
    path:line:col: CODE message. Exit 0 when clean, 1 with errors (or warnings with
    --fail-on warning, or --strict), 2 when the catalogue cannot be read or holds no
    catalogue file, or the policy config is invalid (nothing is checked then).

    \b
    Example:
      edgemodels check examples/lrt
      edgemodels check catalogue/ --format json --fail-on warning
      edgemodels check catalogue/ --format gitlab --output gl-code-quality.json
    """

    def body() -> int:
        path = catalogue_path(catalogue, "check")
        warnings_fail = strict or fail_on == "warning"
        options = CheckOptions(path, warnings_fail, policy_config, not no_policies)
        _, diags = run_check(options)
        return emit_findings(diags, fmt, f"checked {path}", warnings_fail, output=output)

    return guarded(body)
