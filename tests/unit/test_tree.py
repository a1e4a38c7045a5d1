"""Ownership, atomic writes, recovery and locking of the generated tree (tree.py,
treemanifest.py, treeplan.py, folderplan.py, treewrite.py)."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgemodels import treelock, treewrite
from edgemodels.errors import OutputError
from edgemodels.folderplan import plan_tree
from edgemodels.tree import (
    _PLAIN_PATH,
    JOURNAL_PATH,
    LOCK_PATH,
    MANIFEST_PATH,
    STAGING_DIR,
    FileTree,
    check_path,
    unsafe_path,
)
from edgemodels.treejournal import recover
from edgemodels.treemanifest import Provenance, _manifest_json, finalize_tree, read_manifest
from edgemodels.treewrite import write_tree

PROV = Provenance("0.0.0", "cat", "sha256:x")


def tree(files: dict[str, str]) -> FileTree:
    return finalize_tree({p: t.encode() for p, t in files.items()}, PROV)


V1 = {"README.md": "one\n", "models/a/x.yaml": "a1\n", "models/b/y.yaml": "b1\n"}
V2 = {"README.md": "two\n", "models/a/x.yaml": "a1\n", "models/c/z.yaml": "c1\n"}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (lock file excluded), by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.relative_to(root).as_posix() != LOCK_PATH
    }


def test_first_write_adds_everything_and_records_ownership(tmp_path: Path) -> None:
    out = tmp_path / "out"
    plan = write_tree(out, tree(V1))
    assert set(plan.added) == set(tree(V1))
    assert snapshot(out) == tree(V1)
    owned = read_manifest(out).files
    assert set(owned) == set(tree(V1)) - {MANIFEST_PATH}


def test_rewriting_the_same_tree_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    before = {p: os.stat(out / p).st_mtime_ns for p in tree(V1)}
    os.utime(out / "README.md", ns=(1, 1))  # an old mtime would show any rewrite
    plan = write_tree(out, tree(V1))
    assert not plan.differs and plan.unchanged == len(tree(V1))
    assert os.stat(out / "README.md").st_mtime_ns == 1
    assert {p: os.stat(out / p).st_mtime_ns for p in tree(V1) if p != "README.md"} == {
        p: t for p, t in before.items() if p != "README.md"
    }


def test_changes_and_removals_are_applied_and_empty_folders_pruned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    plan = write_tree(out, tree(V2))
    assert plan.added == ("models/c/z.yaml",)
    assert set(plan.changed) == {"README.md", MANIFEST_PATH}
    assert plan.removed == ("models/b/y.yaml",)
    assert snapshot(out) == tree(V2)
    assert not (out / "models" / "b").exists()


def test_files_not_written_by_edgemodels_are_never_touched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "models" / "b").mkdir(parents=True)
    (out / "models" / "b" / "notes.txt").write_text("mine")
    (out / "mine.yaml").write_text("mine")
    write_tree(out, tree(V1))
    write_tree(out, tree(V2))  # removes models/b/y.yaml; its folder holds a user file
    assert (out / "models" / "b" / "notes.txt").read_text() == "mine"
    assert (out / "mine.yaml").read_text() == "mine"
    write_tree(out, finalize_tree({}, PROV))
    assert (out / "mine.yaml").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == [".edgemodels", "mine.yaml", "models"]


def test_an_unowned_file_in_the_way_is_refused_even_with_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("the repository's own readme")
    for force in (False, True):
        plan = write_tree(out, tree(V1), force=force)
        assert [(c.path, c.kind) for c in plan.conflicts] == [("README.md", "unowned")]
        assert (out / "README.md").read_text() == "the repository's own readme"
        assert not (out / "models").exists()  # nothing written at all


def test_an_identical_unowned_file_is_adopted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("one\n")
    plan = write_tree(out, tree(V1))
    assert not plan.conflicts and "README.md" in read_manifest(out).files


def test_a_hand_edit_is_reported_and_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    (out / "README.md").write_text("edited by hand\n")
    plan = write_tree(out, tree(V2))
    assert [(c.path, c.kind) for c in plan.conflicts] == [("README.md", "hand-edited")]
    assert (out / "README.md").read_text() == "edited by hand\n"
    assert (out / "models" / "b" / "y.yaml").exists()  # all or nothing
    plan = write_tree(out, tree(V2), force=True)
    assert plan.overwritten == ("README.md",)
    assert snapshot(out) == tree(V2)


def test_crlf_line_ends_alone_are_no_hand_edit(tmp_path: Path) -> None:
    """A generated file saved with CRLF (a Windows editor, a checkout with core.autocrlf)
    edits nothing: it is written again as generated, or removed when no longer generated.
    An edit saved with CRLF is an edit all the same."""
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    for path in ("README.md", "models/b/y.yaml"):
        (out / path).write_bytes((out / path).read_bytes().replace(b"\n", b"\r\n"))
    plan = write_tree(out, tree(V1))
    assert not plan.conflicts and plan.changed == ("README.md", "models/b/y.yaml")
    assert snapshot(out) == tree(V1)
    (out / "models" / "b" / "y.yaml").write_bytes(b"b1\r\n")
    plan = write_tree(out, tree(V2))
    assert not plan.conflicts and plan.removed == ("models/b/y.yaml",)
    (out / "README.md").write_bytes(b"two\r\nedited\r\n")
    plan = write_tree(out, tree(V1))
    assert [(c.path, c.kind) for c in plan.conflicts] == [("README.md", "hand-edited")]


def test_a_hand_edited_file_that_is_no_longer_generated_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    (out / "models" / "b" / "y.yaml").write_text("local change\n")
    plan = write_tree(out, tree(V2))
    assert [(c.path, c.kind) for c in plan.conflicts] == [("models/b/y.yaml", "hand-edited")]
    assert write_tree(out, tree(V2), force=True).removed == ("models/b/y.yaml",)


def test_an_edit_back_to_the_generated_content_is_no_conflict(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    (out / "README.md").write_text("two\n")  # exactly what V2 generates
    assert not write_tree(out, tree(V2)).conflicts


def test_a_deleted_generated_file_is_written_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    (out / "models" / "a" / "x.yaml").unlink()
    assert write_tree(out, tree(V1)).added == ("models/a/x.yaml",)


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "models").symlink_to(elsewhere)
    plan = write_tree(out, tree(V1))
    assert {c.path for c in plan.conflicts} == {"models/a/x.yaml", "models/b/y.yaml"}
    assert {c.kind for c in plan.conflicts} == {"blocked"}
    assert list(elsewhere.iterdir()) == []


def test_a_symlink_replacing_a_generated_file_is_a_hand_edit(tmp_path: Path) -> None:
    out, target = tmp_path / "out", tmp_path / "target.txt"
    target.write_text("keep me")
    write_tree(out, tree(V1))
    (out / "README.md").unlink()
    (out / "README.md").symlink_to(target)
    assert [c.kind for c in write_tree(out, tree(V2)).conflicts] == ["hand-edited"]
    write_tree(out, tree(V2), force=True)
    assert not (out / "README.md").is_symlink() and (out / "README.md").read_text() == "two\n"
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a//b",
        "a/./b",
        ".git/config",
        "a/.git/hooks/x",
        ".edgemodels/lock",
        "a\\b",
        "a\x00b",
        "x/" + "y" * 300,
    ],
)
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(OutputError):
        check_path(path)


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["", ".", "..", ".git", ".edgemodels", "manifest.json", "-x"]),
            st.text(alphabet="ab.-_/\\\x00\u00e9", max_size=12),
            st.integers(200, 300).map(lambda n: "y" * n),
        ),
        min_size=1,
        max_size=6,
    ).map("/".join)
)
def test_the_quick_accept_of_plain_paths_agrees_with_the_whole_test(path: str) -> None:
    if _PLAIN_PATH.fullmatch(path) and len(path) <= 1024:
        assert not unsafe_path(path)
    try:
        check_path(path)
    except OutputError:
        assert unsafe_path(path)
    else:
        assert not unsafe_path(path)


def test_a_tampered_manifest_cannot_make_edgemodels_delete_outside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    write_tree(out, tree(V1))
    doc = json.loads((out / MANIFEST_PATH).read_text())
    doc["files"]["../victim.txt"] = "0" * 64
    (out / MANIFEST_PATH).write_text(json.dumps(doc))
    with pytest.raises(OutputError, match="unsafe"):
        write_tree(out, tree(V2))
    assert victim.read_text() == "precious"


def test_a_damaged_manifest_stops_the_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    (out / MANIFEST_PATH).write_text("{not json")
    with pytest.raises(OutputError, match="damaged"):
        write_tree(out, tree(V2))


def test_a_second_run_on_the_same_folder_stops_with_a_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    fd = os.open(out / LOCK_PATH, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(OutputError, match="another edgemodels run"):
            write_tree(out, tree(V2))
    finally:
        os.close(fd)
    assert snapshot(out) == tree(V1)


def test_a_folder_written_nothing_keeps_nothing_of_edgemodels(tmp_path: Path) -> None:
    """`generate -o ~/notes` by mistake: a file in the way stops the run (D302), and the
    folder is left as it was, without a `.edgemodels/lock` of a run that wrote nothing."""
    out = tmp_path / "notes"
    out.mkdir()
    (out / "README.md").write_text("mine\n")
    assert [c.kind for c in write_tree(out, tree(V1)).conflicts] == ["unowned"]
    assert sorted(p.name for p in out.iterdir()) == ["README.md"]


def test_a_new_folder_interrupted_before_writing_is_not_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "new" / "out"

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(treewrite, "plan_tree", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, tree(V1))
    assert not (tmp_path / "new").exists()  # both made by the run, both removed
    (tmp_path / "kept").mkdir()
    with pytest.raises(KeyboardInterrupt):
        write_tree(tmp_path / "kept" / "out", tree(V1))
    assert list((tmp_path / "kept").iterdir()) == []  # a folder it did not make stays


def test_a_lock_file_removed_while_waiting_is_not_taken_as_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that found no tree removes its lock file; one that opened that file before is
    not holding the folder's lock when it gets it, as a third run makes a new file."""
    out = tmp_path / "out"
    out.mkdir()
    real_flock, removed = fcntl.flock, []

    def flock_after_removal(fd: int, op: int) -> None:
        if not removed:
            removed.append(True)
            os.unlink(out / LOCK_PATH)  # what the run holding it did meanwhile
        real_flock(fd, op)

    monkeypatch.setattr(treelock.fcntl, "flock", flock_after_removal)
    write_tree(out, tree(V1))
    assert removed and snapshot(out) == tree(V1)
    assert (out / LOCK_PATH).is_file()  # a folder holding a tree keeps it


def test_a_state_folder_removed_before_the_lock_file_is_opened_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between making .edgemodels/ and opening its lock file, a run that wrote no tree
    removed both: this run makes them again rather than failing with "cannot open"."""
    out = tmp_path / "out"
    real_open, removed = os.open, []

    def open_after_removal(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith(LOCK_PATH) and not removed:
            removed.append(True)
            os.rmdir(out / ".edgemodels")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(treewrite.os, "open", open_after_removal)
    write_tree(out, tree(V1))
    assert removed and snapshot(out) == tree(V1)


def test_interrupted_while_staging_leaves_the_previous_tree_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    before = snapshot(out)
    real_open, calls = os.open, []

    def failing_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if STAGING_DIR in str(path):
            calls.append(path)
            if len(calls) == 2:
                raise KeyboardInterrupt
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(treewrite.os, "open", failing_open)
    with pytest.raises(KeyboardInterrupt):
        write_tree(out, tree(V2))
    monkeypatch.undo()
    assert snapshot(out) == before  # the staged files went with the interruption
    assert not (out / STAGING_DIR).exists()
    write_tree(out, tree(V2))
    assert snapshot(out) == tree(V2)  # leftovers of the staging area are gone


@pytest.fixture
def locked_folder() -> Iterator[Callable[[Path], None]]:
    """Makes a folder refuse new and removed files to this process: immutable (chattr +i,
    which stops root too), else read-only for a user other than root."""
    locked: list[Path] = []

    def lock(folder: Path) -> None:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
        if done.returncode != 0:
            if os.geteuid() == 0:
                pytest.skip("chattr +i does not work here and root ignores permissions")
            folder.chmod(0o555)
        locked.append(folder)

    yield lock
    for folder in locked:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
        folder.chmod(0o755)


def test_an_unwritable_folder_is_refused_before_anything_changes(
    tmp_path: Path, locked_folder: Callable[[Path], None]
) -> None:
    """A folder the commit cannot rename into used to stop it half-way: new files in other
    folders were in place, the manifest old."""
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    before = snapshot(out)
    locked_folder(out / "models" / "a")
    v3 = {**V2, "models/a/x.yaml": "a2\n"}
    with pytest.raises(OutputError, match=r"cannot write into .*models/a: .*nothing was changed"):
        write_tree(out, tree(v3))
    assert snapshot(out) == before
    assert not (out / STAGING_DIR).exists() and not (out / JOURNAL_PATH).exists()


def test_an_edit_made_while_staging_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staging a big tree takes seconds; an edit saved meanwhile to a file the run replaces
    used to be overwritten with exit 0. It is a hand edit (D301): nothing is written."""
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    real_stage = treewrite._stage

    def stage_while_editing(*args: object) -> list[list[str]]:
        moves = real_stage(*args)  # type: ignore[arg-type]
        with open(out / "README.md", "a") as fh:
            fh.write("my note\n")
        return moves

    monkeypatch.setattr(treewrite, "_stage", stage_while_editing)
    plan = write_tree(out, tree(V2))
    monkeypatch.undo()
    assert [(c.path, c.kind) for c in plan.conflicts] == [("README.md", "hand-edited")]
    assert "edited while generate ran" in plan.conflicts[0].detail
    assert (out / "README.md").read_text() == "one\nmy note\n"
    assert snapshot(out)["models/b/y.yaml"] == b"b1\n"  # nothing of V2 was applied
    assert not (out / STAGING_DIR).exists()
    assert write_tree(out, tree(V2), force=True).overwritten == ("README.md",)
    assert snapshot(out) == tree(V2)


def test_a_journal_that_cannot_be_written_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    before = snapshot(out)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(treewrite.os, "fsync", full)
    with pytest.raises(OutputError, match="No space left"):
        write_tree(out, tree(V2))
    monkeypatch.undo()
    assert snapshot(out) == before
    assert not (out / f"{JOURNAL_PATH}.tmp").exists()


def test_interrupted_while_committing_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tree(out, tree(V1))
    real_replace, calls = os.replace, []

    def crashing_replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 3:  # journal, then one file: crash before the second
            raise OSError(5, "simulated crash")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(treewrite.os, "replace", crashing_replace)
    with pytest.raises(OutputError, match="half-way"):
        write_tree(out, tree(V2))
    monkeypatch.undo()
    assert (out / JOURNAL_PATH).exists()
    assert plan_tree(out, tree(V2)).interrupted
    assert (out / MANIFEST_PATH).read_bytes() == tree(V1)[MANIFEST_PATH]  # manifest goes last
    write_tree(out, tree(V1))  # whatever the next run wants, it first finishes the old one
    assert not (out / JOURNAL_PATH).exists()
    assert snapshot(out) == tree(V1)


CRASHER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from edgemodels import treewrite
    from edgemodels.treemanifest import Provenance, finalize_tree
    files = {f"models/m{i:03d}/f.yaml": f"v2 {i}\\n".encode() for i in range(200)}
    tree = finalize_tree(files, Provenance("0", "cat", "d"))
    real, count = os.replace, [0]
    def replace(src, dst):
        count[0] += 1
        if count[0] == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst)
    treewrite.os.replace = replace
    treewrite.write_tree(Path(sys.argv[1]), tree)
    """
)


@pytest.mark.parametrize("kill_at", [1, 2, 60, 202])
def test_a_run_killed_mid_commit_is_completed_by_recovery(tmp_path: Path, kill_at: int) -> None:
    out = tmp_path / "out"
    v1 = finalize_tree({f"models/m{i:03d}/f.yaml": f"v1 {i}\n".encode() for i in range(200)}, PROV)
    write_tree(out, v1)
    done = subprocess.run([sys.executable, "-c", CRASHER, str(out), str(kill_at)], timeout=60)
    assert done.returncode == -9
    files = snapshot(out)
    if kill_at == 1:  # killed while creating the journal: nothing committed yet
        assert {p: b for p, b in files.items() if not p.startswith(".edgemodels/")} == {
            p: b for p, b in v1.items() if not p.startswith(".edgemodels/")
        }
    os.close(os.open(out / LOCK_PATH, os.O_RDWR))  # the dead process's lock is gone
    fd = os.open(out / LOCK_PATH, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        finished = recover(out)
    finally:
        os.close(fd)
    assert finished == (kill_at > 1)
    contents = {p: b for p, b in snapshot(out).items() if p.startswith("models/")}
    version = "v1" if kill_at == 1 else "v2"
    assert contents == {f"models/m{i:03d}/f.yaml": f"{version} {i}\n".encode() for i in range(200)}


def test_new_folders_are_moved_in_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    real_replace, targets = os.replace, []

    def counting_replace(src: object, dst: object) -> None:
        targets.append(Path(str(dst)).relative_to(out).as_posix())
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(treewrite.os, "replace", counting_replace)
    write_tree(out, tree(V1))
    assert targets == [JOURNAL_PATH, "models", ".edgemodels/.gitignore", "README.md", MANIFEST_PATH]
    targets.clear()
    write_tree(out, tree(V2))  # models/ exists now: only models/c is new
    assert "models/c" in targets and "models/c/z.yaml" not in targets
    assert snapshot(out) == tree(V2)


def test_an_interrupted_first_write_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    real_replace, calls = os.replace, []

    def crashing_replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 3:  # after the journal and the folder move
            raise OSError(5, "simulated crash")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(treewrite.os, "replace", crashing_replace)
    with pytest.raises(OutputError):
        write_tree(out, tree(V1))
    monkeypatch.undo()
    assert (out / "models" / "a" / "x.yaml").exists() and not (out / MANIFEST_PATH).exists()
    write_tree(out, tree(V1))
    assert snapshot(out) == tree(V1)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),  # sha256 hex
        max_size=6,
    ),
    st.text(max_size=8),
)
def test_the_manifest_is_written_as_json_dumps_writes_it(files: dict[str, str], name: str) -> None:
    """manifest_bytes writes the files' lines itself (json's indent= encoder is slow)."""
    head = {"$comment": "c", "edgemodelsVersion": "1", "catalogue": {"name": name, "digest": "d"}}
    want = json.dumps({**head, "files": files}, indent=2, ensure_ascii=False) + "\n"
    assert _manifest_json(head, files) == want
