"""`edgemodels generate`."""

from __future__ import annotations

from pathlib import Path

import click

from edgemodels.catalogue.default import beside, catalogue_path
from edgemodels.cli import EXIT_FINDINGS, emit_findings, guarded
from edgemodels.cli.options import FORMATS
from edgemodels.cli.paths import PathParam
from edgemodels.cli.terminal import progress
from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import UsageError
from edgemodels.generate import GenerateOptions, generate
from edgemodels.generatereport import remedy, summary
from edgemodels.output import plural
from edgemodels.tree import MANIFEST_PATH

REPORT_SUFFIXES = (".json", ".sarif", ".xml")
GENERATED_DIR = "generated"  # init.GENERATED_DIR (init imports ruamel.yaml: not loaded here)


def default_output(catalogue: Path, given: bool) -> Path:
    """generated/ beside the catalogue when it holds a generated tree: the layout `init`
    makes (catalogue/ and generated/ side by side), where `check` and `validate` need no
    argument either. Anything else is not guessed: a new tree's folder is named with -o."""
    generated = beside(catalogue, GENERATED_DIR)
    if (generated / MANIFEST_PATH).is_file():
        return generated
    raise UsageError(
        "missing -o/--output, the folder of the generated tree (without it, generate updates "
        f"the tree in {generated}, beside the catalogue, but that folder holds none): "
        f"edgemodels generate{f' {catalogue}' if given else ''} -o {generated}"
    )


def refuse_report_name(output: Path) -> None:
    """`-o/--output` is the tree folder here, where other commands take `--output FILE` for
    a report: `generate cat -o out --output report.json` would write the tree into a folder
    named report.json. A new folder named like a report is refused."""
    if output.suffix.lower() in REPORT_SUFFIXES and not output.is_dir():
        raise UsageError(
            f"-o/--output {output} looks like a report file, but it is the folder of the "
            "generated tree; generate writes no report file: use --format json (or sarif, "
            "junit, ...) and redirect stdout"
        )


def report_stopped(findings: tuple[Diagnostic, ...], subject: str, output: Path) -> int:
    """--check stopped by catalogue errors, in text (a hook's or CI job's log): the check
    hook or job beside it prints those findings, so one line says why OUTPUT was not
    compared instead of printing each twice. A finding of generate's own (a D code, such as
    D305, which check does not report) is shown with the rest. A run without --check, or in
    a machine format, reports every finding."""
    errors = sum(d.severity == "error" for d in findings)
    if any(d.code.startswith("D") for d in findings) or not errors:
        return emit_findings(findings, "text", subject)
    click.echo(
        f"{subject}: the catalogue has {plural(errors, 'error')} (see edgemodels check); "
        f"{output} was not compared"
    )
    return EXIT_FINDINGS


@click.command("generate")
@click.argument("catalogue", required=False, type=PathParam(exists=True))
@click.option(
    "-o",
    "--output",
    type=PathParam(file_okay=False),
    help="Folder of the generated tree (spec.git.path inside the deploy branch's checkout); "
    "not a report file: findings go to stdout in --format [default: generated/ beside the "
    "catalogue, when it holds a generated tree, as edgemodels init lays it out].",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when OUTPUT differs from what the catalogue produces.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite (or remove) generated files that were edited by hand; write over a tree "
    "written by a newer edgemodels.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Render every model and read every file; neither read nor write OUTPUT/.edgemodels/cache.",
)
@click.option(
    "--format", "fmt", type=FORMATS, default="text", show_default=True, help="Findings format."
)
def command(
    catalogue: Path | None, output: Path | None, check: bool, force: bool, no_cache: bool, fmt: str
) -> int:
    """Generate the GitOps tree that RHACM pulls: charts or overlays per model, hub objects
    (Channel, Placements, Subscriptions, Applications), a README and a manifest.

    CATALOGUE is a catalogue file or folder (default: catalogue.yaml or catalogue/ here or
    in the nearest folder above, up to the top of the git work tree; one file of a catalogue
    folder is refused, exit 2: give the folder). Only files edgemodels
    wrote (listed in OUTPUT/.edgemodels/manifest.json) are changed or removed; other files
    in OUTPUT are left alone. A generated file edited by hand is reported and kept unless
    --force, as is a file the manifest does not list where a generated one goes (D302;
    --force overwrites it only when it carries edgemodels' banner, left behind when the tree
    was restored from git). OUTPUT/.edgemodels/cache (git-ignored) lets the next run render
    only the models that changed. Exit 0 when written (or up to date under --check), 1 on
    catalogue errors (--check in text says how many in one line and leaves the findings to
    `edgemodels check`), conflicts or (with --check) an out-of-date OUTPUT (one D304 per
    stale file, in text one per folder and one for the model folders with the same changes;
    one in all when OUTPUT does not exist or holds no generated tree) or a tree written by a
    newer edgemodels (D306; --force writes it anyway), 2 when OUTPUT cannot be written, is
    being written by another run, or overlaps the catalogue folder (OUTPUT must be outside
    it).

    \b
    Example:
      edgemodels generate examples/lrt -o deploy/
      edgemodels generate examples/lrt -o deploy/ --check    # CI: is deploy/ up to date?
    """

    def body() -> int:
        path = catalogue_path(catalogue, "generate")
        tree = default_output(path, catalogue is not None) if output is None else output
        refuse_report_name(tree)
        options = GenerateOptions(
            path,
            tree,
            check=check,
            force=force,
            cache=not no_cache,
            progress=progress,
            group_stale=fmt == "text",  # a log; CI annotations need one finding per file
        )
        result = generate(options)
        subject = f"generate{' --check' if check else ''} {path} -o {tree}"
        if result.plan is None and check and fmt == "text":
            return report_stopped(result.findings, subject, tree)
        if result.plan is None:
            return emit_findings(result.findings, fmt, subject)
        if fmt == "text":
            click.echo(summary(result.plan, tree, check, no_tree=result.no_tree), nl=False)
        status = EXIT_FINDINGS if check and result.plan.differs else 0
        if result.findings or fmt != "text":
            status = max(status, emit_findings(result.findings, fmt, subject))
        if check:  # last, where a hook's or CI job's log ends; stderr keeps reports parseable
            click.echo(remedy(result.plan, catalogue, tree), nl=False, err=fmt != "text")
        return status

    return guarded(body)
