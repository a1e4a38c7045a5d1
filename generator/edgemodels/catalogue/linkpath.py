"""Symlinks that reach the repository's own files by a path through folders outside it.

A link's target is text that git stores as written. `/home/me/repo/shared/x.yaml`, or
`../../../repo/shared/x.yaml` climbing above the repository's root, leads back into the
repository on the machine that made it, yet names the clone by where it stands there: in
another clone (CI, a colleague's) it leads to nothing, or to another copy's file. Where it
does lead back in, it is read as the equivalent relative link, the same in the working copy
and at a revision (plan --base): the folders outside the repository are this machine's,
followed as the OS follows them, and the path left once it is back in the repository is
followed in the working copy or in the revision's tree. catalogue/links.py reports it (Y019).
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_LINKS = 40  # as Linux's ELOOP: a longer chain is a loop, and the OS gives no file


def enter_repository(here: str, todo: list[str], top: str) -> list[str] | None:
    """Follow the path parts `todo` from the real folder `here`, outside the work tree `top`
    (a real path), until they enter `top`: the parts left to follow from `top`, or None when
    they never do (they lead elsewhere, to nothing, or round a loop)."""
    links = 0
    while True:
        todo = _trimmed(todo)
        if here == top and not (todo and todo[0] == ".."):
            return todo
        if not todo:
            return None
        part = todo.pop(0)
        if part == "..":
            here = os.path.dirname(here)
            continue
        step = os.path.join(here, part)  # outside `top`, or `top` itself: not git's
        try:
            text = os.readlink(step)
        except OSError:
            if not os.path.lexists(step):
                return None
            here = step
            continue
        links += 1
        if links > MAX_LINKS:
            return None
        here = "/" if text.startswith("/") else here
        todo = text.split("/") + todo


def outside_hop(link: Path, top: str) -> tuple[str, str] | None:
    """The symlink, `link` or one it leads through, whose target takes the path from `link`
    to its file out of the work tree `top` (a real path) before it comes back: the link's
    real path and its target, or None when the path stays inside. Only for a link that
    leads into `top`."""
    here = os.path.realpath(link.parent)
    if not _within(here, top):
        return None  # the link itself is outside the repository: not git's
    todo: list[tuple[str, tuple[str, str]]] = [(link.name, ("", ""))]  # part, whose text
    links = 0
    while todo:
        part, source = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            here = os.path.dirname(here)
        else:
            step = os.path.join(here, part)
            try:
                text = os.readlink(step)
            except OSError:
                here = step
                continue
            links += 1
            if links > MAX_LINKS:
                return None
            source = (step, text)
            here = "/" if text.startswith("/") else here
            todo = [(p, source) for p in text.split("/")] + todo
        if not _within(here, top):  # `source` stands in the repository: the path was there
            return source
    return None


def _trimmed(parts: list[str]) -> list[str]:
    start = 0
    while start < len(parts) and parts[start] in ("", "."):
        start += 1
    return parts[start:]


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")
