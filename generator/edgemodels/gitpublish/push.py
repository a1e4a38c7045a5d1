"""The commit through a checkout (`commit_folder`, when the clone needs a work tree), and
the push of the branch, never forced: a rejection is told apart from a refusal, as the
first means fetching and trying again and the second does not.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from typing import Any, Literal

import git

from edgemodels.fsnames import os_form
from edgemodels.gitpublish.destination import (
    Destination,
    GitSettings,
    PublishError,
    failure,
    redact,
)
from edgemodels.gitpublish.objects import literal

# The branch moved between the remote's advertisement and its ref update: a race, not a no.
_RACE_MARKERS = ("failed to update ref", "failed to lock", "cannot lock ref", "but expected")


def commit_folder(
    repo: Any, dest: Destination, message: str, settings: GitSettings, generated: Iterable[str]
) -> str | None:
    """Stage the folder's changes and commit them; None when nothing changed. `generated`:
    the tree's files (paths in the folder)."""
    pathspec = literal(dest.path or ".")
    repo.git.add("-u", "--", pathspec)  # tracked files: changed and removed
    _add_untracked(repo, dest, generated)
    if not repo.git.diff("--cached", "--name-only", "--", pathspec).strip():
        return None
    repo.git.commit("-q", "--no-edit", m=os_form(message), author=os_form(settings.author))
    return str(repo.git.rev_parse("HEAD"))  # GitPython's objects take SHA-1 ids only


def _add_untracked(repo: Any, dest: Destination, generated: Iterable[str]) -> None:
    """The generated files git does not track yet, staged whatever .gitignore, info/exclude
    or the global excludes say, as a commit from objects stores them (`git add -A` left
    them out, and failed on an ignored folder); an untracked file edgemodels did not
    generate (its lock, a cache) is never staged. update-index takes the paths on stdin,
    literally, and converts them as `git add` does (attributes, filters); `git add` with
    10,000 paths took 2.3 s to match them."""
    prefix = f"{dest.path}/" if dest.path else ""
    wanted = {prefix + path for path in generated}
    raw = repo.git.ls_files(
        "-z", "--others", "--", literal(dest.path or "."), stdout_as_string=False
    )
    names = bytes(raw).decode("utf-8", "surrogateescape").split("\0")
    found = sorted(name for name in names if name in wanted)
    if not found:
        return
    with tempfile.TemporaryFile() as listing:
        listing.write("".join(f"{name}\0" for name in found).encode("utf-8", "surrogateescape"))
        listing.seek(0)
        repo.git.update_index("--add", "-z", "--stdin", istream=listing)


PushOutcome = Literal["pushed", "behind", "refused"]


def push_branch(repo: Any, dest: Destination, settings: GitSettings) -> tuple[PushOutcome, str]:
    """Push without force: 'behind' when the branch moved meanwhile (fetch and try again),
    'refused' when the remote declined it (a hook, a protected branch). Its output is read
    as bytes: GitPython's own push decoded it with the locale's encoding, and the line
    naming the repository (`To <url>`) stopped it under an ASCII locale."""
    refspec = f"refs/heads/{dest.branch}:refs/heads/{dest.branch}"
    status, out, err = repo.git.push(
        "--porcelain",
        "origin",
        refspec,
        kill_after_timeout=settings.timeout,
        with_extended_output=True,
        with_exceptions=False,
        stdout_as_string=False,
    )
    said = [line.strip() for line in str(err).splitlines() if line.startswith("remote:")]
    for flag, summary in _pushed_refs(bytes(out)):
        if summary.startswith("[rejected]") or any(m in summary for m in _RACE_MARKERS):
            return "behind", redact(summary)
        if flag == "!":  # [remote rejected], [remote failure], [no match]
            return "refused", redact(" ".join([summary, *said]))
    if status != 0:
        cut = failure("cannot push to", dest, git.GitCommandError(["git", "push"], status, err))
        raise PublishError(f"{cut}\n{UNKNOWN_OUTCOME}") from None
    return "pushed", ""


# A push cut short (the connection lost, the server gone) may have updated the branch or
# not: the user is told what to do either way, not left to inspect the remote.
UNKNOWN_OUTCOME = (
    "  the push was cut short: the branch may or may not have the commit. Publish again: it "
    "starts from the branch as the remote has it, and commits nothing if the commit is there"
)


def _pushed_refs(out: bytes) -> Iterator[tuple[str, str]]:
    """(flag, summary) of each ref in `git push --porcelain`'s output: `<flag> TAB
    <from>:<to> TAB <summary>`, the summary `[rejected] (fetch first)` or `abc..def`."""
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and len(fields[0]) == 1:
            yield fields[0], fields[2].strip()
