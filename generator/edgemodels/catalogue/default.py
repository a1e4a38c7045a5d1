"""The catalogue a command uses when none is given: the nearest one up the folder tree.

From the working folder up to the top of its git work tree (the first folder holding
`.git`, a folder or a worktree's file), or up to the filesystem root outside git, the first
folder holding `catalogue.yaml`, `catalogue.yml` or `catalogue/` names it. So a model owner
in `catalogue/models/` checks the whole catalogue, as from the repository root. The
`catalogue.yaml` of a split catalogue folder is not a catalogue of its own: found from
inside that folder, the folder is the catalogue. A folder is split when it is named
`catalogue/`, or when another YAML file beside `catalogue.yaml` or one folder below it is a
ModelCatalogue (`examples/lrt/` with its `models/`): reading `catalogue.yaml` alone would
check a catalogue without models, and generate a tree that removes them from every site.
The path is relative to the working folder, so findings read as they do from there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from edgemodels.errors import InputError, UsageError

NAMES = ("catalogue.yaml", "catalogue.yml", "catalogue")
KIND = re.compile(rb"^kind:[ \t]*['\"]?ModelCatalogue\b", re.MULTILINE)
HEAD_BYTES = 4096  # `kind:` is near the top; a big file is not read whole


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


def catalogue_path(given: Path | None, command: str) -> Path:
    """The CATALOGUE argument of `command`, or the nearest catalogue when none is given. A
    file given that is one part of a split catalogue folder is refused: `check
    catalogue/catalogue.yaml` (the file just edited) checked the settings alone and warned
    that no model uses the targets, and `publish` of it removed every model from the sites."""
    if given is None:
        return default_catalogue_path(Path.cwd())
    folder = _split_folder_of(given)
    if folder is not None:
        raise UsageError(
            f"{given} is one file of the catalogue folder {folder}/, which is read as a whole: "
            "alone it lacks the models, targets or settings of the other files (a tree "
            f"generated from it would remove those models from the sites); give the folder: "
            f"edgemodels {command} {folder}"
        )
    return given


def _split_folder_of(given: Path) -> Path | None:
    """The catalogue folder that reads `given` as one of its files, if any."""
    if not given.is_file():
        return None
    path = Path(os.path.abspath(given))
    try:
        found = Path(os.path.abspath(default_catalogue_path(path.parent)))
    except InputError:
        return None
    if not found.is_dir() or found not in path.parents:
        return None
    inside = path.relative_to(found).parts
    if any(p.startswith(".") for p in inside) or path.suffix not in (".yaml", ".yml"):
        return None  # a draft set aside, or no catalogue file: checked on its own
    return Path(os.path.relpath(found)) if not given.is_absolute() else found


def beside(catalogue: Path, name: str) -> Path:
    """`name` in the folder that holds the catalogue (`generated/`, `sites.yaml` in the
    layout `init` makes), as relative as the catalogue's path: `..` gives `../../name`."""
    return Path(os.path.normpath(catalogue / os.pardir / name))


def _in(folder: Path) -> Path | None:
    return next((folder / n for n in NAMES if (folder / n).exists()), None)


def _whole(found: Path) -> Path:
    """`catalogue/catalogue.yaml` is the settings file of the catalogue folder around it."""
    folder = found.parent
    if not found.is_file():
        return found
    if folder.name == "catalogue" and _in(folder.parent) == folder:
        return folder
    return folder if _has_other_catalogue_files(folder, found) else found


def _has_other_catalogue_files(folder: Path, found: Path) -> bool:
    """Stops at the first ModelCatalogue file; reads the head of a file only. A subfolder
    with a catalogue.yaml of its own is another catalogue, not a part of this one."""
    for pattern in ("*.y*ml", "*/*.y*ml"):
        for path in sorted(folder.glob(pattern)):
            rel = path.relative_to(folder)
            if path == found or any(p.startswith(".") for p in rel.parts) or not path.is_file():
                continue
            if len(rel.parts) > 1 and _in(path.parent) is not None:
                continue
            try:
                with path.open("rb") as f:
                    head = f.read(HEAD_BYTES)
            except OSError:
                continue
            if KIND.search(head):
                return True
    return False


def _shown(found: Path, cwd: Path) -> Path:
    if cwd != Path.cwd():
        return found
    return Path(os.path.relpath(found, cwd))
