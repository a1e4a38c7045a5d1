"""Deploy branches that are not a line of publishes: merge commits (a hotfix branch merged,
`git pull` with a publish in between), a tag at the tip, a hand edit in another folder.
A hand change merged into the branch is one all the same; a merge commit is never taken
for a publish, whatever its message quotes (GitLab's `%{all_commits}` in a merge commit
template copies each commit's message, a publish's trailer included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import git
from .test_publish import message, publish, set_version
from .test_publish_objects import commit_hooks, use_config


@pytest.fixture(params=["objects", "checkout"])
def way(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "checkout":
        use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    return str(request.param)


def commit(catalogue: Path, said: str) -> str:
    git("add", "-A", cwd=catalogue)
    git("commit", "-q", "-m", said, cwd=catalogue)
    return git("rev-parse", "HEAD", cwd=catalogue)


def operator(tmp_path: Path, bare: Path) -> Path:
    clone = tmp_path / "operator"
    if not clone.exists():
        git("clone", "-q", "--branch", "acm-dev", str(bare), str(clone))
    return clone


def show(bare: Path, path: str) -> str:
    return git("--git-dir", str(bare), "show", f"acm-dev:{path}")


@pytest.mark.parametrize("quoting", [False, True])
def test_a_revert_merged_in_with_a_merge_commit_is_not_undone(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    way: str,
    quoting: bool,
) -> None:
    """The revert of a bad publish, made on a hotfix branch while another publish landed,
    merged back with a merge commit that changed the manifest from both sides (`-X ours`
    takes the branch's side only where the two conflict). Its message quoting the bad
    publish's, it was taken for a publish: the next publish undid the revert without a
    word, and an older pipeline (--skip-superseded) read the quoted source commit as the
    last publish's and published over the newer one."""
    git("init", "-q", "-b", "main", cwd=catalogue)
    commit(catalogue, "catalogue")
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    bad = commit(catalogue, "sktime 1.5.0")
    assert publish(capsys, *args)[0] == 0
    quoted = message(bare_repo)
    clone = operator(tmp_path, bare_repo)
    git("-C", str(clone), "checkout", "-q", "-b", "hotfix")
    git("-C", str(clone), "revert", "--no-edit", "HEAD")
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    newer = commit(catalogue, "paint-inspector 2.2.0")
    assert publish(capsys, *args)[0] == 0
    git("-C", str(clone), "checkout", "-q", "acm-dev")
    git("-C", str(clone), "pull", "-q", "--ff-only")
    said = "Merge branch 'hotfix' into 'acm-dev'" + (f"\n\n* {quoted}" if quoting else "")
    git("-C", str(clone), "merge", "-q", "--no-ff", "-X", "ours", "-m", said, "hotfix")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    tip = git("--git-dir", str(bare_repo), "rev-parse", "acm-dev")
    assert "version: 1.4.2" in show(bare_repo, "deploy/models/sktime/chart/Chart.yaml")
    assert "version: 2.2.0" in show(bare_repo, "deploy/models/paint-inspector/chart/Chart.yaml")
    # The bad commit's pipeline, late: the branch holds a newer catalogue's publish.
    git("checkout", "-q", "--detach", bad, cwd=catalogue)
    rc, out, err = publish(capsys, *args, "--skip-superseded")
    assert rc == 0, out + err
    assert "superseded, nothing to publish" in out and newer[:12] in out
    assert git("--git-dir", str(bare_repo), "rev-parse", "acm-dev") == tip
    # An unrelated change: sktime's files would go back to 1.5.0.
    git("checkout", "-q", "main", cwd=catalogue)
    set_version(catalogue, "paint-inspector", "2.2.0", "2.3.0")
    commit(catalogue, "paint-inspector 2.3.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 1, out + err
    assert f"{bare_repo}@acm-dev:deploy/models/sktime/chart/Chart.yaml:1:1: D301 " in out
    assert "Revert " in out and "paint-inspector" not in out
    assert git("--git-dir", str(bare_repo), "rev-parse", "acm-dev") == tip


def test_a_publish_reached_through_a_merges_second_parent_is_the_last_one(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path, way: str
) -> None:
    """A colleague's `git pull` merges a publish made meanwhile into their hand commit (in
    another folder): the branch's tip is a merge, the publish its second parent. It is
    the last publish (an older pipeline is superseded by it), and the merge is no hand
    change of the folder: publishing goes ahead and leaves the other folder alone."""
    git("init", "-q", "-b", "main", cwd=catalogue)
    older = commit(catalogue, "catalogue")
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    clone = operator(tmp_path, bare_repo)
    (clone / "notes").mkdir()
    (clone / "notes" / "runbook.md").write_text("by hand\n")
    git("-C", str(clone), "add", "notes")
    git("-C", str(clone), "commit", "-q", "-m", "runbook")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    newer = commit(catalogue, "sktime 1.5.0")
    assert publish(capsys, *args)[0] == 0
    git("-C", str(clone), "pull", "-q", "--no-rebase", "--no-edit", "origin", "acm-dev")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    parents = git("--git-dir", str(bare_repo), "log", "-1", "--format=%p", "acm-dev").split()
    assert len(parents) == 2
    git("checkout", "-q", "--detach", older, cwd=catalogue)
    rc, out, err = publish(capsys, *args, "--skip-superseded")
    assert rc == 0, out + err
    assert "superseded, nothing to publish" in out and newer[:12] in out
    git("checkout", "-q", "main", cwd=catalogue)
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    commit(catalogue, "paint-inspector 2.2.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "upgraded paint-inspector 2.1.0 -> 2.2.0" in message(bare_repo)
    assert show(bare_repo, "notes/runbook.md") == "by hand"


def test_a_tag_at_the_tip_and_a_hand_edit_of_another_folder_are_left_alone(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path, way: str
) -> None:
    """An annotated tag on the branch's tip (one named as the branch too), and a commit
    that edits another folder of the branch and rolls a publish back in this one: the
    rollback is refused, and even under --force the other folder keeps the edit."""
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    clone = operator(tmp_path, bare_repo)
    (clone / "other").mkdir()
    (clone / "other" / "channel.yaml").write_text("kind: Channel\n")
    git("-C", str(clone), "add", "other")
    git("-C", str(clone), "commit", "-q", "-m", "another folder")
    for tag in ("release-1", "acm-dev"):
        git("-C", str(clone), "tag", "-a", "-m", tag, tag)
    git("-C", str(clone), "push", "-q", "origin", "refs/heads/acm-dev", "--tags")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args)[0] == 0
    assert "upgraded sktime 1.4.2 -> 1.5.0" in message(bare_repo, "refs/heads/acm-dev")
    git("-C", str(clone), "pull", "-q", "--ff-only", "origin", "refs/heads/acm-dev")
    git("-C", str(clone), "revert", "--no-edit", "--no-commit", "HEAD")
    (clone / "other" / "channel.yaml").write_text("kind: Channel\n# by hand\n")
    git("-C", str(clone), "add", "-A")
    git("-C", str(clone), "commit", "-q", "-m", "roll sktime back, edit other")
    git("-C", str(clone), "push", "-q", "origin", "HEAD:refs/heads/acm-dev")
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    rc, out, _ = publish(capsys, *args)
    assert rc == 1, out
    assert f"{bare_repo}@acm-dev:deploy/models/sktime/chart/Chart.yaml:1:1: D301 " in out
    assert "other/" not in out
    rc, out, err = publish(capsys, *args, "--force")
    assert rc == 0, out + err
    changed = git(
        "--git-dir",
        str(bare_repo),
        "diff",
        "--name-only",
        "refs/heads/acm-dev~1",
        "refs/heads/acm-dev",
    )
    assert changed and all(p.startswith("deploy/") for p in changed.splitlines())
    assert git("--git-dir", str(bare_repo), "show", "refs/heads/acm-dev:other/channel.yaml") == (
        "kind: Channel\n# by hand"
    )
