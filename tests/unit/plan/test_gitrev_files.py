"""The base revision is read with the working copy's rules: the same files, symlinks followed
within the repository, generated trees skipped, a folder without catalogue files is no
catalogue. Real temporary repositories."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from edgemodels.errors import InputError
from edgemodels.plan.atrevision import load_snapshot
from edgemodels.plan.core import PlanOptions, run_plan
from edgemodels.plan.diff import site_changes
from edgemodels.plan.gitrev import catalogue_at

from .gitrepo import example_repo, git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return example_repo(tmp_path)


def commit(root: Path) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")


def changes(root: Path, base: str = "HEAD") -> tuple[dict[str, list[tuple[str, str]]], list[str]]:
    plan, diags = run_plan(PlanOptions(root / "sites.yaml", root / "catalogue", base=base), root)
    assert plan is not None, [d.render() for d in diags]
    found = {
        plan.sites.names[n]: sorted((c.model, c.kind) for c in site)
        for n, site in site_changes(plan.diffs).items()
    }
    return found, sorted(d.code for d in diags)


def link_sktime(root: Path, target: str, moved_to: str = "shared") -> None:
    """sktime's file moves to `moved_to`/ and catalogue/models/sktime.yaml links to it."""
    (root / moved_to).mkdir(exist_ok=True)
    (root / "catalogue" / "models" / "sktime.yaml").rename(root / moved_to / "sktime.yaml")
    os.symlink(target, root / "catalogue" / "models" / "sktime.yaml")


@pytest.mark.parametrize(
    "target",
    [
        "../../shared/sktime.yaml",
        "../../shared-link/sktime.yaml",  # through a symlinked folder
        "./../models/../../shared/./sktime.yaml",
        "../../shared/hop.yaml",  # a link to a link
    ],
)
def test_symlinked_catalogue_file_is_read_at_the_base(repo: Path, target: str) -> None:
    link_sktime(repo, target)
    os.symlink("shared", repo / "shared-link")
    os.symlink("sktime.yaml", repo / "shared" / "hop.yaml")
    commit(repo)
    # The same catalogue at both ends: nothing changes (sktime was "added" everywhere).
    assert changes(repo) == ({}, [])
    # The merge request deletes the link: sktime leaves 3 of 4 sites.
    (repo / "catalogue" / "models" / "sktime.yaml").unlink()
    found, codes = changes(repo)
    assert found == {f"lrt-site-0{n}": [("sktime", "removed")] for n in (1, 2, 3)}
    assert codes == ["D101"]


@pytest.mark.parametrize(
    "target",
    [
        "{repo}/shared/sktime.yaml",
        "{alias}/shared/sktime.yaml",  # the repository by a symlinked name
        "{repo}/catalogue/../shared/./sktime.yaml",
        "{alias}/../repo/shared-link/sktime.yaml",  # then through a link in the repository
        "../../../repo/shared/sktime.yaml",  # up above the root and back in by its name
        "../../../repo/../repo/shared/hop.yaml",
    ],
)
def test_a_link_back_into_the_repository_is_read_at_the_base(
    repo: Path, tmp_path: Path, target: str
) -> None:
    """An absolute link to a file of the repository, or one climbing out and back in, is
    read at the base as the working copy reads it (as the relative link, Y019): it was
    refused there, so a catalogue that checks and generates could not be planned."""
    os.symlink(repo, tmp_path / "alias")
    link_sktime(repo, target.format(repo=repo, alias=tmp_path / "alias"))
    os.symlink("shared", repo / "shared-link")
    os.symlink("sktime.yaml", repo / "shared" / "hop.yaml")
    commit(repo)
    assert changes(repo) == ({}, [])  # the same catalogue at both ends
    bump = repo / "shared" / "sktime.yaml"
    bump.write_text(bump.read_text().replace("1.4.2", "1.5.0"))
    assert changes(repo) == ({f"lrt-site-0{n}": [("sktime", "upgraded")] for n in (1, 2, 3)}, [])
    (repo / "catalogue" / "models" / "sktime.yaml").unlink()
    found, codes = changes(repo)
    assert found == {f"lrt-site-0{n}": [("sktime", "removed")] for n in (1, 2, 3)}
    assert codes == ["D101"]


def test_an_absolute_folder_link_into_the_repository_is_read_at_the_base(repo: Path) -> None:
    """Named by the link's path at both ends, through the link and through a relative link
    to an absolute one."""
    shared = repo / "shared" / "models"
    (repo / "shared").mkdir()
    (repo / "catalogue" / "models").rename(shared)
    os.symlink(shared, repo / "catalogue" / "models")
    os.symlink(repo / "shared", repo / "common")
    os.symlink("../common/models", repo / "catalogue" / "again")
    commit(repo)
    assert changes(repo) == ({}, [])
    with catalogue_at(repo / "catalogue", "HEAD") as snapshot:
        assert snapshot.path is not None
        loaded = load_snapshot(snapshot, snapshot.path)
    assert "catalogue/again/sktime.yaml" in {f.path for f in loaded.merged.files}
    (repo / "catalogue" / "again").unlink()  # the other link still reads the same files
    bump = shared / "sktime.yaml"
    bump.write_text(bump.read_text().replace("1.4.2", "1.5.0"))
    assert changes(repo) == ({f"lrt-site-0{n}": [("sktime", "upgraded")] for n in (1, 2, 3)}, [])


@pytest.mark.parametrize("target", ["../../../outside/sktime.yaml", "{outside}/sktime.yaml"])
def test_symlink_out_of_the_repository_is_refused_at_the_base(
    repo: Path, tmp_path: Path, target: str
) -> None:
    outside = tmp_path / "outside"
    link_sktime(repo, target.format(outside=outside), moved_to="../outside")
    commit(repo)
    plan, _ = run_plan(PlanOptions(repo / "sites.yaml", repo / "catalogue"), repo)
    assert plan is not None  # the working copy follows it: the user's own file system
    with pytest.raises(InputError) as caught:
        run_plan(PlanOptions(repo / "sites.yaml", repo / "catalogue", base="HEAD"), repo)
    assert str(caught.value).startswith(
        "--base HEAD: catalogue/models/sktime.yaml is a symlink to "
        f"'{target.format(outside=outside)}', outside the repository"
    )
    absolute = "(an absolute path names a place on the machine that made the link"
    assert (absolute in str(caught.value)) == target.startswith("{")


def test_dangling_and_looping_symlinks_are_read_at_neither_end(repo: Path) -> None:
    """The working copy's loader reads none of them, and says so (Y016); the base reads
    none of them either."""
    links = {"up": "..", "dangling.yaml": "gone.yaml", "gone": "../nowhere"}
    links |= {"loop-a.yaml": "loop-b.yaml", "loop-b.yaml": "loop-a.yaml"}
    for name, target in links.items():
        os.symlink(target, repo / "catalogue" / name)
    commit(repo)
    options = PlanOptions(repo / "sites.yaml", repo / "catalogue", base="HEAD")
    plan, diags = run_plan(options, repo)
    assert plan is None
    assert sorted((d.path, d.code) for d in diags) == [
        (f"catalogue/{name}", "Y016") for name in sorted(links)
    ]
    for name in links:  # the base still has them: were any read there, the plan would differ
        (repo / "catalogue" / name).unlink()
    assert changes(repo) == ({}, [])


def _share_models(repo: Path, *links: str) -> Path:
    """catalogue/models moves to shared/models; each of `links` in catalogue/ leads to it."""
    (repo / "shared").mkdir()
    (repo / "catalogue" / "models").rename(repo / "shared" / "models")
    for name in links:
        os.symlink("../shared/models", repo / "catalogue" / name)
    return repo / "shared" / "models"


def test_a_symlinked_folder_is_read_at_the_base_as_in_the_working_copy(repo: Path) -> None:
    """Followed through git objects as the working copy's walk follows it on disk: the same
    files, each once (two links to one folder), named by the same path."""
    shared = _share_models(repo, "models", "again")
    os.symlink("models", repo / "shared" / "alias")  # a link to a link's folder, inside it
    os.symlink("../shared", repo / "shared" / "models" / "up")  # a loop: read by neither
    commit(repo)
    plan, diags = run_plan(PlanOptions(repo / "sites.yaml", repo / "catalogue"), repo)
    assert (plan, [d.code for d in diags]) == (None, ["Y016"])  # the loop, in the working copy
    (shared / "up").unlink()
    assert changes(repo) == ({}, [])
    bump = shared / "sktime.yaml"
    bump.write_text(bump.read_text().replace("1.4.2", "1.5.0"))
    assert changes(repo) == ({f"lrt-site-0{n}": [("sktime", "upgraded")] for n in (1, 2, 3)}, [])
    # one of the two links removed at head: the other still reads the same files
    (repo / "catalogue" / "again").unlink()
    assert changes(repo)[0] == {f"lrt-site-0{n}": [("sktime", "upgraded")] for n in (1, 2, 3)}


def test_base_findings_name_files_through_the_link(repo: Path) -> None:
    shared = _share_models(repo, "models")
    commit(repo)
    with catalogue_at(repo / "catalogue", "HEAD") as snapshot:
        assert snapshot.path is not None
        loaded = load_snapshot(snapshot, snapshot.path)
    assert sorted(f.path for f in loaded.merged.files)[-1] == "catalogue/workloads.yaml"
    assert "catalogue/models/sktime.yaml" in {f.path for f in loaded.merged.files}
    assert shared.exists()


def test_a_folder_link_out_of_the_repository_is_refused_at_the_base(
    repo: Path, tmp_path: Path
) -> None:
    (repo / "catalogue" / "models").rename(tmp_path / "outside")
    os.symlink("../../outside", repo / "catalogue" / "models")
    commit(repo)
    with pytest.raises(InputError) as caught:
        run_plan(PlanOptions(repo / "sites.yaml", repo / "catalogue", base="HEAD"), repo)
    assert str(caught.value).startswith(
        "--base HEAD: catalogue/models is a symlink to '../../outside', outside the repository"
    )


def test_a_submodule_is_refused_at_the_base(repo: Path, tmp_path: Path) -> None:
    """Its files at the revision are in its own history: the base would lack its models,
    and the plan would show them added to every site."""
    common = tmp_path / "common"
    shutil.copytree(repo / "catalogue" / "models", common / "models")
    shutil.rmtree(repo / "catalogue" / "models")
    git(common, "init", "-q")
    commit(common)
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(common), "libs")
    os.symlink("../libs/models", repo / "catalogue" / "models")
    # not a catalogue file, nor a folder: read by neither side, no reason to refuse
    os.symlink("../libs/models/sktime.yaml", repo / "catalogue" / "README.md")
    commit(repo)
    options = PlanOptions(repo / "sites.yaml", repo / "catalogue", base="HEAD")
    with pytest.raises(InputError) as caught:
        run_plan(options, repo)
    assert str(caught.value).startswith(
        "--base HEAD: catalogue/models is a symlink into the submodule libs, whose files at "
        "that revision are in the submodule's own history"
    )
    for name in ("models", "README.md"):
        (repo / "catalogue" / name).unlink()
    git(repo, "mv", "libs", "catalogue/libs")
    commit(repo)
    with pytest.raises(InputError, match=r"^--base HEAD: catalogue/libs is the submodule"):
        run_plan(options, repo)


def test_generated_tree_in_the_catalogue_folder_is_skipped_at_the_base(repo: Path) -> None:
    generated = repo / "catalogue" / "generated"
    (generated / ".edgemodels").mkdir(parents=True)
    (generated / ".edgemodels" / "manifest.json").write_text("{}\n")
    (generated / "hub").mkdir()
    (generated / "hub" / "namespace.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: lrt}\n"
    )
    commit(repo)
    bump = repo / "catalogue" / "models" / "sktime.yaml"
    bump.write_text(bump.read_text().replace("1.4.2", "1.5.0"))
    assert changes(repo) == ({f"lrt-site-0{n}": [("sktime", "upgraded")] for n in (1, 2, 3)}, [])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("README.md", "models go here\n"),
        ("sites.yaml", "apiVersion: edgemodels.io/v1alpha1\nkind: SiteInventory\nsites: []\n"),
    ],
)
def test_base_folder_without_catalogue_files_is_an_empty_base(
    repo: Path, name: str, text: str
) -> None:
    shutil.move(repo / "catalogue", repo.parent / "later")
    (repo / "catalogue").mkdir()
    (repo / "catalogue" / name).write_text(text)
    commit(repo)
    shutil.copytree(repo.parent / "later", repo / "catalogue", dirs_exist_ok=True)
    found, _ = changes(repo)
    assert len(found) == 4
    assert {kind for site in found.values() for _, kind in site} == {"added"}
