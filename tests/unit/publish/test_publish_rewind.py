"""A rollback by `git reset` and a force-push on the deploy branch: a --workdir clone that
fetched the branch before knows the publish that left it, so the next publish does not put
back what the rollback undid unless the catalogue says so or --force is given, nor keeps
that publish as a commit it could not push. Over git:// from a git daemon."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Daemon, git
from .test_publish import message, publish, set_version
from .test_publish_rollback import show


def reset_to_previous(tmp_path: Path, url: str) -> str:
    """The operator's rollback of the last publish: reset and force-pushed; its subject."""
    clone = tmp_path / "operator"
    git("clone", "-q", "--branch", "acm-dev", url, str(clone))
    dropped = git("-C", str(clone), "log", "-1", "--format=%h %s")
    git("-C", str(clone), "reset", "-q", "--hard", "HEAD~1")
    git("-C", str(clone), "push", "-q", "--force", "origin", "acm-dev")
    return dropped


def test_a_reset_seen_by_the_workdir_is_not_undone_by_the_next_publish(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path
) -> None:
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    workdir = tmp_path / "work"
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--workdir", str(workdir))
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")  # the bad publish
    assert publish(capsys, *args)[0] == 0
    dropped = reset_to_previous(tmp_path, url)
    assert "version: 1.4.2" in show(daemon, "models/sktime/chart/Chart.yaml")
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")  # merged later
    for _ in range(2):  # the refusal is not forgotten once the clone has fetched the reset
        rc, out, err = publish(capsys, *args)
        assert rc == 1, out + err
        at = f"{url}@acm-dev:models/sktime/chart/Chart.yaml:1:1: D301 "
        assert at in out and f"({dropped})" in out, out
        assert "reset and force-pushed" in out and "publishing would put back" in out
        assert "paint-inspector" not in out
        assert message(daemon.base / "deploy.git").startswith("edgemodels: publish lrt: 4 added")
    unpushed = git("-C", str(workdir), "for-each-ref", "refs/edgemodels/unpushed")
    assert unpushed == ""  # the dropped publish was pushed once: not "not pushed"
    # The catalogue makes the rollback too: the publish goes ahead, sktime stays 1.4.2.
    set_version(catalogue, "sktime", "1.5.0", "1.4.2")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "version: 1.4.2" in show(daemon, "models/sktime/chart/Chart.yaml")
    assert "upgraded paint-inspector 2.1.0 -> 2.2.0" in message(daemon.base / "deploy.git")


def test_force_undoes_a_reset_and_a_temporary_clone_cannot_tell(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path
) -> None:
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    workdir = tmp_path / "work"
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev")
    assert publish(capsys, *args, "--workdir", str(workdir))[0] == 0
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args, "--workdir", str(workdir))[0] == 0
    reset_to_previous(tmp_path, url)
    rc, out, err = publish(capsys, *args, "--workdir", str(workdir), "--force")
    assert rc == 0, out + err
    assert "version: 1.5.0" in show(daemon, "models/sktime/chart/Chart.yaml")
    assert publish(capsys, *args, "--workdir", str(workdir))[0] == 0  # nothing left to say
    reset_to_previous(tmp_path / "again", url)
    rc, out, err = publish(capsys, *args)  # no history of the branch: it goes ahead
    assert rc == 0 and "upgraded sktime 1.4.2 -> 1.5.0" in out, out + err


def test_a_branch_made_anew_is_no_rollback(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path
) -> None:
    """The branch deleted and started again from a commit of its own shares no history with
    what the clone saw: publish writes the tree there as on any branch."""
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    workdir = tmp_path / "work"
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--workdir", str(workdir))
    assert publish(capsys, *args)[0] == 0
    fresh = tmp_path / "fresh"
    git("init", "-q", "-b", "acm-dev", str(fresh))
    (fresh / "NOTES.md").write_text("deploy branch\n")
    git("-C", str(fresh), "add", "-A")
    git("-C", str(fresh), "commit", "-q", "-m", "start again")
    git("-C", str(fresh), "push", "-q", "--force", url, "acm-dev")
    rc, out, err = publish(capsys, *args)
    assert rc == 0 and "D301" not in out, out + err
    assert "NOTES.md" in git("--git-dir", str(daemon.base / "deploy.git"), "ls-tree", "acm-dev")
