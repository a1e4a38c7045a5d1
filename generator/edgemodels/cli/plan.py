"""`edgemodels plan`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import click

from edgemodels import display
from edgemodels.catalogue.default import beside, catalogue_path
from edgemodels.cli import EXIT_CLEAN, EXIT_FINDINGS, guarded
from edgemodels.cli.options import format_for_output
from edgemodels.cli.paths import PathParam
from edgemodels.diagnostics import Diagnostic, has_failures, sort_diagnostics
from edgemodels.errors import OutputError, UsageError
from edgemodels.output import render_text
from edgemodels.plan.core import PlanOptions, run_plan
from edgemodels.plan.removals import DEFAULT_REMOVAL_LIMIT, parse_removal_limit
from edgemodels.plan.report_json import json_pieces
from edgemodels.plan.report_markdown import DEFAULT_MAX_CHARS, MIN_MAX_CHARS
from edgemodels.plan.report_text import (
    DEFAULT_MAX_ROWS,
    old_findings,
    old_findings_shown,
    plan_summary_line,
)
from edgemodels.plan.report_unplanned import unplanned, unplanned_reporters
from edgemodels.plan.reports import (
    CI_FORMATS,
    PLAN_FORMATS,
    View,
    about_inventory,
    build_view,
    reporters,
)

INVENTORY_FILE = "sites.yaml"  # init's site inventory, beside catalogue/


@click.command("plan")
@click.argument("catalogue", required=False, type=PathParam(exists=True))
@click.option(
    "-i",
    "--inventory",
    type=PathParam(dir_okay=False, exists=True, allow_dash=True),
    help="Sites: a SiteInventory file or `kubectl get managedclusters -o yaml` output; "
    "`-` reads it from stdin [default: sites.yaml beside the catalogue, when there is one, "
    "as edgemodels init lays it out].",
)
@click.option("--base", metavar="REV", help="Compare with the catalogue at this git revision.")
@click.option(
    "--base-catalogue",
    metavar="PATH",
    type=PathParam(),
    help="With --base: where the catalogue was at that revision, when it has moved since "
    "(git mv catalogue fleet: --base-catalogue catalogue), named as CATALOGUE is; it need "
    "not exist now [default: CATALOGUE's path, else where git's rename detection finds "
    "it was moved from (D131)].",
)
@click.option(
    "--workload-sites",
    type=PathParam(dir_okay=False, exists=True),
    help="Where workloads run: a WorkloadPlacement file exported by the workload scheduler; "
    "a workload it lists runs on its sites only (its catalogue selector and sites are replaced).",
)
@click.option(
    "--max-removals",
    metavar="N|P%",
    help="Fail when models are removed from more than N sites or P% of them; a percentage "
    "above 0% never counts less than one site, so removing from a single site passes it "
    "(0 and 0% guard every removal) [default: 5 sites or 10%, whichever is smaller].",
)
@click.option("--allow-removals", is_flag=True, help="Report removals as warnings, not errors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(PLAN_FORMATS),
    default="text",
    show_default=True,
    callback=format_for_output,
    help="text for a terminal, json for tools, markdown for a merge-request comment; "
    "the findings as the other commands report them in sarif (code scanning; the plan's "
    "summary in the run's properties), junit (the text report as the suite's output), gitlab "
    "(Code Quality) or github (annotations, then the text report; with --base the new "
    "findings and the errors).",
)
@click.option(
    "--max-markdown-chars",
    type=click.IntRange(min=MIN_MAX_CHARS),
    default=DEFAULT_MAX_CHARS,
    show_default=True,
    metavar="N",
    help="With --format markdown: the report's size budget in characters. The summary, "
    "the findings (errors first), the models and the per-site detail are filled in that "
    "order, cut at a whole row, with a line saying what was left out.",
)
@click.option(
    "--max-text-rows",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    metavar="N",
    help="With --format text: the most rows of per-site detail. Sites whose rows read the "
    "same (model, change, detail; without --base: the same models) share them; the groups "
    "whose sites lose a model, downgrade or move come first (without --base, the sites "
    "with no model come last), each part the larger groups first. Whole groups beyond N "
    "rows are left out (the first is always shown) with a line saying how many sites they "
    "hold. The findings the base had too are cut to the first 10 likewise (but the hub's "
    "sites it cannot deliver to, D133 and D134, listed apart), and with --base "
    "the model and placement totals list only the rows that change, with a count of the "
    "rest. 0: no limit.",
)
@click.option(
    "-o",
    "--output",
    type=PathParam(dir_okay=False),
    help="Write the report to this file, in --format (a name ending in .md, .json, .sarif or "
    ".xml needs a --format of that kind); standard error then gets the findings (with --base "
    "the new ones and the errors), or with sarif, junit, gitlab and github the terminal gets "
    "the text report.",
)
def command(
    catalogue: Path | None,
    inventory: Path | None,
    base: str | None,
    base_catalogue: Path | None,
    workload_sites: Path | None,
    max_removals: str | None,
    allow_removals: bool,
    fmt: str,
    max_markdown_chars: int,
    max_text_rows: int,
    output: Path | None,
) -> int:
    """Show which site gets, loses, upgrades or downgrades which model.

    CATALOGUE is a catalogue file or folder (default: catalogue.yaml or
    catalogue/ here or in the nearest folder above, up to the top of the git work tree;
    one file of a catalogue folder is refused, exit 2: give the folder).
    Placements are evaluated with Kubernetes label-selector and OCM Placement semantics
    against the sites' labels. With --base, the catalogue at that git revision (e.g. the
    merge request's target branch) is compared with the working one. Exit 0 when clean,
    1 with errors (mass removal, a site left without models, over capacity, a workload
    without its model, an inventory with no site: D209, or a finding in an input file:
    empty, not UTF-8, not YAML), 2 when an input cannot be read (missing, a folder, no
    permission) or a --base revision cannot be used.

    \b
    Example:
      edgemodels plan --inventory examples/sites.yaml examples/lrt
      edgemodels plan -i sites.yaml --base origin/main --format markdown -o plan.md
      edgemodels plan -i sites.yaml --base origin/main --format sarif -o plan.sarif
      kubectl get managedclusters,managedclustersets -o yaml > clusters.yaml
      edgemodels plan -i clusters.yaml --base main --max-removals 2%
    """

    def body() -> int:
        # `is None`: an empty value (an unset CI variable) is a usage error, not the default
        limit = DEFAULT_REMOVAL_LIMIT if max_removals is None else parse_removal_limit(max_removals)
        path = catalogue_path(catalogue, "plan")
        sites = default_inventory(path, catalogue is not None) if inventory is None else inventory
        if base_catalogue is not None and base is None:
            raise UsageError("--base-catalogue needs --base, the revision it names a path at")
        options = PlanOptions(
            sites, path, base, workload_sites, limit, allow_removals, base_catalogue
        )
        plan, diags = run_plan(options)
        ordered = sort_diagnostics(diags)
        view = None if plan is None else build_view(plan, ordered)

        def report(fmt: str) -> Iterable[str]:
            if view is None:  # the inputs have errors: still a report, in its format and place
                return [unplanned_reporters()[fmt](unplanned(options, ordered, Path.cwd()))]
            if fmt == "json":  # 100 MB for 3,000 sites: written as it is made
                return json_pieces(view)
            return [reporters(max_markdown_chars, max_text_rows)[fmt](view)]

        if output is None:
            for text in batched(report(fmt)):
                click.echo(text, nl=False)
        elif fmt in CI_FORMATS:  # as check and validate -o do: the file, and the text here
            write_report(output, report(fmt))
            click.echo("".join(report("text")), nl=False)
        else:
            write_report(output, report(fmt))
            kept = _old_findings_kept(fmt, view, max_text_rows)
            click.echo(_stderr_summary(ordered, output, view, kept), err=True, nl=False)
        return EXIT_FINDINGS if has_failures(ordered) else EXIT_CLEAN

    return guarded(body)


def default_inventory(catalogue: Path, given: bool) -> Path:
    """sites.yaml beside the catalogue, as `init` lays it out; no other file is guessed
    (a hub's `kubectl get managedclusters` output is named with -i)."""
    sites = beside(catalogue, INVENTORY_FILE)
    if sites.is_file():
        return sites
    raise UsageError(
        "missing -i/--inventory, the sites to plan for (without it, plan reads "
        f"{sites}, beside the catalogue, but there is none): "
        f"edgemodels plan -i SITES.yaml{f' {catalogue}' if given else ''}"
    )


def _old_findings_kept(fmt: str, view: View | None, max_text_rows: int) -> int | None:
    """How many of the findings the base had too that the log leaves out (all but the
    errors) the report lists: all (None) in JSON; the text report's first few (errors
    first) unless --max-text-rows is 0; markdown as far as its size budget allows (-1: not
    known here)."""
    if fmt == "json" or view is None:
        return None
    if fmt == "text":  # of those not on stderr: the log shows every error
        old = old_findings(view)
        errors = sum(d.severity == "error" for d in old)
        listed = max(0, old_findings_shown(view, max_text_rows) - errors)  # errors first
        return None if listed == len(old) - errors else listed
    return -1


def _stderr_summary(
    diags: list[Diagnostic], output: Path, view: View | None, kept: int | None = None
) -> str:
    """The findings for the job's log; with a base, the new ones, the errors and the hub's
    state of the sites only (another finding the base had too would repeat on every merge
    request), then the count. The left-out ones are said to be in the report as far as it
    `kept` them (None: all)."""
    text = f"plan written to {output}\n"
    if view is None or view.plan.base_findings is None:
        return text + render_text(diags, "plan")
    new = set(view.new_findings)
    shown = [d for d in diags if d in new or d.severity == "error" or about_inventory(d)]
    lines = [d.render() for d in shown]
    line = plan_summary_line(view)
    if len(shown) < len(diags):
        left = len(diags) - len(shown)
        are = "is" if left == 1 else "are"
        if kept is None:
            line += f" (the {left} found at the base too {are} in {output})"
        elif kept >= 0:
            line += (
                f" (of the {left} found at the base too, {output} lists {kept}; "
                "--max-text-rows 0 lists them all)"
            )
        else:
            line += (
                f" (the {left} found at the base too {are} in {output} as far as its size "
                "budget allows; --format json has them all)"
            )
    return text + "\n".join([*lines, line]) + "\n"


def batched(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """The pieces joined into writes of about `size` characters (click.echo flushes each)."""
    held: list[str] = []
    length = 0
    for piece in pieces:
        held.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(held)
            held, length = [], 0
    if held:
        yield "".join(held)


def write_report(path: Path, pieces: Iterable[str]) -> None:
    """Write through a temporary file in the same folder, so a reader never sees half; the
    pieces are written as they come (the JSON report is made while it is written)."""
    folder = path.parent if str(path.parent) else Path(".")
    temp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)  # as check and validate --output do
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        # file names and the revision as the user gave it: UTF-8, as on stdout (display.py)
        with os.fdopen(fd, "w", encoding="utf-8", errors=display.ERRORS) as handle:
            handle.writelines(pieces)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as exc:
        _remove(temp)
        raise OutputError(f"--output {path}: {exc.strerror or exc}") from exc
    except BaseException:  # a crash or Ctrl-C while the report is made: no temporary file left
        _remove(temp)
        raise


def _remove(temp: str | None) -> None:
    if temp is not None and os.path.exists(temp):
        os.unlink(temp)
