"""`edgemodels publish` makes its commit from git objects: the deploy branch is never
checked out, only the blobs that differ are read, and the commit is the one a checkout
with `git add` and `git commit` made (which a clone with commit hooks still uses)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from edgemodels import publishing, publishoptions, publishscan

from .conftest import Daemon, git
from .test_publish import (
    COMPETE,
    branch_log,
    competitor,
    files,
    install_hook,
    message,
    publish,
    set_version,
)

WHERE = ("--branch", "acm-dev", "--path", "deploy")


def use_config(monkeypatch: pytest.MonkeyPatch, **pairs: str) -> None:
    """git configuration for the commands publish runs (as a CI job's environment)."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", str(len(pairs)))
    for n, (key, value) in enumerate(pairs.items()):
        monkeypatch.setenv(f"GIT_CONFIG_KEY_{n}", key.replace("__", "."))
        monkeypatch.setenv(f"GIT_CONFIG_VALUE_{n}", value)


def commit_hooks(tmp_path: Path) -> Path:
    """A hooks folder with a post-commit hook that does nothing: it makes publish use a
    checkout, as it did for every clone before."""
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    hook = hooks / "post-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(0o755)
    return hooks


def commit_of(repo: Path, rev: str = "acm-dev") -> dict[str, str]:
    """A commit's tree, message, author and committer (without their dates)."""
    raw = git("--git-dir", str(repo), "cat-file", "commit", rev)
    head, _, body = raw.partition("\n\n")
    fields = dict(line.split(" ", 1) for line in head.splitlines() if " " in line)
    people = {k: v.rsplit(" ", 2)[0] for k, v in fields.items() if k in ("author", "committer")}
    return {"tree": fields["tree"], "message": body, **people}


def mode_of(repo: Path, path: str) -> str:
    return git("--git-dir", str(repo), "ls-tree", "acm-dev", "--", path).split(" ", 1)[0]


def test_the_commit_is_the_one_a_checkout_made(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Publish the same changes to two repositories, one through a checkout (a clone with
    a commit hook), one from objects: the same trees, messages, author and committer."""
    objects, checkout = tmp_path / "objects.git", tmp_path / "checkout.git"
    for bare in (objects, checkout):
        git("init", "-q", "--bare", str(bare))
    hooks = commit_hooks(tmp_path)
    extra = (
        "--message-extra",
        "Pipeline 42   \n\n\n\nnext paragraph\t ",
        "--author",
        "CI <ci@e.org>",
    )

    def both() -> None:
        for bare in (objects, checkout):
            with monkeypatch.context() as patch:
                if bare == checkout:
                    use_config(patch, core__hooksPath=str(hooks))
                rc, out, err = publish(capsys, str(catalogue), "--repo", str(bare), *WHERE, *extra)
                assert rc == 0, out + err
        assert commit_of(objects) == commit_of(checkout)

    both()  # a new branch
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    both()  # an upgrade
    (catalogue / "models" / "sktime.yaml").unlink()
    both()  # a removal
    text = message(objects)
    assert "Pipeline 42\n\nnext paragraph\n" in text  # as `git commit -m` cleans it up
    assert len(branch_log(objects)) == len(branch_log(checkout)) == 3


def test_publish_reads_only_the_blobs_that_differ_and_checks_nothing_out(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work = tmp_path / "work"
    args = (str(catalogue), "--repo", str(bare_repo), *WHERE, "--workdir", str(work))
    assert publish(capsys, *args)[0] == 0
    before = git("--git-dir", str(bare_repo), "rev-parse", "acm-dev")
    read: list[str] = []

    def counted(repo: object, oids: list[str]) -> Mapping[str, bytes]:
        read.extend(oids)
        return real(repo, oids)

    real = publishing.read_blobs
    monkeypatch.setattr(publishing, "read_blobs", counted)
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    # What changed, read to tell a hand edit from the last publish (and nothing else).
    changed = git("--git-dir", str(bare_repo), "diff", "--name-only", before, "acm-dev")
    listing = git("--git-dir", str(bare_repo), "ls-tree", "-r", before).splitlines()
    oid_of = {line.split("\t")[1]: line.split()[2] for line in listing}
    assert sorted(read) == sorted(oid_of[p] for p in changed.splitlines())
    assert len(read) < len(oid_of) / 10
    # The clone holds the repository only: no file of the branch was written.
    assert [p.name for p in work.iterdir()] == [".git"]
    assert not (work / ".git" / "index").exists()


def test_files_not_ours_symlinks_and_modes_are_kept(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    args = (str(catalogue), "--repo", str(bare_repo), *WHERE)
    clone = published_clone(capsys, args, bare_repo, tmp_path)
    folder = clone / "deploy"
    (folder / "tools").mkdir()
    (folder / "tools" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (folder / "tools" / "run.sh").chmod(0o755)
    os.symlink("../README.md", folder / "tools" / "readme")
    values = folder / "models" / "anomaly-scorer" / "base" / "deployment.yaml"
    values.chmod(values.stat().st_mode | stat.S_IXUSR)  # an owned file, same bytes
    git("-C", str(clone), "add", "-A")
    git("-C", str(clone), "commit", "-q", "-m", "tools")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args)[0] == 0
    assert message(bare_repo).startswith("edgemodels: publish lrt: 1 upgraded")
    assert mode_of(bare_repo, "deploy/tools/run.sh") == "100755"
    assert mode_of(bare_repo, "deploy/tools/readme") == "120000"
    assert mode_of(bare_repo, "deploy/models/anomaly-scorer/base/deployment.yaml") == "100755"
    assert mode_of(bare_repo, "deploy/models/sktime/chart/Chart.yaml") == "100644"


def test_a_symlink_over_a_generated_file_is_a_hand_edit(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    args = (str(catalogue), "--repo", str(bare_repo), *WHERE)
    clone = published_clone(capsys, args, bare_repo, tmp_path)
    chart = clone / "deploy" / "models" / "sktime" / "chart" / "values.yaml"
    chart.unlink()
    os.symlink("/etc/passwd", chart)
    git("-C", str(clone), "commit", "-q", "-am", "link")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, _ = publish(capsys, *args)
    assert rc == 1
    assert f"{bare_repo}@acm-dev:deploy/models/sktime/chart/values.yaml:1:1: D301 " in out
    assert message(bare_repo) == "link"
    assert publish(capsys, *args, "--force")[0] == 0
    assert mode_of(bare_repo, "deploy/models/sktime/chart/values.yaml") == "100644"
    assert "Hand edits discarded (--force), 1 file" in message(bare_repo)


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_folder_through_a_file_or_symlink_on_the_branch_is_refused(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path, kind: str
) -> None:
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "acm-dev", str(seed))
    (seed / "elsewhere").mkdir()
    (seed / "elsewhere" / "keep.txt").write_text("kept\n")
    if kind == "file":
        (seed / "deploy").write_text("a file\n")
    else:
        os.symlink("elsewhere", seed / "deploy")
    commit_all(seed)
    git("-C", str(seed), "push", "-q", str(bare_repo), "acm-dev")
    for path in ("deploy", "deploy/sub"):
        rc, _, err = publish(
            capsys, str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", path
        )
        assert rc == 2, err
        assert (
            f"{bare_repo} branch acm-dev at {path}/: deploy is a file or a symlink on the branch"
            in err
        )
    assert files(bare_repo) == {"deploy", "elsewhere/keep.txt"}


def test_a_workdir_an_earlier_publish_checked_out_stays_usable(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A --workdir clone that holds a checkout (an earlier edgemodels, or a clone with
    commit hooks) is used as it is: moving the branch without a checkout must not make it
    look edited to the next run."""
    work = tmp_path / "work"
    args = (str(catalogue), "--repo", str(bare_repo), *WHERE, "--workdir", str(work))
    with monkeypatch.context() as patch:
        use_config(patch, core__hooksPath=str(commit_hooks(tmp_path)))
        assert publish(capsys, *args)[0] == 0
    assert (work / "deploy" / "README.md").is_file()  # checked out
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args)[0] == 0  # from objects
    set_version(catalogue, "sktime", "1.5.0", "1.6.0")
    rc, _, err = publish(capsys, *args)
    assert rc == 0, err
    assert "upgraded sktime 1.5.0 -> 1.6.0" in message(bare_repo)
    assert publish(capsys, *args)[1].endswith("already up to date, nothing to commit\n")


def test_a_killed_run_in_a_workdir_without_a_checkout_is_cleaned_up(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """The clean-up after a killed run reset the index to HEAD: in a clone that was never
    checked out, that made an index of every file, all missing, and the next run refused
    the clone as edited."""
    git("--git-dir", str(bare_repo), "symbolic-ref", "HEAD", "refs/heads/acm-dev")
    work = tmp_path / "work"
    args = (str(catalogue), "--repo", str(bare_repo), *WHERE, "--workdir", str(work))
    assert publish(capsys, *args)[0] == 0
    (work / ".git" / "edgemodels-publish-running").touch()  # as a SIGKILL leaves it
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "sktime", "1.5.0", "1.6.0")
    rc, _, err = publish(capsys, *args)
    assert rc == 0, err
    assert len(branch_log(bare_repo)) == 3


def test_commit_hooks_still_run(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A commit-msg hook (a Gerrit Change-Id) needs `git commit`: such a clone is
    published through a checkout, and the hook sees and edits the message."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    hook = hooks / "commit-msg"
    hook.write_text('#!/bin/sh\nprintf "\\nChange-Id: I123\\n" >> "$1"\n')
    hook.chmod(0o755)
    use_config(monkeypatch, core__hooksPath=str(hooks))
    said: list[str] = []
    options = publishoptions.PublishOptions(catalogue, str(bare_repo), "acm-dev", phase=said.append)
    assert publishing.run_publish(options).status == "published"
    assert message(bare_repo).endswith("\nChange-Id: I123")
    assert any(s.startswith("checking out acm-dev (it has a commit-msg hook") for s in said)


def test_commits_are_signed_when_git_is_told_to(
    catalogue: Path, bare_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gpg = tmp_path / "gpg"
    gpg.write_text(
        "#!/bin/sh\ncat >/dev/null\necho '[GNUPG:] SIG_CREATED D 1 8 00 0 0' >&2\n"
        "printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nZmFrZQ==\\n-----END PGP SIGNATURE-----\\n'\n"
    )
    gpg.chmod(0o755)
    use_config(monkeypatch, commit__gpgsign="true", gpg__program=str(gpg), user__signingkey="K")
    options = publishoptions.PublishOptions(catalogue, str(bare_repo), "acm-dev")
    assert publishing.run_publish(options).status == "published"
    raw = git("--git-dir", str(bare_repo), "cat-file", "commit", "acm-dev")
    assert "\ngpgsig -----BEGIN PGP SIGNATURE-----" in raw


@pytest.mark.parametrize("through", ["objects", "checkout"])
def test_a_sha256_repository(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    through: str,
) -> None:
    if through == "checkout":
        use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    bare = tmp_path / "deploy.git"
    git("init", "-q", "--bare", "--object-format=sha256", str(bare))
    seed = tmp_path / "seed"
    git("init", "-q", "--object-format=sha256", "-b", "acm-dev", str(seed))
    (seed / "notes.md").write_text("kept\n")
    commit_all(seed)
    git("-C", str(seed), "push", "-q", str(bare), "acm-dev")
    args = (str(catalogue), "--repo", str(bare), *WHERE)
    assert publish(capsys, *args)[0] == 0
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    git("--git-dir", str(bare), "fsck", "--strict")
    assert message(bare).startswith("edgemodels: publish lrt: 1 upgraded")
    assert "notes.md" in files(bare)


def test_a_concurrent_push_is_fetched_and_retried_without_a_checkout(
    capsys: pytest.CaptureFixture[str], catalogue: Path, daemon: Daemon, tmp_path: Path
) -> None:
    """The race of the checkout path's test (test_publish.py), with the competing push in a
    pre-push hook: push hooks run either way, commit hooks would bring the checkout back."""
    remote = daemon.bare("deploy.git")
    url = daemon.url("deploy.git")
    work = tmp_path / "work"
    args = (str(catalogue), "--repo", url, "--branch", "acm-dev", "--workdir", str(work))
    assert publish(capsys, *args)[0] == 0
    once = tmp_path / "raced"
    install_hook(
        work,
        "pre-push",
        f"[ -e {once} ] && exit 0\ntouch {once}\n"
        + COMPETE.format(clone=competitor(tmp_path, url)),
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
    assert "notes.txt" in files(remote)
    assert [p.name for p in work.iterdir()] == [".git"]


def set_env(catalogue: Path, model: str, value: str) -> None:
    path = catalogue / "models" / f"{model}.yaml"
    text = path.read_text()
    if "      env: {" not in text:
        text = text.replace("      targets:", "      env: {}\n      targets:", 1)
    path.write_text(re.sub(r"      env: \{.*\}", f"      env: {{API_KEY: {value}}}", text))


@pytest.mark.parametrize("through", ["objects", "checkout"])
def test_only_what_the_commit_stores_is_scanned_for_credentials(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    through: str,
) -> None:
    """A file whose blob on the branch is already the generated bytes adds nothing to git
    and is not scanned again (here one a scan that knew no GitLab token let through); a
    credential in a file the commit stores is refused, and so is every file through a
    checkout, where git attributes decide what is stored."""
    if through == "checkout":
        use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    # Without the policies, whose P110 stops a credential in the catalogue first: the
    # scan of what is committed is the last line, and holds with the policies turned off.
    args = (str(catalogue), "--repo", str(bare_repo), "--no-policies", *WHERE)
    old_token, new_token = "glpat-" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn", "glpat-" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt"
    set_env(catalogue, "anomaly-scorer", old_token)
    with monkeypatch.context() as patch:
        patch.setattr(publishscan, "scan_text", lambda text: [])
        assert publish(capsys, *args)[0] == 0
    scanned: list[str] = []
    real = publishscan.scan_text
    monkeypatch.setattr(publishscan, "scan_text", lambda text: scanned.append(text) or real(text))
    before = git("--git-dir", str(bare_repo), "rev-parse", "acm-dev")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    if through == "checkout":
        assert rc == 2 and "models/anomaly-scorer/base/deployment.yaml:" in err, err
        assert "GitLab token" in err and old_token not in err
        assert git("--git-dir", str(bare_repo), "rev-parse", "acm-dev") == before
        return
    assert rc == 0, out + err
    stored = git("--git-dir", str(bare_repo), "diff", "--name-only", before, "acm-dev")
    assert 0 < len(scanned) == len(stored.splitlines()) < 20
    assert not any(old_token in text for text in scanned)
    set_env(catalogue, "sktime", new_token)
    head = git("--git-dir", str(bare_repo), "rev-parse", "acm-dev")
    rc, _, err = publish(capsys, *args)
    assert rc == 2, err
    assert "refusing to publish" in err and "models/sktime/chart/values.yaml:" in err
    assert new_token not in err
    assert git("--git-dir", str(bare_repo), "rev-parse", "acm-dev") == head
    every = ["git", "--git-dir", str(bare_repo), "cat-file", "--batch-all-objects", "--batch"]
    objects = subprocess.run(every, capture_output=True, check=True, timeout=60).stdout
    assert new_token.encode() not in objects and old_token.encode() in objects


@pytest.mark.parametrize(
    ("where", "rule"),
    [("excludes", "*.yaml"), ("excludes", "deploy/"), ("branch", "/deploy/models/sktime/")],
)
def test_ignore_rules_leave_out_no_generated_file_through_a_checkout(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    rule: str,
) -> None:
    """A commit from objects stores every generated file; through a checkout `git add -A`
    left out those a .gitignore or the global excludes named (and failed on an ignored
    folder). Both commits are the same, for a new branch, an upgrade and a removal."""
    objects, checkout = tmp_path / "objects.git", tmp_path / "checkout.git"
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "acm-dev", str(seed))
    (seed / ".gitignore").write_text(f"{rule}\n" if where == "branch" else "# none\n")
    git("-C", str(seed), "add", "-A")
    git("-C", str(seed), "-c", "user.name=t", "-c", "user.email=t@e.org", "commit", "-qm", "s")
    for bare in (objects, checkout):
        git("init", "-q", "--bare", str(bare))
        git("-C", str(seed), "push", "-q", str(bare), "acm-dev")
    excludes = tmp_path / "excludes"
    excludes.write_text(f"{rule}\n" if where == "excludes" else "")
    hooks = commit_hooks(tmp_path)

    def both() -> None:
        for bare in (objects, checkout):
            with monkeypatch.context() as patch:
                paths = {"core__hooksPath": str(hooks)} if bare == checkout else {}
                use_config(patch, core__excludesFile=str(excludes), **paths)
                rc, out, err = publish(capsys, str(catalogue), "--repo", str(bare), *WHERE)
                assert rc == 0, out + err
        assert commit_of(objects) == commit_of(checkout)

    both()
    assert "deploy/models/sktime/chart/Chart.yaml" in files(checkout)
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    both()
    (catalogue / "models" / "sktime.yaml").unlink()
    both()
    assert not any(name.startswith("deploy/models/sktime/") for name in files(checkout))
    assert not any(name.startswith("deploy/.edgemodels/lock") for name in files(checkout))


def commit_all(repo: Path, message: str = "seed") -> None:
    """Commit everything in `repo` as a test author."""
    git("-C", str(repo), "add", "-A")
    git(
        "-C",
        str(repo),
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@e.org",
        "commit",
        "-q",
        "-m",
        message,
    )


def published_clone(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], bare: Path, tmp_path: Path
) -> Path:
    """Publish with `args`, then a colleague's clone of the deploy branch."""
    assert publish(capsys, *args)[0] == 0
    clone = tmp_path / "colleague"
    git("clone", "-q", "--branch", "acm-dev", str(bare), str(clone))
    return clone
