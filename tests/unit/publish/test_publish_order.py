"""Publish does not roll the deploy branch back to an older catalogue unasked (D308): an
older commit's CI pipeline that runs after a newer one's, or a clone that was not pulled,
would undo the newer publish on every site. Catalogues in real git repositories, the
deploy repository served by a git daemon."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Daemon, git
from .test_publish import message, publish, set_version


def commit(catalogue: Path, said: str) -> str:
    git("add", "-A", cwd=catalogue)
    git("commit", "-q", "-m", said, cwd=catalogue)
    return git("rev-parse", "HEAD", cwd=catalogue)


@pytest.fixture
def history(catalogue: Path) -> tuple[str, str]:
    """The catalogue's commits: sktime 1.4.2, then 1.5.0 (checked out)."""
    git("init", "-q", "-b", "main", cwd=catalogue)
    old = commit(catalogue, "catalogue")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    return old, commit(catalogue, "sktime 1.5.0")


def test_an_older_catalogue_does_not_publish_over_a_newer_one(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    daemon: Daemon,
    history: tuple[str, str],
) -> None:
    old, new = history
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    pushed = message(daemon.base / "deploy.git")
    git("checkout", "-q", "--detach", old, cwd=catalogue)  # the older pipeline's checkout
    rc, out, err = publish(capsys, *args)
    assert rc == 1, out + err
    at = f"{url}@acm-dev:deploy/.edgemodels/manifest.json:1:1: D308 "
    assert at in out and f"at {old[:12]}, an older commit than" in out and new[:12] in out
    assert message(daemon.base / "deploy.git") == pushed  # nothing pushed
    assert publish(capsys, *args, "--dry-run")[0] == 1
    rc, out, _ = publish(capsys, *args, "--force")  # a rollback on purpose
    assert rc == 0
    assert "downgraded sktime 1.5.0 -> 1.4.2" in message(daemon.base / "deploy.git")
    # The newer commit includes the older one: it goes ahead.
    git("checkout", "-q", "main", cwd=catalogue)
    rc, out, _ = publish(capsys, *args)
    assert rc == 0 and "upgraded sktime 1.4.2 -> 1.5.0" in out


def test_an_older_pipeline_that_came_second_passes_as_superseded(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    daemon: Daemon,
    history: tuple[str, str],
) -> None:
    """GitLab's resource_group runs one publish at a time, in any order: the older commit's
    pipeline may come second. With --skip-superseded (the CI files pass it) it publishes
    nothing and passes; without, it is D308, which names the option."""
    old, new = history
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--skip-superseded")
    assert publish(capsys, *args)[0] == 0
    pushed = message(daemon.base / "deploy.git")
    git("checkout", "-q", "--detach", old, cwd=catalogue)
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "acm-dev at /: superseded, nothing to publish" in out
    assert f"last published from catalogue commit {new[:12]}, which includes this one" in out
    assert message(daemon.base / "deploy.git") == pushed
    rc, out, _ = publish(capsys, *args, "--format", "json")
    report = json.loads(out)["publish"]
    assert rc == 0 and (report["status"], report["supersededBy"]) == ("superseded", new)
    rc, out, _ = publish(capsys, *args[:-1])
    assert rc == 1 and "in CI, where a newer commit's pipeline published first" in out
    assert "--skip-superseded publishes nothing and passes" in out
    # Another line of history is not superseded: nothing on the branch holds its change.
    git("checkout", "-q", "-b", "other", old, cwd=catalogue)
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    commit(catalogue, "paint-inspector 2.2.0")
    rc, out, _ = publish(capsys, *args)
    assert rc == 1 and "another line of history" in out and "--skip-superseded" not in out
    assert message(daemon.base / "deploy.git") == pushed


def test_another_line_of_history_does_not_publish_over_the_branch(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    daemon: Daemon,
    history: tuple[str, str],
) -> None:
    """Two clones that each committed a change: the second one's publish would drop the
    first one's change, which its catalogue does not hold (it said only "settings changed")."""
    old, new = history
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    git("checkout", "-q", "-b", "other", old, cwd=catalogue)
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    ours = commit(catalogue, "paint-inspector 2.2.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 1, out + err
    assert f"at {ours[:12]}, another line of history than the commit" in out and new[:12] in out


def test_a_source_commit_the_catalogue_repository_lacks_is_a_warning(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    daemon: Daemon,
    history: tuple[str, str],
    tmp_path: Path,
) -> None:
    """A shallow CI clone, or another clone's commit not fetched: it cannot be told, so
    publish goes ahead as before, and says so (a clone that was not pulled would undo the
    other's change: two clones publishing at once)."""
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev")
    moved = tmp_path / "moved"
    git("clone", "-q", "--depth", "1", f"file://{catalogue}", str(moved))
    git("-C", str(catalogue), "commit", "-q", "--amend", "-m", "rewritten")
    assert publish(capsys, *args)[0] == 0  # from a commit the shallow clone never had
    set_version(moved, "paint-inspector", "2.1.0", "2.2.0")
    commit(moved, "paint-inspector 2.2.0")
    where = (str(moved), "--repo", url, "--branch", "acm-dev")
    rc, out, err = publish(capsys, *where, "--dry-run")
    assert rc == 0, out + err
    published = git("rev-parse", "HEAD", cwd=catalogue)
    assert "acm-dev:.edgemodels/manifest.json:1:1: D308 [warning] the branch was last" in out
    assert f"from catalogue commit {published[:12]}, which the catalogue's repository" in out
    rc, out, err = publish(capsys, *where, "--format", "json")
    assert rc == 0 and json.loads(out)["publish"]["status"] == "published"
    # and the hub and delivery guards, which run without -i, could not read it: the same
    # warning says so, as one cause is one finding
    [found] = json.loads(out)["findings"]
    assert (found["code"], found["severity"]) == ("D308", "warning")
    assert (
        "so the hub-moved, delivery-switched and placements-unbound guards (D116, D118, D137)"
        " are not run" in (found["message"])
    )
