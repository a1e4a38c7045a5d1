"""Which edgemodels wrote a generated tree, compared with the one running (D306).

The manifest records `edgemodelsVersion`. A tree written by a newer edgemodels is not
rewritten by an older one without --force: that would silently undo what the newer version
writes (a downgrade a team's hooks and CI then report as "out of date" for ever).
`generate --check` says which version wrote the tree when it is not this one, so "out of
date" after an upgrade of the hooks or CI pin reads as what it is.

Versions are compared by their release segments only (PEP 440's leading N.N.N, as integer
tuples, missing segments counting as 0; `packaging` is not a dependency): 0.10.0 is newer
than 0.9.1. Versions with the same release but other suffixes (0.2.0.dev1, 0.2.0rc1) are
"other", never "newer", so they are reported by --check but never block a write; a
post-release (0.2.0.post1) is newer than its release.
"""

from __future__ import annotations

import re
from pathlib import Path

from edgemodels import __version__
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.errors import OutputError
from edgemodels.tree import MANIFEST_PATH
from edgemodels.treemanifest import manifest_text

VERSION_CODE = ("D306", "other-edgemodels-version")
_RECORDED = re.compile(rb'^\s*"edgemodelsVersion":\s*"([^"\\]{1,100})"', re.MULTILINE)
_RELEASE = re.compile(r"v?(\d+(?:\.\d+)*)")


def release(version: str) -> tuple[int, ...] | None:
    """The release segments of a version, trailing zeros dropped; None if it has none."""
    found = _RELEASE.match(version.strip())
    if found is None:
        return None
    parts = [int(p) for p in found.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


# A final release, or a post-release of one (0.1.0.post1, 0.1.0-1): ordered after it.
_FINAL = re.compile(r"v?(\d+(?:\.\d+)*)(?:[.-]?post[.-]?(\d+)|-(\d+))?", re.IGNORECASE)


def _final(version: str) -> tuple[tuple[int, ...], int] | None:
    """(release, post number) of a final or post-release; None for anything else."""
    found = _FINAL.fullmatch(version.strip())
    mine = release(version)
    if found is None or mine is None:
        return None
    return mine, int(found.group(2) or found.group(3) or 0)


def is_newer(version: str, than: str) -> bool:
    """By release segments; between final and post-releases of one release, by the post
    number (0.1.0.post1 is newer than 0.1.0). Pre-releases and dev versions of the same
    release are other, not newer."""
    mine, theirs = _final(version), _final(than)
    if mine is not None and theirs is not None:
        return mine > theirs
    new, old = release(version), release(than)
    return new is not None and old is not None and new > old


def recorded_version(output: Path) -> tuple[str, int] | None:
    """The version in OUTPUT's manifest and its line; None when there is no manifest or no
    readable version in it (a damaged manifest is reported when the tree is planned)."""
    try:
        raw = manifest_text(output) if output.is_dir() else None
    except OutputError:
        return None
    return recorded_in(raw)


def recorded_in(raw: bytes | None) -> tuple[str, int] | None:
    """The version a manifest's bytes record, and its line (see `recorded_version`)."""
    found = _RECORDED.search(raw) if raw else None
    if raw is None or found is None:
        return None
    line = raw.count(b"\n", 0, found.start(1)) + 1
    return found.group(1).decode("utf-8", "replace"), line


def version_findings(
    output: Path, check: bool, force: bool, shown: str | None = None
) -> list[Diagnostic]:
    """--check: one finding when another version wrote the tree. A write: one finding (the
    run stops) when a newer version wrote it, unless --force. `shown` names the tree in
    the message (publish: the deploy branch, not its temporary clone)."""
    manifest = (output / MANIFEST_PATH).as_posix()
    shown = shown or output.as_posix()
    return recorded_findings(recorded_version(output), manifest, check, force, shown)


def recorded_findings(
    recorded: tuple[str, int] | None, manifest: str, check: bool, force: bool, shown: str
) -> list[Diagnostic]:
    """`version_findings` for a manifest's recorded version (`recorded_in`), located at
    `manifest`: publish reads it from the branch's objects, with no folder on disk."""
    if recorded is None or recorded[0] == __version__:
        return []
    theirs, line = recorded
    newer = is_newer(theirs, __version__)
    if not check and (force or not newer):
        return []
    where = Location(manifest, line, 1)
    code, name = VERSION_CODE
    message = _message(shown, theirs, newer, check)
    return [Diagnostic(where, code, message, "error", name)]


def _message(output: str, theirs: str, newer: bool, check: bool) -> str:
    head = f"{output} was written by edgemodels {theirs}, this is {__version__}"
    upgrade = (
        f"upgrade edgemodels (pip install -U 'edgemodels=={theirs}', or the "
        "repository's EDGEMODELS_REQUIREMENT)"
    )
    if not check:
        return (
            f"{head}: nothing written, an older edgemodels would downgrade the tree; "
            f"{upgrade} or pass --force to write it with {__version__}"
        )
    if newer:
        return f"{head}: {upgrade}; or, if the repository moved back to {__version__}, regenerate"
    return (
        f"{head}: regenerate with {__version__} and commit the tree "
        '(see edgemodels\' docs/workflow.md, "Upgrading edgemodels")'
    )
