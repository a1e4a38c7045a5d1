"""The options several commands share (--format and --output, --fail-on, the catalogue's
policy options), each added by a decorator, so each command's module stays its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from edgemodels.cli.paths import PathParam
from edgemodels.output import REPORTERS

FORMATS = click.Choice(sorted(REPORTERS))
P = ParamSpec("P")
R = TypeVar("R")


# The formats a report file's name asks for (gitlab's Code Quality report is JSON too).
SUFFIX_FORMATS = {
    ".json": ("json", "gitlab"),
    ".sarif": ("sarif",),
    ".xml": ("junit",),
    ".md": ("markdown",),
}


def format_for_output(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """`check -o report.json` without --format wrote the text report into report.json, for a
    CI job to fail on reading it as JSON. A report file named for another format, with
    --format left out, is refused. (--format left out is processed after a given -o.)"""
    output = ctx.params.get("output")
    source = ctx.get_parameter_source(param.name or "")
    choices = getattr(param.type, "choices", ())
    suffix = Path(output).suffix.lower() if output is not None else ""
    wanted = [f for f in SUFFIX_FORMATS.get(suffix, ()) if f in choices]
    if source is not click.core.ParameterSource.DEFAULT or not wanted or value in wanted:
        return value
    raise click.UsageError(
        f"--output {output} is named as a {' or '.join(wanted)} report, but without --format "
        f"the report is {value}: add --format {wanted[0]}"
        + (f" (or {', '.join(wanted[1:])})" if len(wanted) > 1 else ""),
        ctx,
    )


def report_options(func: Callable[P, R]) -> Callable[P, R]:
    """`--format` and `--output` for a command that reports findings (parameters `fmt`,
    `output`); pass both on to `emit_findings`."""
    func = click.option(
        "-o",
        "--output",
        "output",
        type=PathParam(dir_okay=False),
        default=None,
        help="Also write the report to this file, in --format (a name ending in .json, "
        ".sarif or .xml needs a --format of that kind); the terminal then gets the text "
        "report.",
    )(func)
    return click.option(
        "--format",
        "fmt",
        type=FORMATS,
        default="text",
        show_default=True,
        callback=format_for_output,
        help="Report format: text, json, sarif (code scanning), junit (test reports), "
        "gitlab (Code Quality), github (workflow annotations).",
    )(func)


def fail_on_option(func: Callable[P, R]) -> Callable[P, R]:
    """`--fail-on error|warning` (parameter `fail_on`): the same in every command that
    checks; pass `fail_on == "warning"` to `emit_findings` as `strict`."""
    return click.option(
        "--fail-on",
        "fail_on",
        type=click.Choice(["error", "warning"]),
        default="error",
        show_default=True,
        help="The lowest severity that fails the run (exit 1); info findings never do.",
    )(func)


def catalogue_policy_options(func: Callable[P, R]) -> Callable[P, R]:
    """`--policy-config` and `--no-policies` (parameters `policy_config`, `no_policies`) for
    a command that runs the catalogue policy rules as `check` does."""
    func = click.option("--no-policies", is_flag=True, help="Skip the policy rules.")(func)
    return click.option(
        "--policy-config",
        type=PathParam(dir_okay=False, exists=True),
        help="Policy configuration (default: .edgemodels-policy.yaml next to the catalogue or "
        "above it, up to the repository root).",
    )(func)
