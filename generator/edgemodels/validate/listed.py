"""The files `.edgemodels/manifest.json` says the generator wrote, and which of them are gone
(or emptied).

A listed file that is missing (deleted by hand, lost in a merge) is never deployed, and no
other check notices: a chart without its Deployment template still renders and lints
clean, and RHACM then installs a release without the model's Deployment. A file in the
tree that the manifest does not list is left to the other checks (hand-written files are
allowed next to generated ones).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Collection, Sequence
from pathlib import Path

from edgemodels.diagnostics import Location
from edgemodels.tree import JOURNAL_PATH, MANIFEST_PATH, unsafe_path
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.report import Finding


def listed_files(root: Path) -> list[str] | None:
    """The paths the tree's manifest lists; None when the tree has no readable manifest."""
    try:
        data = json.loads((root / MANIFEST_PATH).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None
    # A path that could leave the tree is not looked at (generate refuses to write one).
    return sorted(p for p in files if isinstance(p, str) and not unsafe_path(p))


def missing_files(
    root: Path, listed: Sequence[str], objectless: Collection[str] = ()
) -> list[Finding]:
    """K209 on each listed path that is not a file in the tree, or is an empty one (one
    stat per path), or is one of `objectless`: the manifests that hold no object, only
    comments (their reader says which). The generator writes no such file: one emptied by
    hand (or a merge), or left with its banner comment, is applied without a word, and the
    objects it held are as gone as a deleted file's."""
    top = os.fspath(root)
    found: list[Finding] = []
    for path in listed:
        try:
            info = os.stat(os.path.join(top, path))
        except OSError:
            info = None
        if info is None or not stat.S_ISREG(info.st_mode):
            what = "missing from the tree"
        elif info.st_size == 0:
            what = "empty"
        elif path in objectless:
            what = "holds no object (only comments)"
        else:
            continue
        message = (
            f"listed in {MANIFEST_PATH} but {what}: RHACM deploys without it "
            "(restore it from git, or run generate again)"
        )
        found.append((diagnostic("K209", Location(path), message), ""))
    return found


# A template of blank space, YAML comments, document markers and Go template comment
# actions (trim markers included), which render nothing. Atomic and possessive: it fails
# at the first byte of anything else (a generated template's second line), at once.
_NO_CONTENT = re.compile(
    rb"(?>[ \t\r\n]++|#[^\r\n]*+|(?:---|\.\.\.)(?=[ \t\r\n]|\Z)"
    rb"|\{\{(?:-[ \t\r\n]+)?/\*.*?\*/(?:[ \t\r\n]+-)?\}\})*+",
    re.S,
)
_RENDERED = (".yaml", ".yml", ".json")  # what Helm's output holds objects from (helm.py)


def objectless_templates(root: Path, charts: Sequence[str], listed: Sequence[str]) -> list[str]:
    """The listed templates of `charts` that hold no object: only template comments
    (`{{/* ... */}}`, the banner), YAML comments and document markers. Helm renders
    nothing from one, so the chart installs without the objects it held, as it does
    without an emptied one (K209 either way). Only these files are read: a few per chart."""
    folders = tuple(f"{chart}/templates/" for chart in charts)
    top = os.fspath(root)
    found = []
    for path in listed:
        if not path.startswith(folders) or not path.endswith(_RENDERED):
            continue
        if os.path.basename(path).startswith("_"):
            continue  # a partial: Helm renders no output from it
        try:
            with open(os.path.join(top, path), "rb") as file:
                data = file.read()
        except OSError:
            continue  # missing_files says so
        if data and _NO_CONTENT.fullmatch(data) is not None:
            found.append(path)
    return found


def interrupted_write(root: Path) -> list[Finding]:
    """K210 when a generate stopped inside its commit (its journal is still there): some
    files are new, the others and the manifest old, until a generate finishes the write.
    The files alone may look valid, and `.edgemodels/` is git-ignored: committed as it is,
    the mix would be deployed."""
    if not os.path.lexists(root / JOURNAL_PATH):
        return []
    message = (
        "an earlier generate stopped while writing this tree: it holds a mix of old and new "
        "files; run generate again (it finishes the write) before validating or committing"
    )
    return [(diagnostic("K210", Location(JOURNAL_PATH), message), "")]
