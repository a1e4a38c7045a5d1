"""Comparing with the catalogue at a git revision, in real temporary repositories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from edgemodels.errors import InputError
from edgemodels.plan.core import PlanOptions, run_plan
from edgemodels.plan.diff import site_changes
from edgemodels.plan.gitrev import catalogue_at

from .gitrepo import EXAMPLES, committed_example_repo, git, single_file_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return committed_example_repo(tmp_path)


def bump_sktime(root: Path) -> None:
    path = root / "catalogue" / "models" / "sktime.yaml"
    path.write_text(path.read_text().replace("1.4.2", "1.5.0"))


def test_catalogue_at_a_revision(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    bump_sktime(repo)
    with catalogue_at(repo / "catalogue", "HEAD") as snapshot:
        assert snapshot.revision.commit == head
        assert snapshot.path is not None
        text = (snapshot.bytes_of(snapshot.path / "models" / "sktime.yaml") or b"").decode()
        assert "1.4.2" in text
        folder = snapshot.root
    assert not folder.exists()  # removed after the block


def test_plan_against_the_base(repo: Path) -> None:
    bump_sktime(repo)
    (repo / "catalogue" / "models" / "paint-inspector.yaml").unlink()
    workloads = repo / "catalogue" / "workloads.yaml"
    workloads.write_text(workloads.read_text().split("    - name: paint-monitor")[0])
    plan, diags = run_plan(
        PlanOptions(repo / "sites.yaml", repo / "catalogue", base="main"), cwd=repo
    )
    assert plan is not None and plan.base is not None
    assert plan.base.name == "main" and len(plan.base.commit) == 40
    changes = {
        plan.sites.names[n]: sorted((c.model, c.kind, c.before, c.after) for c in found)
        for n, found in site_changes(plan.diffs).items()
    }
    assert changes == {
        "lrt-site-01": [("sktime", "upgraded", "1.4.2", "1.5.0")],
        "lrt-site-02": [("sktime", "upgraded", "1.4.2", "1.5.0")],
        "lrt-site-03": [("sktime", "upgraded", "1.4.2", "1.5.0")],
        "paint-01": [("paint-inspector", "removed", "2.1.0", None)],
    }
    # paint-01 had only paint-inspector. The paint-shop target still selects it (no D106).
    # One site of four is no mass removal (D101), but it is left empty (D102).
    assert sorted((d.code, d.severity, d.path, d.line) for d in diags) == [
        ("D102", "error", "catalogue/catalogue.yaml", 8),
    ]


def test_single_file_catalogue(tmp_path: Path) -> None:
    root = single_file_repo(tmp_path)
    (root / "catalogue.yaml").write_text(
        (root / "catalogue.yaml").read_text().replace("1.4.2", "1.3.0")
    )
    plan, diags = run_plan(
        PlanOptions(EXAMPLES / "sites.yaml", root / "catalogue.yaml", base="HEAD"), cwd=root
    )
    assert plan is not None, [d.render() for d in diags]
    kinds = {c.kind for found in site_changes(plan.diffs).values() for c in found}
    assert kinds == {"downgraded"}


def test_catalogue_absent_at_the_base(repo: Path) -> None:
    # moved without a word to git: the index has it at catalogue/, git pairs no rename
    shutil.move(repo / "catalogue", repo / "models-catalogue")
    plan, _ = run_plan(
        PlanOptions(repo / "sites.yaml", repo / "models-catalogue", base="HEAD"), cwd=repo
    )
    assert plan is not None and plan.compared
    kinds = {c.kind for found in site_changes(plan.diffs).values() for c in found}
    assert kinds == {"added"}


def test_unknown_revision(repo: Path) -> None:
    with pytest.raises(InputError, match="--base no-such-branch: not a revision"):
        run_plan(PlanOptions(repo / "sites.yaml", repo / "catalogue", base="no-such-branch"))


@pytest.mark.parametrize("rev", ["HEAD~99", "HEAD^{tree}", "HEAD:sites.yaml", "--all"])
def test_revision_that_names_no_commit_is_a_plain_message(repo: Path, rev: str) -> None:
    with pytest.raises(InputError) as caught:
        run_plan(PlanOptions(repo / "sites.yaml", repo / "catalogue", base=rev))
    text = str(caught.value)
    assert text.startswith(f"--base {rev}: not a revision of ")
    assert "git log --oneline" in text
    for internal in ("Ref '", "<git.", "did not resolve", "Cannot convert", "SHA"):
        assert internal not in text


def test_shallow_clone_names_the_fetch_to_run(repo: Path, tmp_path: Path) -> None:
    bump_sktime(repo)
    git(repo, "commit", "-q", "-am", "sktime 1.5.0")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    with pytest.raises(InputError) as caught:
        run_plan(PlanOptions(shallow / "sites.yaml", shallow / "catalogue", base="HEAD~1"))
    text = str(caught.value)
    assert "shallow clone" in text and "git fetch --unshallow" in text
    assert "SHA" not in text


def test_not_in_a_repository(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "lrt", tmp_path / "catalogue")
    with pytest.raises(InputError, match="not inside a git repository"):
        run_plan(PlanOptions(EXAMPLES / "sites.yaml", tmp_path / "catalogue", base="HEAD"))


def test_base_that_does_not_load(repo: Path) -> None:
    path = repo / "catalogue" / "models" / "sktime.yaml"
    good = path.read_text()
    path.write_text(good.replace("wrapper: http", "wrapper: telepathy"))
    git(repo, "commit", "-q", "-am", "broken")
    path.write_text(good)
    with pytest.raises(InputError, match="the catalogue at that revision does not load"):
        run_plan(PlanOptions(repo / "sites.yaml", repo / "catalogue", base="HEAD"), cwd=repo)


@pytest.mark.parametrize(
    ("rev", "hint"),
    [
        ("origin/mian", "; did you mean 'origin/main'?"),
        ("acm-dve~1", "; did you mean 'acm-dev~1'?"),
        ("v1.4.2", "; did you mean 'v1.4.1'?"),
    ],
)
def test_a_misspelt_base_suggests_close_branch_and_tag_names(
    repo: Path, rev: str, hint: str
) -> None:
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(repo, "branch", "acm-dev")
    git(repo, "tag", "v1.4.1")
    with pytest.raises(InputError) as caught:
        run_plan(PlanOptions(repo / "sites.yaml", repo / "catalogue", base=rev))
    assert str(caught.value).startswith(f"--base {rev}: not a revision of {repo}{hint} (a commit")
