"""`edgemodels init`."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from edgemodels import __version__
from edgemodels.cli import EXIT_CLEAN, guarded
from edgemodels.cli.paths import PathParam
from edgemodels.init import InitOptions, init_repository
from edgemodels.output import plural


@click.command("init")
@click.argument("directory", type=PathParam(file_okay=False))
@click.option("--name", help="Catalogue name, a DNS label [default: the folder's name].")
@click.option("--git-url", help="Deploy repository RHACM pulls from (spec.git.url).")
@click.option("--branch", help="Deploy branch (spec.git.branch) [default: acm-dev].")
@click.option("--path", "path", metavar="DIR", help="Folder inside that branch (spec.git.path).")
@click.option(
    "--tool-repo",
    metavar="URL",
    help="Git URL (or folder) of edgemodels for the pre-commit hooks and the CI installs "
    "[default: the placeholder https://github.com/edgemodels/edgemodels for the hooks, "
    "the package index for CI].",
)
@click.option(
    "--tool-rev",
    metavar="REV",
    help="An existing tag or commit of --tool-repo (checked when it is a folder here; "
    "HEAD, a branch or a rev expression such as main~1 is refused) [default: v<version>].",
)
@click.option("--no-generate", is_flag=True, help="Do not generate the first tree.")
@click.option("--no-git", is_flag=True, help="Do not run git init.")
def command(
    directory: Path,
    name: str | None,
    git_url: str | None,
    branch: str | None,
    path: str | None,
    tool_repo: str | None,
    tool_rev: str | None,
    no_generate: bool,
    no_git: bool,
) -> int:
    """Create a catalogue repository in DIRECTORY (new or empty): an example catalogue,
    a site inventory, pre-commit hooks, GitLab CI and GitHub Actions pipelines, a README,
    the JSON Schemas for editors with the catalogue's field reference (schemas/catalogue.md),
    and the first generated tree; then git init and stage it.
    Every option is checked before anything is written (a --git-url with credentials is
    refused, R209), and a failed init leaves no folder behind. Exit 2 when refused.

    \b
    Example:
      edgemodels init plant-models --git-url https://git.example.com/edge/deploy.git \\
          --branch acm-dev
      cd plant-models && git commit -m "Model catalogue" && pre-commit install
    """

    def body() -> int:
        options = InitOptions(
            directory,
            name,
            git_url,
            branch,
            path,
            tool_repo,
            tool_rev,
            generate=not no_generate,
            git=not no_git,
        )
        result = init_repository(options)
        click.echo(
            f"created catalogue {result.name!r} in {result.directory} "
            f"({plural(len(result.files), 'file')})"
        )
        if tool_repo is None:
            click.echo(
                "note: the hooks use https://github.com/edgemodels/edgemodels at "
                f"{tool_rev or 'v' + __version__} "
                f"and CI installs edgemodels=={__version__} from the package index; if "
                "edgemodels comes from elsewhere, set repo/rev in .pre-commit-config.yaml and "
                "EDGEMODELS_REQUIREMENT in the CI files (or init again with --tool-repo)"
            )
        if result.inside is not None:
            click.echo(
                f"note: {result.directory} is inside the git work tree of {result.inside}: "
                "it is a repository of its own nested in that one (`git add` there would "
                "stage it as an embedded repository); use --no-git to keep its files in "
                "that repository instead",
                err=True,
            )
        click.echo(next_steps(result.directory, git=not no_git), nl=False)
        return EXIT_CLEAN

    return guarded(body)


def next_steps(directory: Path, git: bool) -> str:
    """The first commit and the hooks (the hooks run only once installed), then the loop."""
    start = "git init -b main && git add -A && " if not git else ""
    if directory.resolve() != Path.cwd().resolve():
        start = f"cd {shlex.quote(str(directory))} && {start}"
    return (
        f"next: {start}git commit -m 'Model catalogue'"
        " && pre-commit install   (pip install pre-commit)\n"
        "      then edit catalogue/, run `edgemodels check` and `edgemodels generate -o "
        "generated`, and commit both: `git add -A && git commit`\n"
    )
