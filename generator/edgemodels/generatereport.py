"""What `generate` and `generate --check` say of the tree: conflicts (D301-D303, D307),
an out-of-date tree (D304), the summary of what changed, and what to run."""

from __future__ import annotations

import shlex
from pathlib import Path

from edgemodels.changegroups import group_texts, top_folder_counts
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.output import plural
from edgemodels.tree import MANIFEST_PATH
from edgemodels.treeplan import Conflict, Plan, iter_changes

CONFLICT_CODES = {
    "hand-edited": ("D301", "hand-edited-output"),
    "unowned": ("D302", "unowned-output-file"),
    "leftover": ("D302", "unowned-output-file"),
    "blocked": ("D303", "blocked-output-path"),
    "merged": ("D307", "merge-conflict-in-output"),
}
STALE_CODE = ("D304", "stale-output")


def no_tree_finding(output: Path, files: int) -> Diagnostic:
    """--check of a folder without a generated tree: one finding, not one per file it would
    write (a mistyped OUTPUT in CI read as a stale tree, one D304 per file). Still exit 1:
    to the gate, a tree never generated is a tree out of date."""
    code, name = STALE_CODE
    state = "holds no generated tree" if output.is_dir() else "does not exist"
    message = (
        f"{output} {state} (no {MANIFEST_PATH}): generate would write all {plural(files, 'file')}; "
        f"check the path, or run generate -o {output} and commit the tree"
    )
    return Diagnostic(Location(output.as_posix(), 1, 1), code, message, "error", name)


def _where(output: Path, path: str) -> Location:
    return Location((output / path).as_posix(), 1, 1)  # the file as a whole


def conflict_findings(plan: Plan, output: Path) -> list[Diagnostic]:
    return [_conflict(c, output) for c in plan.conflicts]


def _conflict(conflict: Conflict, output: Path) -> Diagnostic:
    code, name = CONFLICT_CODES[conflict.kind]
    where = Location((output / conflict.path).as_posix(), conflict.line, 1)
    return Diagnostic(where, code, conflict.detail, "error", name)


def stale_changes(plan: Plan) -> list[tuple[str, str]]:
    """(state, path) of the files --check names. The ownership manifest lists every file
    with its sha256, so it changes whenever one does: named only when nothing else differs
    (a manifest edited by hand, or written by another edgemodels version)."""
    rows = list(iter_changes(plan))
    return [r for r in rows if r[1] != MANIFEST_PATH] or rows


_MANIFEST_ALONE = (
    f"out of date: the ownership manifest ({MANIFEST_PATH}) is not what generate writes, "
    "though every generated file is; generate would rewrite it"
)


def stale_findings(plan: Plan, output: Path) -> list[Diagnostic]:
    """--check: one finding per file that differs from what the catalogue produces."""
    code, name = STALE_CODE
    found = [
        Diagnostic(
            _where(output, path),
            code,
            _MANIFEST_ALONE
            if path == MANIFEST_PATH
            else f"out of date: generate would {_VERB[state]} this file",
            "error",
            name,
        )
        for state, path in stale_changes(plan)
    ]
    return found + interrupted_findings(plan, output)


def grouped_stale_findings(plan: Plan, output: Path) -> list[Diagnostic]:
    """--check in text: one finding per folder (a hub folder, a model's), and one for the
    model folders with the same changes (a version bump: two files in each of them)."""
    code, name = STALE_CODE
    changes = stale_changes(plan)
    if [path for _, path in changes] == [MANIFEST_PATH]:
        return [
            Diagnostic(_where(output, MANIFEST_PATH), code, _MANIFEST_ALONE, "error", name),
            *interrupted_findings(plan, output),
        ]
    found = [
        Diagnostic(
            _where(output, folder), code, f"out of date: generate would {text}", "error", name
        )
        for folder, text in group_texts(changes, _VERB)
    ]
    return found + interrupted_findings(plan, output)


def interrupted_findings(plan: Plan, output: Path) -> list[Diagnostic]:
    if not plan.interrupted:
        return []
    code, name = STALE_CODE
    message = "an earlier generate was interrupted while writing; run generate to finish it"
    return [Diagnostic(_where(output, ".edgemodels/journal.json"), code, message, "error", name)]


_VERB = {"added": "add", "changed": "change", "removed": "remove"}
_DONE = {"added": "added", "changed": "changed", "removed": "removed"}


MAX_LISTED = 200
# More changed paths than this are said per folder, as --check says them: a setting of
# `defaults` changes a file in each of 500 model folders, 200 lines of paths before.
MAX_PATHS_ONE_BY_ONE = 20


def summary(
    plan: Plan, output: Path, check: bool, max_paths: int = MAX_LISTED, no_tree: bool = False
) -> str:
    """Counts, then (not under --check) one line per added/changed/removed file; on a first
    write, one per top folder with its count."""
    counts = f"{len(plan.added)} added, {len(plan.changed)} changed, {len(plan.removed)} removed"
    if plan.conflicts:
        head = f"{output}: nothing written, {plural(len(plan.conflicts), 'conflict')}"
    elif check and no_tree:
        head = f"{output}: no generated tree ({plural(len(plan.added), 'file')} to add)"
    elif check:
        state = "out of date" if plan.differs else "up to date"
        named = [state for state, _ in stale_changes(plan)]
        counts = ", ".join(f"{named.count(s)} {s}" for s in _DONE)
        head = f"{output}: {state} ({counts}, {plan.unchanged} unchanged)"
    else:
        head = f"{output}: {counts}, {plan.unchanged} unchanged"
    lines = [head]
    # --check lists nothing here: its D304 findings name each file, prefixed with OUTPUT.
    if not plan.conflicts and not no_tree and not check:
        rows = [f"  {state:8} {path}" for state, path in iter_changes(plan)]
        if _first_write(plan):  # thousands of paths that all say "added": counts instead
            rows = [f"  {'added':8} {line}" for line in top_folder_counts(plan.added)]
        elif len(rows) > MAX_PATHS_ONE_BY_ONE:
            rows = [  # "." for the tree's own files (README.md): ": changed 1 file" said none
                f"  {folder or '.'}: {text}"
                for folder, text in group_texts(iter_changes(plan), _DONE)
            ]
        if len(rows) > max_paths:  # a first run of a large catalogue adds tens of thousands
            rows = [*rows[:max_paths], f"  ... and {len(rows) - max_paths} more"]
        lines += rows
        lines += [f"  (discarded a hand edit of {path})" for path in plan.overwritten]
    return "\n".join(lines) + "\n"


def _first_write(plan: Plan) -> bool:
    return bool(plan.added) and not (plan.changed or plan.removed or plan.unchanged)


def remedy(plan: Plan, catalogue: Path | None, output: Path) -> str:
    """--check: what to run when the tree is stale (empty when it is not, or on conflicts,
    whose findings say what to do). `catalogue` None: it was found, not given."""
    if plan.conflicts or not (plan.differs or plan.interrupted):
        return ""
    source = f" {shlex.quote(str(catalogue))}" if catalogue is not None else ""
    out = shlex.quote(str(output))
    return f"to update it, run: edgemodels generate{source} -o {out} && git add {out}\n"
