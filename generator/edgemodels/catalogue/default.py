"""The catalogue a command uses when none is given: the nearest one up the folder tree.

From the working folder up to the top of its git work tree (the first folder holding
`.git`, a folder or a worktree's file), or up to the filesystem root outside git, the first
folder holding `catalogue.yaml`, `catalogue.yml` or `catalogue/` names it. So a model owner
in `catalogue/models/` checks the whole catalogue, as from the repository root. The
`catalogue.yaml` of a split catalogue folder is not a catalogue of its own: found from
inside that folder, the folder is the catalogue. The path is relative to the working folder,
so findings read as they do from there.
"""

from __future__ import annotations

import os
from pathlib import Path

from edgemodels.errors import InputError

NAMES = ("catalogue.yaml", "catalogue.yml", "catalogue")


def default_catalogue_path(cwd: Path) -> Path:
    top = cwd
    for folder in (cwd, *cwd.parents):
        top = folder
        found = _in(folder)
        if found is not None:
            return _shown(_whole(found), cwd)
        if (folder / ".git").exists():
            break
    names = " or ".join(f"{n}/" if n == "catalogue" else n for n in NAMES[::2])
    raise InputError(
        f"no catalogue given and none found in {cwd} or the folders above it up to {top} "
        f"(looked for {names})"
    )


def _in(folder: Path) -> Path | None:
    return next((folder / n for n in NAMES if (folder / n).exists()), None)


def _whole(found: Path) -> Path:
    """`catalogue/catalogue.yaml` is the settings file of the catalogue folder around it."""
    folder = found.parent
    if found.is_file() and folder.name == "catalogue" and _in(folder.parent) == folder:
        return folder
    return found


def _shown(found: Path, cwd: Path) -> Path:
    if cwd != Path.cwd():
        return found
    return Path(os.path.relpath(found, cwd))
