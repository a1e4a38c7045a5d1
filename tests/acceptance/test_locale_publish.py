"""`edgemodels publish` to a deploy repository whose path or URL is not ASCII, through a
working clone in a folder that is not ASCII, under an ASCII locale (LC_ALL=C without
Python's locale coercion): GitPython read the clone's git config (and git push's output)
with the locale's encoding and stopped with an internal error. The real program, in a
subprocess, on real git repositories."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ASCII_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
DEPOT = "d\u00e9p\u00f4t.git"  # dépôt.git
CAFE = "caf\u00e9"  # café
HTTPS_URL = f"https://git.example.com/{DEPOT}"


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The program under the ASCII locale; arguments given as the UTF-8 bytes a shell passes."""
    full = {**os.environ, **ASCII_LOCALE, "EDGEMODELS_SERVER": "off", **(env or {})}
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"edgemodels", *(a.encode() for a in args)],
        cwd=cwd,
        env={k.encode(): v.encode() for k, v in full.items()},
        capture_output=True,
        timeout=180,
    )


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder holding the catalogue `cat` (examples/lrt) and the bare deploy repository."""
    shutil.copytree(EXAMPLES / "lrt", tmp_path / "cat")
    git("init", "-q", "--bare", str(tmp_path / DEPOT))
    return tmp_path


def published(done: subprocess.CompletedProcess[bytes]) -> str:
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert b"internal error" not in done.stderr
    return done.stdout.decode("utf-8")  # strict: the real names, as UTF-8


def test_publish_through_a_workdir_to_a_repository_not_ascii(site: Path) -> None:
    depot, work = site / DEPOT, site / "w\u00f6rk" / "clone"
    args = ("publish", "cat", "--repo", str(depot), "--branch", "acm-dev", "--path", CAFE)
    extra = ("--workdir", str(work), "--author", "Zo\u00eb <zoe@example.com>")
    out = published(run(site, *args, *extra, "--message-extra", "na\u00efve"))
    assert out.startswith(f"{depot} branch acm-dev at {CAFE}/: pushed ")
    assert f"Files under {CAFE}: " in out
    log = git("--git-dir", str(depot), "log", "-1", "--format=%an%n%B", "acm-dev")
    assert log.startswith("Zo\u00eb\nedgemodels: publish lrt: ") and "\nna\u00efve\n" in log
    channel = git("--git-dir", str(depot), "show", f"acm-dev:{CAFE}/hub/channel.yaml")
    assert "pathname: https://gitlab.com/i4q/LRT.git" in channel
    subscriptions = git("--git-dir", str(depot), "grep", "-h", "git-path", "acm-dev", "--")
    assert f"apps.open-cluster-management.io/git-path: {CAFE}" in subscriptions
    # The working clone again: its origin (read from its config) is the deploy repository.
    again = published(run(site, *args, *extra))
    assert again == f"{depot} branch acm-dev at {CAFE}/: already up to date, nothing to commit\n"
    # A temporary clone, pushing on top of the branch.
    out = published(run(site, *args[:-2], "--path", f"{CAFE}-2"))
    assert out.startswith(f"{depot} branch acm-dev at {CAFE}-2/: pushed ")
    listed = git("--git-dir", str(depot), "ls-tree", "--name-only", "-z", "acm-dev")
    assert sorted(listed.split("\0")) == ["", CAFE, f"{CAFE}-2"]


def test_a_workdir_of_another_repository_is_refused_by_name(site: Path) -> None:
    work = site / "w\u00f6rk"
    published(run(site, "publish", "cat", "--repo", str(site / DEPOT), "--workdir", str(work)))
    git("init", "-q", "--bare", str(site / "autre.git"))
    done = run(site, "publish", "cat", "--repo", str(site / "autre.git"), "--workdir", str(work))
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode() == (
        f"edgemodels: error: --workdir {work} is a clone of {site / DEPOT}, "
        f"not of {site / 'autre.git'}\n"
    )


def test_a_users_clone_names_what_could_be_lost(site: Path) -> None:
    """A clone publish did not make, with files git does not track: an empty lock file
    edgemodels leaves (in a folder not ASCII, looked at on disk) is its own, and counts
    for nothing; the other file is named."""
    depot = site / DEPOT
    published(run(site, "publish", "cat", "--repo", str(depot)))
    clone = site / "w\u00f6rk"
    git("clone", "-q", "--branch", "acm-dev", str(depot), str(clone))
    (clone / CAFE / ".edgemodels").mkdir(parents=True)
    (clone / CAFE / ".edgemodels" / "lock").write_bytes(b"")
    (clone / "\u00fcnt.txt").write_text("mine\n")
    done = run(site, "publish", "cat", "--repo", str(depot), "--workdir", str(clone))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.decode().splitlines()
    assert lines[:2] == [
        f"edgemodels: error: --workdir {clone} is a clone edgemodels did not make, and "
        "publishing there could lose what it holds:",
        "  \u00fcnt.txt (untracked)",
    ]


def test_the_catalogues_url_and_path_not_ascii(site: Path) -> None:
    """spec.git.url and spec.git.path come from a UTF-8 file, not from the command line:
    the same names in the other form. git reaches the https:// URL at the bare repository
    (url.<base>.insteadOf, in the environment)."""
    text = (site / "cat" / "catalogue.yaml").read_text()
    text = text.replace("url: https://gitlab.com/i4q/LRT.git", f"url: {HTTPS_URL}")
    (site / "cat" / "catalogue.yaml").write_text(text.replace('path: ""', f"path: {CAFE}"))
    env = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{site / DEPOT}.insteadOf",
        "GIT_CONFIG_VALUE_0": HTTPS_URL,
    }
    work = site / "w\u00f6rk"
    for then in ("pushed ", "already up to date"):
        out = published(run(site, "publish", "cat", "--workdir", str(work), env=env))
        assert out.startswith(f"{HTTPS_URL} branch acm-dev at {CAFE}/: {then}")
    channel = git("--git-dir", str(site / DEPOT), "show", f"acm-dev:{CAFE}/hub/channel.yaml")
    assert f"pathname: {HTTPS_URL}" in channel


def test_a_bare_workdir_and_a_checkout(site: Path) -> None:
    """A bare clone of the user's as --workdir (GitPython read its config on opening it);
    then a branch with a .gitattributes, published through a checkout in a clone."""
    depot = site / DEPOT
    bare = site / "w\u00f6rk" / "b\u00e4re.git"
    git("clone", "-q", "--bare", str(depot), str(bare))
    args = ("publish", "cat", "--repo", str(depot), "--path", CAFE)
    out = published(run(site, *args, "--workdir", str(bare)))
    assert out.startswith(f"{depot} branch acm-dev at {CAFE}/: pushed ")
    seed = site / "seed"
    git("clone", "-q", "--branch", "acm-dev", str(depot), str(seed))
    (seed / ".gitattributes").write_text("*.txt text\n")
    git("-C", str(seed), "add", "-A")
    git("-C", str(seed), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "attr")
    git("-C", str(seed), "push", "-q", "origin", "acm-dev")
    work = site / "w\u00f6rk" / "clone"
    out = published(run(site, *args, "--workdir", str(work), "--author", "Zo\u00eb <z@x.org>"))
    assert out == f"{depot} branch acm-dev at {CAFE}/: already up to date, nothing to commit\n"
    readme = git("--git-dir", str(depot), "show", f"acm-dev:{CAFE}/README.md")
    assert (work / CAFE / "README.md").read_text() == readme  # the checkout
    (seed / CAFE / "README.md").write_text(readme + "edited\n")
    git("-C", str(seed), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "edit")
    git("-C", str(seed), "push", "-q", "origin", "acm-dev")
    out = published(
        run(site, *args, "--workdir", str(work), "--force", "--author", "Zo\u00eb <z@x.org>")
    )
    assert out.startswith(f"{depot} branch acm-dev at {CAFE}/: pushed ")
    assert (
        f"Hand edits discarded (--force), 1 file; the parent commit has them:\n  {CAFE}/README.md\n"
        in out
    )
    log = git("--git-dir", str(depot), "log", "-1", "--format=%an", "acm-dev")
    assert log == "Zo\u00eb\n"


def test_refused_push_and_clone_timeout_are_clear_errors(site: Path) -> None:
    hook = site / DEPOT / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'd\u00e9p\u00f4t gel\u00e9' >&2\nexit 1\n")
    hook.chmod(0o755)
    work = site / "w\u00f6rk"
    done = run(site, "publish", "cat", "--repo", str(site / DEPOT), "--workdir", str(work))
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().startswith(
        f"edgemodels: error: {site / DEPOT} branch acm-dev at /: the remote refused the push: "
        "[remote rejected] (pre-receive hook declined) remote: d\u00e9p\u00f4t gel\u00e9\n"
    )
    with socket.socket() as silent:  # accepts connections and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"git://127.0.0.1:{silent.getsockname()[1]}/{DEPOT}"
        done = run(site, "publish", "cat", "--repo", url, "--timeout", "1")
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().startswith(
        f"edgemodels: error: cannot clone {url}: the connection timed out"
    )


def test_refused_arguments_are_named_as_given(site: Path) -> None:
    """The refusals quoted the name with repr, which wrote the ASCII locale's form of
    `é` as surrogate escapes."""
    done = run(site, "publish", "cat", "--repo", f"-{DEPOT}")
    assert done.stderr.decode() == f"edgemodels: error: refusing repository URL '-{DEPOT}'\n"
    done = run(site, "publish", "cat", "--repo", str(site / DEPOT), "--author", "Zo\u00eb")
    assert done.stderr.decode() == (
        "edgemodels: error: --author must look like \"Name <mail>\", not 'Zo\u00eb'\n"
    )
    done = run(site, "init", "x", "--no-git", "--tool-rev", "caf\u00e9..")
    assert done.stderr.decode().startswith(
        f"edgemodels: error: --tool-rev '{CAFE}..' is not a tag or commit"
    )


def bare_with_a_config_not_ascii(site: Path) -> Path:
    """A bare clone of a one-commit repository, its config naming a user Zoë (UTF-8),
    then Zoë in Latin-1 (bytes that are not UTF-8, which no locale reads)."""
    source = site / "source"
    git("init", "-q", "-b", "main", str(source))
    (source / "pyproject.toml").write_text("[project]\nname = 'edgemodels'\n")
    git("add", "-A", cwd=source)
    git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "1", cwd=source)
    bare = site / f"outil-{CAFE}.git"
    git("clone", "-q", "--bare", str(source), str(bare))
    with open(bare / "config", "ab") as config:
        config.write(b"[user]\n\tname = Zo\xc3\xab\n")
    return bare


def test_init_with_a_bare_tool_repo_whose_config_is_not_ascii(site: Path) -> None:
    """GitPython's Repo() read a bare repository's config strictly in the locale's
    encoding: --tool-repo at a bare one naming Zoë stopped init with an internal error."""
    bare = bare_with_a_config_not_ascii(site)
    commit = git("rev-parse", "main", cwd=bare).strip()
    for name in (b"", b"Zo\xeb"):
        with open(bare / "config", "ab") as config:
            config.write(b"\tname = " + name + b"\n" if name else b"")
        out = site / f"cat-{len(name)}"
        done = run(
            site, "init", str(out), "--no-git", "--tool-repo", str(bare), "--tool-rev", commit
        )
        assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
        assert done.stdout.decode().startswith(f"created catalogue 'cat-{len(name)}' in {out} (")
        done = run(site, "init", "x", "--no-git", "--tool-repo", str(bare), "--tool-rev", "main")
        assert done.returncode == 2
        assert done.stderr.decode().startswith(
            f"edgemodels: error: --tool-rev main is not a tag or commit of {bare} (a branch"
        )


def test_publish_a_catalogue_in_a_bare_repository_whose_config_is_not_ascii(site: Path) -> None:
    """A catalogue folder inside a bare repository's folder: no checkout holds it (it
    stopped publish with an internal error under the ASCII locale)."""
    bare = bare_with_a_config_not_ascii(site)
    shutil.copytree(site / "cat", bare / "cat")
    done = run(bare, "publish", "cat", "--repo", str(site / DEPOT))
    assert published(done).startswith(f"{site / DEPOT} branch acm-dev at ")
    said = git("--git-dir", str(site / DEPOT), "log", "-1", "--format=%B", "acm-dev")
    assert "Catalogue source commit: not a git checkout\n" in said
