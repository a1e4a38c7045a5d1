"""The inotify watch a resident server keeps on an output folder (edgemodels/watch.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from edgemodels import watch as watch_module
from edgemodels.watch import EVENT, IN_Q_OVERFLOW, Watch, unchanged


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for rel in ("README.md", "models/a/chart/Chart.yaml", "models/b/base/k.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    (tmp_path / ".edgemodels" / "staging" / "deep").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def watch(folder: Path) -> Iterator[Watch]:
    started = Watch.start(folder)
    if started is None:
        pytest.skip(f"no inotify watch on {folder} here")
    yield started
    started.close()


def test_nothing_changed_is_an_empty_set(watch: Watch) -> None:
    assert watch.changes() == set()


def test_edits_of_files_are_named(folder: Path, watch: Watch) -> None:
    (folder / "models/a/chart/Chart.yaml").write_text("edited\n")
    os.utime(folder / "README.md")
    (folder / "models/b/base/k.yaml").unlink()
    assert watch.changes() == {"models/a/chart/Chart.yaml", "README.md", "models/b/base/k.yaml"}
    assert watch.changes() == set()  # each change is told once


def test_a_new_folder_is_named_and_watched_from_then_on(folder: Path, watch: Watch) -> None:
    (folder / "models/c/chart").mkdir(parents=True)
    assert watch.changes() == {"models/c"}  # its own files were made before its watch
    (folder / "models/c/chart/Chart.yaml").write_text("x\n")
    assert "models/c/chart/Chart.yaml" in (watch.changes() or set())


def test_a_moved_folder_ends_the_watch(folder: Path, watch: Watch) -> None:
    """Its watch would go on naming the old path: nothing it says could be trusted."""
    (folder / "models/a").rename(folder / "models/z")
    assert watch.changes() is None
    assert watch.changes() is None


def test_the_folder_itself_removed_ends_the_watch(folder: Path, watch: Watch) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    folder.rmdir()
    assert watch.changes() is None


def test_dropped_events_end_the_watch(watch: Watch) -> None:
    watch._read(EVENT.pack(-1, IN_Q_OVERFLOW, 0, 0), set())
    assert watch.changes() is None


def test_the_state_folders_working_files_are_not_watched(folder: Path, watch: Watch) -> None:
    assert ".edgemodels" in watch.folders.values()
    assert not any(f.startswith(".edgemodels/") for f in watch.folders.values())
    (folder / ".edgemodels" / "staging" / "deep" / "f").write_text("x")
    assert watch.changes() == set()


def test_no_watch_on_a_network_filesystem(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "filesystem_type", lambda path: 0x6969)  # NFS
    assert Watch.start(folder) is None


def test_unchanged_takes_a_folder_for_all_below_it() -> None:
    clean = unchanged({"models/a", "README.md"})
    assert not clean("models/a/chart/Chart.yaml")
    assert not clean("README.md")
    assert clean("models/ab/chart/Chart.yaml")
    assert clean("models/b/base/k.yaml")
