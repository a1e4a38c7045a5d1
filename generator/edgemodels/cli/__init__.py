"""Command line: click only. Each command parses options, calls the core, returns an exit code.

Exit codes (one place): 0 clean, 1 findings or drift, 2 usage/config/I-O error or a missing
tool, 3 unexpected crash, 130 interrupted (Ctrl-C), 141 output closed (`| head`),
143 terminated (SIGTERM).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import io
import os
import select
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import click

from edgemodels import __version__, display
from edgemodels.cli import terminal
from edgemodels.diagnostics import Diagnostic, has_failures, sort_diagnostics
from edgemodels.errors import EdgeModelsError, OutputError, Terminated, signals_held
from edgemodels.output import REPORTERS
from edgemodels.redaction import redact_text
from edgemodels.yamltree import collect_rarely

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_CRASH, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_TERMINATED = 143
# 128 + SIGPIPE: what a shell reports for `git log | head -1` when git was still writing.
EXIT_OUTPUT_CLOSED = 141


def guarded(call: Callable[[], int]) -> int:
    """Run a command body and map every way it can end to an exit code."""
    try:
        return call()
    except EdgeModelsError as exc:
        click.echo(f"edgemodels: error: {redact_text(str(exc))}", err=True)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        return _stopped(exc)
    except click.exceptions.Exit:
        raise
    except click.ClickException:
        raise
    except BrokenPipeError as exc:
        if output_closed():
            return quiet_exit()
        return _crashed(exc)
    except OSError as exc:
        if exc.errno in _PATH_ERRNOS:  # a path the system refuses: the input, not a bug
            name = exc.filename if isinstance(exc.filename, str) else ""
            shown = name if len(name) <= 120 else f"{name[:60]}...{name[-40:]}"
            click.echo(f"edgemodels: error: {exc.strerror}: {shown}", err=True)
            return EXIT_USAGE
        return _crashed(exc)
    except Exception as exc:  # the last line of defence: a short message, never a traceback
        return _crashed(exc)


# Paths the system refuses whatever the code does: longer than PATH_MAX or a name longer
# than NAME_MAX, or too many symbolic links on the way.
_PATH_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.ELOOP})


def _crashed(exc: Exception) -> int:
    """A short message, never a traceback."""
    where = ""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
    text = redact_text(str(exc))
    text = text if len(text) <= 500 else text[:497] + "..."  # it may quote a huge input
    click.echo(
        f"edgemodels: internal error: {type(exc).__name__}: {text}{where}\n"
        "This is a bug in edgemodels; please report it with the command you ran.",
        err=True,
    )
    return EXIT_CRASH


def output_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (`edgemodels rules --all | head -1`).
    A broken pipe to anything else (a child process, the build process) is a crash."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), no file descriptor
        return False


def quiet_exit() -> int:
    """Stop without a word, as git or cat do when the reader of their output has gone. What
    is left in stdout's buffer goes to /dev/null: flushing it at exit would fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_OUTPUT_CLOSED


def _stopped(exc: BaseException | None) -> int:
    if isinstance(exc, Terminated):
        click.echo("edgemodels: terminated", err=True)
        return EXIT_TERMINATED
    click.echo("edgemodels: interrupted", err=True)
    return EXIT_INTERRUPTED


def emit_findings(
    diags: Sequence[Diagnostic],
    fmt: str,
    subject: str,
    strict: bool = False,
    output: Path | None = None,
) -> int:
    """Report findings and return 0 or 1.

    Without `output` the report in `fmt` goes to stdout. With it, the report is written to
    that file and the terminal still gets the text report (so a CI log stays readable).
    """
    ordered = sort_diagnostics(diags)
    if output is not None:
        write_report(output, REPORTERS[fmt](ordered, subject))
    if output is not None or fmt == "text":
        click.echo(terminal.text_report(ordered, subject, terminal.use_colour()), nl=False)
    else:
        click.echo(REPORTERS[fmt](ordered, subject), nl=False)
    return EXIT_FINDINGS if has_failures(ordered, strict) else EXIT_CLEAN


def write_report(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors=display.ERRORS)  # file names: UTF-8
    except OSError as exc:
        raise OutputError(f"cannot write the report to {path}: {exc.strerror}") from exc


class Entry(NamedTuple):
    module: str  # in edgemodels.cli
    attribute: str
    summary: str  # its line in `edgemodels --help`


# Explicit registry, no entry-point magic. Modules are imported only when their command
# runs, so a hook calling `edgemodels check` does not pay for Helm, Git or CEL start-up, and
# `edgemodels --help` lists the summaries without importing any command (0.4 s when it took
# each command's first docstring line).
COMMANDS: dict[str, Entry] = {
    "init": Entry("init", "command", "Start a catalogue repository, hooks and CI included."),
    "check": Entry("check", "command", "Check a catalogue: schema, references, policies."),
    "generate": Entry("generate", "command", "Generate the GitOps tree RHACM pulls."),
    "validate": Entry("validate", "command", "Render, build and schema-check a generated tree."),
    "plan": Entry("plan", "command", "Show which site gains, loses or upgrades which model."),
    "publish": Entry("publish", "command", "Commit the generated tree to the deploy branch."),
    "rules": Entry("rules", "command", "List every policy rule (--all: every finding code)."),
    "rule": Entry("rules", "rule_command", "Print the documentation of one rule or code."),
    "policy": Entry("policy", "command", "Export policies for admission control."),
    "server": Entry("server", "command", "Keep edgemodels running: check, generate start at once."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """A misspelt command gets a "did you mean", as a misspelt option does. The name is
        quoted as given: click's repr wrote one that is not ASCII, under an ASCII locale,
        with surrogate escapes (`'caf\\udcc3\\udca9'`)."""
        name = args[0] if args else ""
        if name and name not in COMMANDS and not name.startswith("-"):
            import difflib  # only for a misspelt command

            close = difflib.get_close_matches(name, list(COMMANDS), n=1, cutoff=0.6)
            hint = f" Did you mean {display.quoted(close[0])}?" if close else ""
            if close or not ctx.resilient_parsing:
                ctx.fail(f"No such command {display.quoted(name)}.{hint}")
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        with signals_held():  # a Ctrl-C or SIGTERM is raised once the import is whole
            module = importlib.import_module(f"edgemodels.cli.{entry.module}")
        command = getattr(module, entry.attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry.summary) for name, entry in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edgemodels")
def cli() -> None:
    """Distribute AI models to edge Kubernetes sites through GitOps.

    \b
    Typical flow:
      edgemodels init my-catalogue/ && cd my-catalogue  # a new catalogue repository
      edgemodels check catalogue/            # schema, references, policies
      edgemodels generate catalogue/ -o generated/   # the GitOps tree RHACM pulls
      edgemodels validate generated/         # render and schema-check it offline
      edgemodels plan --inventory sites.yaml catalogue/ --base origin/main
      edgemodels publish catalogue/          # commit and push to the deploy branch
    """


def main(argv: Sequence[str] | None = None) -> int:
    collect_rarely()
    try:
        rv = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Abort as exc:  # what click makes of a KeyboardInterrupt
        return _stopped(exc.__cause__)
    except click.ClickException as exc:
        said = io.StringIO()
        exc.show(file=said)
        # click quotes with repr; a value it quotes (a path given as a URL with its
        # password) is masked as in every other message
        sys.stderr.write(redact_text(display.unescaped(said.getvalue())))
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except SystemExit as exc:  # click's own output (--help) into a closed pipe: click
        if exc.code == 1 and output_closed():  # exits 1; commands exit as git does
            return quiet_exit()
        raise
    return int(rv) if isinstance(rv, int) else EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
