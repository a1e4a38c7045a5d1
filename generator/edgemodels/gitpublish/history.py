"""The deploy branch's history of the published folder: what commits that publish did not
make (a `git revert` of a publish, a cherry-pick, a hand commit) changed in it since the
last publish (`hand_changes`), which publish (rollback.py) refuses to put back; and the
catalogue commit the last publish came from, and the catalogue's path in its repository
(`last_publish`, `source_in` and `path_in`: sourceorder.py, publishremovals.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from edgemodels.branchplan import FILE_MODES
from edgemodels.gitpublish.destination import Destination
from edgemodels.gitpublish.objects import literal, read_blobs
from edgemodels.tree import MANIFEST_PATH, lf_ends

# The provenance line every publish commit's message ends with (publishing.py's trailer).
TRAILER = "Published by edgemodels "
_GREP = f"--grep=^{TRAILER}"
# Publish's commits: the trailer, and one parent. A merge commit's message may quote a
# publish's whole (GitLab's `%{all_commits}` or a merge request's description in its merge
# commit template): taken for one, its merge was no hand change, nor its quoted source
# commit that of the last publish.
PUBLISHED = ("--no-merges", _GREP)
MAX_NAMED = 3  # commits named in a finding
SOURCE = "Catalogue source commit: "  # the trailer's line naming the catalogue's commit
# The catalogue's file or folder, from its repository's root: where the removal guards read
# the last publish's catalogue, which may be elsewhere than today's (moved since).
PATH = "Catalogue path: "
# A git object name: SHA-1, or SHA-256 in a repository that uses it.
COMMIT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


@dataclass(frozen=True)
class HandChanges:
    """The files of the folder (relative to it) that commits publish did not make changed
    since the last publish, each with its blob id at that publish (None: it had none)."""

    since: str  # the last publish's commit
    before: Mapping[str, str | None]
    commits: tuple[str, ...]  # "<short id> <subject>", newest first, at most MAX_NAMED
    # `since` left the branch by a reset and a force-push (rewind.py): `commits` names it
    rewound: bool = False


def hand_changes(repo: Any, dest: Destination, base: str | None) -> HandChanges | None:
    """None when the folder's manifest was last written by a publish (the usual case, one
    `git log -1`), when the branch is new, or when no publish is in the history a shallow
    clone holds. Only the manifest is looked at first: every publish rewrites it, and a
    revert of a publish puts back the one before, so a commit that changes it is either
    publish's or one that changed what publish wrote; a hand edit of a generated file
    alone is D301 by the manifest's sums. A merge commit is never publish's, whatever its
    message quotes (git's history simplification passes over a merge that took the
    manifest from one side as it was, and reads that side)."""
    if base is None:
        return None
    folder = dest.path
    manifest = f"{folder}/{MANIFEST_PATH}" if folder else MANIFEST_PATH
    last = repo.git.log("-1", "--format=%h %p%x00%s%x00%B", base, "--", literal(manifest))
    if not last:
        return None
    ids, subject, said = last.split("\0", 2)
    if len(ids.split()) < 3 and published(said):  # one parent (or none), and the trailer
        return None
    since = repo.git.log("-1", "--format=%H", *PUBLISHED, base, "--", literal(manifest))
    if not since:
        return None
    spec = [literal(folder)] if folder else []
    commits = repo.git.log(
        f"-{MAX_NAMED + 1}", "--format=%h %s", "--invert-grep", _GREP, f"{since}..{base}",
        "--", *spec,
    )  # fmt: skip
    named = tuple(commits.splitlines()) or (f"{ids.split()[0]} {subject}",)
    return HandChanges(since, blobs_before(repo, since, base, folder, spec), named)


def published(said: str) -> bool:
    """A commit message with publish's trailer line."""
    return any(line.startswith(TRAILER) for line in said.splitlines())


def blobs_before(
    repo: Any, since: str, base: str, folder: str, spec: list[str]
) -> dict[str, str | None]:
    """Path (relative to the folder) -> its blob at `since`, for each path that differs
    between `since` and `base` (`git diff --raw`: `:old-mode new-mode old new status`),
    but in line ends alone (a commit of the files with CRLF: no content is rolled back)."""
    raw = repo.git.diff(
        "--raw", "-z", "--no-renames", "--no-abbrev", since, base, "--", *spec,
        stdout_as_string=False,
    )  # fmt: skip
    fields = bytes(raw).split(b"\0")
    prefix = f"{folder}/" if folder else ""
    found: dict[str, str | None] = {}
    rewritten: dict[str, tuple[str, str]] = {}  # a regular file's old and new blob
    for meta, name in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            continue
        old_mode, new_mode, old, new, status = meta.decode()[1:].split()
        path = name.decode("utf-8", "surrogateescape")
        if path.startswith(prefix):
            found[path[len(prefix) :]] = None if status == "A" else old
            if status == "M" and {old_mode, new_mode} <= FILE_MODES:
                rewritten[path[len(prefix) :]] = (old, new)
    for path in _line_ends_only(repo, rewritten):
        del found[path]
    return found


def _line_ends_only(repo: Any, rewritten: Mapping[str, tuple[str, str]]) -> list[str]:
    """The paths whose two blobs differ in line ends alone (CRLF for LF)."""
    if not rewritten:
        return []
    blobs = read_blobs(repo, sorted({oid for pair in rewritten.values() for oid in pair}))
    return [
        path for path, (old, new) in rewritten.items() if lf_ends(blobs[old]) == lf_ends(blobs[new])
    ]


def last_publish(repo: Any, dest: Destination, base: str | None) -> str:
    """The message of the folder's last publish commit ("": none in the clone's history,
    as on the branch's first publish)."""
    if base is None:
        return ""
    folder = dest.path
    manifest = f"{folder}/{MANIFEST_PATH}" if folder else MANIFEST_PATH
    return str(repo.git.log("-1", "--format=%B", *PUBLISHED, base, "--", literal(manifest)))


def source_in(said: str) -> str | None:
    """The catalogue commit a publish commit's message names, or None: no message, or the
    publish came from no commit. Its last such line: the trailer ends the message, after a
    --message-extra paragraph that may hold anything."""
    for line in reversed(said.splitlines()):
        if line.startswith(SOURCE):  # the trailer's, even when it names no commit
            words = line[len(SOURCE) :].split()
            return str(words[0]) if words and COMMIT_ID.fullmatch(words[0]) else None
    return None


def path_line(path: str) -> str:
    """The trailer's line naming the catalogue's path in its repository: as it is when it
    reads back the same from a commit message (printable, no blank at either end, UTF-8),
    else as a JSON string (ASCII: a name whose bytes are not UTF-8 keeps them as escapes)."""
    plain = path.isprintable() and path == path.strip() and not path.startswith('"')
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        plain = False
    return PATH + (path if plain else json.dumps(path))


def path_in(said: str) -> PurePosixPath | None:
    """The catalogue path a publish commit's message names (path_line), or None: none named
    (a publish of an older edgemodels, or from no repository), or one that would leave the
    repository (an absolute path, `..`: not a path publish wrote). The last such line, as
    source_in reads it."""
    for line in reversed(said.splitlines()):
        if not line.startswith(PATH):
            continue
        text = line[len(PATH) :]
        if text.startswith('"'):
            try:
                text = json.loads(text)
            except ValueError:
                return None
        path = PurePosixPath(text) if text else None
        if path is None or path.is_absolute() or ".." in path.parts:
            return None
        return path
    return None
