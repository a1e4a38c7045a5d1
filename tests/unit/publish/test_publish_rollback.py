"""A rollback made by hand on the deploy branch (`git revert` of a bad publish): the next
publish does not put back what it undid unless the catalogue says so or --force is given.
Over git:// from a git daemon, from objects and through a checkout (a commit hook)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Daemon, git
from .test_publish import message, publish, set_version
from .test_publish_objects import commit_hooks, use_config


@pytest.fixture(params=["objects", "checkout"])
def way(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "checkout":
        use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    return str(request.param)


def revert_head(tmp_path: Path, url: str) -> str:
    """The operator's rollback of the last publish, pushed; the revert's short id."""
    clone = tmp_path / "operator"
    git("clone", "-q", "--branch", "acm-dev", url, str(clone))
    git("-C", str(clone), "revert", "--no-edit", "HEAD")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    return git("-C", str(clone), "rev-parse", "--short=7", "HEAD")


def show(daemon: Daemon, path: str) -> str:
    return git("--git-dir", str(daemon.base / "deploy.git"), "show", f"acm-dev:{path}")


def test_a_revert_on_the_branch_is_not_undone_by_the_next_publish(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path, way: str
) -> None:
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")  # the bad publish
    assert publish(capsys, *args)[0] == 0
    revert = revert_head(tmp_path, url)
    assert "version: 1.4.2" in show(daemon, "deploy/models/sktime/chart/Chart.yaml")
    # An unrelated change merged later: sktime's files would go back to 1.5.0 unseen.
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 1, out + err
    at = f"{url}@acm-dev:deploy/models/sktime/chart/Chart.yaml:1:1: D301 "
    assert at in out and f"({revert} Revert " in out and "publishing would put back" in out
    assert "paint-inspector" not in out  # its files are the catalogue's change
    assert message(daemon.base / "deploy.git").startswith("Revert ")  # nothing pushed
    assert publish(capsys, *args, "--dry-run")[0] == 1
    # The catalogue makes the rollback too: the publish goes ahead, sktime stays 1.4.2.
    set_version(catalogue, "sktime", "1.5.0", "1.4.2")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert message(daemon.base / "deploy.git").startswith("edgemodels: publish lrt: 1 upgraded\n")
    assert "version: 1.4.2" in show(daemon, "deploy/models/sktime/chart/Chart.yaml")
    assert "version: 2.2.0" in show(daemon, "deploy/models/paint-inspector/chart/Chart.yaml")


def test_force_undoes_a_revert_and_the_commit_says_so(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path, way: str
) -> None:
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args)[0] == 0
    revert_head(tmp_path, url)
    rc, out, err = publish(capsys, *args, "--force")
    assert rc == 0, out + err
    text = message(daemon.base / "deploy.git")
    assert "Hand edits discarded (--force)" in text and "  models/sktime/chart/Chart.yaml\n" in text
    assert "version: 1.5.0" in show(daemon, "models/sktime/chart/Chart.yaml")
    # Published over the revert: the next publish has nothing in its way.
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    assert publish(capsys, *args)[0] == 0


def test_a_fix_after_the_revert_goes_ahead(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path, way: str
) -> None:
    """Files the catalogue now makes otherwise than the reverted publish are its change."""
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    assert publish(capsys, *args)[0] == 0
    revert_head(tmp_path, url)
    set_version(catalogue, "paint-inspector", "2.2.0", "2.2.1")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "upgraded paint-inspector 2.1.0 -> 2.2.1" in message(daemon.base / "deploy.git")
