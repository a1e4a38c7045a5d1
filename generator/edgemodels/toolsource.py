"""Where a catalogue repository installs edgemodels from: `init --tool-repo/--tool-rev`.

pre-commit clones the `repo:` of its config with git, so any URL git takes will do there;
pip takes a `name @ git+URL@REV` requirement whose URL must have a scheme. The forms git
takes besides URLs are turned into one: scp-style `user@host:path` becomes
`ssh://user@host/path` (the path forges such as GitLab and GitHub serve; a path relative
to a home folder needs an explicit `ssh://host/~/path`), a local folder `file:///abs/path`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from edgemodels.display import quoted
from edgemodels.errors import UsageError

PIP_SCHEMES = ("https", "http", "ssh", "git", "file")  # pip's git+<scheme> forms
_SCP = re.compile(r"^(?:(?P<user>[^@/:]+)@)?(?P<host>[^@/:]+):(?P<path>[^:].*)$")
# Revs that name where something is now, not a release: HEAD and git's other pseudo refs,
# branch and remote-tracking ref paths, and rev expressions (HEAD~1, main^, @{u}, rev:path).
_MOVING = re.compile(
    r"^(@|[A-Z_]*HEAD|refs/(heads|remotes)/.*)$|[~^:\\]|@\{|\.\.|\s",
)
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class ToolSource:
    hooks_repo: str  # the `repo:` of .pre-commit-config.yaml
    pip_url: str  # after `git+` in the pip requirement
    local: Path | None = None  # a repository on this machine: its revs can be checked


def tool_source(repo: str) -> ToolSource:
    """`repo` as pre-commit and pip need it; refused (exit 2) when pip cannot use it."""
    folder = Path(repo).expanduser()
    if "://" not in repo and folder.is_dir():
        resolved = folder.resolve()
        return ToolSource(resolved.as_posix(), resolved.as_uri(), resolved)
    if not repo or any(c.isspace() for c in repo):
        raise UsageError(f"--tool-repo {quoted(repo)}: no such folder, and a git URL has no spaces")
    if "://" in repo:
        scheme = urlsplit(repo).scheme.lower()
        if scheme not in PIP_SCHEMES:
            raise UsageError(
                f"--tool-repo {repo}: pip installs from {', '.join(PIP_SCHEMES)} git URLs only"
            )
        local = Path(unquote(urlsplit(repo).path)) if scheme == "file" else None
        return ToolSource(repo, repo, local)
    scp = _SCP.match(repo)
    if scp is None:
        raise UsageError(f"--tool-repo {repo}: no such folder, and not a git URL")
    user = f"{scp['user']}@" if scp["user"] else ""
    return ToolSource(repo, f"ssh://{user}{scp['host']}/{scp['path'].lstrip('/')}")


def requirement(source: ToolSource, rev: str) -> str:
    return f"edgemodels @ git+{source.pip_url}@{rev}"


def refuse_moving_rev(rev: str) -> None:
    """pre-commit keeps the hooks it installed for a rev and never fetches that rev again,
    and pip's requirement should install one release: a rev that moves (HEAD, a branch)
    would leave each developer and CI run on whatever commit it named when first used."""
    if not rev or _MOVING.search(rev):
        raise UsageError(
            f"--tool-rev {quoted(rev)} is not a tag or commit: the hooks and the CI install need "
            "a rev that does not move; give a tag (such as v1.2.0) or a commit hash"
        )


def refuse_missing_rev(source: ToolSource, rev: str) -> None:
    """A local repository must hold `rev` as a tag or commit: pre-commit checks it out and
    pip installs it, and both fail at the first commit or CI run otherwise, and a branch
    moves. A remote one is not asked (no network at init); there only the names that
    always move are refused, and docs/workflow.md says the rev must be a tag or commit."""
    if source.local is None:
        refuse_moving_rev(rev)
        return
    from edgemodels.gitpublish.source import resolve_commit  # the git program, only when needed

    try:
        found = resolve_commit(source.local, rev)
    except UsageError as exc:
        raise UsageError(f"--tool-repo: {exc}") from None
    if found is None:
        refuse_moving_rev(rev)  # no `git tag HEAD~1` advice
        raise UsageError(
            f"--tool-rev {rev} is not a tag or commit of {source.local}, so the hooks and the "
            f"CI install would fail: tag the release there (git -C {source.local} tag {rev}) "
            "or name an existing tag or commit with --tool-rev"
        )
    tagged = resolve_commit(source.local, f"refs/tags/{rev}") is not None
    if not tagged and not (_COMMIT.match(rev) and found.startswith(rev)):
        raise UsageError(
            f"--tool-rev {rev} is not a tag or commit of {source.local} (a branch or HEAD "
            "moves): the hooks and the CI install need a rev that does not move; give a tag "
            f"or the commit it names now (--tool-rev {found})"
        )
