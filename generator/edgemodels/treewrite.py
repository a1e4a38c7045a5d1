"""Applying a FileTree to an output folder: stage, journal, commit, recover, under the
folder's lock (treelock.py). The journal, its commit and the recovery of an interrupted
one are treejournal.py's.

The guarantees are described in `tree.py`. This module is the only one that writes the
tree into an output folder (the lock file is treelock.py's, the cache cachewrite.py's).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from edgemodels.cachewrite import save_cache
from edgemodels.errors import OutputError
from edgemodels.folderplan import plan_tree
from edgemodels.tree import (
    MANIFEST_PATH,
    STAGING_DIR,
    STATE_DIR,
    as_written,
)
from edgemodels.treecache import TreeCache
from edgemodels.treejournal import (
    TREE_PREFIX,
    apply_journal,
    journal_lists,
    recover,
    remove_staging,
    signals_held,
    write_journal,
)
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
                remove_staging(out)
                return replace(plan, conflicts=tuple(edited))
            journal = {"moves": moves, "removes": list(plan.removed)}
            _refuse_unwritable(out, journal)
            write_journal(out, journal)
            with signals_held():
                apply_journal(out, journal)
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
    remove_staging(out)
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
        remove_staging(out)
        raise OutputError(f"cannot write into {staging}: {exc.strerror}") from exc
    except BaseException:  # Ctrl-C or SIGTERM (errors.raise_on_sigterm) while staging
        remove_staging(out)
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
    moves, removes = journal_lists(journal)
    folders: set[str] = set()
    for _, path in moves:
        folders.add(_existing_parent(out, path))
    for path in removes:
        folders.add(path.rpartition("/")[0])
    for rel in sorted(folders):
        folder = out / rel if rel else out
        if not os.access(folder, os.W_OK | os.X_OK):
            remove_staging(out)
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
