"""Y016, Y017, Y018: symlinks in a catalogue folder that are not read, or read only here.

The walk (walk.py) follows a symlink to a file or a folder, wherever it leads. A link that
leads to nothing, or to a folder holding it (a loop), is not read: an error (Y016), since
what it was meant to bring in is missing from `check`, `generate` and `publish` (a publish
then removes its models from the sites). In a clone of the repository (CI, a publish from
CI), a link to a file outside the repository becomes such a link to nothing.

What a link leads to is read in two cases a clone does not see the same: a link out of the
git repository (the nearest folder above the catalogue with a `.git`) is read with a
warning (Y017), git holding the link and not what it leads to; a link into a git checkout
of its own below the repository (a submodule), or a submodule the walk enters, is read with
a warning (Y018): a clone has its files only once the submodule is initialised.

A link that leads back into the repository by folders outside it, an absolute target such
as `/home/me/repo/shared/x.yaml` or one climbing above the repository's root (linkpath.py),
is read as the equivalent relative link, here and at a revision (plan --base), with a
warning (Y019): git stores the target as written, and another clone resolves it elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from edgemodels.catalogue.linkpath import outside_hop
from edgemodels.catalogue.sources import Discovered, shown_entry
from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.display import quoted

NAMES = {
    "Y016": "unread-symlink",
    "Y017": "symlink-outside-repository",
    "Y018": "catalogue-in-submodule",
    "Y019": "non-portable-symlink",
}


def link_findings(catalogue: Path, found: Discovered, base: Path) -> list[Diagnostic]:
    """Y016 for each link `discover` did not read; Y017 for each link it followed out of
    the catalogue's git repository; Y018 for each submodule it read files from; Y019 for
    each link it followed back into the repository by a path outside it."""
    diags = [_unread(link, base, catalogue) for link in found.unread]
    top = _repository_top(catalogue) if found.linked or found.checkouts else None
    if top is None:
        return diags
    for link in found.linked:
        real = os.path.realpath(link)
        if not _within(real, top):
            diags.append(_outside(link, base, catalogue, top))
            continue
        if (hop := outside_hop(link, top)) is not None:
            diags.append(_portable(link, base, catalogue, top, hop))
        if (inner := _checkout_holding(os.path.dirname(real), top)) is not None:
            diags.append(_submodule(link, base, catalogue, os.path.relpath(inner, top), True))
    for folder in found.checkouts:
        real = os.path.realpath(folder)
        if _within(real, top) and real != top:
            diags.append(_submodule(folder, base, catalogue, os.path.relpath(real, top), False))
    return diags


def _unread(link: Path, base: Path, catalogue: Path) -> Diagnostic:
    target = _target(link)
    if os.path.isdir(link):
        message = (
            f"a symlink to the folder {quoted(target)}, which holds the link (a loop: the path "
            "through it never ends): not followed; link a folder that does not hold it"
        )
    else:
        message = (
            f"a symlink to {quoted(target)}, which leads to no file or folder here (missing, or a "
            "loop of links): not read; a link out of the repository leads to nothing in a "
            "clone (git holds the link, not what it leads to): commit the files themselves"
        )
        if target.startswith("/"):
            message += (
                "; an absolute path names a place on the machine that made the link: "
                "link by a path from the link's folder"
            )
    return _diagnostic(link, base, catalogue, "Y016", message, "error")


def _outside(link: Path, base: Path, catalogue: Path, top: str) -> Diagnostic:
    what = "the folder " if os.path.isdir(link) else ""
    message = (
        f"a symlink to {what}{quoted(_target(link))}, outside the repository {top}: read here, "
        "but git holds the link and not what it leads to, so a clone of the repository (CI, "
        "a publish from CI, plan --base) has nothing there; commit the files themselves, "
        "or a link to a file or folder inside the repository"
    )
    return _diagnostic(link, base, catalogue, "Y017", message, "warning")


def _portable(
    link: Path, base: Path, catalogue: Path, top: str, hop: tuple[str, str]
) -> Diagnostic:
    at, text = hop
    if text.startswith("/"):
        how = "an absolute path"
    else:
        how = "a path that climbs above the repository's root and back in"
    if at == os.path.join(os.path.realpath(link.parent), link.name):
        what, fix = f"a symlink to {quoted(text)}, {how}", "link"
    else:
        name = os.path.relpath(at, top)
        what = (
            f"a symlink to {quoted(_target(link))}, which leads through the symlink {quoted(name)} "
        )
        what, fix = f"{what}to {quoted(text)}, {how}", f"make {quoted(name)} a link"
    real = os.path.realpath(at)
    instead = (
        f" ({quoted(os.path.relpath(real, os.path.dirname(at)))})" if _within(real, top) else ""
    )
    message = (
        f"{what}: read here as {quoted(os.path.relpath(os.path.realpath(link), top))} of the "
        "repository, but git stores the path as written, so another clone (CI, a "
        f"colleague's) finds nothing there, or another copy's file; {fix} by a path from "
        f"its folder{instead}"
    )
    return _diagnostic(link, base, catalogue, "Y019", message, "warning")


def _submodule(path: Path, base: Path, catalogue: Path, inner: str, link: bool) -> Diagnostic:
    what = f"a symlink into {quoted(inner)}" if link else f"the folder {quoted(inner)}"
    message = (
        f"{what}, a git checkout of its own (a submodule): read here, but a clone of the "
        "repository has its files only once it is initialised (git submodule update "
        "--init, or git clone --recurse-submodules), and plan --base cannot read them at "
        "a revision; in CI, initialise submodules, or commit the files in the repository"
    )
    return _diagnostic(path, base, catalogue, "Y018", message, "warning")


def _diagnostic(
    path: Path, base: Path, catalogue: Path, code: str, message: str, severity: Severity
) -> Diagnostic:
    where = Location(shown_entry(path, base, catalogue), 1, 1)
    return Diagnostic(where, code, message, severity, NAMES[code])


def _target(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:  # gone meanwhile, or a folder holding a link and not one
        return "?"


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _checkout_holding(folder: str, top: str) -> str | None:
    """The folder below `top`, `folder` or above it, that holds a `.git` (a submodule's
    checkout); None when there is none."""
    while folder != top and _within(folder, top):
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        folder = os.path.dirname(folder)
    return None


def _repository_top(catalogue: Path) -> str | None:
    """The real path of the work tree holding `catalogue` (the nearest folder above it with
    a `.git`), or None outside git."""
    here = os.path.realpath(catalogue)
    here = here if os.path.isdir(here) else os.path.dirname(here)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
