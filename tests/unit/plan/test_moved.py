"""`plan --base` of a catalogue moved since the revision: git's rename detection finds where
it was (D131), in real temporary repositories; where it cannot tell, D129 as before."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import pytest

from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import InputError
from edgemodels.plan.core import Plan, PlanOptions, run_plan
from edgemodels.plan.diff import site_changes
from edgemodels.plan.gitrev import Renames
from edgemodels.plan.moved import moved_from

from .gitrepo import EXAMPLES, committed_example_repo, git, single_file_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return committed_example_repo(tmp_path)


def planned(root: Path, catalogue: str, cwd: Path | None = None) -> tuple[Plan, list[Diagnostic]]:
    """The plan of `catalogue` against main, sktime retired from it first: compared with
    the catalogue it moved from, sktime leaves its 3 sites; with no base, all is added."""
    (root / catalogue / "models" / "sktime.yaml").unlink(missing_ok=True)
    here = cwd or root
    options = PlanOptions(root / "sites.yaml", root / catalogue, base="main")
    plan, diags = run_plan(options, cwd=here)
    assert plan is not None, [d.render() for d in diags]
    return plan, diags


def kinds(plan: Plan) -> set[str]:
    return {c.kind for found in site_changes(plan.diffs).values() for c in found}


def notes(diags: list[Diagnostic]) -> list[str]:
    return [f"{d.code} {d.message}" for d in diags if d.code in ("D129", "D131")]


def test_a_committed_move_is_compared_with_where_it_was(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "move")
    git(repo, "mv", "catalogue", "fleet")
    git(repo, "commit", "-q", "-m", "fleet")
    plan, diags = planned(repo, "fleet")
    assert kinds(plan) == {"removed"}
    assert "D101" in {d.code for d in diags}  # the removal guard counts again
    [note] = [d for d in diags if d.code == "D131"]
    assert (note.path, note.severity, note.name) == (
        "fleet/catalogue.yaml",
        "info",
        "base-catalogue-moved",
    )
    assert note.message == (
        f"the base main ({git(repo, 'rev-parse', 'main')[:12]}) has no catalogue at fleet: git "
        "finds it moved since, from catalogue, and the plan compares with the catalogue "
        "there; --base-catalogue PATH names another path"
    )
    assert not [d for d in diags if d.code == "D129"]


def test_a_staged_move_is_found_before_its_commit(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "move")
    git(repo, "mv", "catalogue", "fleet")  # in the index, not committed
    plan, diags = planned(repo, "fleet")
    assert kinds(plan) == {"removed"}
    assert [n[:4] for n in notes(diags)] == ["D131"]


def test_a_move_git_has_not_been_told_of_is_no_base(repo: Path) -> None:
    """`mv` with no `git add`: the index holds the old paths, git pairs nothing."""
    shutil.move(repo / "catalogue", repo / "fleet")
    plan, diags = planned(repo, "fleet")
    assert kinds(plan) == {"added"}
    assert [n[:4] for n in notes(diags)] == ["D129"]


def test_a_move_with_edits_and_a_file_renamed_inside_it_is_found(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "move")
    git(repo, "mv", "catalogue", "fleet")
    git(repo, "mv", "fleet/models/paint-inspector.yaml", "fleet/paint-inspector.yaml")
    workloads = repo / "fleet" / "workloads.yaml"
    workloads.write_text(workloads.read_text() + "# moved\n")
    git(repo, "commit", "-q", "-am", "fleet")
    plan, diags = planned(repo, "fleet")
    assert kinds(plan) == {"removed"}
    assert [n[:4] for n in notes(diags)] == ["D131"]


def test_a_single_file_catalogue_moved(tmp_path: Path) -> None:
    root = single_file_repo(tmp_path)
    (root / "deploy").mkdir()
    git(root, "mv", "catalogue.yaml", "deploy/fleet.yaml")
    path = root / "deploy" / "fleet.yaml"
    path.write_text(path.read_text().replace("1.4.2", "1.3.0"))
    git(root, "commit", "-q", "-am", "moved")
    options = PlanOptions(EXAMPLES / "sites.yaml", path, base="main~1")
    plan, diags = run_plan(options, cwd=root)
    assert plan is not None, [d.render() for d in diags]
    assert kinds(plan) == {"downgraded"}
    [note] = notes(diags)
    assert note.startswith("D131 ") and "at deploy/fleet.yaml: git finds it moved" in note
    assert "from catalogue.yaml," in note


def test_a_catalogue_in_a_subfolder_is_named_from_the_working_folder(repo: Path) -> None:
    (repo / "deploy").mkdir()
    git(repo, "mv", "catalogue", "deploy/catalogue")
    git(repo, "commit", "-q", "-m", "deploy/")  # the base: deploy/catalogue
    git(repo, "checkout", "-q", "-b", "work")
    git(repo, "mv", "deploy/catalogue", "deploy/fleet")
    git(repo, "commit", "-q", "-m", "fleet")
    plan, diags = planned(repo, "deploy/fleet", cwd=repo / "deploy")
    assert kinds(plan) == {"removed"}
    [note] = notes(diags)
    assert "no catalogue at fleet: git finds it moved since, from catalogue," in note


def test_a_folder_that_holds_no_catalogue_at_the_base_is_looked_for_too(repo: Path) -> None:
    (repo / "fleet" / "models").mkdir(parents=True)
    (repo / "fleet" / "README.md").write_text("the catalogue goes here\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "fleet/ README")
    git(repo, "checkout", "-q", "-b", "work")
    for path in (repo / "catalogue").rglob("*.yaml"):
        git(repo, "mv", str(path), str(repo / "fleet" / path.relative_to(repo / "catalogue")))
    plan, diags = planned(repo, "fleet")
    assert kinds(plan) == {"removed"}
    assert [n[:4] for n in notes(diags)] == ["D131"]


def test_a_catalogue_put_together_from_two_folders_is_no_base(repo: Path) -> None:
    """catalogue.yaml and workloads.yaml from catalogue/, the four models from shared/:
    the folder that names the catalogue gave 2 of its 6 files, no clear move."""
    git(repo, "mv", "catalogue/models", "shared")
    git(repo, "commit", "-q", "-m", "models shared")
    git(repo, "checkout", "-q", "-b", "work")
    git(repo, "mv", "catalogue", "fleet")
    git(repo, "mv", "shared", "fleet/models")
    plan, diags = planned(repo, "fleet")
    assert kinds(plan) == {"added"}
    assert [n[:4] for n in notes(diags)] == ["D129"]


def test_an_unborn_branch_compares_the_index(repo: Path) -> None:
    """No HEAD (an orphan branch before its first commit): the index is what moved."""
    git(repo, "checkout", "-q", "--orphan", "fresh")
    git(repo, "mv", "catalogue", "fleet")
    plan, diags = planned(repo, "fleet")
    assert kinds(plan) == {"removed"}
    assert [n[:4] for n in notes(diags)] == ["D131"]


def test_base_catalogue_overrides_the_detection(repo: Path) -> None:
    git(repo, "mv", "catalogue", "fleet")
    git(repo, "commit", "-q", "-m", "fleet")
    (repo / "fleet" / "models" / "sktime.yaml").unlink()
    options = PlanOptions(
        repo / "sites.yaml", repo / "fleet", base="main~1", base_catalogue=repo / "nowhere"
    )
    plan, diags = run_plan(options, cwd=repo)
    assert plan is not None and kinds(plan) == {"added"}
    assert [n[:4] for n in notes(diags)] == ["D129"]


def test_a_moved_catalogue_that_does_not_load_at_the_base_says_where_it_was(repo: Path) -> None:
    path = repo / "catalogue" / "models" / "sktime.yaml"
    path.write_text(path.read_text().replace("wrapper: http", "wrapper: telepathy"))
    git(repo, "commit", "-q", "-am", "broken")
    git(repo, "checkout", "-q", "-b", "work")
    git(repo, "mv", "catalogue", "fleet")
    path = repo / "fleet" / "models" / "sktime.yaml"
    path.write_text(path.read_text().replace("wrapper: telepathy", "wrapper: http"))
    with pytest.raises(InputError) as caught:
        run_plan(PlanOptions(repo / "sites.yaml", repo / "fleet", base="main"), cwd=repo)
    text = str(caught.value)
    assert text.startswith("--base main: the catalogue at that revision does not load")
    assert text.endswith("(at catalogue, where git finds the catalogue was)")


def test_a_shallow_clone_without_the_base_is_the_fetch_message(repo: Path, tmp_path: Path) -> None:
    git(repo, "mv", "catalogue", "fleet")
    git(repo, "commit", "-q", "-m", "fleet")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    with pytest.raises(InputError) as caught:
        run_plan(PlanOptions(shallow / "sites.yaml", shallow / "fleet", base="HEAD~1"))
    assert "this is a shallow clone" in str(caught.value)
    assert "git fetch --unshallow" in str(caught.value)


def renames(*pairs: tuple[str, str], now: str = "fleet") -> Renames:
    return Renames(
        Path("/repo"),
        PurePosixPath(now),
        tuple((PurePosixPath(a), PurePosixPath(b)) for a, b in pairs),
    )


@pytest.mark.parametrize(
    ("pairs", "found"),
    [
        ((("old/catalogue.yaml", "fleet/catalogue.yaml"),), "old"),
        ((("a/old/catalogue.yaml", "fleet/catalogue.yaml"), ("x/m.yaml", "fleet/m.yaml")), None),
        (
            (
                ("a/old/catalogue.yaml", "fleet/catalogue.yaml"),
                ("a/old/m/x.yaml", "fleet/m/x.yaml"),
                ("y.yaml", "fleet/y.yaml"),
            ),
            "a/old",
        ),
        ((("catalogue.yaml", "fleet/catalogue.yaml"),), None),  # the repository's root
        ((("old/m/x.yaml", "fleet/m/x.yaml"),), None),  # not the file that names it
        ((("old/catalogue.yaml", "elsewhere/catalogue.yaml"),), None),
        ((("old/sub/catalogue.yaml", "fleet/catalogue.yaml"),), "old/sub"),
    ],
)
def test_what_counts_as_a_move(pairs: tuple[tuple[str, str], ...], found: str | None) -> None:
    named = PurePosixPath("fleet/catalogue.yaml")
    old = moved_from(renames(*pairs), True, named)
    assert old == (None if found is None else PurePosixPath(found))


@pytest.mark.parametrize("setting", ["GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS"])
def test_the_users_pathspec_settings_do_not_hide_the_move(
    repo: Path, monkeypatch: pytest.MonkeyPatch, setting: str
) -> None:
    git(repo, "checkout", "-q", "-b", "move")
    git(repo, "mv", "catalogue", "fleet")
    monkeypatch.setenv(setting, "1")
    plan, diags = planned(repo, "fleet")
    assert kinds(plan) == {"removed"}
    assert [n[:4] for n in notes(diags)] == ["D131"]
