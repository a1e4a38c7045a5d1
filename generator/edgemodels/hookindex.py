"""`generate --check` in a pre-commit hook: a generated file git's index lacks is missing.

pre-commit hides the unstaged changes of tracked files while its hooks run, so the output
folder shows what the commit holds, but it leaves files git does not track where they are:
the files of a model added and generated, committed with `git commit -a` (which stages
tracked files only), were in the folder, so the check passed, and the commit lacked them.
In a hook (pre-commit sets `PRE_COMMIT=1` for the hooks it runs) the tree's files that the
index does not hold count as files generate would add; by hand, the folder is compared as
it is. Only here does generate ask git anything, and only in a hook.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from edgemodels.treeplan import Plan

HOOK_VARIABLE = "PRE_COMMIT"


def in_hook() -> bool:
    return os.environ.get(HOOK_VARIABLE) == "1"


def with_unstaged(plan: Plan, output: Path, tree: Collection[str]) -> Plan:
    """`plan` with the files of `tree` that git's index lacks among the added."""
    indexed = index_paths(output)
    if indexed is None:
        return plan  # not in a git work tree (or no git): nothing is staged there
    said = {*plan.added, *plan.changed}
    lacking = [p for p in tree if p not in indexed and p not in said]
    if not lacking:
        return plan
    added = tuple(sorted({*plan.added, *lacking}))
    return replace(plan, added=added, unchanged=max(plan.unchanged - len(lacking), 0))


def index_paths(output: Path) -> frozenset[str] | None:
    """The files below `output` that git's index holds, relative to it; None when git
    cannot say (not a work tree, no git)."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", "."],
            cwd=output,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return frozenset(os.fsdecode(p) for p in done.stdout.split(b"\0") if p)
