"""`publish --workdir` never destroys what edgemodels does not own: a clone publish made is
its own to clean; another clone (the user's) is taken only when nothing in it can be lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import git as gitpython
import pytest

from edgemodels.gitpublish.branch import checkout_branch, point_branch
from edgemodels.gitpublish.destination import Destination, PublishError

from .conftest import git
from .test_publish import message, publish, set_version
from .test_publish_objects import commit_hooks, use_config

OWNER_MARK = Path(".git") / "edgemodels-workdir"
RUNNING = Path(".git") / "edgemodels-publish-running"  # what a killed publish leaves


def where(bare: Path, branch: str = "acm-dev") -> tuple[str, ...]:
    return ("--repo", str(bare), "--branch", branch, "--path", "deploy")


def users_clone(tmp_path: Path, bare: Path) -> Path:
    """The user's own clone of the deploy repository, checked out, with a pre-commit hook
    (as `pre-commit install` leaves one: it makes publish use a checkout)."""
    clone = tmp_path / "mine"
    git("clone", "-q", "--branch", "acm-dev", str(bare), str(clone))
    hook = clone / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(0o755)
    return clone


def snapshot(clone: Path) -> dict[str, object]:
    """Every file of the work tree (bytes), the refs and HEAD."""
    files = {
        p.relative_to(clone).as_posix(): p.read_bytes()
        for p in sorted(clone.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(clone).parts
    }
    refs = git("-C", str(clone), "for-each-ref", "--format=%(refname) %(objectname)")
    head = git("-C", str(clone), "rev-parse", "--symbolic-full-name", "HEAD", "HEAD")
    return {"files": files, "refs": refs, "head": head}


def ignored(clone: Path) -> str:
    (clone / ".git" / "info" / "exclude").write_text("*.env\n")
    (clone / "secrets.env").write_bytes(b"TOKEN=kept-only-here\n")
    return "secrets.env (ignored by git)"


def untracked(clone: Path) -> str:
    for n in range(7):
        (clone / "deploy" / f"draft-{n}.yaml").write_bytes(b"kind: Draft\n")
    return "deploy/draft-0.yaml (untracked)"


def untracked_and_a_gone_branch(clone: Path) -> str:
    """A branch origin deleted, still in the clone (a fetch with --prune removed it)."""
    git("-C", str(clone), "update-ref", "refs/remotes/origin/gone", "HEAD")
    (clone / "todo.txt").write_bytes(b"mine\n")
    return "todo.txt (untracked)"


def modified(clone: Path) -> str:
    readme = clone / "deploy" / "README.md"
    readme.write_bytes(readme.read_bytes() + b"\nMy notes, not committed.\n")
    return "deploy/README.md (uncommitted change)"


def assumed_unchanged(clone: Path) -> str:
    git("-C", str(clone), "update-index", "--assume-unchanged", "deploy/README.md")
    modified(clone)
    return "deploy/README.md (git is told not to look at it)"


def local_commit(clone: Path) -> str:
    (clone / "notes.md").write_text("kept in a commit of mine\n")
    git("-C", str(clone), "add", "notes.md")
    git("-C", str(clone), "commit", "-q", "-m", "my notes")
    sha = git("-C", str(clone), "rev-parse", "--short", "HEAD")
    return f"commit {sha} on acm-dev, which origin does not have"


def linked_worktree(clone: Path) -> str:
    other = clone.parent / "feature"
    git("-C", str(clone), "worktree", "add", "-q", str(other), "-b", "feature")
    return f"work tree {other}, which shares this clone's branches"


def detached_commit(clone: Path) -> str:
    git("-C", str(clone), "checkout", "-q", "--detach")
    return local_commit(clone).replace(" on acm-dev,", " on HEAD,")


CASES: list[tuple[str, Callable[[Path], str], str, bool]] = [
    ("ignored file, a new branch", ignored, "acm-new", False),
    ("local commit", local_commit, "acm-dev", False),
    ("commit on a detached HEAD", detached_commit, "acm-dev", False),
    ("a linked work tree", linked_worktree, "acm-dev", False),
    ("ignored file, an older publish killed there", ignored, "acm-dev", True),
    ("untracked files, an older publish killed there", untracked, "acm-dev", True),
    ("untracked file, a branch origin deleted", untracked_and_a_gone_branch, "acm-dev", False),
    ("modified tracked file, an older publish killed there", modified, "acm-dev", True),
    ("assume-unchanged file, an older publish killed there", assumed_unchanged, "acm-dev", True),
]


@pytest.mark.parametrize(
    ("prepare", "branch", "killed"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_users_own_clone_is_refused_and_left_as_it_was(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    prepare: Callable[[Path], str],
    branch: str,
    killed: bool,
) -> None:
    """Publish discarded these with `git clean -x`, `checkout -f` and a branch reset (a
    killed older publish's marker made it clean whatever the clone held)."""
    assert publish(capsys, str(catalogue), *where(bare_repo))[0] == 0
    clone = users_clone(tmp_path, bare_repo)
    named = prepare(clone)
    if killed:
        (clone / RUNNING).touch()
    before = snapshot(clone)
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, _, err = publish(capsys, str(catalogue), *where(bare_repo, branch), "--workdir", str(clone))
    assert rc == 2, err
    assert f"--workdir {clone} is a clone edgemodels did not make" in err
    assert f"\n  {named}\n" in err
    assert "Give --workdir a folder of its own" in err
    assert "Traceback" not in err
    assert snapshot(clone) == before
    assert not (clone / OWNER_MARK).exists()
    if prepare is untracked:
        assert "\n  ... and 2 more\n" in err


def test_a_clean_clone_of_the_users_is_taken_as_publishs_own(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    assert publish(capsys, str(catalogue), *where(bare_repo))[0] == 0
    clone = users_clone(tmp_path, bare_repo)
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    args = (str(catalogue), *where(bare_repo), "--workdir", str(clone))
    rc, _, err = publish(capsys, *args)
    assert rc == 0, err
    assert f"--workdir {clone} is a clone edgemodels did not make; nothing in it" in err
    assert (clone / OWNER_MARK).is_file()
    assert "upgraded sktime 1.4.2 -> 1.5.0" in message(bare_repo)
    set_version(catalogue, "sktime", "1.5.0", "1.6.0")
    rc, _, err = publish(capsys, *args)
    assert rc == 0, err
    assert "did not make" not in err  # taken once


def test_a_workdir_an_older_edgemodels_made_is_taken_with_its_lock_and_pushed_commits(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An older edgemodels' clone has no mark: published through a checkout it holds the
    ignored `.edgemodels/lock` write_tree leaves, and a --single-branch clone's branch it
    pushed to is ahead of its remote-tracking branch until the next fetch."""
    for branch in ("acm-prod", "acm-dev"):
        assert publish(capsys, str(catalogue), *where(bare_repo, branch))[0] == 0
    work = tmp_path / "work"
    url = f"file://{bare_repo}"
    git("clone", "-q", "--no-checkout", "--single-branch", "--branch", "acm-prod", url, str(work))
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--path", "deploy")
    use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args, "--workdir", str(work))[0] == 0
    (work / OWNER_MARK).unlink()  # as an edgemodels without the mark left it
    status = git("-C", str(work), "status", "--porcelain", "--ignored")
    assert status == "!! deploy/.edgemodels/lock"
    ahead = git("-C", str(work), "rev-list", "--count", "origin/acm-dev..acm-dev")
    assert ahead == "1"
    set_version(catalogue, "sktime", "1.5.0", "1.6.0")
    rc, _, err = publish(capsys, *args, "--workdir", str(work))
    assert rc == 0, err
    assert (work / OWNER_MARK).is_file()
    assert "upgraded sktime 1.5.0 -> 1.6.0" in message(bare_repo)


def test_a_workdir_holding_a_commit_publish_kept_is_taken(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """A commit a refused push left (refs/edgemodels/unpushed/acm-dev, and the local
    branch) is kept by publish: it is no commit of the user's to lose."""
    hook = bare_repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    work = tmp_path / "work"
    args = (str(catalogue), *where(bare_repo), "--workdir", str(work))
    assert publish(capsys, *args)[0] == 2
    kept = git("-C", str(work), "rev-parse", "refs/edgemodels/unpushed/acm-dev")
    assert git("-C", str(work), "rev-parse", "acm-dev") == kept
    (work / OWNER_MARK).unlink()  # as an edgemodels without the mark left it
    hook.unlink()
    rc, _, err = publish(capsys, *args)
    assert rc == 0, err
    assert (work / OWNER_MARK).is_file()
    assert git("-C", str(work), "rev-parse", "refs/edgemodels/unpushed/acm-dev") == kept


def test_a_killed_run_in_publishs_own_clone_is_cleaned_up(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The clone publish made is marked, and what a killed run left there (a half-written
    tree, its marker) is discarded as before."""
    work = tmp_path / "work"
    args = (str(catalogue), *where(bare_repo), "--workdir", str(work))
    use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    assert publish(capsys, *args)[0] == 0
    assert (work / OWNER_MARK).is_file()
    (work / "deploy" / "half-written.yaml").write_text("kind: Half\n")
    (work / "deploy" / "README.md").write_text("half\n")
    (work / RUNNING).touch()
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, _, err = publish(capsys, *args)
    assert rc == 0, err
    assert not (work / "deploy" / "half-written.yaml").exists()
    assert not (work / RUNNING).exists()
    assert message(bare_repo).startswith("edgemodels: publish lrt: 1 upgraded")
    assert git("-C", str(work), "status", "--porcelain") == ""


def test_a_folder_that_is_no_clone_is_refused_and_left_as_it_was(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_bytes(b"mine\n")
    rc, _, err = publish(capsys, str(catalogue), *where(bare_repo), "--workdir", str(folder))
    assert rc == 2
    assert f"--workdir {folder} is neither empty nor a git clone" in err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_bytes() == b"mine\n"


@pytest.mark.parametrize("step", [checkout_branch, point_branch])
def test_no_clean_or_reset_in_a_clone_publish_did_not_take(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    step: Callable[[object, Destination, str | None], None],
) -> None:
    """The last guard, whatever way a clone reaches these steps (here: a new branch, which
    empties the work tree, or deletes the local branch)."""
    assert publish(capsys, str(catalogue), *where(bare_repo))[0] == 0
    clone = users_clone(tmp_path, bare_repo)
    (clone / "mine.txt").write_text("mine\n")
    before = snapshot(clone)
    dest = Destination(str(bare_repo), "acm-dev", "deploy")
    with pytest.raises(PublishError, match="edgemodels did not make this clone"):
        step(gitpython.Repo(str(clone)), dest, None)
    assert snapshot(clone) == before


def test_a_bare_workdir_names_itself_where_a_refused_commit_is_kept(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """A bare clone has no work tree: the commit is kept in its git folder (the message
    said "kept in None")."""
    assert publish(capsys, str(catalogue), *where(bare_repo))[0] == 0
    work = tmp_path / "work.git"
    git("clone", "-q", "--bare", str(bare_repo), str(work))
    hook = bare_repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, _, err = publish(capsys, str(catalogue), *where(bare_repo), "--workdir", str(work))
    assert rc == 2
    assert f"the commit is kept in {work} as refs/edgemodels/unpushed/acm-dev\n" in err
    assert message(work, "refs/edgemodels/unpushed/acm-dev").startswith("edgemodels:")
