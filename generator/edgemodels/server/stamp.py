"""What a client and the server must share for the server to run the client's command.

The code stamp: edgemodels' version, where its package is, and the size and modification
time of every .py file in it, of the data it reads (schemas, policies) and of the Python
executable. Stat calls only, no reading: about 150 files, well under a millisecond. The
server takes its own once, at start; a client whose stamp differs is told to run the
command itself, and if the server's own files no longer match what it started with, its
code is out of date and it stops.

The interpreter: options and settings fixed when a Python process starts (`-O`, `-X`,
`-W`, UTF-8 mode, the module path, the file system and locale encodings). The server
cannot take a client's, so a client with other settings runs the command itself; the
server goes on serving the others.
"""

from __future__ import annotations

import os
import sys

from edgemodels import __version__

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: typing takes milliseconds to import
if TYPE_CHECKING:
    from typing import Any

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_FOLDERS = ("schemas", "policies")  # read by check and generate (repo-template: by init)


def code_stamp() -> str:
    executable = os.path.realpath(sys.executable)  # bin/python or bin/python3: the same
    parts = [__version__, PACKAGE, _entry(executable, os.stat(executable))]
    _walk(PACKAGE, ".py", parts)
    data = _data_root()
    for name in DATA_FOLDERS:
        _walk(os.path.join(data, name), "", parts)
    return "\n".join(parts)


def _data_root() -> str:
    """As edgemodels.data.data_root (pathlib is too slow to import here): the wheel's
    `_data` folder, or the checkout an editable install runs from."""
    packaged = os.path.join(PACKAGE, "_data")
    if os.path.isdir(os.path.join(packaged, "schemas")):
        return packaged
    return os.path.dirname(os.path.dirname(PACKAGE))


def _walk(folder: str, suffix: str, parts: list[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        parts.append(f"{folder} missing")
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _walk(entry.path, suffix, parts)
        elif entry.name.endswith(suffix):
            parts.append(_entry(entry.path, entry.stat()))


def _entry(path: str, info: os.stat_result) -> str:
    return f"{path} {info.st_size} {info.st_mtime_ns}"


def interpreter() -> dict[str, Any]:
    flags = {
        name: getattr(sys.flags, name)
        for name in dir(sys.flags)
        # safe_path (-P) decides only whether sys.path[0] is the script's folder or the
        # working folder, which is left out below (the server runs with -P)
        if not name.startswith(("_", "n_")) and name not in ("count", "index", "safe_path")
    }
    return {
        "flags": flags,
        "path": sys.path if sys.flags.safe_path else sys.path[1:],
        "warnoptions": sys.warnoptions,
        "xoptions": {k: str(v) for k, v in sys._xoptions.items()},
        "filesystem": [sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()],
        "locale": _locale_encoding(),
    }


def _locale_encoding() -> str:
    """What open() uses without an encoding (Python reads the locale once, at start)."""
    import _locale  # built in: locale itself imports re

    getencoding = getattr(_locale, "getencoding", None)  # Python 3.11+
    return str(getencoding()) if getencoding is not None else ""
