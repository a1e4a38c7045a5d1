"""The journal of a tree's commit (treewrite.py stages the files, then writes it): the
renames and removals that make the output folder hold the new tree, written and synced
before any of them, so that a run killed half-way is finished by the next (`recover`).
Applying it is renames and unlinks only, and safe to run again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from edgemodels.cachewrite import remove_stale_tmp
from edgemodels.errors import OutputError
from edgemodels.tree import JOURNAL_PATH, STAGING_DIR, STATE_DIR, check_path
from edgemodels.treelock import make_dirs

TREE_PREFIX = "tree/"  # a staged folder's name: tree/<its path>; a staged file's, digits


def write_journal(out: Path, journal: Mapping[str, object]) -> None:
    tmp = out / f"{JOURNAL_PATH}.tmp"
    data = json.dumps(journal).encode()
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
        )
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out / JOURNAL_PATH)
        _fsync_dir(out / STATE_DIR)
    except OSError as exc:
        remove_staging(out)
        with suppress(OSError):
            os.unlink(tmp)  # a half journal: never valid, and no file to leave behind
        raise OutputError(f"cannot write {out / JOURNAL_PATH}: {exc.strerror}") from exc


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the commit's renames are done."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def apply_journal(out: Path, journal: Mapping[str, object]) -> None:
    """Renames and unlinks only; safe to run again after an interruption (idempotent)."""
    moves, removes = journal_lists(journal)
    staging, root = f"{out / STAGING_DIR}/", f"{out}/"
    made: set[str] = set()
    try:
        for name, path in moves:
            source = staging + name
            if not os.path.lexists(source):
                continue  # moved before the interruption
            parent = path.rpartition("/")[0]
            if parent and parent not in made:
                make_dirs(out, parent)
                made.add(parent)
            os.replace(source, root + path)
        for path in removes:
            with suppress(FileNotFoundError):
                os.unlink(root + path)
            _prune_empty_dirs(out, path)
        os.unlink(out / JOURNAL_PATH)
    except OSError as exc:
        where = exc.filename2 or exc.filename  # a rename's destination is what refused
        raise OutputError(
            f"writing {out} failed half-way ({exc.strerror}: {where}); "
            "fix the cause and run again: the next run finishes the interrupted write"
        ) from exc
    remove_staging(out)


def journal_lists(journal: Mapping[str, object]) -> tuple[list[tuple[str, str]], list[str]]:
    moves_raw, removes_raw = journal.get("moves"), journal.get("removes")
    if not isinstance(moves_raw, list) or not isinstance(removes_raw, list):
        raise OutputError("the journal of an interrupted run is damaged")
    moves = []
    for item in moves_raw:
        if not (isinstance(item, list) and len(item) == 2):
            raise OutputError("the journal of an interrupted run is damaged")
        staged, target = str(item[0]), check_path(str(item[1]))
        if not (staged.isdigit() or staged == f"{TREE_PREFIX}{target}"):
            raise OutputError("the journal of an interrupted run is damaged")
        moves.append((staged, target))
    return moves, [check_path(str(p)) for p in removes_raw]


def _prune_empty_dirs(out: Path, path: str) -> None:
    """Remove folders left empty by a removal, up to (not including) the output folder."""
    parts = path.split("/")[:-1]
    while parts:
        try:
            os.rmdir(out.joinpath(*parts))
        except OSError:
            return  # not empty (or not ours to remove)
        parts.pop()


def remove_staging(out: Path) -> None:
    staging = out / STAGING_DIR
    if os.path.lexists(staging):
        if not stat.S_ISDIR(os.lstat(staging).st_mode):
            os.unlink(staging)
        else:
            shutil.rmtree(staging)


def recover(out: Path) -> bool:
    """Finish a commit that an earlier run started but could not end. Call under the lock."""
    journal_file = out / JOURNAL_PATH
    # A journal half-written by a killed run: never renamed into place, so never valid (and
    # not in .gitignore: left there, it would be committed with the tree).
    with suppress(FileNotFoundError):
        os.unlink(out / f"{JOURNAL_PATH}.tmp")
    remove_stale_tmp(out)
    if not os.path.lexists(journal_file):
        remove_staging(out)  # content staged by a run that stopped before committing
        return False
    try:
        journal = json.loads(journal_file.read_bytes())
    except (OSError, ValueError) as exc:  # Python's text of an OSError names the file by repr
        said = (exc.strerror or exc) if isinstance(exc, OSError) else exc
        raise OutputError(f"cannot read the journal {journal_file}: {said}") from exc
    if not isinstance(journal, dict):
        raise OutputError("the journal of an interrupted run is damaged")
    with signals_held():
        apply_journal(out, journal)
    return True
