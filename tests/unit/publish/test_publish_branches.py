"""`edgemodels publish` on deploy branches and clones of unusual shapes: folder names git
reads as patterns, clones that fetch fewer branches, catalogues in odd repositories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import git
from .test_publish import message, publish, set_version
from .test_publish_objects import commit_hooks, published_clone, use_config


@pytest.mark.parametrize("through", ["objects", "checkout"])
def test_a_folder_named_like_pathspec_magic_is_that_folder(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    through: str,
) -> None:
    """`:x` is pathspec magic to git (`x`): the folder's files were never listed, so a hand
    edit in it was overwritten without D301 (objects) or the new version never committed
    (through a checkout)."""
    if through == "checkout":
        use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", ":x")
    clone = published_clone(capsys, args, bare_repo, tmp_path)
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "upgraded sktime 1.4.2 -> 1.5.0" in message(bare_repo)
    git("-C", str(clone), "pull", "-q", "--ff-only")
    channel = clone / ":x" / "hub" / "channel.yaml"
    channel.write_text(channel.read_text() + "# edited\n")
    git("-C", str(clone), "commit", "-q", "-am", "hand edit")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    set_version(catalogue, "sktime", "1.5.0", "1.6.0")
    rc, out, _ = publish(capsys, *args)
    assert rc == 1, out
    assert f"{bare_repo}@acm-dev::x/hub/channel.yaml:1:1: D301 " in out
    assert message(bare_repo) == "hand edit"


@pytest.mark.parametrize("narrow", [["--single-branch"], ["--depth", "1"]])
def test_a_workdir_cloned_for_another_branch_publishes_on_top_of_this_one(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    narrow: list[str],
) -> None:
    """A clone made with --single-branch (or --depth) fetches its own branch only: the
    branch published to looked new, and its commit was rejected as if the branch moved."""
    where = (str(catalogue), "--repo", str(bare_repo), "--path", "deploy")
    for branch in ("acm-prod", "acm-dev"):
        assert publish(capsys, *where, "--branch", branch)[0] == 0
    work = tmp_path / "work"
    url = f"file://{bare_repo}"  # --depth is ignored for a plain path
    git("clone", "-q", "--no-checkout", *narrow, "--branch", "acm-prod", url, str(work))
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    args = ("--repo", url, "--path", "deploy", "--branch", "acm-dev", "--workdir", str(work))
    rc, out, err = publish(capsys, str(catalogue), *args)
    assert rc == 0, out + err
    assert "(after" not in out
    assert message(bare_repo).startswith("edgemodels: publish lrt: 1 upgraded")
    assert len(git("--git-dir", str(bare_repo), "rev-list", "acm-dev").split()) == 2


def push_attributes(bare: Path, tmp_path: Path, text: str) -> Path:
    """A colleague's `.gitattributes` at the branch's root; their clone, checked out."""
    clone = tmp_path / "colleague"
    git("clone", "-q", "--branch", "acm-dev", str(bare), str(clone))
    (clone / ".gitattributes").write_text(text)
    git("-C", str(clone), "add", ".gitattributes")
    git("-C", str(clone), "commit", "-q", "-m", "attributes")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    return clone


@pytest.mark.parametrize("convert", ["eol attribute", "core.autocrlf"])
def test_line_ends_a_checkout_converts_are_no_hand_edit(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    convert: str,
) -> None:
    """Checked out with CRLF line ends (the branch's `eol=crlf`, or `core.autocrlf` in a
    clone published through a checkout), every generated file read as edited by hand."""
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    if convert == "eol attribute":
        clone = push_attributes(bare_repo, tmp_path, "* text eol=crlf\n")
    else:
        use_config(monkeypatch, core__autocrlf="true", core__hooksPath=str(commit_hooks(tmp_path)))
        clone = push_attributes(bare_repo, tmp_path, "notes.txt text\n")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    text = message(bare_repo)
    assert "upgraded sktime 1.4.2 -> 1.5.0" in text
    assert "Files under deploy: 0 added, 5 changed, 0 removed" in text, text
    channel = git(
        "--git-dir", str(bare_repo), "cat-file", "blob", "acm-dev:deploy/hub/channel.yaml"
    )
    assert "\r" not in channel
    assert publish(capsys, *args)[1].endswith("already up to date, nothing to commit\n")
    # A real hand edit is still one, and only it.
    git("-C", str(clone), "pull", "-q", "--ff-only")
    channel_file = clone / "deploy" / "hub" / "channel.yaml"
    channel_file.write_bytes(channel_file.read_bytes() + b"# edited\r\n")
    git("-C", str(clone), "commit", "-q", "-am", "hand edit")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    set_version(catalogue, "sktime", "1.5.0", "1.6.0")
    rc, out, _ = publish(capsys, *args)
    assert rc == 1, out
    assert out.count(" D301 ") == 1
    assert f"{bare_repo}@acm-dev:deploy/hub/channel.yaml:1:1: D301 " in out


def test_a_catalogue_in_a_repository_without_a_commit_is_uncommitted(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """It was "not a git checkout", without the warning: no commit holds the catalogue."""
    git("init", "-q", cwd=catalogue)
    rc, out, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--dry-run")
    assert rc == 0, err
    assert "Catalogue source commit: none (the repository has no commit yet) (with " in out
    assert f"warning: {catalogue} has uncommitted changes" in err
    assert "(source commit none (the repository has no commit yet))" in err


def test_the_catalogue_repository_is_only_read(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """Its index was refreshed (written, under index.lock) by the check for uncommitted
    changes when a file's stat had changed."""
    git("init", "-q", cwd=catalogue)
    git("add", ".", cwd=catalogue)
    git("commit", "-q", "-m", "catalogue", cwd=catalogue)
    index = catalogue / ".git" / "index"
    before = index.read_bytes()
    for model in (catalogue / "models").iterdir():  # the same bytes, another stat
        model.write_bytes(model.read_bytes())
        os.utime(model, ns=(1, 1))
    rc, out, err = publish(capsys, str(catalogue), "--repo", str(bare_repo))
    assert rc == 0, out + err
    assert "uncommitted" not in err
    assert index.read_bytes() == before


def test_a_credential_in_a_kustomize_models_env_never_reaches_git(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """A kustomize model's env is written as `- name: HF_TOKEN` / `value: ...` in its
    Deployment, where no key says `token`: the scan of each line let it through. (With the
    policies on, P110 stops it in the catalogue first; the scan holds without them.)"""
    secret = "Zq8xv2LmN4pR7sT1"
    path = catalogue / "models" / "anomaly-scorer.yaml"
    text = path.read_text()
    path.write_text(text.replace('env: {SCORE_THRESHOLD: "0.8"}', f"env: {{HF_TOKEN: {secret}}}"))
    rc, out, _ = publish(capsys, str(catalogue), "--repo", str(bare_repo))
    assert rc == 1 and "models/anomaly-scorer.yaml:" in out and " P110 " in out
    assert secret not in out
    rc, _, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--no-policies")
    assert rc == 2, err
    assert "models/anomaly-scorer/base/deployment.yaml:" in err
    assert "literal value of 'HF_TOKEN'" in err and secret not in err
    every = ["git", "--git-dir", str(bare_repo), "cat-file", "--batch-all-objects", "--batch"]
    objects = subprocess.run(every, capture_output=True, check=True, timeout=60).stdout
    assert secret.encode() not in objects


def test_a_catalogue_file_git_ignores_is_an_uncommitted_change(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """A model file git ignores is read and published, and no commit holds it: the source
    commit would have been named as if it did. Ignored files the loader does not read (an
    editor's backup, a hidden folder) change nothing."""
    (catalogue / ".gitignore").write_text("*.bak\n.cache/\nmodels/local-*.yaml\n")
    git("init", "-q", cwd=catalogue)
    git("add", ".", cwd=catalogue)
    git("commit", "-q", "-m", "catalogue", cwd=catalogue)
    (catalogue / "models" / "sktime.yaml.bak").write_text("old\n")
    (catalogue / ".cache").mkdir()
    (catalogue / ".cache" / "x.yaml").write_text("{}\n")
    rc, out, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--dry-run")
    assert rc == 0, out + err
    assert "uncommitted" not in err
    local = catalogue / "models" / "local-sktime.yaml"
    text = (catalogue / "models" / "sktime.yaml").read_text()
    local.write_text(
        text.replace("sktime", "sk2").replace("ingressPath: /api", "ingressPath: /sk2")
    )
    rc, out, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--dry-run")
    assert rc == 0, out + err
    assert f"warning: {catalogue} has uncommitted changes" in err
    assert "(with uncommitted changes)" in out


@pytest.mark.parametrize("needs", ["git attributes", "a commit hook"])
def test_a_bare_workdir_where_a_checkout_is_needed_is_refused_with_what_to_do(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    needs: str,
) -> None:
    """A branch with a `.gitattributes` (or a clone with a commit hook) is published through
    a checkout, which a bare clone given as --workdir cannot have: git's "must be run in a
    work tree" came out before (attributes), or the bare clone's own hook never ran and the
    commit was made without it (its hooks folder was looked for under a work tree)."""
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    work = tmp_path / "work.git"
    git("clone", "-q", "--bare", str(bare_repo), str(work))
    if needs == "git attributes":
        push_attributes(bare_repo, tmp_path, "notes.txt text\n")
    else:
        hook = work / "hooks" / "pre-commit"
        hook.write_text("#!/bin/sh\nexit 1\n")
        hook.chmod(0o755)
    before = git("--git-dir", str(bare_repo), "rev-parse", "acm-dev")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args, "--workdir", str(work))
    assert rc == 2, out + err
    assert "must be run in a work tree" not in err
    assert f"--workdir {work} is a bare clone, which has no work tree" in err
    reason = "the branch has .gitattributes" if needs == "git attributes" else "it has a pre-commit"
    assert f"must be published through a checkout ({reason}" in err
    assert git("--git-dir", str(bare_repo), "rev-parse", "acm-dev") == before
