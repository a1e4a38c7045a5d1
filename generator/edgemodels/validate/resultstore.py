"""Where validate's result cache keeps its entries (resultcache.py says what they are).

One file per tree in `<cache dir>/validate/` (the tree's real path hashed, and the locale's
encoding when it is not UTF-8), holding only the last run's entries; the least recently
used of more than MAX_TREES trees go. The folder is the user's own (0700); a file another
user could have written is not read: it is a pickle.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from edgemodels.diagnostics import Diagnostic
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.report import Finding

FORMAT = "edgemodels-validate-results-1"
MAX_TREES = 16
# A `.tmp-` file is the pickle a run is writing; one this old was left by a killed run
# (SIGKILL, power loss: no `except` ran), and would stay for good. Writing the largest
# cache (18 MB at 1,000 models) takes under a second, so a live one is never this old.
STALE_TMP_S = 3600


@dataclass(frozen=True)
class Checked:
    """The checks of a unit's objects: schema and name findings, and the rules' findings."""

    key: str
    findings: tuple[Finding, ...]
    diags: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class Entry:
    """What a unit made and what its checks found. `made` is the chart's Rendered (the
    lint's release and messages too) for a chart, its objects for a family."""

    made: object
    manifests: tuple[Manifest, ...]
    checked: Checked


@dataclass
class Store:
    """The entries of one tree's last run, kept in one file; `save` writes this run's."""

    path: Path | None  # None: nothing is read or written
    old: dict[str, bytes] = field(default_factory=dict)
    new: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def open(cls, cache_dir: Path, root: Path) -> Store:
        folder = cache_dir / "validate"
        key = os.fsencode(os.path.realpath(root))
        if sys.getfilesystemencoding() != "utf-8":
            # Kept file names are strings in the locale's form (`caf\udcc3\udca9` under an
            # ASCII locale, `café` under UTF-8): one locale's results are not another's,
            # whose findings would then sort and group apart from the rest.
            key += b"\0" + sys.getfilesystemencoding().encode()
        name = hashlib.sha256(key).hexdigest()[:32]
        store = cls(folder / f"{name}.pickle")
        store.old = _read(store.path) if store.path is not None else {}
        return store

    def get(self, key: str | None) -> Entry | None:
        if key is None or key not in self.old:
            return None
        try:
            entry = pickle.loads(self.old[key])  # our own file (see _read)
        except Exception:  # a file of an older program: not an entry
            return None
        return entry if isinstance(entry, Entry) else None

    def keep(self, key: str, entry: Entry | None = None) -> None:
        """Keep `key`'s entry for the next run: the old bytes, or `entry` anew."""
        if entry is not None:
            self.new[key] = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        elif key in self.old:
            self.new[key] = self.old[key]

    def save(self) -> None:
        """Write this run's entries, when they differ from the last run's. A cache that
        cannot be written is no error: the next run does the work again."""
        if self.path is None or self.new == self.old:
            return
        with contextlib.suppress(OSError):
            _write(self.path, self.new)
            _forget_old(self.path.parent)


def _read(path: Path) -> dict[str, bytes]:
    try:
        with open(path, "rb") as file:
            info = os.fstat(file.fileno())
            if not _own(info) or not _own(os.stat(path.parent)):
                return {}
            data = pickle.load(file)  # written by this user only (checked above)
    except Exception:  # missing, cut short, or another program's
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _own(info: os.stat_result) -> bool:
    """Ours, and writable by nobody else: a pickle is code to whoever wrote it."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write(path: Path, entries: Mapping[str, bytes]) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.parent.stat().st_uid == os.getuid():
        path.parent.chmod(0o700)  # made before, or by a looser umask: else never read
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as file:
            pickle.dump({"format": FORMAT, "entries": dict(entries)}, file, protocol=5)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _forget_old(folder: Path) -> None:
    """Only the MAX_TREES trees validated last keep their entries; a killed run's
    half-written file goes."""
    found = []
    stale = time.time_ns() - STALE_TMP_S * 1_000_000_000
    for entry in os.scandir(folder):
        with contextlib.suppress(OSError):
            if entry.name.endswith(".pickle"):
                found.append((entry.stat().st_mtime_ns, entry.path))
            elif entry.name.startswith(".tmp-") and entry.stat().st_mtime_ns < stale:
                os.unlink(entry.path)
    for _, path in sorted(found, reverse=True)[MAX_TREES:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
