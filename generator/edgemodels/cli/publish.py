"""`edgemodels publish`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from edgemodels.catalogue.default import catalogue_path
from edgemodels.cli import EXIT_CLEAN, EXIT_FINDINGS, emit_findings, guarded, write_report
from edgemodels.cli.options import catalogue_policy_options, report_options
from edgemodels.cli.paths import PathParam
from edgemodels.cli.publishreport import publish_json, what_was_done
from edgemodels.cli.terminal import phases, progress, text_report, use_colour
from edgemodels.diagnostics import Diagnostic, has_failures, sort_diagnostics
from edgemodels.errors import UsageError
from edgemodels.output import REPORTERS

if TYPE_CHECKING:
    from edgemodels.publishoptions import PublishResult
    from edgemodels.publishremovals import RemovalGuard


@click.command("publish")
@click.argument("catalogue", required=False, type=PathParam(exists=True))
@click.option(
    "--repo",
    metavar="URL_OR_PATH",
    help="Deploy repository to push to [default: spec.git.url]: only where this run pushes "
    "(a local mirror, an SSH push URL); the Channel (or the Argo CD Applications) keeps "
    "spec.git.url, the URL RHACM clones. Never put a password in it: use a git credential "
    "helper or EDGEMODELS_GIT_TOKEN.",
)
@click.option(
    "--branch",
    help="Branch RHACM pulls [default: spec.git.branch]; the Subscriptions (with delivery "
    "argocd, the Applications) name it.",
)
@click.option(
    "--path",
    "path",
    metavar="DIR",
    help="Folder in the branch, relative ('' for the root) [default: spec.git.path]; "
    "the Subscriptions (with delivery argocd, the Applications) name it.",
)
@click.option(
    "--author",
    envvar="EDGEMODELS_AUTHOR",
    default="edgemodels <edgemodels@localhost>",
    show_default=True,
    help='Commit author, "Name <mail>" (also EDGEMODELS_AUTHOR).',
)
@click.option("--message-extra", default="", help="A paragraph added to the commit message.")
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=3,
    show_default=True,
    help="How often to rebuild on top and push again when the branch moved meanwhile.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be committed; push nothing.")
@click.option(
    "--create-branch/--no-create-branch",
    default=True,
    show_default=True,
    help="Create the branch when the repository does not have it yet.",
)
@click.option(
    "--workdir",
    type=PathParam(file_okay=False),
    help="Keep the clone of the deploy repository here and reuse it [default: a temporary "
    "one]. A folder that does not exist or is empty gets a clone publish makes and marks as "
    "its own (it may discard what a killed run left there). Any other clone of the deploy "
    "repository is taken as publish's own only when nothing in it could be lost (no "
    "changed, untracked or ignored file, no commit origin lacks); otherwise publish stops, "
    "exit 2, naming what could be lost. The branch is not checked out there (unless commit "
    "hooks or git attributes need a work tree, which a bare clone cannot give: exit 2).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite generated files edited by hand on the branch (a revert there too), and "
    "publish a catalogue older than the branch's last publish (a rollback on purpose).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1),
    default=300.0,
    show_default=True,
    help="Seconds allowed for each clone, fetch and push.",
)
@click.option(
    "--allow-http-token",
    is_flag=True,
    help="Send EDGEMODELS_GIT_TOKEN to a plain http:// repository (a test server on a "
    "trusted network); refused otherwise.",
)
@click.option(
    "-i",
    "--inventory",
    type=PathParam(dir_okay=False, exists=True, allow_dash=True),
    help="Sites, as plan's -i (`-` reads stdin): refuse, exit 1, when publishing removes "
    "models from many sites or leaves a site without models (plan's D101/D102), compared "
    "with the catalogue commit the branch was last published from, read from the "
    "catalogue's git repository [default: not checked; D116, D118 and D137 run without it].",
)
@click.option(
    "--max-removals",
    metavar="N|P%",
    help="With --inventory: as plan's [default: 5 sites or 10%, whichever is smaller].",
)
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Report the removal guards (D101, D102, D116, D118, D137) as warnings, and with "
    "--inventory publish when the last publish's catalogue cannot be read (D309).",
)
@click.option(
    "--skip-superseded",
    is_flag=True,
    help="When the branch was last published from a newer catalogue commit that includes "
    "this one (a CI pipeline that ran after a newer commit's), publish nothing and exit 0 "
    '("superseded") instead of D308, exit 1. Another line of history is D308 all the same.',
)
@catalogue_policy_options
@report_options
def command(
    catalogue: Path | None,
    repo: str | None,
    branch: str | None,
    path: str | None,
    author: str,
    message_extra: str,
    retries: int,
    dry_run: bool,
    create_branch: bool,
    workdir: Path | None,
    force: bool,
    timeout: float,
    allow_http_token: bool,
    inventory: Path | None,
    max_removals: str | None,
    allow_removals: bool,
    skip_superseded: bool,
    policy_config: Path | None,
    no_policies: bool,
    fmt: str,
    output: Path | None,
) -> int:
    """Generate the tree and commit it to the deploy branch, then push (never forced).

    Only the folder --path of the branch changes (other paths are left alone); nothing is
    committed when the tree is already there. The branch is not checked out: the commit is
    made from git objects, and only the files that differ are read. The commit message
    lists the models added, upgraded and removed per target, the placements that changed
    (a narrowed selector) with their models, and the catalogue's git commit (a catalogue
    with uncommitted changes is published with a warning on stderr); after a push, its
    first 30 lines of changes and its closing lines are printed (--dry-run prints it
    whole). When the branch moved meanwhile, publish fetches,
    rebuilds on top and pushes again (--retries times).
    Credentials come from git's credential helpers, or EDGEMODELS_GIT_TOKEN (with
    EDGEMODELS_GIT_USERNAME, default oauth2), offered to the --repo host only, over https
    (http:// only with --allow-http-token); they are never printed or written to disk.
    The catalogue is checked as `check` checks it, its policy rules included: nothing is
    published while it has errors.
    Plan's D116 hub-moved, D118 delivery-switched and D137 placements-unbound run on what
    this publish changes since the branch's last publish, and with --inventory D101 and
    D102 too (see edgemodels' docs/publish.md, "Plan's removal guards on publish").
    Exit 0 when published, already up to date or superseded (--skip-superseded), 1 on
    catalogue errors, hand-edited files in the way, an older catalogue than the last
    publish's (D308) or removals refused (D101, D102, D116, D118, D137, D309), 2 when the
    repository cannot be cloned, written or pushed to.
    --format json adds "publish": status, repository, branch, path, commit, attempts,
    subject, handApplied (the hub/ files to apply again) and supersededBy, for CI scripts.

    \b
    Example:
      edgemodels publish catalogue/ --repo https://git.example.com/edge/deploy.git \\
          --branch acm-dev --author "Model CI <ci@example.com>"
      edgemodels publish examples/lrt --repo /srv/git/deploy.git --dry-run
    """

    def body() -> int:
        # Imported here: publish needs the git program, the other commands do not.
        from edgemodels.gitpublish.destination import refuse_credential_text
        from edgemodels.publishing import run_publish
        from edgemodels.publishoptions import PublishOptions

        refuse_credential_text("--message-extra", message_extra)
        removals = _removal_guard(inventory, max_removals, allow_removals)

        source = catalogue_path(catalogue, "publish")
        options = PublishOptions(
            source,
            repo,
            branch,
            path,
            author,
            message_extra,
            retries,
            dry_run,
            create_branch,
            workdir,
            force,
            timeout,
            allow_http_token,
            policy_config,
            not no_policies,
            removals,
            skip_superseded,
            phase=phases("publish"),
            progress=progress,
        )
        result = run_publish(options)  # warnings go to stderr
        subject = f"publish {source}"
        if result.status == "findings" and fmt == "json":  # with what was refused, where
            return _refused_json(result, subject, output)
        if result.status == "findings":
            return emit_findings(result.findings, fmt, subject, output=output)
        # The report of a run that went ahead (the catalogue's warnings) is written too: a
        # CI job collecting -o finds this run's, not none or an earlier run's. On stdout a
        # machine format is the report alone, as generate's, and what was done goes to stderr.
        ordered = sort_diagnostics(result.findings)
        if output is not None:
            write_report(output, _report(fmt, ordered, subject, result))
        elif fmt != "text":
            click.echo(_report(fmt, ordered, subject, result), nl=False)
        click.echo(what_was_done(result), nl=False, err=output is None and fmt != "text")
        if ordered and (fmt == "text" or output is not None):  # the warnings, as generate's
            click.echo(text_report(ordered, subject, use_colour()), nl=False)
        return EXIT_CLEAN

    return guarded(body)


def _removal_guard(
    inventory: Path | None, max_removals: str | None, allow_removals: bool
) -> RemovalGuard:
    """The removal guards asked for: without --inventory D116, D118 and D137 alone, which
    --allow-removals relaxes too; --max-removals means nothing without it."""
    from edgemodels.plan.removals import DEFAULT_REMOVAL_LIMIT, parse_removal_limit
    from edgemodels.publishremovals import RemovalGuard

    if inventory is None:
        if max_removals is not None:
            raise UsageError("--max-removals needs -i/--inventory, the sites to check removals on")
        return RemovalGuard(None, allow=allow_removals)
    # `is None`: an empty value (an unset CI variable) is a usage error, as plan's
    limit = DEFAULT_REMOVAL_LIMIT if max_removals is None else parse_removal_limit(max_removals)
    return RemovalGuard(inventory, limit, allow_removals)


def _report(fmt: str, diags: Sequence[Diagnostic], subject: str, result: PublishResult) -> str:
    return publish_json(diags, subject, result) if fmt == "json" else REPORTERS[fmt](diags, subject)


def _refused_json(result: PublishResult, subject: str, output: Path | None) -> int:
    """A publish stopped by findings, in JSON: the report with its `publish` part (status
    `findings`), to the file with the text on the terminal, or alone on stdout."""
    ordered = sort_diagnostics(result.findings)
    if output is None:
        click.echo(publish_json(ordered, subject, result), nl=False)
        return EXIT_FINDINGS if has_failures(ordered) else EXIT_CLEAN
    write_report(output, publish_json(ordered, subject, result))
    return emit_findings(ordered, "text", subject)
