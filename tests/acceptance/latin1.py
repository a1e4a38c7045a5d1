"""A locale whose encoding is Latin-1 (ISO-8859-1), for the tests of what edgemodels does
under it: an installed one, or one `localedef` makes in a folder of the test's (LOCPATH).
None when neither is there (a system without glibc's locale sources)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# What a test runs under: its own locale settings and Python's, nothing of the caller's.
UNSET = ("LANG", "LC_CTYPE", "LC_ALL", "LANGUAGE", "PYTHONUTF8", "PYTHONIOENCODING")
MADE = "en_US.ISO-8859-1"


def clean_environment(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET and k != "LOCPATH"}
    return {**env, **settings}


def file_system_encoding(settings: dict[str, str]) -> str:
    """What Python takes file names to be encoded in, under `settings`."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.getfilesystemencoding())"],
        env=clean_environment(**settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def latin1_locale(folder: Path) -> dict[str, str] | None:
    """The environment settings of a Latin-1 locale (LC_ALL, and LOCPATH for one made
    in `folder`); None when there is none and none can be made."""
    for settings in _installed() + _made(folder):
        if file_system_encoding(settings) == "iso8859-1":
            return settings
    return None


def _installed() -> list[dict[str, str]]:
    try:
        listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=60)
    except OSError:
        return []
    names = [n for n in listed.stdout.split() if n.lower().endswith((".iso88591", ".iso-8859-1"))]
    return [{"LC_ALL": name} for name in names[:1]]


def _made(folder: Path) -> list[dict[str, str]]:
    localedef = shutil.which("localedef")
    if localedef is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [localedef, "-i", "en_US", "-f", "ISO-8859-1", str(folder / MADE)],
        capture_output=True,
        timeout=120,
    )
    return [{"LC_ALL": MADE, "LOCPATH": str(folder)}] if done.returncode == 0 else []
