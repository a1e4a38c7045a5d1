"""Applying a FileTree to an output folder: stage, journal, commit, recover, under the
folder's lock (treelock.py).

The guarantees are described in `tree.py`. This module is the only one that writes the
tree into an output folder (the lock file is treelock.py's, the cache cachewrite.py's).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path

from edgemodels.cachewrite import remove_stale_tmp, save_cache
from edgemodels.errors import OutputError
from edgemodels.folderplan import plan_tree
from edgemodels.tree import (
    JOURNAL_PATH,
    MANIFEST_PATH,
    STAGING_DIR,
    STATE_DIR,
    as_written,
    check_path,
)
from edgemodels.treecache import TreeCache
from edgemodels.treelock import locked, make_dirs
from edgemodels.treemanifest import read_manifest
from edgemodels.treeplan import Conflict, Plan


def write_tree(
    out: Path, tree: Mapping[str, bytes], force: bool = False, cache: TreeCache | None = None
) -> Plan:
    """Make the folder hold `tree`; return what was done. Nothing is written on conflicts.
    With a cache, what this run learned is saved into it afterwards (treecache.py)."""
    made = _require_dir(out)
    try:
        return _write_locked(out, tree, force, cache)
    finally:
        _remove_if_empty(made)  # a new folder a run left empty (interrupted, refused)


def _write_locked(
    out: Path, tree: Mapping[str, bytes], force: bool, cache: TreeCache | None
) -> Plan:
    with locked(out):
        recover(out)
        manifest = read_manifest(out, cache.manifest if cache else None)
        plan = plan_tree(out, tree, force, cache, manifest)
        if plan.conflicts:
            return plan
        writes = [p for p in (*plan.added, *plan.changed) if p != MANIFEST_PATH]
        if MANIFEST_PATH in plan.added or MANIFEST_PATH in plan.changed:
            writes.append(MANIFEST_PATH)  # last: it records what the commit produced
        if writes or plan.removed:
            moves = _stage(out, tree, writes)
            edited = _edited_meanwhile(out, plan, manifest.files)
            if edited:
                _remove_staging(out)
                return replace(plan, conflicts=tuple(edited))
            journal = {"moves": moves, "removes": list(plan.removed)}
            _refuse_unwritable(out, journal)
            _write_journal(out, journal)
            with _signals_held():
                _apply(out, journal)
        if cache is not None:
            cache.manifest = cache.made  # the bytes the folder now holds
            save_cache(out, cache, writes, tree)
    return plan


def save_later(out: Path, save: Callable[[], None]) -> bool:
    """Run `save` (a cache write) under the folder's lock; False when another run holds it
    (that run writes the cache itself) or the folder is gone."""
    if not (out / MANIFEST_PATH).is_file():
        return False  # no tree (any more): nothing to keep a cache of
    try:
        with locked(out):
            save()
    except OutputError:
        return False
    return True


def _require_dir(out: Path) -> list[Path]:
    """Make `out`; return the folders this made, innermost first."""
    made = [p for p in (out, *out.parents) if not os.path.lexists(p)]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: {exc.strerror}") from exc
    if not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    return made


def _remove_if_empty(folders: list[Path]) -> None:
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (a tree, or another run's), or gone: its parents stay too


def _stage(out: Path, tree: Mapping[str, bytes], paths: list[str]) -> list[list[str]]:
    """Write new content beside the tree; the tree itself is not touched yet.

    A file in a folder that does not exist yet is staged inside a copy of that folder,
    which the commit then renames in one step (a first run renames `models/` once instead
    of 30,000 files). Other files are staged flat and renamed one by one.
    """
    staging = out / STAGING_DIR
    _remove_staging(out)
    make_dirs(out, STAGING_DIR)
    missing = _MissingFolders(out)
    folder_moves: dict[str, None] = {}
    file_moves: list[list[str]] = []
    made: set[str] = set()
    try:
        for index, path in enumerate(paths):
            root = None if path.startswith(f"{STATE_DIR}/") else missing.top(path)
            if root is None:
                name = f"{index:06d}"
                file_moves.append([name, path])
            else:
                name = f"{TREE_PREFIX}{path}"
                folder_moves[root] = None
                parent = name.rpartition("/")[0]
                if parent not in made:
                    make_dirs(staging, parent)
                    made.add(parent)
            _write_new(f"{staging}/{name}", tree[path])
    except OSError as exc:
        _remove_staging(out)
        raise OutputError(f"cannot write into {staging}: {exc.strerror}") from exc
    except BaseException:  # Ctrl-C or SIGTERM (errors.raise_on_sigterm) while staging
        _remove_staging(out)
        raise
    return [[f"{TREE_PREFIX}{root}", root] for root in folder_moves] + file_moves


def _edited_meanwhile(out: Path, plan: Plan, owned: Mapping[str, str]) -> list[Conflict]:
    """Files the plan found as generated (`owned`: path -> sha256 in the manifest) that were
    edited while this run staged (seconds on a big tree): replacing or removing them would
    lose the edit without a word. Read again just before the commit; what is edited after
    this is within the commit's own moment."""
    overwritten = set(plan.overwritten)
    found = []
    for path in (*plan.changed, *plan.removed):
        sha = owned.get(path)
        if sha is None or path in overwritten:
            continue  # not ours to check (the manifest itself), or replaced under --force
        try:
            with open(out / path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            continue  # deleted meanwhile: nothing to lose
        except OSError:
            data = b""
        if not as_written(data, sha):
            found.append(Conflict(path, "hand-edited", EDITED_MEANWHILE))
    return found


EDITED_MEANWHILE = (
    "generated file was edited while generate ran; nothing was written: move the change "
    "into the catalogue, or rerun with --force to discard it"
)


def _refuse_unwritable(out: Path, journal: Mapping[str, object]) -> None:
    """Before the journal: every folder the commit renames into or removes from must let
    this process do it, or the commit would stop half-way (a folder made by a root
    container, a read-only mount, an immutable folder) and leave a mix of old and new
    files until the cause is fixed. Refused here, nothing of the tree has changed."""
    moves, removes = _journal_lists(journal)
    folders: set[str] = set()
    for _, path in moves:
        folders.add(_existing_parent(out, path))
    for path in removes:
        folders.add(path.rpartition("/")[0])
    for rel in sorted(folders):
        folder = out / rel if rel else out
        if not os.access(folder, os.W_OK | os.X_OK):
            _remove_staging(out)
            raise OutputError(
                f"cannot write into {folder}: this user may not create or remove files there "
                "(its permissions, a read-only mount or an immutable folder); nothing was "
                "changed: fix it and run again"
            )


def _existing_parent(out: Path, path: str) -> str:
    """The innermost folder of `path` that exists (where the commit's rename lands)."""
    parts = path.split("/")[:-1]
    while parts and not os.path.isdir(out.joinpath(*parts)):
        parts.pop()
    return "/".join(parts)


TREE_PREFIX = "tree/"


def _write_new(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class _MissingFolders:
    """Which folders of the output do not exist yet (each asked of the filesystem once)."""

    def __init__(self, out: Path) -> None:
        self.prefix = f"{out}/"
        self.known: dict[str, bool] = {}

    def top(self, path: str) -> str | None:
        """The outermost folder on `path` that is missing, if any."""
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            rel = "/".join(parts[:i])
            exists = self.known.get(rel)
            if exists is None:
                exists = self.known[rel] = os.path.lexists(self.prefix + rel)
            if not exists:
                return rel
        return None


def _write_journal(out: Path, journal: Mapping[str, object]) -> None:
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
        _remove_staging(out)
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
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the commit's renames are done."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _apply(out: Path, journal: Mapping[str, object]) -> None:
    """Renames and unlinks only; safe to run again after an interruption (idempotent)."""
    moves, removes = _journal_lists(journal)
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
    _remove_staging(out)


def _journal_lists(journal: Mapping[str, object]) -> tuple[list[tuple[str, str]], list[str]]:
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


def _remove_staging(out: Path) -> None:
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
        _remove_staging(out)  # content staged by a run that stopped before committing
        return False
    try:
        journal = json.loads(journal_file.read_bytes())
    except (OSError, ValueError) as exc:  # Python's text of an OSError names the file by repr
        said = (exc.strerror or exc) if isinstance(exc, OSError) else exc
        raise OutputError(f"cannot read the journal {journal_file}: {said}") from exc
    if not isinstance(journal, dict):
        raise OutputError("the journal of an interrupted run is damaged")
    with _signals_held():
        _apply(out, journal)
    return True
