"""`edgemodels publish` against real repositories: bare ones on disk and over git://."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from edgemodels import publishing
from edgemodels.cli.publish import command
from edgemodels.cli.publishreport import MAX_SHOWN_LINES, shown_message
from edgemodels.errors import OutputError, UsageError
from edgemodels.gitpublish.destination import redact
from edgemodels.publishscan import refuse_credentials

from .conftest import Daemon, git


def publish(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = command.main(list(args), standalone_mode=False)
    out, err = capsys.readouterr()
    return int(rc), out, err


def branch_log(repo: Path, branch: str = "acm-dev") -> list[str]:
    return git("--git-dir", str(repo), "log", "--format=%H", branch).splitlines()


def message(repo: Path, rev: str = "acm-dev") -> str:
    return git("--git-dir", str(repo), "log", "-1", "--format=%B", rev)


def files(repo: Path, rev: str = "acm-dev") -> set[str]:
    return set(git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", rev).splitlines())


def set_version(catalogue: Path, model: str, old: str, new: str) -> None:
    path = catalogue / "models" / f"{model}.yaml"
    path.write_text(path.read_text().replace(old, new))


def install_hook(workdir: Path, name: str, body: str) -> None:
    hook = workdir / ".git" / "hooks" / name
    # Hooks run with git's variables for the repository they belong to; the competing
    # clone below is another repository.
    hook.write_text("#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX\n" + body)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)


def competitor(tmp_path: Path, url: str) -> Path:
    """Another clone that pushes an unrelated change to the branch, as a colleague would."""
    clone = tmp_path / "colleague"
    git("clone", "-q", "--branch", "acm-dev", url, str(clone))
    return clone


COMPETE = """\
cd {clone} || exit 1
git pull -q --rebase origin acm-dev >/dev/null 2>&1
date +%s%N >> notes.txt
git add notes.txt && git commit -q -m "a colleague's change" && git push -q origin acm-dev
"""


# --- on-disk bare repositories --------------------------------------------------------


def test_first_publish_creates_the_branch_with_a_descriptive_commit(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    rc, out, _ = publish(
        capsys,
        str(catalogue),
        "--repo",
        str(bare_repo),
        "--branch",
        "acm-dev",
        "--path",
        "deploy",
        "--author",
        "Model CI <ci@example.com>",
        "--message-extra",
        "Pipeline 42",
    )
    assert rc == 0, out
    assert "pushed" in out
    assert len(branch_log(bare_repo)) == 1
    names = files(bare_repo)
    assert "deploy/.edgemodels/manifest.json" in names
    assert "deploy/models/sktime/chart/Chart.yaml" in names
    assert all(n.startswith("deploy/") for n in names)
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: 4 added")
    assert re.search(r"  lrt:\n(    .*\n)*    added sktime 1\.4\.2", text)
    assert "  paint-shop:\n    added paint-inspector 2.1.0" in text
    assert "Catalogue source commit: not a git checkout" in text
    assert "Pipeline 42" in text
    author = git("--git-dir", str(bare_repo), "log", "-1", "--format=%an <%ae>", "acm-dev")
    assert author == "Model CI <ci@example.com>"
    again = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    rc, out, _ = publish(capsys, *again)
    assert rc == 0
    assert "already up to date, nothing to commit" in out
    assert len(branch_log(bare_repo)) == 1


def test_overridden_branch_and_path_are_what_the_subscriptions_name(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    where = ("--repo", str(bare_repo), "--branch", "plant-7", "--path", "clusters/plant")
    rc, out, _ = publish(capsys, str(catalogue), *where)
    assert rc == 0, out
    clone = tmp_path / "clone"
    git("clone", "-q", "-b", "plant-7", str(bare_repo), str(clone))
    hub = clone / "clusters" / "plant" / "hub"
    subscriptions = [p.read_text() for p in sorted((hub / "synced/subscriptions").glob("*.yaml"))]
    assert subscriptions
    for text in subscriptions:
        assert "apps.open-cluster-management.io/git-branch: plant-7" in text
        assert re.search(r"git-path: clusters/plant/models/[\w./-]+\n", text), text
    # The Subscription that applies hub/synced/ to the hub follows the same branch and folder.
    local = (hub / "subscription.yaml").read_text()
    assert "apps.open-cluster-management.io/git-branch: plant-7\n" in local
    assert "apps.open-cluster-management.io/git-path: clusters/plant/hub/synced\n" in local
    assert (hub / "synced" / "kustomization.yaml").is_file()
    # --repo is where this run pushes; the hub still clones spec.git.url.
    channel = (hub / "channel.yaml").read_text()
    assert str(bare_repo) not in channel
    assert "pathname: https://" in channel
    readme = (clone / "clusters" / "plant" / "README.md").read_text()
    assert "branch `plant-7`" in readme


def test_a_settings_change_names_the_model_and_its_files(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "sktime", "limits: {memory: 1Gi}", "limits: {memory: 2Gi}")
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: settings of sktime changed\n")
    assert "Same version, generated files changed:\n  sktime 1.4.2 (lrt): chart/values.yaml" in text
    assert "No model was added" not in text
    # with an upgrade of another model, both are said
    set_version(catalogue, "sktime", "limits: {memory: 2Gi}", "limits: {memory: 3Gi}")
    set_version(catalogue, "defect-detector", "version: 3.0.1", "version: 3.1.0")
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: 1 upgraded, settings of sktime changed\n")
    assert "upgraded defect-detector 3.0.1 -> 3.1.0" in text
    assert "\n\nSame version, generated files changed:\n  sktime 1.4.2 (lrt):" in text


def test_a_narrowed_placement_names_its_models_not_no_model_removed(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """A target's selector narrowed changes its Placement alone, and takes its models off
    the sites it no longer selects: the commit did say "settings changed" and "No model was
    added, upgraded or removed", where the branch's history should say where to look."""
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    settings = catalogue / "catalogue.yaml"
    text = settings.read_text()
    settings.write_text(
        text.replace("matchLabels: {env: lrt}\n", "matchLabels: {env: lrt, tier: a}\n", 1)
    )
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: placement lrt changed\n\n")
    assert (
        "\n\nPlacements changed: the sites they select may differ, and with them the sites "
        "their models reach (edgemodels plan --base names them):\n  lrt: 1 model (sktime)\n"
    ) in text
    assert "No model was added" not in text and "settings changed" not in text


def test_an_argocd_values_change_names_the_model_and_its_applicationset(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """With Argo CD delivery a Helm model's per-target values are in its ApplicationSet:
    a change of them alone is that model's, as a Subscription's packageOverrides are."""
    settings = catalogue / "catalogue.yaml"
    line = "      description: Every site of the LRT line\n"
    text = settings.read_text().replace("    placementKind: Placement\n", "    delivery: argocd\n")
    settings.write_text(text.replace(line, line + "      overrides: {replicas: 2}\n"))
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    text = settings.read_text()
    settings.write_text(text.replace("overrides: {replicas: 2}", "overrides: {replicas: 3}"))
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: settings of sktime changed\n")
    appset = "hub/argocd/synced/applicationsets/sktime--lrt.yaml"
    assert f"  sktime 1.4.2 (lrt): {appset}, README.md\n" in text  # its README names the values
    assert "No model was added" not in text


def test_upgrade_and_removal_are_named_per_target(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: 1 upgraded\n")
    assert "  lrt:\n    upgraded sktime 1.4.2 -> 1.5.0\n" in text
    (catalogue / "models" / "sktime.yaml").unlink()
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: 1 removed\n")
    assert "  lrt:\n    removed sktime 1.5.0\n" in text
    assert not any(n.startswith("models/sktime/") for n in files(bare_repo))
    assert "models/anomaly-scorer/base/deployment.yaml" in files(bare_repo)
    assert len(branch_log(bare_repo)) == 3


def test_other_paths_of_the_branch_are_left_alone(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    seed = tmp_path / "seed"
    git("clone", "-q", str(bare_repo), str(seed))
    (seed / "docs").mkdir()
    (seed / "docs" / "notes.md").write_text("kept\n")
    git("checkout", "-q", "-b", "acm-dev", cwd=seed)
    git("add", ".", cwd=seed)
    git("commit", "-q", "-m", "seed", cwd=seed)
    git("push", "-q", "origin", "acm-dev", cwd=seed)
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "gitops")
    assert publish(capsys, *args)[0] == 0
    (catalogue / "models" / "sktime.yaml").unlink()
    assert publish(capsys, *args)[0] == 0
    names = files(bare_repo)
    assert "docs/notes.md" in names
    assert "gitops/models/anomaly-scorer/base/deployment.yaml" in names
    assert not any(n.startswith("gitops/models/sktime/") for n in names)
    assert len(branch_log(bare_repo)) == 3  # seed + two publishes, no history rewritten


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_source_commit_of_a_catalogue_checkout(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, object_format: str
) -> None:
    git("init", "-q", f"--object-format={object_format}", cwd=catalogue)
    git("add", ".", cwd=catalogue)
    git("commit", "-q", "-m", "catalogue", cwd=catalogue)
    head = git("rev-parse", "HEAD", cwd=catalogue)
    assert publish(capsys, str(catalogue), "--repo", str(bare_repo), "--branch", "b1")[0] == 0
    assert f"Catalogue source commit: {head}\n" in message(bare_repo, "b1") + "\n"
    set_version(catalogue, "sktime", "1.4.2", "1.4.3")
    rc, out, err = publish(
        capsys, str(catalogue), "--repo", str(bare_repo), "--branch", "b1", "--dry-run"
    )
    assert rc == 0
    assert f"{head} (with uncommitted changes)" in out
    assert f"warning: {catalogue} has uncommitted changes" in err
    assert "upgraded sktime 1.4.2 -> 1.4.3" in out
    assert len(branch_log(bare_repo, "b1")) == 1


def test_dry_run_pushes_nothing(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    rc, out, _ = publish(
        capsys, str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--dry-run"
    )
    assert rc == 0
    assert "would commit" in out and "added sktime 1.4.2" in out
    assert git("--git-dir", str(bare_repo), "branch", "--list") == ""


def unused_target(catalogue: Path) -> None:
    """A warning (R107) in an otherwise clean catalogue: publish goes ahead."""
    path = catalogue / "catalogue.yaml"
    text = path.read_text()
    path.write_text(
        text.replace("  targets:\n", "  targets:\n    spare: {matchLabels: {env: spare}}\n")
    )


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_the_report_file_is_written_when_publish_goes_ahead(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    dry_run: tuple[str, ...],
) -> None:
    """-o FILE gets the report in --format whatever publish does: a CI job that collects it
    finds this run's findings (here a warning), not no file, nor the one an earlier run
    that stopped on findings left there."""
    unused_target(catalogue)
    report = tmp_path / "reports" / "publish.json"
    report.parent.mkdir()
    report.write_text('{"findings": ["from an earlier run"]}')
    args = (str(catalogue), "--repo", str(bare_repo), "--format", "json", "-o", str(report))
    rc, out, _ = publish(capsys, *args, *dry_run)
    assert rc == 0
    assert ("would commit" if dry_run else "pushed") in out
    codes = [f["code"] for f in json.loads(report.read_text())["findings"]]
    assert codes == ["R107"]
    rc, out, _ = publish(capsys, *args, *dry_run)
    assert rc == 0
    assert ("would commit" if dry_run else "already up to date") in out
    assert [f["code"] for f in json.loads(report.read_text())["findings"]] == ["R107"]


def test_a_machine_format_on_stdout_is_the_report_alone(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """As generate's: what publish did goes to stderr, so the report stays parseable."""
    unused_target(catalogue)
    rc, out, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--format", "json")
    assert rc == 0
    assert [f["code"] for f in json.loads(out)["findings"]] == ["R107"]
    assert "pushed" in err and "added sktime 1.4.2" in err
    assert len(branch_log(bare_repo)) == 1


@pytest.mark.parametrize("path", ["/abs", "/", "../x", "a/../../b", ".git"])
def test_path_outside_the_repository_or_absolute_is_refused(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, path: str
) -> None:
    rc, _, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--path", path)
    assert rc == 2
    assert "--path must be a folder inside the repository" in err
    assert git("--git-dir", str(bare_repo), "for-each-ref") == ""


def test_missing_branch_without_create_is_exit_2(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    rc, _, err = publish(
        capsys, str(catalogue), "--repo", str(bare_repo), "--branch", "nope", "--no-create-branch"
    )
    assert rc == 2
    assert "branch nope does not exist" in err


def test_dirty_workdir_is_exit_2(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--workdir", str(work))
    assert publish(capsys, *args)[0] == 0
    (work / "README.md").write_text("edited by hand\n")
    rc, _, err = publish(capsys, *args)
    assert rc == 2
    assert "has uncommitted changes" in err
    assert (work / "README.md").read_text() == "edited by hand\n"  # nothing discarded


def test_catalogue_errors_publish_nothing(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    set_version(catalogue, "sktime", "image: ", "imagee: ")
    rc, out, _ = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert rc == 1
    assert "sktime.yaml" in out
    assert git("--git-dir", str(bare_repo), "branch", "--list") == ""


def latest_tag(catalogue: Path) -> None:
    """A catalogue policy error (P102: the `latest` tag) in an otherwise valid catalogue."""
    path = catalogue / "models" / "sktime.yaml"
    path.write_text(re.sub(r"sktime:1\.4\.2@sha256:[0-9a-f]+", "sktime:latest", path.read_text()))


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_a_catalogue_policy_error_publishes_nothing(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, dry_run: tuple[str, ...]
) -> None:
    """What `check` refuses is not deployed by a publish run by hand, without CI's check."""
    latest_tag(catalogue)
    rc, out, _ = publish(capsys, str(catalogue), "--repo", str(bare_repo), *dry_run)
    assert rc == 1
    assert re.search(r"models/sktime\.yaml:10:14: P102 ", out)
    assert "would commit" not in out
    assert git("--git-dir", str(bare_repo), "branch", "--list") == ""


def test_publish_takes_checks_policy_options(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """--no-policies and --policy-config do what they do for `check`; a policy warning
    (P101, not pinned by digest) is in the report and does not stop the publish."""
    latest_tag(catalogue)
    rc, out, _ = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--no-policies")
    assert rc == 0 and "pushed" in out and "P10" not in out
    config = tmp_path / "policy.yaml"
    config.write_text("extends: default\nrules: {P102: off}\n")
    set_version(catalogue, "sktime", "1.4.2", "1.4.3")
    rc, out, _ = publish(
        capsys, str(catalogue), "--repo", str(bare_repo), "--policy-config", str(config)
    )
    assert rc == 0 and "pushed" in out
    assert "P101" in out and "P102" not in out
    assert len(branch_log(bare_repo)) == 2


def test_remote_hook_refusal_is_a_clear_exit_2(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    temp = tmp_path / "tmp"  # this test's own, so other runs' clones do not count
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    hook = bare_repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'deploy branch is frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    rc, _, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert rc == 2
    assert "the remote refused the push" in err
    assert "deploy branch is frozen" in err
    assert "publish with --workdir DIR to keep it there as refs/edgemodels/unpushed/acm-dev" in err
    assert git("--git-dir", str(bare_repo), "branch", "--list") == ""
    assert list(temp.iterdir()) == []  # the temporary clone is removed
    work = tmp_path / "work"
    args = ("--repo", str(bare_repo), "--branch", "acm-dev", "--workdir", str(work))
    rc, _, err = publish(capsys, str(catalogue), *args)
    assert rc == 2
    assert f"the commit is kept in {work} as refs/edgemodels/unpushed/acm-dev" in err
    assert message(work / ".git", "refs/edgemodels/unpushed/acm-dev").startswith("edgemodels:")


def test_a_commit_kept_earlier_stays_in_the_refs_log_when_another_is_kept(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    hook = bare_repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    work, ref = tmp_path / "work", "refs/edgemodels/unpushed/acm-dev"
    args = ("--repo", str(bare_repo), "--branch", "acm-dev", "--workdir", str(work))
    assert publish(capsys, str(catalogue), *args, "--message-extra", "first")[0] == 2
    first = git("-C", str(work), "rev-parse", ref)
    assert publish(capsys, str(catalogue), *args, "--message-extra", "second")[0] == 2
    second = git("-C", str(work), "rev-parse", ref)
    logged = git("-C", str(work), "reflog", "show", "--format=%H", ref).split()
    assert second != first and first in logged and logged[0] == second


def test_credentials_in_the_tree_are_refused() -> None:
    with pytest.raises(OutputError, match="looks like a credential") as caught:
        refuse_credentials({"a.yaml": b"url: https://bot:hunter22secret@git.example.com/x\n"})
    assert "hunter22secret" not in str(caught.value)
    assert "a.yaml:1:" in str(caught.value)
    refuse_credentials({"a.yaml": b"credentialsSecret: lrt-git\n"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://bot:t0ken@git.example.com/a.git", "https://***@git.example.com/a.git"),
        (
            "fatal: unable to access 'http://u:p@h:8/x/'",
            "fatal: unable to access 'http://***@h:8/x/'",
        ),
        ("ssh://git@host/x", "ssh://***@host/x"),
        ("user:pw@host:repo.git", "***@host:repo.git"),
        ("git@host:repo.git and /plain/path", "git@host:repo.git and /plain/path"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_force_names_the_hand_edits_it_discards_in_the_commit(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    where = ("--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, str(catalogue), *where)[0] == 0
    clone = tmp_path / "colleague"
    git("clone", "-q", "--branch", "acm-dev", str(bare_repo), str(clone))
    chart = clone / "deploy" / "models" / "sktime" / "chart" / "values.yaml"
    chart.write_text(chart.read_text() + "# tuned on site by hand\n")
    git("-C", str(clone), "commit", "-q", "-am", "hand tuning")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, _ = publish(capsys, str(catalogue), *where)
    assert rc == 1
    at = f"{bare_repo}@acm-dev:deploy/models/sktime/chart/values.yaml:1:1: D301 "
    assert at in out  # the deploy branch's file, not one of the working copy
    assert message(bare_repo).strip() == "hand tuning"  # nothing published over it
    rc, out, _ = publish(capsys, str(catalogue), *where, "--force")
    assert rc == 0, out
    text = message(bare_repo)
    assert "Hand edits discarded (--force), 1 file; the parent commit has them:\n" in text
    assert "  deploy/models/sktime/chart/values.yaml\n" in text
    assert "Hand edits discarded" in out  # the message is shown as it is committed
    shown = git(
        "--git-dir", str(bare_repo), "show", "acm-dev:deploy/models/sktime/chart/values.yaml"
    )
    assert "tuned on site by hand" not in shown


# --- over git:// from a git daemon --------------------------------------------------------


def test_concurrent_change_is_fetched_and_retried(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path
) -> None:
    remote = daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    work = tmp_path / "work"
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--workdir", str(work))
    assert publish(capsys, *args)[0] == 0
    clone = competitor(tmp_path, url)
    once = tmp_path / "raced"
    install_hook(
        work,
        "post-commit",
        f"[ -e {once} ] && exit 0\ntouch {once}\n" + COMPETE.format(clone=clone),
    )
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, err
    assert "after 2 attempts" in out
    log = git("--git-dir", str(remote), "log", "--format=%s", "acm-dev").splitlines()
    assert log == [
        "edgemodels: publish lrt: 1 upgraded",
        "a colleague's change",
        "edgemodels: publish lrt: 4 added",
    ]
    assert "notes.txt" in files(remote)  # the colleague's change was not overwritten


def test_branch_that_keeps_moving_stops_after_the_retries(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path
) -> None:
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    work = tmp_path / "work"
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--workdir", str(work))
    assert publish(capsys, *args)[0] == 0
    install_hook(work, "post-commit", COMPETE.format(clone=competitor(tmp_path, url)))
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, _, err = publish(capsys, *args, "--retries", "2")
    assert rc == 2
    assert "rejected 3 times" in err and "nothing was forced" in err
    kept = message(work / ".git", "refs/edgemodels/unpushed/acm-dev")
    assert "upgraded sktime 1.4.2 -> 1.5.0" in kept


def test_unreachable_remote_is_exit_2_without_credentials_in_output(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon
) -> None:
    from .conftest import free_port

    closed = free_port()
    for url in (
        f"git://127.0.0.1:{closed}/deploy.git",
        f"http://robot:s3cr3t-t0ken@127.0.0.1:{closed}/deploy.git",
        daemon.url("missing.git"),
    ):
        rc, out, err = publish(capsys, str(catalogue), "--repo", url, "--branch", "acm-dev")
        assert rc == 2, (url, err)
        assert "cannot clone" in err or "carries credentials" in err
        assert "s3cr3t" not in out + err
    assert "robot" not in err


def test_credentials_in_the_message_author_or_url_query_are_refused(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """Text publish writes into a commit stays in the deploy branch's history (publish never
    rewrites it), and a token in a query string would be printed in git's errors."""
    token = "glpat-" + "x9Y8z7W6v5U4t3S2r1Q0"
    base = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    for extra in (
        ("--message-extra", f"job token {token}"),
        ("--author", f"CI {token} <ci@example.com>"),
    ):
        rc, out, err = publish(capsys, *base, *extra)
        assert rc == 2, err
        assert f"refusing {extra[0]}: it holds what looks like a credential (GitLab token)" in err
        assert token not in out + err
    rc, out, err = publish(
        capsys, str(catalogue), "--repo", "https://git.example.com/d.git?private_token=PWSECRET1"
    )
    assert rc == 2 and "query string" in err
    assert "PWSECRET1" not in out + err
    assert git("--git-dir", str(bare_repo), "branch", "--list") == ""  # nothing was pushed


def test_bad_author_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    rc, _, err = publish(
        capsys, str(catalogue), "--repo", str(bare_repo), "--branch", "b", "--author", "nobody"
    )
    assert rc == 2
    assert "--author must look like" in err


def fill(env: dict[str, str], protocol: str, host: str) -> subprocess.CompletedProcess[str]:
    """What `git credential fill` finds for a host, in the environment publish gives git."""
    return subprocess.run(
        ["git", "credential", "fill"],
        input=f"protocol={protocol}\nhost={host}\n\n",
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_token_from_the_environment_reaches_git_through_a_helper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from edgemodels.gitpublish.destination import git_settings

    monkeypatch.setenv("EDGEMODELS_GIT_TOKEN", "tok-123")
    monkeypatch.setenv("EDGEMODELS_GIT_USERNAME", "robot")
    settings = git_settings("CI <ci@example.com>", 10, "https://git.example.com/edge/d.git")
    assert "tok-123" not in repr(settings)  # only the variable's name is in git's config
    done = fill(settings.env, "https", "git.example.com")
    assert done.returncode == 0, done.stderr
    assert "username=robot\npassword=tok-123\n" in done.stdout
    # Scoped to the deploy repository's host: another host (a submodule, a redirect) gets none.
    assert "tok-123" not in fill(settings.env, "https", "evil.example.net").stdout


def test_token_is_not_kept_by_the_users_credential_helpers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """After a push git asks every configured helper to store the credential it used: with
    `credential.helper=store` in the user's config (common on developer machines and shared
    runners), the token would land in ~/.git-credentials. publish empties the helper list
    for the deploy host before adding its own."""
    from edgemodels.gitpublish.destination import git_settings

    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[credential]\n\thelper = store\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("EDGEMODELS_GIT_TOKEN", "tok-123")
    settings = git_settings("CI <ci@example.com>", 10, "https://git.example.com/edge/d.git")
    done = fill(settings.env, "https", "git.example.com")
    assert "password=tok-123" in done.stdout
    approve = subprocess.run(
        ["git", "credential", "approve"],
        input=done.stdout,
        env={**os.environ, **settings.env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert approve.returncode == 0, approve.stderr
    assert not (home / ".git-credentials").exists()
    # The control: without publish's settings, the same approve stores it.
    plain = {k: v for k, v in settings.env.items() if not k.startswith("GIT_CONFIG_")}
    subprocess.run(
        ["git", "credential", "approve"],
        input=done.stdout,
        env={**os.environ, **plain},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "tok-123" in (home / ".git-credentials").read_text()


def test_token_is_not_sent_over_plain_http_unless_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from edgemodels.gitpublish.destination import git_settings

    monkeypatch.setenv("EDGEMODELS_GIT_TOKEN", "tok-123")
    with pytest.raises(UsageError, match="plain http://"):
        git_settings("CI <ci@example.com>", 10, "http://git.example.com/d.git")
    allowed = git_settings("CI <ci@example.com>", 10, "http://git.example.com:8080/d.git", True)
    assert "password=tok-123" in fill(allowed.env, "http", "git.example.com:8080").stdout
    for url in ("/srv/git/d.git", "git@git.example.com:edge/d.git"):  # git asks no token
        assert "GIT_CONFIG_COUNT" not in git_settings("CI <ci@example.com>", 10, url).env
    monkeypatch.delenv("EDGEMODELS_GIT_TOKEN")  # no token: plain http:// is not refused
    assert git_settings("CI <ci@example.com>", 10, "http://git.example.com/d.git")


def test_an_older_edgemodels_does_not_publish_over_a_newer_one(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The deploy branch is what RHACM applies: an older edgemodels publishing its layout
    over a newer one's (0.1.0 over 0.2.0's hub/synced/) would undo it on the hub (D306)."""
    from edgemodels import generate, treeversion

    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    pushed = branch_log(bare_repo)
    monkeypatch.setattr(generate, "__version__", "0.0.9")
    monkeypatch.setattr(treeversion, "__version__", "0.0.9")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 1, out + err
    assert "@acm-dev:deploy/.edgemodels/manifest.json:" in out + err
    assert "D306 the deploy branch " in out + err and "this is 0.0.9" in out + err
    assert branch_log(bare_repo) == pushed  # nothing was pushed
    assert publish(capsys, *args, "--force")[0] == 0
    assert len(branch_log(bare_repo)) == len(pushed) + 1


def test_a_change_of_the_hand_applied_hub_files_says_to_apply_them(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """RHACM applies hub/synced/ only: a new reconcile rate (an annotation of the Channel,
    which an admin applies) reaches the hub only when hub/ is applied again."""
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    rc, out, err = publish(capsys, *args)
    # The branch's first hub/: applied once, not "changed ... again".
    first = (
        "hub/ is new on this branch: apply it on the hub once (kubectl apply -k hub/ from the "
        "deploy branch's folder); from then on RHACM applies hub/synced/ by itself"
    )
    assert rc == 0 and f"edgemodels: warning: {first}" in err and "changed:" not in err
    assert first in message(bare_repo)
    path = catalogue / "catalogue.yaml"
    path.write_text(path.read_text().replace("reconcileRate: medium", "reconcileRate: high"))
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    # the Channel's annotation, and the label the hub Subscription carries to match it
    assert (
        "edgemodels: warning: hub/channel.yaml, hub/subscription.yaml changed: RHACM "
        "applies only hub/synced/, so apply hub/ on the hub again (kubectl apply -k hub/"
    ) in err
    assert "hub/channel.yaml, hub/subscription.yaml changed: RHACM applies only" in message(
        bare_repo
    )
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")  # a change of hub/synced/ only
    rc, out, err = publish(capsys, *args)
    assert rc == 0 and "apply hub/" not in err and "apply hub/" not in message(bare_repo)


def test_only_the_hand_applied_hub_files_are_named_for_a_re_apply() -> None:
    """Argo CD's hub Application syncs hub/argocd/synced/ as the hub Subscription does
    hub/synced/; the bindings and the Application itself are applied by hand."""
    from edgemodels.hubnote import hand_applied

    changed = [
        "hub/argocd/application.yaml",
        "hub/argocd/bindings/edge.yaml",
        "hub/argocd/synced/applicationsets/scorer--edge.yaml",
        "hub/argocd/synced/kustomization.yaml",
        "hub/synced/subscriptions/scorer--edge.yaml",
        "hub/kustomization.yaml",
        "models/scorer/chart/values.yaml",
    ]
    assert hand_applied(changed) == (
        "hub/argocd/application.yaml",
        "hub/argocd/bindings/edge.yaml",
        "hub/kustomization.yaml",
    )


def test_the_hub_note_names_what_applies_the_synced_folders() -> None:
    from edgemodels.hubnote import hub_note

    argocd = ["hub/argocd/application.yaml", "hub/argocd/synced/kustomization.yaml"]
    changed = ("hub/argocd/application.yaml",)
    assert hub_note(changed, [], argocd).startswith(
        "hub/argocd/application.yaml changed: the hub Application applies only "
        "hub/argocd/synced/, so apply hub/ on the hub again"
    )
    first = hub_note(changed, ["hub/kustomization.yaml"], argocd)
    assert first.endswith(
        "from then on the hub Application applies hub/argocd/synced/ by itself, and publish "
        "says when hub/ must be applied again"
    )
    # Moving to Argo CD adds the hub Application beside a changed hub/kustomization.yaml.
    assert hub_note(
        (*changed, "hub/kustomization.yaml", "hub/synced/gone.yaml"),
        ["hub/argocd/application.yaml"],
        [*argocd, "hub/kustomization.yaml"],
    ).startswith(
        "hub/argocd/application.yaml added, hub/kustomization.yaml changed, "
        "hub/synced/gone.yaml removed: the hub Application applies only"
    )
    assert "deletes nothing" not in hub_note(changed, [], argocd)
    # The Subscription side leaving (migration subscriptions-removed): applying hub/ again
    # does not delete the hub Subscription, the Channel or the bindings.
    tree = [*argocd, "hub/kustomization.yaml"]
    gone = hub_note(("hub/kustomization.yaml", "hub/subscription.yaml"), [], tree)
    assert gone.endswith(
        "for the change to take effect; kubectl apply deletes nothing, so delete the removed "
        "files' objects by hand"
    )
    both = [*argocd, "hub/synced/kustomization.yaml"]  # a keep-subscriptions migration
    assert "RHACM applies only hub/synced/ and the hub Application applies hub/argocd/" in (
        hub_note(changed, [], both)
    )
    assert hub_note((), ["hub/kustomization.yaml"], argocd) == ""


def test_a_long_commit_message_is_shown_cut_and_committed_whole() -> None:
    """A fleet-wide bump names every model per target: 1,861 lines echoed for 1,000 models."""
    changes = [f"  t{n % 20:03}:\n    upgraded m{n:05} 1.0.0 -> 1.0.1" for n in range(1000)]
    message = (
        "\n".join(
            [
                "edgemodels: publish fleet: 1000 upgraded",
                "",
                "Changes per target:",
                *changes,
                "",
                "Files under fleet: 0 added, 1803 changed, 0 removed",
                "",
                "Published by edgemodels 0.2.0",
            ]
        )
        + "\n"
    )
    shown = shown_message(message, "0123456789ab").splitlines()
    assert len(shown) == MAX_SHOWN_LINES + 5
    assert shown[:3] == ["edgemodels: publish fleet: 1000 upgraded", "", "Changes per target:"]
    assert shown[MAX_SHOWN_LINES] == (
        f"  ... and {2003 - MAX_SHOWN_LINES} more lines: `git show -s 0123456789ab` in the "
        "deploy repository"
    )
    assert shown[-4:] == [
        "",
        "Files under fleet: 0 added, 1803 changed, 0 removed",
        "",
        "Published by edgemodels 0.2.0",
    ]
    short = "edgemodels: publish x: 1 added\n\nChanges per target:\n  t:\n    added a 1\n\nFiles under /: 3 added, 0 changed, 0 removed\n"
    assert shown_message(short, "0123456789ab") == short


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("{tmp}/no-such.git", "no repository at that URL: check the URL (spec.git.url or --repo)"),
        ("{daemon}", "no repository at that URL"),
        ("git://127.0.0.1:{closed}/x.git", "the host refused the connection: check the port"),
        ("http://127.0.0.1:{closed}/x.git", "the host refused the connection"),
        ("git://no-such-host.invalid/x.git", "the host name does not resolve: check the host"),
    ],
)
def test_a_failed_clone_says_what_to_check_and_keeps_what_git_said(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    daemon: Daemon,
    tmp_path: Path,
    url: str,
    hint: str,
) -> None:
    from .conftest import free_port

    url = url.format(tmp=tmp_path, daemon=daemon.url("missing.git"), closed=free_port())
    rc, _, err = publish(
        capsys, str(catalogue), "--repo", url, "--branch", "acm-dev", "--allow-http-token"
    )
    assert rc == 2, err
    assert f"cannot clone {url}: {hint}" in err
    assert "\n  git said: " in err and "cannot reach the repository" not in err


def test_publish_names_each_step_as_it_starts(catalogue: Path, bare_repo: Path) -> None:
    """A 1,000-model publish takes seconds: at a terminal, each step is said (the CLI's
    `phases` prints them to stderr; a pipe or CI gets nothing)."""
    from edgemodels.publishing import run_publish
    from edgemodels.publishoptions import PublishOptions

    said: list[str] = []
    options = PublishOptions(catalogue, str(bare_repo), "acm-dev", phase=said.append)
    assert run_publish(options).status == "published"
    steps = [label.split(" ")[0] for label in said]
    assert steps == [
        "rendering",
        "cloning",
        "fetching",
        "scanning",
        "writing",
        "committing",
        "pushing",
    ]
    assert said[1] == f"cloning {bare_repo}"


def test_phases_say_nothing_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from edgemodels.cli.terminal import phases

    phases("publish")("cloning")
    assert capsys.readouterr().err == ""


def test_a_relative_repo_path_is_read_from_the_working_folder(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """git clones from a temporary folder, where `../deploy.git` named nothing."""
    monkeypatch.chdir(bare_repo.parent)
    rc, out, err = publish(capsys, str(catalogue), "--repo", bare_repo.name, "--branch", "acm-dev")
    assert rc == 0, out + err
    assert len(branch_log(bare_repo)) == 1


@pytest.mark.parametrize("through", ["objects", "checkout"])
def test_a_model_moved_to_another_file_is_said_to_have_moved(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    through: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the catalogue file named in its banners and edgemodels.io/source changes: the
    objects' metadata, no pod template, so no restart; not a change of settings. Through
    a checkout (--workdir) the previous files are overwritten before the message is
    written: the manifest's sha256 of each tells a move from a change."""
    args = [str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev"]
    if through == "checkout":
        args += ["--workdir", str(tmp_path / "work")]
    assert publish(capsys, *args)[0] == 0
    checkouts: list[object] = []
    if through == "checkout":  # a commit hook needs a checkout
        install_hook(tmp_path / "work", "pre-commit", "exit 0\n")
        write = publishing.write_and_commit
        monkeypatch.setattr(
            publishing, "write_and_commit", lambda *a: checkouts.append(a) or write(*a)
        )
    (catalogue / "models" / "line").mkdir()
    (catalogue / "models" / "sktime.yaml").rename(catalogue / "models" / "line" / "sktime.yaml")
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    old, new = "catalogue/models/sktime.yaml", "catalogue/models/line/sktime.yaml"
    assert text.startswith(f"edgemodels: publish lrt: sktime moved from {old} to {new}\n")
    assert f"  sktime 1.4.2 (lrt): {old} -> {new}\n" in text
    assert len(checkouts) == (through == "checkout")
    assert "settings" not in text.split("\n\n")[0] and "Same version" not in text
    # Moved and changed: a change of settings, which says the move too.
    (catalogue / "models" / "line" / "sktime.yaml").rename(catalogue / "models" / "sktime.yaml")
    set_version(catalogue, "sktime", "limits: {memory: 1Gi}", "limits: {memory: 2Gi}")
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: settings of sktime changed\n")
    assert f"(and moved from {new} to {old})" in text


def rewrite_as_older(tmp_path: Path, repo: Path, version: str, path: str) -> None:
    """The branch as an older edgemodels left it: its version in the manifest, and other
    bytes for `path` (its sha256 in the manifest too, so it is no hand edit)."""
    import hashlib

    clone = tmp_path / "older"
    git("clone", "-q", "--branch", "acm-dev", str(repo), str(clone))
    changed = clone / path
    changed.write_bytes(changed.read_bytes() + b"# written by an older edgemodels\n")
    manifest = clone / ".edgemodels" / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["edgemodelsVersion"] = version
    doc["files"][path] = hashlib.sha256(changed.read_bytes()).hexdigest()
    manifest.write_text(json.dumps(doc, indent=2) + "\n")
    said = f"edgemodels: publish lrt: 4 added\n\nPublished by edgemodels {version}"
    git("-C", str(clone), "commit", "-qam", said)  # as that version's publish
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")


@pytest.mark.parametrize("checkout", [False, True])
def test_a_new_edgemodels_regenerating_the_branch_says_so_not_settings_changed(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    checkout: bool,
) -> None:
    """A branch an older edgemodels wrote, published again from the same catalogue: the
    files the new version writes otherwise are its own change, not a catalogue setting's
    ("settings of sktime changed" sent the reader to a catalogue history without it).
    From objects, and through a checkout (a commit hook), which reads the manifest there."""
    from edgemodels import __version__

    from .test_publish_objects import commit_hooks, use_config

    if checkout:
        use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))

    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    rewrite_as_older(tmp_path, bare_repo, "0.1.0", "models/sktime/chart/values.yaml")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    text = message(bare_repo)
    upgrade = f"edgemodels 0.1.0 -> {__version__}"
    assert text.startswith(f"edgemodels: publish lrt: regenerated by {upgrade}\n"), text
    assert f"Same catalogue, generated files changed by {upgrade}:\n  sktime 1.4.2" in text
    assert f"every change here comes from {upgrade}." in text
    assert "settings of" not in text and "Same version" not in text
    # With a catalogue change as well, the changes are the catalogue's, with a note.
    rewrite_as_older(tmp_path / "again", bare_repo, "0.1.0", "models/sktime/chart/values.yaml")
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    assert publish(capsys, *args)[0] == 0
    text = message(bare_repo)
    assert text.startswith("edgemodels: publish lrt: 1 upgraded, settings of sktime changed\n")
    assert f"some of these changes may come from {upgrade}, not from the catalogue." in text


def test_json_says_what_publish_did_for_a_ci_script(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path
) -> None:
    """A CI script reads `publish` from --format json: whether a commit was pushed (and
    which), where, and whether hub/ must be applied again; findings say `findings`."""
    daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--format", "json")
    rc, out, _ = publish(capsys, *args)
    assert rc == 0
    done = json.loads(out)["publish"]
    head = git("--git-dir", str(daemon.base / "deploy.git"), "rev-parse", "acm-dev")
    assert done["status"] == "published" and done["commit"] == head
    assert (done["repository"], done["branch"], done["path"]) == (url, "acm-dev", "")
    assert done["subject"] == "edgemodels: publish lrt: 4 added" and done["attempts"] == 1
    assert "hub/kustomization.yaml" in done["handApplied"]  # the first hub/: apply it once
    rc, out, _ = publish(capsys, *args)
    assert rc == 0
    done = json.loads(out)["publish"]
    assert (done["status"], done["commit"], done["handApplied"]) == ("unchanged", None, [])
    clone = tmp_path / "colleague"
    git("clone", "-q", "--branch", "acm-dev", url, str(clone))
    chart = clone / "models" / "sktime" / "chart" / "values.yaml"
    chart.write_text(chart.read_text() + "# tuned on site by hand\n")
    git("-C", str(clone), "commit", "-q", "-am", "hand tuning")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    report = tmp_path / "publish.json"
    rc, out, _ = publish(capsys, *args, "-o", str(report))
    assert rc == 1 and " D301 " in out  # the terminal gets the text
    refused = json.loads(report.read_text())
    assert refused["publish"]["status"] == "findings" and refused["publish"]["commit"] is None
    assert [f["code"] for f in refused["findings"]] == ["D301"]
    rc, out, _ = publish(capsys, *args)
    assert rc == 1 and json.loads(out)["publish"]["status"] == "findings"


def test_a_push_cut_short_says_what_to_do_and_the_next_publish_recovers(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path
) -> None:
    """The git server goes away mid-push (its receive-pack killed): exit 2, saying that the
    branch may or may not have the commit and that publishing again is safe; it is."""
    remote = daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--workdir", str(tmp_path / "w"))
    assert publish(capsys, *args)[0] == 0
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nkill -9 $PPID\n")
    hook.chmod(0o755)
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 2, out + err
    assert f"cannot push to {url}" in err
    assert "the branch may or may not have the commit. Publish again" in err
    assert len(branch_log(remote)) == 1
    hook.unlink()
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert [message(remote).splitlines()[0]] == ["edgemodels: publish lrt: 1 upgraded"]
    assert len(branch_log(remote)) == 2


@pytest.mark.parametrize(("path", "meant"), [("./deploy/", "deploy"), ("a//./b", "a/b")])
def test_a_path_with_dot_or_empty_parts_is_refused_with_its_plain_form(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, path: str, meant: str
) -> None:
    """The Subscriptions' git-path is written from --path: no `.` or empty part in it, but
    the folder meant is plain to see, so the refusal says how to write it."""
    rc, _, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--path", path)
    assert rc == 2
    assert f"--path must be a folder inside the repository, written as {meant!r} " in err
    assert git("--git-dir", str(bare_repo), "for-each-ref") == ""
