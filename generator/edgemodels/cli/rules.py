"""`edgemodels rules` (list every policy rule) and `edgemodels rule CODE` (its documentation).

Two click commands: `command` (rules) and `rule_command` (rule); register both.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from edgemodels.cli import EXIT_CLEAN, EXIT_FINDINGS, guarded
from edgemodels.cli.paths import PathParam
from edgemodels.codes import code_document, codes_table, every_code
from edgemodels.diagnostics import has_failures, sort_diagnostics
from edgemodels.errors import UsageError
from edgemodels.policy import PolicySet, load_policies
from edgemodels.policy.describe import rule_document, rule_json, rules_table
from edgemodels.policy.loader import refuse_invalid_config
from edgemodels.validate.codes import Code

config_option = click.option(
    "--config",
    "config",
    type=PathParam(dir_okay=False, exists=True),
    default=None,
    help="Policy config (default: .edgemodels-policy.yaml next to the catalogue or above it).",
)
catalogue_option = click.option(
    "--catalogue",
    "catalogue",
    type=PathParam(exists=True),
    default=Path("."),
    show_default=True,
    help="Catalogue file or folder whose policy config (and policy files) to use.",
)


def load_for_cli(
    config: Path | None, catalogue: Path, warnings: bool = True
) -> tuple[PolicySet, int]:
    """The rules, with findings on broken policies printed to stderr (exit 1 if any error).
    `warnings` False leaves out the warnings: the config's only one, an `ignore:` path
    matching no file, is about the files a run checks, not about any rule."""
    policies = refuse_invalid_config(load_policies(config, catalogue))
    problems = sort_diagnostics(policies.diagnostics)
    for d in problems:
        if warnings or d.severity == "error":
            click.echo(d.render(), err=True)
    return policies, EXIT_FINDINGS if has_failures(problems) else EXIT_CLEAN


@click.command("rules")
@config_option
@catalogue_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Also list the codes that are not policy rules (Y yaml, S schema, R references, "
    "P001-P006 policy engine, "
    "K manifests, D plan/inventory/drift).",
)
def command(config: Path | None, catalogue: Path, fmt: str, every: bool) -> int:
    """List every policy rule: code, name, severity, enabled, scope, source.

    The default pack ships with edgemodels; a catalogue repository adds policy files and
    turns rules off or changes their severity in .edgemodels-policy.yaml.

    \b
    Example:
      edgemodels rules
      edgemodels rules --catalogue catalogue/ --format json
      edgemodels rules --all
    """

    def body() -> int:
        policies, status = load_for_cli(config, catalogue)
        if fmt == "json":
            rows: list[dict[str, object]] = [rule_json(r) for r in policies.rules]
            if every:
                rows += [code_row(c, e) for c, e in every_code().items()]
            click.echo(json.dumps(rows, indent=2))
        else:
            click.echo(rules_table(policies), nl=False)
            if every:
                click.echo("\nOther finding codes (not policy rules):\n" + codes_table(), nl=False)
        return status

    return guarded(body)


@click.command("rule")
@click.argument("code")
@config_option
@catalogue_option
def rule_command(code: str, config: Path | None, catalogue: Path) -> int:
    """Print the documentation of one rule: what it checks, why, a failing and a passing example.

    CODE is the rule's code or its name. The other finding codes (Y yaml, S schema, R
    references, P001-P006 policy engine, K manifests, D plan/inventory/drift) print their
    family and summary; no policy config changes them, so none is read for them. Of the
    policy config's findings, only errors are printed (its warnings are about the files
    a run checks, not about a rule).

    \b
    Example:
      edgemodels rule P101
      edgemodels rule image-tag-not-latest
      edgemodels rule R104
    """

    def body() -> int:
        wanted = code.strip()
        builtin = every_code().get(wanted.upper())
        if builtin is not None:
            # Not a policy rule (those are P100 and up): no policy file or config changes
            # it, so neither is read, and their findings are not this command's to print.
            click.echo(code_document(wanted.upper(), builtin), nl=False)
            return EXIT_CLEAN
        policies, status = load_for_cli(config, catalogue, warnings=False)
        try:
            rule = policies.rule(wanted)
        except KeyError:
            other = next(((c, e) for c, e in every_code().items() if wanted == e.name), None)
            if other is None:
                known = ", ".join(r.code for r in policies.rules)
                raise UsageError(
                    f"no rule or code '{code}' (policy rules: {known}; "
                    "other codes: edgemodels rules --all)"
                ) from None
            click.echo(code_document(*other), nl=False)
            return status
        click.echo(rule_document(rule), nl=False)
        return status

    return guarded(body)


def code_row(code: str, entry: Code) -> dict[str, object]:
    return {"code": code, "name": entry.name, "summary": entry.summary, "scope": "built-in"}
