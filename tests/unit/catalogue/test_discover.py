"""discover() walks with os.scandir; pathlib's rglob, which it replaced, is the oracle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edgemodels.catalogue.sources import GENERATED_MARK, discover
from edgemodels.errors import InputError


def rglob_discover(path: Path) -> tuple[list[Path], list[Path]]:
    """The walk as it was written with pathlib (kept here as the reference)."""
    candidates, generated = [], set()
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path)
        if rel.parts[-2:] == GENERATED_MARK and p.is_file():
            generated.add(rel.parent.parent)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.suffix in (".yaml", ".yml") and p.is_file():
            candidates.append((p, rel))
    found = [p for p, rel in candidates if not generated.intersection(rel.parents)]
    return found, [path / rel for rel in sorted(generated)]


def _touch(root: Path, rel: str, text: str = "a: 1\n") -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    root = tmp_path / "cat"
    for rel in (
        "catalogue.yaml",
        "a-b.yaml",  # '-' sorts before '/' as a string, after "a" as a path part
        "a/b.yaml",
        "a/c.yml",
        "a/notes.txt",
        "a/deep/er/z.yaml",
        "B.yaml",
        ".hidden.yaml",
        "sub/.also-hidden/x.yaml",
        "deploy/.edgemodels/manifest.json",
        "deploy/models/m/chart/Chart.yaml",
        "deploy/inner/.edgemodels/manifest.json",
        "other/.edgemodels/not-a-manifest.json",
        "other/kept.yaml",
    ):
        _touch(root, rel)
    (root / "dir.yaml").mkdir()  # a folder named like a file
    os.symlink(root / "a" / "b.yaml", root / "link.yaml")  # a second path to a/b.yaml
    outside = tmp_path / "outside"
    _touch(outside, "far.yaml")
    os.symlink(outside, root / "linked-folder")  # followed
    os.symlink(root / "missing.yaml", root / "dangling.yaml")
    return root


def test_the_same_files_in_the_same_order_as_pathlib(catalogue: Path) -> None:
    found, skipped, unread, linked, through, _ = discover(catalogue)
    old_found, old_skipped = rglob_discover(catalogue)
    # pathlib's rglob does not follow the link to a folder, the walk does; and rglob read
    # a/b.yaml twice, by its name and by a link to it
    assert [p for p in found if p not in through] == [
        p for p in old_found if p != catalogue / "link.yaml"
    ]
    assert sorted(through) == [catalogue / "linked-folder" / "far.yaml"]
    # pathlib also named the generated tree nested in the first; the outer one says it all
    assert skipped == [catalogue / "deploy"]
    assert old_skipped == [catalogue / "deploy", catalogue / "deploy" / "inner"]
    assert [p.relative_to(catalogue).as_posix() for p in found] == [
        "B.yaml",
        "a/b.yaml",
        "a/c.yml",
        "a/deep/er/z.yaml",
        "a-b.yaml",
        "catalogue.yaml",
        "linked-folder/far.yaml",
        "other/kept.yaml",
    ]
    # what the walk did not read is named, for the loader to report (Y016)
    assert unread == [catalogue / "dangling.yaml"]
    assert linked == [catalogue / "link.yaml", catalogue / "linked-folder"]


def test_a_catalogue_folder_that_is_a_generated_tree_reads_nothing(tmp_path: Path) -> None:
    _touch(tmp_path, "x.yaml")
    _touch(tmp_path, ".edgemodels/manifest.json", "{}")
    assert discover(tmp_path)[:2] == rglob_discover(tmp_path) == ([], [tmp_path])


def test_hidden_folders_are_not_walked(tmp_path: Path) -> None:
    _touch(tmp_path, "m.yaml")
    _touch(tmp_path, ".git/objects/.edgemodels/manifest.json", "{}")
    # pathlib walked into .git (thousands of files in a repository) and named what it met
    assert rglob_discover(tmp_path)[1] == [tmp_path / ".git" / "objects"]
    assert discover(tmp_path)[:4] == ([tmp_path / "m.yaml"], [], [], [])


def test_a_single_file_and_missing_paths(tmp_path: Path) -> None:
    _touch(tmp_path, "one.yaml")
    assert discover(tmp_path / "one.yaml")[:4] == ([tmp_path / "one.yaml"], [], [], [])
    with pytest.raises(InputError, match="no such file"):
        discover(tmp_path / "nope")


def test_too_many_files_names_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("edgemodels.catalogue.walk.MAX_FILES", 2)
    for name in ("a", "b", "c"):
        _touch(tmp_path, f"x/{name}.yaml")
    with pytest.raises(InputError, match=f"^{tmp_path}: more than 2 YAML files"):
        discover(tmp_path)


def test_links_that_reach_a_folder_many_ways_walk_it_once(tmp_path: Path) -> None:
    """Two links from each folder to the next: 2**20 paths to the last folder, each real
    folder walked once, each file read once, by the first path in the catalogue's order."""
    for level in range(21):
        _touch(tmp_path, f"d{level}/f{level}.yaml")
        if level < 20:
            for name in ("a", "b"):
                os.symlink(f"../d{level + 1}", tmp_path / f"d{level}" / name)
    root = tmp_path / "d0"
    found = discover(root)
    assert len(found.files) == 21
    assert found.files[0] == root.joinpath(*["a"] * 20, "f20.yaml")  # "a" sorts first
    assert found.unread == []
    assert len(found.linked) == 40  # every link is followed; its folder is walked once


def test_a_link_to_an_ancestor_is_unread_and_the_walk_ends(tmp_path: Path) -> None:
    _touch(tmp_path, "cat/m.yaml")
    os.symlink("..", tmp_path / "cat" / "up")
    os.symlink("../..", tmp_path / "cat" / "upper")
    _touch(tmp_path, "cat/sub/n.yaml")
    os.symlink("../../cat", tmp_path / "cat" / "sub" / "back")
    _touch(tmp_path, "other/o.yaml")
    os.symlink("../../other", tmp_path / "cat" / "sub" / "side")  # no loop: followed
    found = discover(tmp_path / "cat")
    assert found.files == [
        tmp_path / "cat" / p for p in ("m.yaml", "sub/n.yaml", "sub/side/o.yaml")
    ]
    assert found.unread == [tmp_path / "cat" / p for p in ("sub/back", "up", "upper")]
