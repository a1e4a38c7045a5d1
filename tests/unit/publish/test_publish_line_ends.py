"""Line ends on the deploy branch: a generated file committed there with CRLF (a Windows
editor or checkout, `unix2dos`) changes no content. It was a hand edit (D301) to every
publish after, and a commit of the whole folder with CRLF was a rollback by hand of every
file. Publish writes such a file again as generated, once; a real edit is still one.
From objects, through a checkout (a commit hook), and on a runner with core.autocrlf."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import git
from .test_publish import message, publish, set_version
from .test_publish_objects import commit_hooks, use_config


@pytest.fixture(params=["objects", "checkout", "core.autocrlf"])
def way(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "checkout":
        use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    elif request.param == "core.autocrlf":
        use_config(monkeypatch, core__autocrlf="true")
    return str(request.param)


def their(clone: Path, *args: str) -> str:
    """git in the colleague's clone, which converts no line end (the runner's
    core.autocrlf is publish's, in the environment; `-c` overrides it)."""
    return git("-c", "core.autocrlf=false", "-C", str(clone), *args)


def colleague(tmp_path: Path, bare: Path) -> Path:
    """The colleague's clone of the branch, up to date."""
    clone = tmp_path / "colleague"
    if not clone.exists():
        git(
            "-c", "core.autocrlf=false", "clone", "-q", "--branch", "acm-dev", str(bare), str(clone)
        )
    their(clone, "pull", "-q", "--ff-only")
    return clone


def push_crlf(clone: Path, paths: list[Path], subject: str) -> None:
    for path in paths:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    their(clone, "add", "-A")
    their(clone, "commit", "-q", "-m", subject)
    their(clone, "push", "-q", "origin", "acm-dev")


def blob(bare: Path, path: str) -> bytes:
    """The blob's bytes as git holds them (`git` reads its output as text, CRLF as LF)."""
    args = ["git", "--git-dir", str(bare), "cat-file", "blob", f"acm-dev:{path}"]
    return subprocess.run(args, capture_output=True, check=True, timeout=60).stdout


@pytest.mark.parametrize("attributes", ["", "* text=auto eol=crlf\n"])
def test_a_file_committed_with_crlf_is_no_hand_edit(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    way: str,
    attributes: str,
) -> None:
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    clone = colleague(tmp_path, bare_repo)
    push_crlf(clone, [clone / "deploy" / "hub" / "channel.yaml"], "line ends")
    assert b"\r\n" in blob(bare_repo, "deploy/hub/channel.yaml")
    if attributes:  # after the CRLF commit: `text=auto` keeps a blob with CRLF as it is
        (clone / ".gitattributes").write_text(attributes)
        their(clone, "add", ".gitattributes")
        their(clone, "commit", "-q", "-m", "attributes")
        their(clone, "push", "-q", "origin", "acm-dev")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "upgraded sktime 1.4.2 -> 1.5.0" in message(bare_repo)
    assert b"\r" not in blob(bare_repo, "deploy/hub/channel.yaml")
    assert publish(capsys, *args)[1].endswith("already up to date, nothing to commit\n")
    # An edit made with CRLF line ends is an edit all the same.
    clone = colleague(tmp_path, bare_repo)
    namespace = clone / "deploy" / "hub" / "namespace.yaml"
    namespace.write_bytes(namespace.read_bytes() + b"# edited\n")
    push_crlf(clone, [namespace], "hand edit")
    set_version(catalogue, "sktime", "1.5.0", "1.6.0")
    rc, out, _ = publish(capsys, *args)
    assert rc == 1, out
    assert out.count(" D301 ") == 1
    assert f"{bare_repo}@acm-dev:deploy/hub/namespace.yaml:1:1: D301 " in out


def test_line_ends_alone_are_said_as_normalised(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path, way: str
) -> None:
    """A publish that only writes CRLF files with LF again changes no setting and asks no
    apply of hub/: its message says the line ends were normalised, and publish gives no
    hub note."""
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    clone = colleague(tmp_path, bare_repo)
    chart = clone / "deploy" / "models" / "sktime" / "chart" / "Chart.yaml"
    push_crlf(clone, [clone / "deploy" / "hub" / "channel.yaml", chart], "line ends")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    said = message(bare_repo)
    assert said.startswith("edgemodels: publish lrt") and said.splitlines()[0].endswith(
        ": line ends normalised"
    ), said
    assert "nothing to apply on the hub): hub/channel.yaml, models/sktime/chart/Chart.yaml." in said
    assert "settings" not in said and "apply hub/" not in said and "sktime 1.4.2" not in said
    assert "apply hub/" not in err
    assert b"\r" not in blob(bare_repo, "deploy/hub/channel.yaml")


def test_a_commit_of_the_whole_folder_with_crlf_is_no_rollback(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path, way: str
) -> None:
    """The commit changed the manifest too, so the rollback guard read every file it
    converted as rolled back by hand; a revert converted alike is still one."""
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    clone = colleague(tmp_path, bare_repo)
    every = [p for p in (clone / "deploy").rglob("*") if p.is_file()]
    push_crlf(clone, every, "line ends")
    set_version(catalogue, "paint-inspector", "2.1.0", "2.2.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "upgraded paint-inspector 2.1.0 -> 2.2.0" in message(bare_repo)
    assert b"\r" not in blob(bare_repo, "deploy/.edgemodels/manifest.json")
    assert publish(capsys, *args)[1].endswith("already up to date, nothing to commit\n")
    # A bad publish, reverted and converted to CRLF in one commit: a rollback all the same.
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    assert publish(capsys, *args)[0] == 0
    clone = colleague(tmp_path, bare_repo)
    their(clone, "revert", "--no-edit", "--no-commit", "HEAD")
    every = [p for p in (clone / "deploy").rglob("*") if p.is_file()]
    push_crlf(clone, every, "Revert sktime 1.5.0, with CRLF")
    set_version(catalogue, "paint-inspector", "2.2.0", "2.3.0")
    rc, out, _ = publish(capsys, *args)
    assert rc == 1, out
    assert f"{bare_repo}@acm-dev:deploy/models/sktime/chart/Chart.yaml:1:1: D301 " in out
    assert "Revert sktime 1.5.0, with CRLF" in out
    assert "paint-inspector" not in out


@pytest.mark.parametrize("convert", ["core.autocrlf", "eol attribute"])
def test_a_description_with_a_cr_publishes_again_without_a_hand_edit(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    convert: str,
) -> None:
    """A model's description with `\\r\\n` went into its README as is: `git add` converted
    it (core.autocrlf, an `eol` attribute), so the branch held other bytes than the
    manifest's sum, and every publish after the first stopped at D301 on that README."""
    path = catalogue / "models" / "sktime.yaml"
    text = path.read_text()
    start = text.index("description: ")
    end = text.index("\n", start)
    path.write_text(f'{text[:start]}description: "Forecaster\\r\\nfor the LRT line"{text[end:]}')
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", "deploy")
    assert publish(capsys, *args)[0] == 0
    if convert == "core.autocrlf":
        use_config(monkeypatch, core__autocrlf="true")
    else:
        clone = colleague(tmp_path, bare_repo)
        (clone / ".gitattributes").write_text("* text eol=crlf\n")
        their(clone, "add", ".gitattributes")
        their(clone, "commit", "-q", "-m", "attributes")
        their(clone, "push", "-q", "origin", "acm-dev")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    readme = blob(bare_repo, "deploy/models/sktime/README.md")
    assert b"Forecaster\nfor the LRT line\n" in readme and b"\r" not in readme
    assert publish(capsys, *args)[1].endswith("already up to date, nothing to commit\n")
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "upgraded sktime 1.4.2 -> 1.5.0" in message(bare_repo)
