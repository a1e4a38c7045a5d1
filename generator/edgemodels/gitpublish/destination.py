"""Where publish pushes, and how git runs for it: the destination (URL, branch, folder),
the settings (author, timeout, credentials through the environment), and git's failures
said in plain words.

A URL that carries a credential is refused (git would keep it in the clone's config), and
`redact` removes `user:password@` from every URL and every git message shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import git

from edgemodels.display import quoted
from edgemodels.errors import OutputError, UsageError
from edgemodels.fsnames import os_form, text_form
from edgemodels.names import git_branch_problem, repo_folder_problem
from edgemodels.secrets_scan import shape_of

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


def failure(action: str, dest: Destination, exc: Exception) -> PublishError:
    detail = redact(git_stderr(exc))
    low = detail.lower()
    hint = next(
        (hint for markers, hint in _CAUSES if any(m in low for m in markers)),
        "cannot reach the repository, or git failed",
    )
    return PublishError(f"{action} {redact(dest.url)}: {hint}\n  git said: {detail}")


def git_stderr(exc: Exception) -> str:
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
            f"git {command} failed in the clone of {redact(dest.url)}: {redact(git_stderr(exc))}"
        ) from None
