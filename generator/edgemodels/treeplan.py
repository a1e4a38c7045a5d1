"""What applying a tree does: the Plan, its conflicts, and how each file's state goes into it.

A tree is compared with two places: the output folder (folderplan.py) and the deploy
branch's folder in git objects (branchplan.py). Both decide a state per file and leave the
rest to what is here: the plan's parts, the conflicts' wording, and which owned files go.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from edgemodels.tree import as_written
from edgemodels.treemerge import marker_line

ConflictKind = Literal["hand-edited", "unowned", "leftover", "blocked", "merged"]
State = Literal[
    "unchanged", "added", "changed", "hand-edited", "unowned", "leftover", "blocked", "merged"
]


@dataclass(frozen=True)
class Conflict:
    path: str
    kind: ConflictKind
    detail: str
    line: int = 1  # where in the file; 1 for the file as a whole


@dataclass(frozen=True)
class Plan:
    """What applying a tree to a folder does. Paths are sorted."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    conflicts: tuple[Conflict, ...] = ()
    interrupted: bool = False  # a journal of an unfinished commit is present
    overwritten: tuple[str, ...] = field(default=())  # hand edits replaced under `force`

    @property
    def differs(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.conflicts)


Kind = Literal["missing", "file", "dir", "other"]


CONFLICT_DETAIL: dict[str, str] = {
    "hand-edited": "generated file was edited by hand; regenerating would overwrite the edit "
    "(move the change into the catalogue, or rerun with --force to discard it)",
    "unowned": "a file not written by edgemodels is in the way; move or delete it",
    "leftover": "a file edgemodels wrote for another version of the catalogue is in the way, "
    "though the manifest does not list it: left behind when the tree was restored from git "
    "(git checkout and git restore keep files git does not track; git clean -n lists them); "
    "delete it, or rerun with --force to overwrite it",
    "blocked": "a symlink or a non-folder stands where a generated folder or file goes",
    "merged": "merge conflict in the generated tree: regenerate with --force (the catalogue "
    "is the source of truth), then git add the tree",
}


class FolderView(Protocol):
    """What the comparison asks of a folder: the output folder here, the deploy branch's
    folder in git objects in branchplan.py."""

    def kind(self, path: str) -> Kind: ...

    def parents_ok(self, path: str) -> bool: ...

    def read(self, path: str) -> bytes | None:
        """A regular file's bytes; None for anything else."""
        ...


@dataclass
class PlanParts:
    """A plan as its files are compared one by one."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)
    unchanged: int = 0

    def take(self, folder: FolderView, path: str, state: State, force: bool) -> None:
        """Put `path`, found in `state`, where it goes."""
        if state == "unchanged":
            self.unchanged += 1
        elif state == "added":
            self.added.append(path)
        elif state == "changed":
            self.changed.append(path)
        elif state in ("hand-edited", "merged") and force:
            self.changed.append(path)
            self.overwritten.append(path)
        elif state == "leftover" and force:  # edgemodels' own file, of another catalogue
            self.changed.append(path)
        elif state == "merged":
            line = marker_line(folder.read(path) or b"") or 1
            self.conflicts.append(Conflict(path, state, CONFLICT_DETAIL[state], line))
        else:
            self.conflicts.append(Conflict(path, state, CONFLICT_DETAIL[state]))

    def plan(self, removed: list[str], interrupted: bool) -> Plan:
        return Plan(
            tuple(self.added),
            tuple(self.changed),
            tuple(removed),
            self.unchanged,
            tuple(self.conflicts),
            interrupted,
            tuple(sorted(self.overwritten)),
        )


def stale(
    folder: FolderView,
    tree: Mapping[str, bytes],
    owned: Mapping[str, str],
    force: bool,
    parts: PlanParts,
) -> list[str]:
    """Owned files the new tree no longer has: removed, unless edited by hand."""
    removed = []
    for path in sorted(set(owned) - set(tree)):
        kind = folder.kind(path) if folder.parents_ok(path) else "missing"
        if kind in ("missing", "dir"):
            continue  # already gone, or replaced by a folder that is not ours
        data = folder.read(path)
        if data is not None and as_written(data, owned[path]):
            removed.append(path)
        elif force:
            removed.append(path)
            parts.overwritten.append(path)
        elif data is not None and (line := marker_line(data)):
            parts.conflicts.append(Conflict(path, "merged", CONFLICT_DETAIL["merged"], line))
        else:
            parts.conflicts.append(
                Conflict(
                    path,
                    "hand-edited",
                    "generated file was edited by hand and is no "
                    "longer generated; delete it yourself, or rerun with --force",
                )
            )
    return removed


def iter_changes(plan: Plan) -> Iterator[tuple[str, str]]:
    """(state, path) pairs in path order, for summaries."""
    rows = [("added", p) for p in plan.added]
    rows += [("changed", p) for p in plan.changed]
    rows += [("removed", p) for p in plan.removed]
    yield from sorted(rows, key=lambda r: r[1])
