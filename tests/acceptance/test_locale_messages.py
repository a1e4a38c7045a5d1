"""Messages that quote an argument: under an ASCII locale (LC_ALL=C without Python's
locale coercion) `repr` wrote an argument that is not ASCII with the surrogates it is
decoded to (`'caf\\udcc3\\udca9'`); each says what the UTF-8 locale says, the real
name, and bytes that are not UTF-8 as `\\xNN`. The real program, in a subprocess."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_locale_plan import EXAMPLES, run, same_in_every_locale

CAFE = "caf\u00e9"  # café
LATIN1_CAFE = os.fsdecode(b"caf\xe9")  # the bytes of a Latin-1 `café`: not UTF-8


def said(cwd: Path, *args: str) -> str:
    """stderr of a usage error, the same under every locale."""
    done = same_in_every_locale(cwd, *args)
    assert done.returncode == 2, done.stderr
    return done.stderr.decode()  # strict: UTF-8


def last_line(text: str) -> str:
    return text.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((CAFE,), f"Error: No such command '{CAFE}'."),
        (("ch\u00e9ck",), "Error: No such command 'ch\u00e9ck'. Did you mean 'check'?"),
        ((LATIN1_CAFE,), "Error: No such command 'caf\\xe9'."),
        (("check", "--format\u00e9"), "Error: No such option '--format\u00e9'. Did you mean"),
        (
            ("check", "--format", CAFE),
            f"Error: Invalid value for '--format': '{CAFE}' is not one of 'github',",
        ),
        (("publish", "--retries", CAFE), f"Error: Invalid value for '--retries': '{CAFE}' is"),
        (
            ("server", "start", "--idle-timeout", CAFE),
            f"Error: Invalid value for '--idle-timeout': '{CAFE}' is not a duration such as",
        ),
        (
            ("plan", "--max-removals", f"{CAFE}%"),
            "edgemodels: error: --max-removals: expected a number of sites (5) or a "
            f"percentage (10%), got '{CAFE}%'",
        ),
    ],
)
def test_arguments_are_quoted_as_given(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    assert last_line(said(tmp_path, *args)).startswith(message)


def test_kubernetes_version_quoted_as_given(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "lrt", tmp_path / "cat")
    done = run(tmp_path, "generate", "cat", "-o", "gen", locale="utf8")
    assert done.returncode == 0, done.stderr
    text = said(tmp_path, "validate", "--kubernetes-version", f"1.{CAFE}", "gen")
    assert text.startswith(f"edgemodels: error: no Kubernetes schemas for version '1.{CAFE}';")
