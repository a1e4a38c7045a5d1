"""Git merge-conflict markers in generated files (D307).

Two merge requests that both change the catalogue always conflict in the generated tree
(the manifest's catalogue digest, the README's model table). The catalogue is the source of
truth, so the resolution is to regenerate; these helpers let generate recognise the
situation and say so instead of "manifest damaged" or "edited by hand", and let a forced
run read which files the merged manifest owns: those of either side.
"""

from __future__ import annotations

import re

_OPEN = re.compile(rb"^<<<<<<<(?:[ \t]|\r?$)", re.MULTILINE)
_BASE = re.compile(rb"^\|\|\|\|\|\|\|(?:[ \t]|\r?$)")
_SPLIT = re.compile(rb"^=======\r?$")
_CLOSE = re.compile(rb"^>>>>>>>(?:[ \t]|\r?$)")


def marker_line(data: bytes) -> int | None:
    """The line of the first `<<<<<<<` marker of a conflict that is closed later, or None."""
    if b"<<<<<<<" not in data:  # the usual case, without a regex over the whole file
        return None
    found = _OPEN.search(data)
    if found is None or not re.search(rb"^>>>>>>>", data[found.end() :], re.MULTILINE):
        return None
    return data.count(b"\n", 0, found.start()) + 1


def sides(data: bytes) -> tuple[bytes, bytes]:
    """The two versions git merged ("ours", "theirs"), from a file with conflict markers
    (merge or diff3 style; the common base of diff3 belongs to neither)."""
    ours: list[bytes] = []
    theirs: list[bytes] = []
    section = "both"
    for line in data.splitlines(keepends=True):
        if _OPEN.match(line):
            section = "ours"
        elif _BASE.match(line) and section == "ours":
            section = "base"
        elif _SPLIT.match(line) and section in ("ours", "base"):
            section = "theirs"
        elif _CLOSE.match(line) and section == "theirs":
            section = "both"
        else:
            if section in ("both", "ours"):
                ours.append(line)
            if section in ("both", "theirs"):
                theirs.append(line)
    return b"".join(ours), b"".join(theirs)
