"""The server's small parts: which command lines go to it, frames, durations, the folder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest

from edgemodels.cli.server import parse_duration
from edgemodels.launch import wants_server
from edgemodels.server import wire
from edgemodels.server.admission import changed, first_difference
from edgemodels.server.place import ensure_folder, place_of, refusal


@pytest.mark.parametrize(
    ("args", "environ", "served"),
    [
        (["check", "cat"], {}, True),
        (["generate", "cat", "-o", "out"], {}, True),
        (["check"], {"EDGEMODELS_SERVER": "on"}, True),
        (["check", "cat"], {"EDGEMODELS_SERVER": "off"}, False),
        (["check", "cat"], {"EDGEMODELS_SERVER": "OFF"}, False),
        (["check", "-"], {}, False),  # stdin
        (["check", "--help"], {}, False),
        (["check", "-h"], {}, False),
        (["--help", "check"], {}, False),
        (["--version"], {}, False),
        (["validate", "out"], {}, False),
        (["plan", "--inventory", "s.yaml"], {}, False),
        (["server", "start"], {}, False),
        ([], {}, False),
    ],
)
def test_only_check_and_generate_go_to_a_server(
    args: list[str], environ: dict[str, str], served: bool
) -> None:
    assert wants_server(args, environ) is served


def test_frames_survive_any_cut_and_text_that_is_not_utf8() -> None:
    messages = [{"argv": ["check", "caf\udce9"]}, {"out": "\x00\xff" * 3, "n": 1}, {"exit": 0}]
    stream = b"".join(wire.encode(m) for m in messages)
    for size in (1, 3, 7, len(stream)):
        frames = wire.Frames()
        got = [m for i in range(0, len(stream), size) for m in frames.feed(stream[i : i + size])]
        assert got == messages


def test_a_frame_too_large_is_refused() -> None:
    with pytest.raises(ConnectionError):
        wire.Frames().feed(wire.HEADER.pack(wire.MAX_FRAME + 1))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800.0), ("1h", 3600.0), ("1h30m", 5400.0), ("90s", 90.0), ("90", 90.0), ("0", None)],
)
def test_durations(text: str, seconds: float | None) -> None:
    assert parse_duration(click.Context(click.Command("x")), click.Option(["--x"]), text) == seconds


@pytest.mark.parametrize("text", ["", "m", "30 minutes", "-5", "1.5h"])
def test_not_durations(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_duration(click.Context(click.Command("x")), click.Option(["--x"]), text)


def test_the_folder(tmp_path: Path) -> None:
    assert place_of({"XDG_RUNTIME_DIR": str(tmp_path)}).folder == str(tmp_path / "edgemodels")
    assert place_of({"XDG_RUNTIME_DIR": "relative"}).folder == f"/tmp/edgemodels-{os.getuid()}"
    assert place_of({}).folder == f"/tmp/edgemodels-{os.getuid()}"
    where = place_of({"XDG_RUNTIME_DIR": str(tmp_path)})
    old = os.umask(0)
    try:
        assert ensure_folder(where) is None
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(where.folder).st_mode) == 0o700
    os.chmod(where.folder, 0o750)
    assert ensure_folder(where) == f"{where.folder} is open to other users (mode 0750)"
    os.chmod(where.folder, 0o700)
    link = tmp_path / "link"
    link.symlink_to(where.folder)
    assert refusal(str(link), os.lstat(link), stat.S_IFDIR) == f"{link} is not a folder"
    assert (
        refusal(where.folder, os.lstat(where.folder), stat.S_IFSOCK)
        == f"{where.folder} is not a socket"
    )


def test_the_fast_path_imports_nothing_heavy() -> None:
    code = (
        "import sys; sys.argv = ['edgemodels', 'check']\n"
        "import edgemodels.launch, edgemodels.server.client, edgemodels.server.wire\n"
        "import edgemodels.server.stamp\n"
        "print(sorted(set(sys.modules) & {'click', 'typing', 'pathlib', 'edgemodels.cli', 'yaml'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_refusals_quote_paths_as_given() -> None:
    """A client installed at a path that is not ASCII, under an ASCII locale: the server's
    log quoted its stamp and sys.path with repr, as surrogate escapes."""
    ours = "0.2.0\n/opt/caf\udcc3\udca9/edgemodels 10 1\n"
    theirs = "0.2.0\n/opt/th\u00e9/edgemodels 10 1\n"
    assert first_difference(theirs, ours) == (
        "'/opt/th\u00e9/edgemodels 10 1', here '/opt/caf\udcc3\udca9/edgemodels 10 1'"
    )
    assert (
        first_difference("0.2.0", ours)
        == "the server also has '/opt/caf\udcc3\udca9/edgemodels 10 1'"
    )
    settings = {"path": ["/opt/caf\udcc3\udca9"], "flags": {"utf8_mode": 0}}
    assert changed({"path": ["/opt/caf\u00e9"], "flags": {"utf8_mode": 1}}, settings) == (
        "path ['/opt/caf\u00e9'] (here ['/opt/caf\udcc3\udca9']), "
        "flags {'utf8_mode': 1} (here {'utf8_mode': 0})"
    )
