"""`edgemodels publish` on deploy branches and clones of unusual shapes: folder names git
reads as patterns, clones that fetch fewer branches, catalogues in odd repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import git
from .test_publish import message, publish, set_version
from .test_publish_objects import commit_hooks, published_clone, use_config


@pytest.mark.parametrize("through", ["objects", "checkout"])
def test_a_folder_named_like_pathspec_magic_is_that_folder(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    through: str,
) -> None:
    """`:x` is pathspec magic to git (`x`): the folder's files were never listed, so a hand
    edit in it was overwritten without D301 (objects) or the new version never committed
    (through a checkout)."""
    if through == "checkout":
        use_config(monkeypatch, core__hooksPath=str(commit_hooks(tmp_path)))
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev", "--path", ":x")
    clone = published_clone(capsys, args, bare_repo, tmp_path)
    set_version(catalogue, "sktime", "1.4.2", "1.5.0")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    assert "upgraded sktime 1.4.2 -> 1.5.0" in message(bare_repo)
    git("-C", str(clone), "pull", "-q", "--ff-only")
    channel = clone / ":x" / "hub" / "channel.yaml"
    channel.write_text(channel.read_text() + "# edited\n")
    git("-C", str(clone), "commit", "-q", "-am", "hand edit")
    git("-C", str(clone), "push", "-q", "origin", "acm-dev")
    set_version(catalogue, "sktime", "1.5.0", "1.6.0")
    rc, out, _ = publish(capsys, *args)
    assert rc == 1, out
    assert f"{bare_repo}@acm-dev::x/hub/channel.yaml:1:1: D301 " in out
    assert message(bare_repo) == "hand edit"
