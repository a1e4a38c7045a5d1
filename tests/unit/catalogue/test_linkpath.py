"""Following a link's path through folders outside the repository, as the OS does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edgemodels.catalogue.linkpath import enter_repository, outside_hop


@pytest.fixture
def top(tmp_path: Path) -> str:
    (tmp_path / "repo" / "shared").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "repo", tmp_path / "alias")
    os.symlink("loop-b", tmp_path / "loop-a")
    os.symlink("loop-a", tmp_path / "loop-b")
    return os.path.realpath(tmp_path / "repo")


@pytest.mark.parametrize(
    ("path", "rest"),
    [
        ("repo/shared/x.yaml", ["shared", "x.yaml"]),
        ("alias/shared", ["shared"]),
        ("elsewhere/../alias/./shared", ["shared"]),
        ("repo/../repo/shared", ["shared"]),  # in and out again: the OS's answer
        ("repo/../elsewhere/x.yaml", None),
        ("missing/../repo/shared", None),  # the OS stops at a folder that is not there
        ("loop-a/repo", None),
        ("elsewhere/x.yaml", None),
    ],
)
def test_enter_repository(top: str, path: str, rest: list[str] | None) -> None:
    outside = os.path.dirname(top)
    assert enter_repository("/", f"{outside}/{path}".split("/"), top) == rest


def test_outside_hop_names_the_link_that_leaves(tmp_path: Path, top: str) -> None:
    repo = Path(top)
    (repo / "cat").mkdir()
    os.symlink("../shared", repo / "cat" / "inside")
    os.symlink("../../alias/shared", repo / "cat" / "around")
    os.symlink("around", repo / "cat" / "via")
    os.symlink("x/../../repo/shared", repo / "cat" / "own-dots")
    os.symlink("inside", repo / "cat" / "x")
    assert os.path.realpath(repo / "cat" / "own-dots") == f"{top}/shared"
    assert outside_hop(repo / "cat" / "inside", top) is None
    assert outside_hop(repo / "cat" / "around", top) == (
        f"{top}/cat/around",
        "../../alias/shared",
    )
    assert outside_hop(repo / "cat" / "via", top) == (f"{top}/cat/around", "../../alias/shared")
    # the dots that climb out are the link's own, not those of the link it passes through
    assert outside_hop(repo / "cat" / "own-dots", top) == (
        f"{top}/cat/own-dots",
        "x/../../repo/shared",
    )
