"""`edgemodels publish`: the generated tree, committed to the branch RHACM pulls, and pushed.

The only module that imports GitPython (it needs the `git` program). Guarantees:
- Only the folder `path` of the branch changes; the rest of the branch is left alone, and
  inside it only files edgemodels owns (its manifest) are changed or removed.
- The branch is not checked out: the commit is made from git objects (`commit_objects`),
  unless the clone needs a work tree (`CloneSetup.work_tree`, `branch_entries`).
- Nothing is committed when the tree is already there. Pushes are never forced: when the
  branch moved meanwhile the push is rejected, and the tree is written again on top of
  the new branch head and pushed again, a bounded number of times. A commit that could not
  be pushed is kept in the working clone (ref `refs/edgemodels/unpushed/<branch>`).
- In a --workdir, files are discarded and branches moved only in a clone publish made or
  took as its own (`workdir.py`): another clone is taken only when nothing in it could be lost.
- Credentials come from git's credential helpers, or from EDGEMODELS_GIT_TOKEN (and
  EDGEMODELS_GIT_USERNAME) through a helper defined in the environment for the deploy
  repository's https host only (plain http:// only with --allow-http-token), never from the
  catalogue; `user:password@` is removed from every URL that is printed.
- git never prompts (GIT_TERMINAL_PROMPT=0): a missing credential fails at once.
- Any locale: GitPython only runs git here (`Clone`, not its Repo, which decodes git's
  config with the locale's encoding), names reach git as the bytes they stand for
  (fsnames.py), and what git says about paths and refs is read as bytes.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from edgemodels.branchplan import Entry, HashName, blob_id
from edgemodels.cleanup import children_stopped_on_interrupt, remove_folder
from edgemodels.display import quoted
from edgemodels.errors import OutputError, ToolMissingError, UsageError
from edgemodels.fsnames import name_bytes, os_form, same_name, text_form
from edgemodels.names import git_branch_problem, repo_folder_problem
from edgemodels.secrets_scan import shape_of
from edgemodels.workdir import (
    commits_at_risk,
    files_at_risk,
    is_own,
    mark_own,
    refusal,
    worktrees_at_risk,
)

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
        raise UsageError(f"refusing repository URL {quoted(redact(url))}")
    if _has_query(url):  # tokens ride there too (?private_token=); no git remote needs one
        raise UsageError(
            f"refusing repository URL {quoted(_without_query(url))}...: it has a query string or "
            "a fragment, where tokens are passed; use a git credential helper, or "
            "EDGEMODELS_GIT_TOKEN (and EDGEMODELS_GIT_USERNAME)"
        )
    if _has_credentials(url):  # git would keep it in .git/config and show it in errors
        raise UsageError(
            f"refusing repository URL {quoted(redact(url))}: it carries credentials; use a git "
            "credential helper, or EDGEMODELS_GIT_TOKEN (and EDGEMODELS_GIT_USERNAME)"
        )
    problem = git_branch_problem(branch)
    if problem:
        raise UsageError(problem)
    problem = repo_folder_problem(path, absolute_ok=not path_given)
    if problem:
        raise UsageError(f"--path {problem}")
    return Destination(url, branch, text_form(path.strip("/")))


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
        raise UsageError(f'--author must look like "Name <mail>", not {quoted(author)}')
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
    return GitSettings(author, timeout, {key: os_form(value) for key, value in env.items()})


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
def working_clone(
    dest: Destination,
    settings: GitSettings,
    workdir: Path | None,
    warn: Callable[[str], None] = lambda text: None,
) -> Iterator[Clone]:
    """A clone of the deploy repository: `workdir` (kept, reused) or a temporary one,
    removed afterwards however the run ends (a commit that could not be pushed is kept
    only in a `workdir`). `warn` says that publish takes a clone it did not make as its own."""
    if workdir is not None:
        with _workdir_lock(workdir), children_stopped_on_interrupt():
            repo = _open_workdir(dest, settings, workdir, warn)
            try:
                yield repo
            finally:
                repo.close()  # GitPython's long-running git processes, if any
            _interrupted_marker(repo).unlink(missing_ok=True)  # only when the run ended well
        return
    temp = Path(tempfile.mkdtemp(prefix="edgemodels-publish-"))
    try:
        with children_stopped_on_interrupt():  # a git command left running writes in temp
            repo = _clone(dest, settings, temp / "repo")
            try:
                yield repo
            finally:
                repo.close()
    finally:
        remove_folder(temp)


@dataclass(frozen=True)
class Clone:
    """A clone publish works in: git run there, and its folders. Not GitPython's Repo,
    which reads git's files (the config, in `Repo()` for a bare clone, for a remote's URL
    and for a push) decoded with the locale's encoding: under an ASCII locale a deploy
    repository whose URL or path is not ASCII stopped publish with a UnicodeDecodeError."""

    git: Any  # git.Git, run in the clone
    git_dir: str
    working_tree_dir: str | None  # None: a bare clone

    @property
    def bare(self) -> bool:
        return self.working_tree_dir is None

    def close(self) -> None:
        self.git.clear_cache()  # GitPython's long-running git processes, if any


def open_clone(path: Path) -> Clone | None:
    """The clone whose work tree (or, bare, whose git folder) is `path`; None when `path`
    is neither (a plain folder, or a folder inside some other repository)."""
    runner = git.Git(str(path))
    try:
        git_dir, bare = runner.rev_parse("--absolute-git-dir", "--is-bare-repository").split("\n")
        top = None if bare == "true" else runner.rev_parse("--show-toplevel")
    except (git.GitCommandError, ValueError):
        return None
    here = os.path.realpath(path)
    if os.path.realpath(top if top is not None else git_dir) != here:
        return None
    return Clone(runner, git_dir, top)


def _clone(dest: Destination, settings: GitSettings, target: Path) -> Clone:
    runner = git.Git(str(target.parent))
    try:
        runner.clone(
            "--no-checkout",
            "--origin",
            "origin",
            "--",
            os_form(dest.url),
            str(target),
            kill_after_timeout=settings.timeout,
            env=settings.env,
        )
    except git.GitCommandError as exc:
        raise _failure("cannot clone", dest, exc) from None
    except UnicodeEncodeError:
        # GitPython's message for a command it killed at the timeout holds the command
        # (the URL, the folder) encoded with the locale's encoding: ASCII fails on `dépôt`.
        said = f"Timeout: git clone did not complete in {settings.timeout:g} secs."
        timeout = git.GitCommandError(["git", "clone"], -9, said)
        raise _failure("cannot clone", dest, timeout) from None
    repo = Clone(git.Git(str(target)), str(target / ".git"), str(target))
    mark_own(repo)  # a temporary clone too: `_require_own` guards every clean and reset
    repo.git.update_environment(**settings.env)
    return repo


def _open_workdir(
    dest: Destination, settings: GitSettings, workdir: Path, warn: Callable[[str], None]
) -> Clone:
    if not workdir.exists() or (workdir.is_dir() and not any(workdir.iterdir())):
        workdir.mkdir(parents=True, exist_ok=True)
        return _clone(dest, settings, workdir)
    repo = open_clone(workdir)
    if repo is None:
        raise PublishError(
            f"--workdir {workdir} is neither empty nor a git clone; publish clones into a "
            "folder that does not exist or is empty: give --workdir a folder of its own"
        ) from None
    repo.git.update_environment(**settings.env)
    origin = _origin_url(repo)
    if not same_name(origin, dest.url):
        raise PublishError(
            f"--workdir {workdir} is a clone of {redact(origin) or 'no origin'}, "
            f"not of {redact(dest.url)}"
        )
    if not is_own(repo):
        with git_errors(dest):
            _adopt(repo, dest, settings, workdir)
        warn(
            f"--workdir {workdir} is a clone edgemodels did not make; nothing in it could "
            "be lost, so publish now keeps it as its own working clone (it may discard "
            "files git does not track there): keep your own work in another clone"
        )
    marker = _interrupted_marker(repo)
    if marker.exists():
        _discard_interrupted_run(repo)
    elif _uncommitted(repo):
        raise PublishError(
            f"--workdir {workdir} has uncommitted changes; commit or remove them "
            "(edgemodels publish never discards work), or use another --workdir"
        )
    marker.touch()
    return repo


def _origin_url(repo: Clone) -> str:
    status, url, _ = repo.git.config(
        "--get", "remote.origin.url", with_extended_output=True, with_exceptions=False
    )
    return str(url) if status == 0 else ""


def _uncommitted(repo: Clone) -> bool:
    """Staged or changed tracked files, or untracked ones (ignored ones aside); a clone
    never checked out has no index, so nothing staged (HEAD's files are not "deleted")."""
    if repo.bare:
        return False
    staged = (Path(repo.git_dir) / "index").is_file() and repo.git.diff("--cached", "--name-only")
    return bool(
        staged
        or repo.git.diff("--name-only")
        or repo.git.ls_files("--others", "--exclude-standard", "-z")
    )


def _adopt(repo: Any, dest: Destination, settings: GitSettings, workdir: Path) -> None:
    """Mark a clone publish did not make (the user's own, or one an edgemodels without the
    mark made) as its own, when nothing in it could be lost; PublishError naming what
    could otherwise. Fetched first: a commit pushed from here (by an earlier publish, to a
    branch outside a --single-branch clone's refspec) is on origin, though the clone's
    remote-tracking branch may not say so yet. Without --prune: a remote-tracking branch
    of a branch origin deleted may be all that holds a commit of the user's."""
    risks = files_at_risk(repo)
    _fetch(repo, dest, settings, prune=False)
    risks += commits_at_risk(repo, UNPUSHED_REF) + worktrees_at_risk(repo)
    if risks:
        raise PublishError(refusal(workdir, risks))
    mark_own(repo)


def _require_own(repo: Any) -> None:
    """What discards files or moves branches runs only in a clone publish made or took as
    its own (`_open_workdir` sees to it; this keeps any other way out)."""
    if not is_own(repo):
        raise PublishError(
            f"refusing to clean or reset {repo.working_tree_dir or repo.git_dir}: "
            "edgemodels did not make this clone"
        )


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
    _require_own(repo)
    git_dir = Path(str(repo.git_dir))
    for lock in [*git_dir.glob("*.lock"), *(git_dir / "refs").rglob("*.lock")]:
        lock.unlink(missing_ok=True)
    if (git_dir / "index").exists():  # a checkout's; a clone never checked out has none
        with suppress(git.GitCommandError):
            repo.git.reset("-q")
    repo.git.clean("-q", "-f", "-d", "-x")


# Every branch, whatever the clone's own refspec says: a --workdir cloned with
# --single-branch (or --depth, which implies it) fetched only its branch, so another branch
# looked new, its orphan commit was rejected, and publish said the branch kept moving.
BRANCHES = "+refs/heads/*:refs/remotes/origin/*"


def fetch_branch(repo: Any, dest: Destination, settings: GitSettings, create: bool) -> str | None:
    """Fetch; the commit the remote's branch is at, or None when the branch is new (it
    starts empty: an orphan branch shares nothing)."""
    _fetch(repo, dest, settings)
    _keep_unpushed(repo, dest.branch)
    remote_ref = f"refs/remotes/origin/{dest.branch}"
    if _ref_exists(repo, remote_ref):
        return str(repo.git.rev_parse("--verify", f"{remote_ref}^{{commit}}"))
    if not create:
        raise PublishError(
            f"branch {dest.branch} does not exist in {redact(dest.url)}; create it, or "
            "publish without --no-create-branch"
        )
    return None


def _fetch(repo: Any, dest: Destination, settings: GitSettings, prune: bool = True) -> None:
    try:
        flags = ["--prune"] if prune else []
        repo.git.fetch(*flags, "origin", BRANCHES, kill_after_timeout=settings.timeout)
    except git.GitCommandError as exc:
        raise _failure("cannot fetch from", dest, exc) from None


def checkout_branch(repo: Any, dest: Destination, base: str | None) -> None:
    """Put `base` (None: a new, empty branch) into the working tree, as the local branch.
    Only when the clone needs a work tree (`CloneSetup.work_tree`, `branch_entries`)."""
    _require_own(repo)
    if base is not None:
        repo.git.checkout("-q", "-f", "--no-track", "-B", dest.branch, base)
        return
    repo.git.symbolic_ref("HEAD", f"refs/heads/{dest.branch}")
    if _ref_exists(repo, f"refs/heads/{dest.branch}"):
        repo.git.update_ref("-d", f"refs/heads/{dest.branch}")
    repo.git.rm("-r", "-q", "-f", "--ignore-unmatch", "--", ".")
    repo.git.clean("-q", "-f", "-d", "-x")


def _ref_exists(repo: Any, ref: str) -> bool:
    try:
        repo.git.rev_parse("-q", "--verify", f"{ref}^{{commit}}")
    except git.GitCommandError:
        return False
    return True


def keep_ref(repo: Any, ref: str, commit: str) -> None:
    """Point `ref` at `commit`, logging it: a commit kept there before stays reachable
    (`git reflog show REF`) when a later failed push keeps another, in a bare clone too
    (where git keeps no ref logs by default)."""
    repo.git.update_ref("--create-reflog", "-m", "edgemodels publish: not pushed", ref, commit)


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
    keep_ref(repo, f"{UNPUSHED_REF}/{branch}", local)


# --- the branch as git objects, without a checkout --------------------------------------

# Hooks a commit or a checkout runs: they expect a work tree (pre-commit looks at the files,
# commit-msg may rewrite the message), so a clone that has one is published through a
# checkout as before. A push's hooks (pre-push) run either way.
WORK_TREE_HOOKS = (
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "post-checkout",
    "post-index-change",
)
_CONFIG = r"^(commit\.(gpgsign|cleanup)|core\.(attributesfile|autocrlf)|extensions\.objectformat)$"
_SYSTEM_ATTRIBUTES = (Path("/etc/gitattributes"), Path("/usr/etc/gitattributes"))
INDEX_NAME = "edgemodels-index"  # in the clone's .git: the new commit's tree is built here
MESSAGE_NAME = "edgemodels-message"


@dataclass(frozen=True)
class CloneSetup:
    """What of git's configuration for the clone a commit made from objects follows as
    `git commit` would, and why the clone needs a checkout ("" when it does not)."""

    algorithm: HashName = "sha1"
    sign: bool = False  # commit.gpgsign
    cleanup: str = "default"  # commit.cleanup
    autocrlf: bool = False  # core.autocrlf true or input: CRLF is converted when added
    work_tree: str = ""


def clone_setup(repo: Any) -> CloneSetup:
    config = _config(repo)
    algorithm: HashName = "sha256" if config.get("extensions.objectformat") == "sha256" else "sha1"
    return CloneSetup(
        algorithm,
        _true(config.get("commit.gpgsign", "false")),
        config.get("commit.cleanup", "default").lower(),
        config.get("core.autocrlf", "false").lower() == "input"
        or _true(config.get("core.autocrlf", "false")),
        _hook_reason(repo) or _attributes_reason(repo, config.get("core.attributesfile")),
    )


def _config(repo: Any) -> dict[str, str]:
    try:
        raw = repo.git.config("-z", "--get-regexp", _CONFIG)
    except git.GitCommandError:
        return {}  # exit 1: none of them is set
    found = {}
    for item in filter(None, str(raw).split("\0")):
        key, _, value = item.partition("\n")
        found[key.lower()] = value
    return found


def _true(value: str) -> bool:
    return value.strip().lower() in ("true", "yes", "on", "1", "")


def _hook_reason(repo: Any) -> str:
    # git prints the hooks' folder relative to where it runs: the work tree, or the git
    # folder of a bare clone (whose commit hooks git itself could never run).
    top = repo.working_tree_dir or repo.git_dir
    hooks = Path(str(top), str(repo.git.rev_parse("--git-path", "hooks")))
    for name in WORK_TREE_HOOKS:
        if (hooks / name).is_file() and os.access(hooks / name, os.X_OK):
            return f"it has a {name} hook ({hooks / name})"
    return ""


def _attributes_reason(repo: Any, configured: str | None) -> str:
    """git attributes may convert what is checked in (eol, filters such as LFS, ident):
    only `git add` itself then says which bytes the branch holds."""
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    files = [
        Path(str(repo.git_dir)) / "info" / "attributes",
        Path(os.path.expanduser(configured)) if configured else Path(xdg) / "git" / "attributes",
        *([] if os.environ.get("GIT_ATTR_NOSYSTEM") else _SYSTEM_ATTRIBUTES),
    ]
    found = next((f for f in files if f.is_file() and f.stat().st_size), None)
    return f"git attributes apply ({found})" if found else ""


def branch_entries(repo: Any, dest: Destination, base: str | None) -> tuple[dict[str, Entry], str]:
    """The files of the folder `dest.path` at `base` (paths relative to it), and why the
    branch needs a checkout ("": it does not; a `.gitattributes` on the way to the folder
    or inside it does). PublishError when the folder, or one above it, is not a folder."""
    if base is None:
        return {}, ""
    path = dest.path
    above = [path.rsplit("/", n)[0] for n in range(path.count("/"), 0, -1)] if path else []
    specs = [path, ".gitattributes", *(f"{a}/.gitattributes" for a in above)] if path else []
    prefix = f"{path}/" if path else ""
    entries: dict[str, Entry] = {}
    attributes: list[str] = []
    is_folder = not path
    for mode, kind, oid, name in _ls_tree(repo, "-r -t", base, specs):
        if name in (path, *above):
            _require_folder(dest, name, kind)
            is_folder = is_folder or name == path
        elif name.startswith(prefix) and kind != "tree":
            entries[name[len(prefix) :]] = Entry(mode, oid)
        if name.rpartition("/")[2] == ".gitattributes" and kind == "blob":
            attributes.append(name)
    if not is_folder and above:  # a new folder: nothing that is not a folder on its way
        for _, kind, _, name in _ls_tree(repo, "", base, above):
            if name in above:
                _require_folder(dest, name, kind)
    reason = f"the branch has {attributes[0]}" if attributes else ""
    return entries, reason


def _ls_tree(repo: Any, flags: str, base: str, specs: list[str]) -> Iterator[tuple[str, ...]]:
    """(mode, type, object id, path) of `git ls-tree -z` (paths may be any bytes)."""
    args = [*flags.split(), "-z", "--full-tree", base, "--", *map(literal, specs)]
    raw = repo.git.ls_tree(*args, stdout_as_string=False)
    for record in filter(None, bytes(raw).split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        yield mode, kind, oid, name.decode("utf-8", "surrogateescape")


def literal(path: str) -> str:
    """`path` as a pathspec that names that path only: `:x` or `*` is a folder's name on
    the deploy branch, not pathspec magic or a pattern (a folder `:x` was read as `x`, so
    its files were never compared: hand edits in it were overwritten)."""
    return os_form(f":(literal){path}")


def _require_folder(dest: Destination, name: str, kind: str) -> None:
    if kind != "tree":
        what = "a submodule" if kind == "commit" else "a file or a symlink"
        raise PublishError(
            f"{dest.shown}: {name} is {what} on the branch, where the folder to publish "
            "to goes; nothing was published"
        )


def read_blobs(repo: Any, oids: Iterable[str]) -> dict[str, bytes]:
    """The blobs, read by one `git cat-file --batch` (GitPython's own reader takes only
    SHA-1 ids)."""
    with tempfile.TemporaryFile() as listing:
        listing.write("".join(f"{oid}\n" for oid in oids).encode())
        listing.seek(0)
        raw = repo.git.cat_file(
            "--batch", istream=listing, stdout_as_string=False, strip_newline_in_stdout=False
        )
    data = bytes(raw)
    found: dict[str, bytes] = {}
    at = 0
    while at < len(data):
        end = data.index(b"\n", at)
        header = data[at:end].decode().split(" ")  # "<id> blob <size>", or "<id> missing"
        if len(header) != 3 or header[1] != "blob":
            raise PublishError(f"cannot read {header[0]} from the clone: git says {header[1:]}")
        at = end + 1 + int(header[2])
        found[header[0]] = data[end + 1 : at]
        at += 1  # the newline after the content
    return found


def write_blobs(repo: Any, blobs: Iterable[bytes], algorithm: HashName) -> None:
    """Store each as a loose object, as `git hash-object -w --no-filters` does: zlib of
    `blob <size>\\0<data>`, named by its id, created complete (written aside, renamed)."""
    objects = Path(str(repo.git_dir)) / "objects"
    for data in blobs:
        oid = blob_id(data, algorithm)
        target = objects / oid[:2] / oid[2:]
        if target.exists():
            continue
        target.parent.mkdir(exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix="tmp_obj_", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(zlib.compress(b"blob %d\0" % len(data) + data))
            os.chmod(temp, 0o444)
            os.replace(temp, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(temp)
            raise


@dataclass(frozen=True)
class TreeChanges:
    """A new commit's changes to its parent, paths from the repository's root."""

    writes: Mapping[str, bytes]  # path -> content (a regular, non-executable file)
    removes: tuple[str, ...]


def commit_objects(
    repo: Any,
    dest: Destination,
    base: str | None,
    changes: TreeChanges,
    message: str,
    settings: GitSettings,
    setup: CloneSetup,
) -> str | None:
    """The commit `git add` + `git commit` would make of the changes on top of `base`,
    made from objects (an index of its own, `commit-tree`), set as the local branch.
    None when its tree is the parent's."""
    if not changes.writes and not changes.removes:
        return None
    write_blobs(repo, changes.writes.values(), setup.algorithm)
    git_dir = Path(str(repo.git_dir))
    index, note = git_dir / INDEX_NAME, git_dir / MESSAGE_NAME
    zero = "0" * (64 if setup.algorithm == "sha256" else 40)
    lines = [f"100644 {blob_id(d, setup.algorithm)}\t{p}" for p, d in changes.writes.items()]
    lines += [f"0 {zero}\t{p}" for p in changes.removes]
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        index.unlink(missing_ok=True)  # a killed run's
        repo.git.read_tree(base or "--empty", env=env)
        note.write_bytes("".join(f"{line}\0" for line in lines).encode("utf-8", "surrogateescape"))
        with note.open("rb") as listing:
            repo.git.update_index("-z", "--index-info", istream=listing, env=env)
        tree = str(repo.git.write_tree(env=env))
        if base is not None and tree == str(repo.git.rev_parse(f"{base}^{{tree}}")):
            return None
        _write_message(repo, note, message, setup.cleanup)
        args = _commit_args(tree, base, setup, note)
        sha = str(repo.git.commit_tree(*args, env=_author(settings)))
    finally:
        index.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
    repo.git.update_ref("-m", "edgemodels publish", f"refs/heads/{dest.branch}", sha, base or zero)
    return sha


def _commit_args(tree: str, base: str | None, setup: CloneSetup, note: Path) -> list[str]:
    # commit-tree leaves commit.gpgsign to its caller (it is plumbing); `git commit` signs.
    return [tree, *(["-p", base] if base else []), *(["-S"] if setup.sign else []), "-F", str(note)]


def _author(settings: GitSettings) -> dict[str, str]:
    name, mail = settings.author[:-1].split(" <", 1)
    return {"GIT_AUTHOR_NAME": os_form(name), "GIT_AUTHOR_EMAIL": os_form(mail)}


def _write_message(repo: Any, note: Path, message: str, cleanup: str) -> None:
    """The message as `git commit -m` leaves it: trailing whitespace and repeated blank
    lines removed (commit.cleanup `whitespace`, the default without an editor); `strip`
    also drops comment lines (git's own `stripspace` does that), `verbatim` nothing."""
    note.write_bytes(name_bytes(message))
    if cleanup == "strip":
        with note.open("rb") as text:
            cleaned = repo.git.stripspace(
                "-s", istream=text, stdout_as_string=False, strip_newline_in_stdout=False
            )
        note.write_bytes(bytes(cleaned))
    elif cleanup != "verbatim":
        note.write_bytes(name_bytes(stripspace(message)))


def stripspace(message: str) -> str:
    """`git stripspace`: lines without trailing whitespace, no leading, trailing or
    repeated blank lines, each line ended."""
    lines: list[str] = []
    blank = False
    for line in message.split("\n"):
        line = line.rstrip(" \t\r\n")
        if not line:
            blank = bool(lines)
            continue
        if blank:
            lines.append("")
        blank = False
        lines.append(line)
    return "".join(f"{line}\n" for line in lines)


def point_branch(repo: Any, dest: Destination, base: str | None) -> None:
    """The local branch at `base` (deleted when the branch is new), as `checkout -B` sets
    it, without a checkout. A checkout an earlier publish left in a --workdir stays as it
    is: HEAD is detached at its commit, so moving the branch leaves the clone clean."""
    _require_own(repo)
    branch = f"refs/heads/{dest.branch}"
    if (Path(str(repo.git_dir)) / "index").exists():
        with suppress(git.GitCommandError):
            if repo.git.symbolic_ref("-q", "HEAD") == branch:
                head = repo.git.rev_parse("-q", "--verify", "HEAD^{commit}")
                repo.git.update_ref("--no-deref", "-m", "edgemodels publish", "HEAD", head)
    if base is not None:
        repo.git.update_ref("-m", "edgemodels publish", branch, base)
    elif _ref_exists(repo, branch):
        repo.git.update_ref("-d", branch)


# --- commit and push -----------------------------------------------------------------------


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
        raise _failure("cannot push to", dest, git.GitCommandError(["git", "push"], status, err))
    return "pushed", ""


def _pushed_refs(out: bytes) -> Iterator[tuple[str, str]]:
    """(flag, summary) of each ref in `git push --porcelain`'s output: `<flag> TAB
    <from>:<to> TAB <summary>`, the summary `[rejected] (fetch first)` or `abc..def`."""
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        fields = line.split("\t")
        if len(fields) == 3 and len(fields[0]) == 1:
            yield fields[0], fields[2].strip()


NO_COMMIT = "none (the repository has no commit yet)"
NO_LOCKS = {"GIT_OPTIONAL_LOCKS": "0"}


def source_commit(catalogue: Path) -> tuple[str, bool]:
    """The catalogue's commit (`git rev-parse HEAD`), and whether it has uncommitted changes."""
    resolved = catalogue.resolve()
    start = resolved if resolved.is_dir() else resolved.parent
    # The work tree named by git, not GitPython's Repo(), which read the config of a bare
    # repository strictly in the locale's encoding (see Clone).
    try:
        top_dir = str(git.Git(str(start)).rev_parse("--show-toplevel"))
    except git.GitCommandError:  # not in a repository, or in a bare one: no checkout
        return "not a git checkout", False
    repo = git.Git(top_dir)
    try:
        # Named by git: GitPython's objects take SHA-1 ids only (a SHA-256 repository was
        # "not a git checkout").
        sha = str(repo.rev_parse("--verify", "-q", "HEAD^{commit}"))
    except git.GitCommandError:  # a repository without a commit: none holds the catalogue
        return NO_COMMIT, True
    top = Path(top_dir).resolve()
    rel = os.path.relpath(resolved, top)
    # One `git status` without its optional lock: GitPython's is_dirty ran `git diff`,
    # which rewrites the index of the catalogue's repository (under index.lock, where a
    # `git commit` of the user's at the same time failed) when a file's stat changed.
    # Ignored files too, one by one: a catalogue file git ignores (a local override, a
    # file in an ignored folder) is read and published like the others, and no commit
    # holds it.
    changes = repo.status(
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--ignored=traditional",
        "--",
        literal(rel),
        env=NO_LOCKS,
    )
    entries = [e for e in changes.split("\0") if e]
    return sha, any(not e.startswith("!! ") or _read_as_catalogue(e[3:], rel) for e in entries)


def _read_as_catalogue(path: str, catalogue: str) -> bool:
    """Whether the catalogue loader reads the repository file `path` (catalogue/sources.py:
    YAML files, none in a hidden folder), `catalogue` being the catalogue's file or folder."""
    below = path if catalogue == "." else path[len(catalogue) :].lstrip("/")
    parts = below.split("/") if below else [os.path.basename(path)]
    hidden = any(part.startswith(".") for part in parts)
    return path.endswith((".yaml", ".yml")) and not hidden


def init_worktree(path: Path) -> None:
    """`git init` (branch main, as the CI templates expect) and stage every file."""
    try:
        repo = git.Repo.init(str(path), initial_branch="main")
        repo.git.add("-A")
    except git.GitCommandError as exc:
        raise PublishError(f"git init in {path} failed: {_stderr(exc)}") from None


def resolve_commit(path: Path, rev: str) -> str | None:
    """The commit `rev` names in the git repository at `path` (its work tree, or a bare
    one), or None when it names none. Raises UsageError when `path` is no git repository.
    Found by git (open_clone), not GitPython's Repo(), which read a bare repository's
    config strictly in the locale's encoding (see Clone)."""
    repo = open_clone(path)
    if repo is None:
        raise UsageError(f"{path} is not a git repository")
    try:
        return str(
            repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        )
    except git.GitCommandError:
        return None
    finally:
        repo.close()
