"""`edgemodels policy export`: the manifest rules as Kubernetes admission policies."""

from __future__ import annotations

from pathlib import Path

import click

from edgemodels.cli import EXIT_FINDINGS, guarded
from edgemodels.cli.paths import PathParam
from edgemodels.cli.rules import catalogue_option, config_option, load_for_cli
from edgemodels.errors import OutputError, UsageError
from edgemodels.policy import PolicySet
from edgemodels.policy.export import ExportOptions, export_blocker, export_objects
from edgemodels.yamldump import dump_documents

HEADER = (
    "# ValidatingAdmissionPolicies exported by `edgemodels policy export` from the edgemodels\n"
    "# manifest rules. Apply on the hub or on a site: kubectl apply -f <this file>\n"
)


@click.group("policy")
def command() -> None:
    """Work with policies beyond checking: export them for admission control."""


@command.command("export")
@config_option
@catalogue_option
@click.option(
    "--rule", "codes", multiple=True, help="Export only this rule (code or name); repeatable."
)
@click.option(
    "--all-objects",
    is_flag=True,
    help="Bind the policies to every object, not only those labelled "
    "app.kubernetes.io/managed-by=edgemodels.",
)
@click.option(
    "--failure-policy",
    type=click.Choice(["Fail", "Ignore"]),
    default="Fail",
    show_default=True,
    help="What the API server does when a rule cannot be evaluated.",
)
@click.option(
    "-o",
    "--output",
    type=PathParam(dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
def export_command(
    config: Path | None,
    catalogue: Path,
    codes: tuple[str, ...],
    all_objects: bool,
    failure_policy: str,
    output: Path | None,
) -> int:
    """Write the manifest rules as admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy
    and ValidatingAdmissionPolicyBinding objects, so Kubernetes enforces them at admission.

    Severity becomes the binding's validationActions: error -> Deny, warning -> Warn+Audit,
    info -> Audit. Catalogue rules (one note naming them all), rules that read params, and
    rules that use functions Kubernetes lacks (such as credentials(), or max(a, b) where
    Kubernetes has only [a, b].max()), are skipped with a note on standard error. A
    validation with forEach
    (one finding per element in edgemodels) is written as its whole-list form,
    `(<forEach>).all(item, <expression>)`.

    \b
    Example:
      edgemodels policy export -o admission.yaml
      edgemodels policy export --rule P124 --rule P125 | kubectl apply -f -
    """

    def body() -> int:
        policies, status = load_for_cli(config, catalogue)
        _check_requested(policies, codes)
        options = ExportOptions(codes, not all_objects, failure_policy)
        objects, skipped = export_objects(policies, options)
        for note in skipped:
            click.echo(f"edgemodels: not exported: {note}", err=True)
        text = HEADER + dump_documents(objects)
        if output is None:
            click.echo(text, nl=False)
        else:
            _write(output, text)
            click.echo(
                f"wrote {len(objects) // 2} policies and their bindings to {output}", err=True
            )
        return status if objects else EXIT_FINDINGS

    return guarded(body)


def _check_requested(policies: PolicySet, codes: tuple[str, ...]) -> None:
    for code in codes:
        try:
            rule = policies.rule(code)
        except KeyError:
            raise UsageError(f"--rule {code}: no such rule") from None
        blocker = export_blocker(rule)
        if blocker:
            raise UsageError(f"--rule {code}: cannot be exported: {blocker}")


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
