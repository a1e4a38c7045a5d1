"""`plan --base origin/main` from a branch that lacks commits of the base (another merge
request merged first): the plan compares with their changes undone. D136 says so, in real
temporary repositories."""

from __future__ import annotations

from pathlib import Path

from edgemodels.plan.core import PlanOptions, run_plan

from .gitrepo import committed_example_repo, git


def _newcomer(root: Path) -> None:
    """A model another merge request added on main, on sktime's sites."""
    text = (root / "catalogue" / "models" / "sktime.yaml").read_text()
    text = text.replace("name: sktime", "name: newcomer").replace("ingressPath: /api", "")
    (root / "catalogue" / "models" / "newcomer.yaml").write_text(text)


def test_a_branch_behind_its_base_is_told_that_the_base_changes_show_undone(
    tmp_path: Path,
) -> None:
    """newcomer, merged to main after the branch started, showed as removed from its sites
    with D101 and D102 errors, and nothing said why."""
    root = committed_example_repo(tmp_path)
    git(root, "branch", "mr")
    _newcomer(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "newcomer on the lrt line")
    added = git(root, "rev-parse", "HEAD")[:7]
    git(root, "checkout", "-q", "mr")
    options = PlanOptions(root / "sites.yaml", root / "catalogue", base="main")
    plan, diags = run_plan(options, cwd=root)
    assert plan is not None
    (note,) = [d for d in diags if d.code == "D136"]
    assert (note.path, note.severity, note.name) == (
        "catalogue/catalogue.yaml",
        "warning",
        "base-has-unmerged-commits",
    )
    assert note.message == (
        f"the base main has 1 commit that changes the catalogue and HEAD lacks ({added} "
        "newcomer on the lrt line): the plan compares with its changes undone, so they show "
        "here reversed (a model it added as removed); merge or rebase onto main and plan "
        "again, or compare with the commit HEAD started from: --base $(git merge-base main HEAD)"
    )
    git(root, "merge", "-q", "--no-edit", "main")  # up to date: nothing to say
    _, diags = run_plan(options, cwd=root)
    assert not [d for d in diags if d.code == "D136"]


def test_commits_of_the_base_outside_the_catalogue_are_not_reported(tmp_path: Path) -> None:
    root = committed_example_repo(tmp_path)
    git(root, "branch", "mr")
    (root / "sites.yaml").write_text((root / "sites.yaml").read_text() + "\n")
    git(root, "commit", "-q", "-am", "sites only")
    git(root, "checkout", "-q", "mr")
    options = PlanOptions(root / "sites.yaml", root / "catalogue", base="main")
    _, diags = run_plan(options, cwd=root)
    assert not [d for d in diags if d.code == "D136"]
