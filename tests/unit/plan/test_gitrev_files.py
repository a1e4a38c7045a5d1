"""The base revision is read with the working copy's rules: the same files, symlinks followed
within the repository, generated trees skipped, a folder without catalogue files is no
catalogue. Real temporary repositories."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from edgemodels.errors import InputError
from edgemodels.plan.core import PlanOptions, run_plan
from edgemodels.plan.diff import site_changes

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


def test_dangling_looping_and_folder_symlinks_are_read_at_neither_end(repo: Path) -> None:
    """The working copy's loader reads none of them, and says so (Y016: they were skipped
    without a word, and a publish went without their models); the base reads none of
    them either."""
    shutil.copytree(repo / "catalogue" / "models", repo / "more")
    links = {"more-models": "../more", "dangling.yaml": "gone.yaml"}
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
