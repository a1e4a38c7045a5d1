"""Y016, Y017: symlinks in a catalogue folder that are not read, or read only here.

The loader reads a symlink to a file as the file, and follows no symlink to a folder: a
clone of the repository (CI, a publish from CI, `plan --base`, which reads git objects)
holds the link, not the files it leads to, which may be outside the repository, or lead
back up in a loop. A folder link skipped without a word left its models out of `check`,
`generate` and `publish` (a publish then removes them from the sites), so it is an error
(Y016), as is a link named like a catalogue file that leads to no file: in a clone, that
is what a link to a file outside the repository becomes. Such a link that does lead to a
file here is read, with a warning (Y017): the same catalogue checked in a clone lacks it.
"""

from __future__ import annotations

import os
from pathlib import Path

from edgemodels.catalogue.sources import Discovered, shown_entry
from edgemodels.diagnostics import Diagnostic, Location, Severity


def link_findings(catalogue: Path, found: Discovered, base: Path) -> list[Diagnostic]:
    """Y016 for each link `discover` did not read, Y017 for each file link it read that
    leads out of the catalogue's git repository."""
    diags = [_unread(link, base) for link in found.unread]
    top = _repository_top(catalogue) if found.linked else None
    if top is None:
        return diags
    for link in found.linked:
        real = os.path.realpath(link)
        if os.path.commonpath([real, top]) != top:
            message = (
                f"a symlink to {_target(link)!r}, outside the repository {top}: read here, "
                "but git holds the link and not the file, so a clone of the repository (CI, "
                "a publish from CI, plan --base) has no file there; commit the file itself, "
                "or a link to a file inside the repository"
            )
            diags.append(_diagnostic(link, base, "Y017", message, "warning"))
    return diags


def _unread(link: Path, base: Path) -> Diagnostic:
    target = _target(link)
    if os.path.isdir(link):
        message = (
            f"a symlink to the folder {target!r}: its files are not read (no link to a "
            "folder is followed: it may lead out of the repository, where a clone has no "
            "files, or loop, and the files behind it are not the paths git, the hooks and "
            "publish see change); put the folder itself here, or a link for each file (a "
            "link to a file inside the repository is read)"
        )
    else:
        message = (
            f"a symlink to {target!r}, which is no file here (missing, or a loop of links): "
            "not read; a link to a file outside the repository is missing in a clone (git "
            "holds the link, not the file): commit the file itself"
        )
    return _diagnostic(link, base, "Y016", message, "error")


def _diagnostic(link: Path, base: Path, code: str, message: str, severity: Severity) -> Diagnostic:
    name = "unread-symlink" if code == "Y016" else "symlink-outside-repository"
    return Diagnostic(Location(shown_entry(link, base), 1, 1), code, message, severity, name)


def _target(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:  # gone meanwhile
        return "?"


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
