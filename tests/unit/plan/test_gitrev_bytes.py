"""The files of the catalogue at a revision are read from git objects into memory; on disk
each is a stand-in, for the walk: one empty file hard-linked at every path (a link costs a
folder entry, a new file an inode too). Real temporary repositories."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from edgemodels.catalogue.walk import discover
from edgemodels.plan import gittree
from edgemodels.plan.gitrev import catalogue_at

from .gitrepo import example_repo, git
from .test_gitrev_files import changes, commit, link_sktime


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = example_repo(tmp_path)
    link_sktime(root, "../../shared/sktime.yaml")  # a file reached through a link too
    commit(root)
    return root


def test_the_files_at_a_revision_are_read_from_git(repo: Path) -> None:
    with catalogue_at(repo / "catalogue", "HEAD") as snapshot:
        assert snapshot.path is not None
        files = discover(snapshot.path).files
        read = {os.path.relpath(p, snapshot.path): snapshot.bytes_of(p) for p in files}
        inodes = {os.stat(p).st_ino for p in files}
    assert "models/sktime.yaml" in read
    for name, raw in read.items():
        at = "shared/sktime.yaml" if name == "models/sktime.yaml" else f"catalogue/{name}"
        assert raw == (repo / at).read_bytes(), name
    assert len(inodes) == 1  # one stand-in for them all


def test_where_hard_links_fail_the_files_are_written(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file system without hard links (or with no more to the stand-in) gets each file
    written out, and the base reads the same."""
    bump = repo / "shared" / "sktime.yaml"
    bump.write_text(bump.read_text().replace("1.4.2", "1.5.0"))
    linked = changes(repo)

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EMLINK, "Too many links")

    monkeypatch.setattr(gittree.os, "link", refuse)
    with catalogue_at(repo / "catalogue", "HEAD") as snapshot:
        assert snapshot.path is not None
        written = snapshot.path / "models" / "sktime.yaml"
        assert written.read_bytes() == git(repo, "show", "HEAD:shared/sktime.yaml").encode() + b"\n"
    assert changes(repo) == linked
    assert linked[0]["lrt-site-01"] == [("sktime", "upgraded")]
