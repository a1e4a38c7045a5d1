"""The `edgemodels` program: hand check and generate to a running server, set up the Go
runtime of the Helm SDK, then run the CLI.

While the user's `edgemodels server` runs, `check` and `generate` are sent to it before
anything else is imported (edgemodels.server.client); the command runs here when none runs,
or when it cannot take the command.

`edgemodels validate` renders charts with Helm's Go SDK, loaded into this process (a
shared library with its own Go runtime). Go's collector runs whenever the heap doubles
(GOGC=100), and Helm's heap is a few megabytes: rendering the 600 charts of the benchmark
fleet spent a sixth of its CPU collecting. GOGC=400 lets the heap grow fourfold between
collections: the renders took 2.15 s of CPU instead of 2.6 s, for a few more megabytes.

Go reads GOGC once, from the environment the process was started with; setting it from
Python afterwards does not reach it. So a command that loads the SDK, started without
GOGC, runs itself again at once (exec: same process, same arguments) with GOGC=400. The
second start costs about 20 ms, as nothing is imported before it but edgemodels.errors
(SIGTERM is mapped to exit 143 from the program's first step). A GOGC already set
(any value) is left as it is and nothing is run again. Child processes inherit it:
kubectl and kubeconform, Go programs too, are run with the same setting anyway.

File names are bytes, taken as UTF-8 as git takes them (display.py, fsnames.py). Python
decodes them with the locale's encoding: UTF-8, or ASCII with the other bytes kept as
surrogates, both of which give the UTF-8 text back. A locale of another encoding
(en_US.ISO-8859-1) decodes the bytes of `é` as `Ã©`: the output and the generated files
named `café/` as `cafÃ©/`, and `publish --repo /srv/dépôt.git` handed git the bytes of
that reading, where git found no repository. Under such a locale the program runs itself
again the same way, in Python's UTF-8 mode (PYTHONUTF8=1, inherited by the Python
processes it starts, validate's offload worker among them), which takes file names as
UTF-8 whatever the locale.

It does so under PYTHONUTF8=0 too. That setting asks Python for the locale's encoding,
but edgemodels' names are bytes taken as UTF-8 whatever the setting (fsnames.py): with
the Latin-1 reading kept, `publish --repo /srv/dépôt.git` hands git `dÃ©p...`, which
does not exist, a catalogue file name written into the generated files is not the file's
name, and the output (UTF-8 whatever the locale, display.py) shows `cafÃ©`. Nothing
would be gained for it: a name whose bytes are Latin-1 is opened under UTF-8 mode all
the same, and shown as `caf\xe9`, its bytes. Only `python -X utf8=0`, which Python puts
above the environment, keeps the locale's encoding (and is run again once at most).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
from collections.abc import Mapping, Sequence

GO_COMMANDS = frozenset({"validate"})  # commands that load the Helm SDK
GOGC = "400"
NAME_ENCODINGS = frozenset({"utf-8", "ascii"})  # encodings that give names back as UTF-8
# Commands that a running `edgemodels server` runs (the only place that says so), unless
# EDGEMODELS_SERVER=off; never with an argument that reads stdin or asks for help.
SERVED = frozenset({"check", "generate"})
RUN_HERE = frozenset({"-", "-h", "--help", "--version"})
# Commands whose process ends as soon as they return (_exit): what they built is left to
# the end of the process rather than freed (lifetime.py). Not `server`, which runs commands.
ENDS_AFTER = frozenset({"generate"})


def command_of(args: Sequence[str]) -> str | None:
    """The command a command line runs: the first word that is not an option (the group's
    options, --help and --version, take no value)."""
    return next((a for a in args if not a.startswith("-")), None)


def needs_go_setup(args: Sequence[str], environ: Mapping[str, str]) -> bool:
    return command_of(args) in GO_COMMANDS and "GOGC" not in environ and os.name == "posix"


def needs_utf8_mode(encoding: str) -> bool:
    """Whether names decoded with the file system encoding `encoding` are not UTF-8 text."""
    try:
        return codecs.lookup(encoding).name not in NAME_ENCODINGS
    except LookupError:
        return True


def settings_to_run_again(
    args: Sequence[str], environ: Mapping[str, str], encoding: str
) -> dict[str, str]:
    """The environment the program runs itself again with; empty: it runs on. Once with
    PYTHONUTF8=1 at most, a PYTHONUTF8=0 given replaced (see above): `python -X utf8=0`
    keeps the locale's encoding even so."""
    utf8 = needs_utf8_mode(encoding) and environ.get("PYTHONUTF8") != "1"
    again = {"PYTHONUTF8": "1"} if utf8 else {}
    if needs_go_setup(args, environ):
        again["GOGC"] = GOGC
    return again


def wants_server(args: Sequence[str], environ: Mapping[str, str]) -> bool:
    return (
        command_of(args) in SERVED
        and environ.get("EDGEMODELS_SERVER", "").lower() != "off"
        and RUN_HERE.isdisjoint(args)
        and os.name == "posix"
    )


def main() -> int:
    from edgemodels.display import setup_streams
    from edgemodels.errors import Terminated, raise_on_sigterm, signals_held

    setup_streams()  # file names as UTF-8 whatever the locale, before anything is written
    # First: a SIGTERM before the CLI runs stops the program as one during a command does
    # (exit 143), not by the signal with no word; nor does a Ctrl-C print a traceback.
    raise_on_sigterm()
    try:
        again = settings_to_run_again(sys.argv[1:], os.environ, sys.getfilesystemencoding())
        if again:
            _run_again(again)
        if wants_server(sys.argv[1:], os.environ):
            from edgemodels.server.client import run_on_server

            served = run_on_server(sys.argv[1:])
            if served is not None:
                return _exit(served)
        with signals_held():  # raised once the CLI's modules are whole (errors.py)
            from edgemodels import lifetime
            from edgemodels.cli import main as cli_main
        if command_of(sys.argv[1:]) in ENDS_AFTER:
            lifetime.end_after_command()
        code = cli_main()
    except KeyboardInterrupt as exc:  # before cli.main took over, or in its first steps
        terminated = isinstance(exc, Terminated)
        sys.stderr.write(f"edgemodels: {'terminated' if terminated else 'interrupted'}\n")
        code = 143 if terminated else 130  # as edgemodels.cli, not imported yet
    return _exit(code)


def _run_again(settings: dict[str, str]) -> None:
    os.environ.update(settings)
    sys.stdout.flush()  # nothing is written yet; should anything be, exec would drop it
    sys.stderr.flush()
    try:
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    except OSError as exc:  # without GOGC: on here, with Go's default; not with wrong names
        if "PYTHONUTF8" in settings:
            sys.stderr.write(
                f"edgemodels: error: the locale's encoding is {sys.getfilesystemencoding()}, "
                f"and running again in Python's UTF-8 mode failed ({exc.strerror}): run it "
                "with PYTHONUTF8=1 or under a UTF-8 locale (LC_ALL=C.UTF-8)\n"
            )
            _exit(2)  # a usage error, as edgemodels.cli (not imported yet) says


def _exit(code: int) -> int:  # never returns (NoReturn: typing is not imported yet here)
    """The process ends here, so the interpreter's teardown (freeing every module and object
    still held, 0.02-0.03 s after `validate` on the benchmark fleet) is skipped: the
    output is flushed and the process exits. Nothing is left to an exit handler: every
    temporary folder and worker pool is closed by the code that opened it."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)
