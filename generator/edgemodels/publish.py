"""`edgemodels publish`: the generated tree, committed to the branch RHACM pulls, and pushed.

The only module that imports GitPython (it needs the `git` program). Guarantees:
- Only the folder `path` of the branch changes; the rest of the branch is left alone, and
  inside it only files edgemodels owns (its manifest) are changed or removed.
- Nothing is committed when the tree is already there. Pushes are never forced: when the
  branch moved meanwhile the push is rejected, and the tree is written again on top of
  the new branch head and pushed again, a bounded number of times. A commit that could not
  be pushed is kept in the working clone (ref `refs/edgemodels/unpushed/<branch>`).
- Credentials come from git's credential helpers, or from EDGEMODELS_GIT_TOKEN (and
  EDGEMODELS_GIT_USERNAME) through a helper defined in the environment for the deploy
  repository's https host only (plain http:// only with --allow-http-token), never from the
  catalogue; `user:password@` is removed from every URL that is printed.
- git never prompts (GIT_TERMINAL_PROMPT=0): a missing credential fails at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from edgemodels.errors import OutputError, ToolMissingError, UsageError
from edgemodels.names import git_branch_problem, repo_folder_problem
from edgemodels.secrets_scan import shape_of

try:
    import git
except ImportError as exc:  # GitPython raises this when no git executable is found
    raise ToolMissingError(f"publish needs git: {exc}") from exc

# GitPython logs git's stderr itself (with URLs in it); publish reports errors, redacted.
logging.getLogger("git").addHandler(logging.NullHandler())
logging.getLogger("git").propagate = False

UNPUSHED_REF = "refs/edgemodels/unpushed"
_HTTP = ("http", "https")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")
_SCP_USERINFO = re.compile(r"(?<![\w/])[^\s:/@]+:[^\s:/@]+@(?=[\w.-]+:)")
_AUTHOR = re.compile(r"^[^<>\n]+ <[^<>\s]+>$")
_AUTH_FAILURES = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "permission denied",
    "http basic: access denied",
    "the requested url returned error: 401",
    "the requested url returned error: 403",
)
# The branch moved between the remote's advertisement and its ref update: a race, not a no.
_RACE_MARKERS = ("failed to update ref", "failed to lock", "cannot lock ref", "but expected")
_ENV_HELPER = (
    '!f() { test "$1" = get || exit 0; '
    'echo "username=${EDGEMODELS_GIT_USERNAME:-oauth2}"; '
    'echo "password=$EDGEMODELS_GIT_TOKEN"; }; f'
)


class PublishError(OutputError):
    """The deploy repository cannot be read, written or pushed to (exit 2)."""


class PushRejected(PublishError):
    """Every push attempt was rejected; the last commit is kept in the working clone."""


def redact(text: str) -> str:
    """`https://user:token@host` -> `https://***@host` (also scp-like `user:pw@host:`)."""
    return _SCP_USERINFO.sub("***@", _USERINFO.sub(r"\1***@", text))


@dataclass(frozen=True)
class Destination:
    url: str
    branch: str
    path: str  # posix, relative to the repository root; "" for the root

    @property
    def shown(self) -> str:
        where = f"{self.path}/" if self.path else "/"
        return f"{redact(self.url)} branch {self.branch} at {where}"


@dataclass(frozen=True)
class GitSettings:
    author: str
    timeout: float = 300.0
    env: dict[str, str] = field(default_factory=dict)


def destination(url: str, branch: str, path: str, path_given: bool = True) -> Destination:
    """`path_given`: from --path (relative only), else spec.git.path (a leading '/' is
    the root, as the catalogue's checks accept)."""
    if not url:
        raise UsageError("no deploy repository: give --repo or set spec.git.url")
    if url.startswith("-") or url.lower().startswith(("ext::", "fd::")):
        raise UsageError(f"refusing repository URL {redact(url)!r}")
    if _has_query(url):  # tokens ride there too (?private_token=); no git remote needs one
        raise UsageError(
            f"refusing repository URL {_without_query(url)!r}...: it has a query string or "
            "a fragment, where tokens are passed; use a git credential helper, or "
            "EDGEMODELS_GIT_TOKEN (and EDGEMODELS_GIT_USERNAME)"
        )
    if _has_credentials(url):  # git would keep it in .git/config and show it in errors
        raise UsageError(
            f"refusing repository URL {redact(url)!r}: it carries credentials; use a git "
            "credential helper, or EDGEMODELS_GIT_TOKEN (and EDGEMODELS_GIT_USERNAME)"
        )
    problem = git_branch_problem(branch)
    if problem:
        raise UsageError(problem)
    problem = repo_folder_problem(path, absolute_ok=not path_given)
    if problem:
        raise UsageError(f"--path {problem}")
    return Destination(url, branch, path.strip("/"))


def _has_query(url: str) -> bool:
    if "://" not in url:
        return False  # a path or scp-like address: `?` and `#` are file name characters
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(parts.query or parts.fragment or url.endswith(("?", "#")))


def _without_query(url: str) -> str:
    return redact(url.split("?", 1)[0].split("#", 1)[0])


def refuse_credential_text(option: str, value: str) -> None:
    """A credential in text publish writes into the commit (the message, the author) would
    stay in the deploy branch's history for good: publish never rewrites it."""
    kind = shape_of(value)
    if kind:
        raise UsageError(
            f"refusing {option}: it holds what looks like a credential ({kind}); it would be "
            "written into the deploy branch's history"
        )


def _has_credentials(url: str) -> bool:
    """A password in the URL (any scheme, scp-like too), or a user name over HTTP(S), where
    tokens are often passed as the user name."""
    if _SCP_USERINFO.search(url):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False  # not a URL git accepts either; it says so itself
    return parts.password is not None or bool(parts.username and parts.scheme in _HTTP)


def git_settings(
    author: str, timeout: float, url: str = "", allow_http_token: bool = False
) -> GitSettings:
    refuse_credential_text("--author", author)
    if not _AUTHOR.match(author):
        raise UsageError(f'--author must look like "Name <mail>", not {author!r}')
    name, mail = author[:-1].split(" <", 1)
    env = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}
    for key, value in (("GIT_COMMITTER_NAME", name), ("GIT_COMMITTER_EMAIL", mail)):
        env[key] = os.environ.get(key, value)
    scope = _token_scope(url, allow_http_token) if os.environ.get("EDGEMODELS_GIT_TOKEN") else None
    if scope:
        # A helper in the environment, for the deploy repository's host only: the token is
        # read by the shell git starts, never on a command line or in a config file, and
        # git offers it to no other host (a submodule, a redirect). The empty helper first
        # empties the list of helpers configured before (git reads these entries last): after
        # a push git hands the credential it used to every helper on the list to keep, and a
        # `credential.helper=store` (or cache, a keychain) in the user's or the runner's
        # config would write the token to disk.
        count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
        env.update(
            {
                "GIT_CONFIG_COUNT": str(count + 2),
                f"GIT_CONFIG_KEY_{count}": f"credential.{scope}.helper",
                f"GIT_CONFIG_VALUE_{count}": "",
                f"GIT_CONFIG_KEY_{count + 1}": f"credential.{scope}.helper",
                f"GIT_CONFIG_VALUE_{count + 1}": _ENV_HELPER,
            }
        )
    return GitSettings(author, timeout, env)


def _token_scope(url: str, allow_http: bool) -> str | None:
    """`scheme://host[:port]` the token is for; None when git would not ask for one
    (ssh, git://, a local path). Plain http:// would send it readable by anyone between."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _HTTP or not host:
        return None
    if parts.scheme == "http" and not allow_http:
        raise UsageError(
            f"refusing to send EDGEMODELS_GIT_TOKEN over plain http:// to {host}: use "
            "https://, or --allow-http-token for a test server on a trusted network"
        )
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port else "")


# What git's stderr says, most telling first, and what to check. SSH adds "Could not read
# from remote repository" to every failure, so it tells nothing and is not matched.
_CAUSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("could not resolve host", "could not resolve hostname", "unable to look up"),
        "the host name does not resolve: check the host in the URL (spec.git.url or --repo), "
        "and the DNS or proxy settings of this machine",
    ),
    (
        ("connection refused", "couldn't connect to server", "failed to connect to"),
        "the host refused the connection: check the port in the URL and that the git server "
        "runs there (or a firewall in between)",
    ),
    (
        ("timed out", "timeout"),
        "the connection timed out: check that this machine can reach the host (a firewall, "
        "a proxy: https_proxy), or give more --timeout",
    ),
    (
        (
            "repository not found",
            "no such repository",
            "' not found",  # over HTTP: repository 'https://host/x/' not found
            "does not exist",
            "does not appear to be a git repository",
            "not exported",
            "the requested url returned error: 404",
        ),
        "no repository at that URL: check the URL (spec.git.url or --repo) and that the "
        "repository exists and this account may see it",
    ),
    (
        ("remote branch", "couldn't find remote ref"),
        "the branch is not in the repository: check --branch or spec.git.branch",
    ),
    (
        _AUTH_FAILURES,
        "authentication failed: configure a git credential helper for this host, or set "
        "EDGEMODELS_GIT_TOKEN (and EDGEMODELS_GIT_USERNAME)",
    ),
)


def _failure(action: str, dest: Destination, exc: Exception) -> PublishError:
    detail = redact(_stderr(exc))
    low = detail.lower()
    hint = next(
        (hint for markers, hint in _CAUSES if any(m in low for m in markers)),
        "cannot reach the repository, or git failed",
    )
    return PublishError(f"{action} {redact(dest.url)}: {hint}\n  git said: {detail}")


def _stderr(exc: Exception) -> str:
    if isinstance(exc, git.GitCommandError):
        text = str(exc.stderr or "").strip()
        text = text.removeprefix("stderr:").strip().strip("'").strip()
        return " ".join(text.split()) or f"exit code {exc.status}"
    return str(exc)


@contextmanager
def git_errors(dest: Destination) -> Iterator[None]:
    """Any other failing git command: a clear, redacted message instead of a crash."""
    try:
        yield
    except git.GitCommandError as exc:
        command = " ".join(str(a) for a in (exc.command or [])[1:2]) or "git"
        raise PublishError(
            f"git {command} failed in the clone of {redact(dest.url)}: {redact(_stderr(exc))}"
        ) from None


# --- the working clone ---------------------------------------------------------------------


@contextmanager
def working_clone(dest: Destination, settings: GitSettings, workdir: Path | None) -> Iterator[Any]:
    """A clone of the deploy repository: `workdir` (kept, reused) or a temporary one,
    removed afterwards however the run ends (a commit that could not be pushed is kept
    only in a `workdir`)."""
    if workdir is not None:
        with _workdir_lock(workdir):
            repo = _open_workdir(dest, settings, workdir)
            yield repo
            _interrupted_marker(repo).unlink(missing_ok=True)  # only when the run ended well
        return
    temp = Path(tempfile.mkdtemp(prefix="edgemodels-publish-"))
    try:
        yield _clone(dest, settings, temp / "repo")
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _clone(dest: Destination, settings: GitSettings, target: Path) -> Any:
    runner = git.Git(str(target.parent))
    try:
        runner.clone(
            "--no-checkout",
            "--origin",
            "origin",
            "--",
            dest.url,
            str(target),
            kill_after_timeout=settings.timeout,
            env=settings.env,
        )
    except git.GitCommandError as exc:
        raise _failure("cannot clone", dest, exc) from None
    repo = git.Repo(str(target))
    repo.git.update_environment(**settings.env)
    return repo


def _open_workdir(dest: Destination, settings: GitSettings, workdir: Path) -> Any:
    if not workdir.exists() or (workdir.is_dir() and not any(workdir.iterdir())):
        workdir.mkdir(parents=True, exist_ok=True)
        return _clone(dest, settings, workdir)
    try:
        repo = git.Repo(str(workdir))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise PublishError(f"--workdir {workdir} is not a git working copy") from None
    repo.git.update_environment(**settings.env)
    origin = repo.remotes.origin.url if "origin" in repo.remotes else ""
    if origin != dest.url:
        raise PublishError(
            f"--workdir {workdir} is a clone of {redact(origin) or 'no origin'}, "
            f"not of {redact(dest.url)}"
        )
    marker = _interrupted_marker(repo)
    if marker.exists():
        _discard_interrupted_run(repo)
    elif repo.is_dirty(untracked_files=True):
        raise PublishError(
            f"--workdir {workdir} has uncommitted changes; commit or remove them "
            "(edgemodels publish never discards work), or use another --workdir"
        )
    marker.touch()
    return repo


@contextmanager
def _workdir_lock(workdir: Path) -> Iterator[None]:
    """One publish per working clone at a time; the lock dies with its process."""
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise PublishError(f"cannot use --workdir {workdir}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(
                f"another edgemodels publish is using --workdir {workdir}; wait for it to "
                "finish and run again"
            ) from None
        yield
    finally:
        os.close(fd)


def _interrupted_marker(repo: Any) -> Path:
    """Present while a publish works in the clone: left behind, it names a killed run."""
    return Path(str(repo.git_dir)) / "edgemodels-publish-running"


def _discard_interrupted_run(repo: Any) -> None:
    """What a killed publish left in its own working clone (a half-written tree, stale
    index and ref locks, staged files) is thrown away; its commits are kept by
    `_keep_unpushed`. The locks are git's own; no other publish runs here (we hold the
    workdir lock)."""
    git_dir = Path(str(repo.git_dir))
    for lock in [*git_dir.glob("*.lock"), *(git_dir / "refs").rglob("*.lock")]:
        lock.unlink(missing_ok=True)
    with suppress(git.GitCommandError):
        repo.git.reset("-q")
    repo.git.clean("-q", "-f", "-d", "-x")


def checkout_branch(repo: Any, dest: Destination, settings: GitSettings, create: bool) -> bool:
    """Fetch, and put the branch as the remote has it into the working tree.
    Returns False when the branch is new (an orphan branch: it shares nothing)."""
    try:
        repo.git.fetch("--prune", "origin", kill_after_timeout=settings.timeout)
    except git.GitCommandError as exc:
        raise _failure("cannot fetch from", dest, exc) from None
    _keep_unpushed(repo, dest.branch)
    remote_ref = f"refs/remotes/origin/{dest.branch}"
    if _ref_exists(repo, remote_ref):
        repo.git.checkout("-q", "-f", "--no-track", "-B", dest.branch, remote_ref)
        return True
    if not create:
        raise PublishError(
            f"branch {dest.branch} does not exist in {redact(dest.url)}; create it, or "
            "publish without --no-create-branch"
        )
    repo.git.symbolic_ref("HEAD", f"refs/heads/{dest.branch}")
    if _ref_exists(repo, f"refs/heads/{dest.branch}"):
        repo.git.update_ref("-d", f"refs/heads/{dest.branch}")
    repo.git.rm("-r", "-q", "-f", "--ignore-unmatch", "--", ".")
    repo.git.clean("-q", "-f", "-d", "-x")
    return False


def _ref_exists(repo: Any, ref: str) -> bool:
    try:
        repo.git.rev_parse("-q", "--verify", f"{ref}^{{commit}}")
    except git.GitCommandError:
        return False
    return True


def _keep_unpushed(repo: Any, branch: str) -> None:
    """A local commit the remote does not have is saved before the branch is reset."""
    local = f"refs/heads/{branch}"
    if not _ref_exists(repo, local):
        return
    remote = f"refs/remotes/origin/{branch}"
    if _ref_exists(repo, remote):
        ahead = repo.git.rev_list("--count", f"{remote}..{local}")
        if ahead.strip() == "0":
            return
    repo.git.update_ref(f"{UNPUSHED_REF}/{branch}", local)


# --- commit and push -----------------------------------------------------------------------


def commit_folder(repo: Any, dest: Destination, message: str, settings: GitSettings) -> str | None:
    """Stage everything under the folder and commit it; None when nothing changed."""
    pathspec = dest.path or "."
    repo.git.add("-A", "--", pathspec)
    if not repo.git.diff("--cached", "--name-only", "--", pathspec).strip():
        return None
    repo.git.commit("-q", "--no-edit", m=message, author=settings.author)
    return str(repo.head.commit.hexsha)


PushOutcome = Literal["pushed", "behind", "refused"]


def push_branch(repo: Any, dest: Destination, settings: GitSettings) -> tuple[PushOutcome, str]:
    """Push without force: 'behind' when the branch moved meanwhile (fetch and try again),
    'refused' when the remote declined it (a hook, a protected branch)."""
    progress = git.RemoteProgress()
    refspec = f"refs/heads/{dest.branch}:refs/heads/{dest.branch}"
    try:
        infos = repo.remote("origin").push(
            refspec=refspec, progress=progress, kill_after_timeout=settings.timeout
        )
    except git.GitCommandError as exc:
        raise _failure("cannot push to", dest, exc) from None
    said = [line for line in progress.other_lines if line.startswith("remote:")]
    for info in infos:
        summary = info.summary.strip()
        if info.flags & info.REJECTED or any(m in summary for m in _RACE_MARKERS):
            return "behind", redact(summary)
        if info.flags & (info.REMOTE_REJECTED | info.REMOTE_FAILURE | info.ERROR):
            return "refused", redact(" ".join([info.summary.strip(), *said]))
    try:
        infos.raise_if_error()
    except git.GitCommandError as exc:
        raise _failure("cannot push to", dest, exc) from None
    return "pushed", ""


def source_commit(catalogue: Path) -> tuple[str, bool]:
    """The catalogue's commit (`git rev-parse HEAD`), and whether it has uncommitted changes."""
    resolved = catalogue.resolve()
    start = resolved if resolved.is_dir() else resolved.parent
    try:
        repo = git.Repo(str(start), search_parent_directories=True)
        sha = str(repo.head.commit.hexsha)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return "not a git checkout", False
    top = Path(str(repo.working_tree_dir)).resolve()
    rel = os.path.relpath(resolved, top)
    dirty = repo.is_dirty(untracked_files=True, path=rel)
    return sha, bool(dirty)


def init_worktree(path: Path) -> None:
    """`git init` (branch main, as the CI templates expect) and stage every file."""
    try:
        repo = git.Repo.init(str(path), initial_branch="main")
        repo.git.add("-A")
    except git.GitCommandError as exc:
        raise PublishError(f"git init in {path} failed: {_stderr(exc)}") from None


def resolve_commit(path: Path, rev: str) -> str | None:
    """The commit `rev` names in the git repository at `path`, or None when it names none.
    Raises UsageError when `path` is no git repository."""
    try:
        repo = git.Repo(str(path))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{path} is not a git repository") from None
    try:
        return str(
            repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        )
    except git.GitCommandError:
        return None
