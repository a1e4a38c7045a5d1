"""Publish runs plan's D116 hub-moved and D118 delivery-switched on what it changes since
the branch's last publish, with or without `-i` (they compare two catalogues, no sites),
and reads the last publish's catalogue where that publish recorded it was (a catalogue
moved in its repository since). Catalogues in real git repositories, a bare deploy
repository on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import EXAMPLE, git
from .test_publish import message, publish
from .test_publish_order import commit

SITES = EXAMPLE.parent / "sites.yaml"  # lrt-site-01..03 and paint-01


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def published(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> tuple[str, ...]:
    """The catalogue committed and published once, without -i: the publish arguments."""
    git("init", "-q", "-b", "main", cwd=catalogue)
    commit(catalogue, "catalogue")
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "D309" not in out  # the first publish: nothing to compare, and no -i asked
    return args


def rename(catalogue: Path) -> None:
    edit(catalogue / "catalogue.yaml", "  name: lrt\n", "  name: lrt-2\n")
    commit(catalogue, "rename the catalogue")


def test_a_hub_rename_is_refused_without_the_inventory(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, published: tuple[str, ...]
) -> None:
    before = message(bare_repo)
    rename(catalogue)
    rc, out, err = publish(capsys, *published)
    assert rc == 1, out + err
    at = f"{catalogue / 'catalogue.yaml'}:8:9: D116 the hub side moves (metadata.name lrt -> "
    assert at + "lrt-2)" in out
    assert "pass --allow-removals if this is intended" in out
    assert message(bare_repo) == before  # nothing pushed
    assert publish(capsys, *published, "--dry-run")[0] == 1
    rc, out, _ = publish(capsys, *published, "-i", str(SITES), "--format", "json")
    assert rc == 1  # with -i too, and as its only guard that fires
    found = [(f["code"], f["severity"]) for f in json.loads(out)["findings"] if f["code"][0] == "D"]
    assert found == [("D116", "error")]
    rc, out, _ = publish(capsys, *published, "--allow-removals")  # as plan: a warning
    assert rc == 0 and "D116 [warning] the hub side moves" in out
    assert message(bare_repo).startswith("edgemodels: publish lrt-2")


def test_a_hub_namespace_change_is_refused(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, published: tuple[str, ...]
) -> None:
    settings = catalogue / "catalogue.yaml"
    edit(settings, "    namespace: i4q-lrt    #", "    namespace: i4q-new    #")
    edit(
        settings, "  defaults:\n    namespace: i4q-lrt", "  defaults:\n    namespace: i4q-new"
    )  # R208
    commit(catalogue, "another hub namespace")
    rc, out, err = publish(capsys, *published)
    assert rc == 1, out + err
    assert "D116 the hub side moves (spec.hub.namespace i4q-lrt -> i4q-new)" in out


def test_a_delivery_switch_outside_the_migration_is_refused(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, published: tuple[str, ...]
) -> None:
    """Straight to Argo CD: the Subscriptions go before the sites carry the do-not-delete
    marks, so RHACM removes every model; the migration's first step goes through."""
    settings = catalogue / "catalogue.yaml"
    edit(settings, "    credentialsSecret: lrt-git", "   ")
    edit(settings, "  hub:\n", "  hub:\n    delivery: argocd\n")
    commit(catalogue, "argo cd")
    rc, out, err = publish(capsys, *published)
    assert rc == 1, out + err
    assert "D118 delivery subscription -> delivery argocd, migration none: this publish" in out
    edit(settings, "    delivery: argocd\n", "    delivery: argocd\n    argocd:\n")
    edit(settings, "    argocd:\n", "    argocd:\n      migration: keep-subscriptions\n")
    commit(catalogue, "argo cd, keeping the subscriptions")
    rc, out, err = publish(capsys, *published)
    assert rc == 0 and "D118" not in out, out + err


def test_with_nothing_to_compare_publish_without_the_inventory_is_silent(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """A user who never passes -i: a catalogue outside git, published again and again, and
    renamed, is published as before (nothing to read the last publish's catalogue from)."""
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    edit(catalogue / "catalogue.yaml", "  name: lrt\n", "  name: lrt-2\n")
    rc, out, err = publish(capsys, *args)
    assert rc == 0 and "D309" not in out and "D116" not in out, out + err
    assert "Catalogue path:" not in message(bare_repo)  # no repository: no path


def test_a_last_commit_the_clone_lacks_is_one_warning_without_the_inventory(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    published: tuple[str, ...],
    tmp_path: Path,
) -> None:
    """A shallow clone lacks the last publish's commit: the guards that run unasked say
    they did not, and publish goes ahead as it did before they ran. One cause, one
    finding: the order check's warning (D308) says it, not a note of its own (D309)."""
    rename(catalogue)
    shallow = tmp_path / "shallow"
    git("clone", "-q", "--depth", "1", f"file://{catalogue}", str(shallow))
    rc, out, err = publish(capsys, str(shallow), *published[1:])
    assert rc == 0, out + err
    first = git("rev-list", "--max-parents=0", "HEAD", cwd=catalogue)[:12]
    ours = git("rev-parse", "HEAD", cwd=catalogue)[:12]
    assert (
        f"D308 [warning] the branch was last published from catalogue commit {first}, which "
        "the catalogue's repository does not have (a shallow clone? another clone's "
        f"commit?): if it is newer than {ours}, this publish undoes its changes, and what it "
        "deployed cannot be read, so the hub-moved, delivery-switched and placements-unbound "
        "guards (D116, D118, D137) are not run; fetch it (git fetch, or git fetch --unshallow; CI: clone with depth 0) "
        "and publish again to be told\n"
    ) in out
    assert "D309" not in out and out.count(first) == 1
    assert "--allow-removals" not in out


def test_a_republish_of_the_same_commit_reads_no_base(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    published: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pipeline run again: the catalogue is the one the branch was published from, so
    there is nothing to compare and its history is not read; with uncommitted changes
    there is."""

    def unread(*args: object) -> None:
        raise AssertionError("the base catalogue was read")

    with monkeypatch.context() as patched:
        patched.setattr("edgemodels.publishremovals.base_catalogue", unread)
        rc, out, err = publish(capsys, *published, "-i", str(SITES))
        assert rc == 0 and "already up to date" in out + err, out + err
    edit(catalogue / "catalogue.yaml", "  name: lrt\n", "  name: lrt-2\n")  # not committed
    rc, out, err = publish(capsys, *published, "--dry-run")
    assert rc == 1 and "D116 the hub side moves" in out, out + err


def move_and_retire(repo: Path) -> None:
    """`git mv catalogue fleet`, and sktime retired (from 3 of the 4 sites) with it."""
    git("mv", "catalogue", "fleet", cwd=repo)
    (repo / "fleet" / "models" / "sktime.yaml").unlink()
    commit(repo, "the catalogue moves to fleet/, without sktime")


def test_a_moved_catalogue_is_compared_where_it_was_published_from(
    capsys: pytest.CaptureFixture[str], in_folder: Path, bare_repo: Path
) -> None:
    """Each publish records the catalogue's path in its repository: after a move the
    guards read the last publish's catalogue there, not every model as new."""
    deploy = ("--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, str(in_folder / "catalogue"), *deploy)[0] == 0
    assert "\nCatalogue path: catalogue\n" in message(bare_repo)
    move_and_retire(in_folder)
    fleet = str(in_folder / "fleet")
    before = message(bare_repo)
    rc, out, err = publish(capsys, fleet, *deploy, "-i", str(SITES))
    assert rc == 1, out + err
    assert "D101 models are removed from 3 of 4 sites (75%)" in out
    assert message(bare_repo) == before
    rc, out, err = publish(capsys, fleet, *deploy, "-i", str(SITES), "--allow-removals")
    assert rc == 0, out + err
    assert "\nCatalogue path: fleet\n" in message(bare_repo)
    edit(in_folder / "fleet" / "catalogue.yaml", "  name: lrt\n", "  name: lrt-2\n")
    commit(in_folder, "rename")
    rc, out, err = publish(capsys, fleet, *deploy)  # read at fleet/ now
    assert rc == 1 and "D116 the hub side moves" in out, out + err


def reword(bare_repo: Path, tmp_path: Path, old: str, new: str) -> None:
    """The branch's last commit with its message edited, force-pushed."""
    clone = tmp_path / "deploy-clone"
    git("clone", "-q", "-b", "acm-dev", str(bare_repo), str(clone))
    said = message(bare_repo)
    assert old in said
    amend = ("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--amend")
    git(*amend, "-m", said.replace(old, new), cwd=clone)
    git("push", "-q", "--force", "origin", "acm-dev", cwd=clone)


def test_a_move_after_a_publish_that_recorded_no_path_is_found_by_git(
    capsys: pytest.CaptureFixture[str], in_folder: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """An older edgemodels's last publish names no path: after a move, the commit it names
    has no catalogue where the catalogue is now, and git's rename detection finds where it
    was, as plan --base finds it (D131): the guards compare with that."""
    deploy = ("--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, str(in_folder / "catalogue"), *deploy)[0] == 0
    reword(bare_repo, tmp_path, "Catalogue path: catalogue\n", "")
    move_and_retire(in_folder)
    rc, out, err = publish(capsys, str(in_folder / "fleet"), *deploy, "-i", str(SITES))
    assert rc == 1, out + err
    assert "D101 models are removed from 3 of 4 sites (75%)" in out and "D309" not in out


def test_a_move_git_finds_is_said_as_plan_says_it(
    capsys: pytest.CaptureFixture[str], in_folder: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """The catalogue read where git finds it was, for a last publish that recorded no
    path, is a D131 note as in plan --base: with -i or without, in every format."""
    deploy = ("--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, str(in_folder / "catalogue"), *deploy)[0] == 0
    reword(bare_repo, tmp_path, "Catalogue path: catalogue\n", "")
    move_and_retire(in_folder)
    fleet = str(in_folder / "fleet")
    first = git("rev-list", "--max-parents=0", "HEAD", cwd=in_folder)[:12]
    said = (
        f"catalogue commit {first}, which the branch was last published from, has no "
        "catalogue at fleet, and that publish (by an older edgemodels) did not record where "
        "it was: git finds it moved since, from catalogue, and the removal guards compare "
        "with the catalogue there"
    )
    asked = (*deploy, "-i", str(SITES), "--allow-removals", "--dry-run", "--format", "json")
    rc, out, err = publish(capsys, fleet, *asked)
    assert rc == 0, out + err
    found = [f for f in json.loads(out)["findings"] if f["code"] in ("D131", "D309")]
    assert [(f["code"], f["severity"], f["message"]) for f in found] == [("D131", "info", said)]
    assert found[0]["path"].endswith("fleet/catalogue.yaml")
    rc, out, err = publish(capsys, fleet, *deploy)  # unasked: the hub guards read it too
    assert rc == 0, out + err
    assert f"D131 [info] {said}" in out and "D309" not in out


def rewrite(folder: Path) -> None:
    """Each YAML file of `folder` more new text than old: git pairs no rename."""
    for path in folder.rglob("*.yaml"):
        path.write_text(path.read_text() + "# rewritten\n" * 400)


def test_a_move_after_a_publish_that_recorded_no_path_is_said(
    capsys: pytest.CaptureFixture[str], in_folder: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """An older edgemodels's last publish names no path: after a move git does not find,
    the commit it names has no catalogue where the catalogue is now. Said, with how to
    see what the publish changes, not taken as a catalogue whose every model is new."""
    deploy = ("--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, str(in_folder / "catalogue"), *deploy)[0] == 0
    reword(bare_repo, tmp_path, "Catalogue path: catalogue\n", "")
    move_and_retire(in_folder)
    rewrite(in_folder / "fleet")
    commit(in_folder, "rewritten")
    fleet = str(in_folder / "fleet")
    first = git("rev-list", "--max-parents=0", "HEAD", cwd=in_folder)[:12]
    rc, out, err = publish(capsys, fleet, *deploy, "-i", str(SITES))
    assert rc == 1, out + err
    assert f"D309 catalogue commit {first}, which the branch was last published from, " in out
    assert "has no catalogue at fleet, where the catalogue is now: it was moved since" in out
    assert "git's rename detection does not find where from" in out
    assert f"`edgemodels plan {fleet} --base {first} --base-catalogue OLD_PATH`" in out
    assert "then publish with --allow-removals once" in out
    rc, out, err = publish(capsys, fleet, *deploy, "--dry-run")  # unasked: a note
    assert rc == 0 and "D309 [info] catalogue commit" in out, out + err
    assert "D116, D118, D137) are not run" in out and "--allow-removals once" not in out


def test_a_recorded_path_without_a_catalogue_is_said(
    capsys: pytest.CaptureFixture[str], in_folder: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """The path a publish recorded holds no catalogue at its commit (a message edited by
    hand): said, not taken as a catalogue whose every model is new."""
    deploy = ("--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, str(in_folder / "catalogue"), *deploy)[0] == 0
    reword(bare_repo, tmp_path, "Catalogue path: catalogue\n", "Catalogue path: nowhere\n")
    (in_folder / "catalogue" / "models" / "sktime.yaml").unlink()
    commit(in_folder, "retire sktime")
    rc, out, err = publish(capsys, str(in_folder / "catalogue"), *deploy, "-i", str(SITES))
    assert rc == 1, out + err
    assert "has no catalogue at nowhere, the path that publish recorded: what it" in out
    assert "pass --allow-removals to publish without the check" in out
