"""A publish from a commit that left the catalogue's folder as the last publish's commit had
it (the same tree object, no symlink or submodule in it) reads no history: the guards would
compare the catalogue with itself. A symlink may lead out of the folder, and the limits of
reading a revision may refuse it: then the last publish's catalogue is read as before.
Catalogues in real git repositories, a bare deploy repository on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import git
from .test_publish import publish
from .test_publish_hub_guards import SITES, edit
from .test_publish_order import commit


def publish_then_commit_beside(
    capsys: pytest.CaptureFixture[str], repo: Path, bare_repo: Path
) -> tuple[str, ...]:
    """Published once, then a commit outside the catalogue: the publish arguments."""
    args = (str(repo / "catalogue"), "--repo", str(bare_repo), "--branch", "acm-dev")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    (repo / "README.md").write_text("models\n")
    commit(repo, "a readme")
    return args


def unread(*args: object) -> None:
    raise AssertionError("the base catalogue was read")


def test_a_commit_that_left_the_catalogue_alone_reads_no_base(
    capsys: pytest.CaptureFixture[str],
    in_folder: Path,
    bare_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = publish_then_commit_beside(capsys, in_folder, bare_repo)
    with monkeypatch.context() as patched:
        patched.setattr("edgemodels.publishremovals.base_catalogue", unread)
        rc, out, err = publish(capsys, *args, "-i", str(SITES), "--dry-run")
        assert rc == 0 and "D309" not in out, out + err
        rc, out, err = publish(capsys, *args, "--dry-run")
        assert rc == 0 and "D309" not in out, out + err
    edit(in_folder / "catalogue" / "catalogue.yaml", "  name: lrt\n", "  name: lrt-2\n")
    commit(in_folder, "rename")  # the folder changed: read, and the guard fires
    rc, out, err = publish(capsys, *args, "--dry-run")
    assert rc == 1 and "D116 the hub side moves" in out, out + err


def test_a_file_linked_from_outside_the_folder_is_read_again(
    capsys: pytest.CaptureFixture[str], in_folder: Path, bare_repo: Path
) -> None:
    """catalogue.yaml links to settings/: its edit leaves the folder's tree as it was."""
    (in_folder / "settings").mkdir()
    settings = in_folder / "settings" / "catalogue.yaml"
    (in_folder / "catalogue" / "catalogue.yaml").rename(settings)
    os.symlink("../settings/catalogue.yaml", in_folder / "catalogue" / "catalogue.yaml")
    commit(in_folder, "settings shared")
    args = (str(in_folder / "catalogue"), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    tree = git("rev-parse", "HEAD:catalogue", cwd=in_folder)
    edit(settings, "  name: lrt\n", "  name: lrt-2\n")
    commit(in_folder, "rename")
    assert git("rev-parse", "HEAD:catalogue", cwd=in_folder) == tree
    rc, out, err = publish(capsys, *args, "--dry-run")
    assert rc == 1 and "D116 the hub side moves" in out, out + err


def test_a_folder_over_the_limits_is_read_and_said_unread(
    capsys: pytest.CaptureFixture[str],
    in_folder: Path,
    bare_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the last publish's catalogue fails at the limits: said, as before."""
    args = publish_then_commit_beside(capsys, in_folder, bare_repo)
    monkeypatch.setattr("edgemodels.plan.gittree.MAX_FILES", 2)
    rc, out, err = publish(capsys, *args, "--dry-run")
    assert rc == 0 and "D309 [info] the catalogue at commit" in out, out + err
    assert "more than 2 files" in out
