"""R234: spec.git.branch and spec.git.path as publish takes them and RHACM clones them:
`check` says what `publish` would refuse (exit 2) and what `generate` would write into
every Subscription's git-branch and git-path annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import findings, messages, sub


def with_git(branch: str = "acm-dev", path: str | None = None) -> str:
    text = sub("    branch: acm-dev\n", f'    branch: "{branch}"\n')
    if path is not None:
        text = sub(
            f'    branch: "{branch}"\n', f'    branch: "{branch}"\n    path: "{path}"\n', text
        )
    return text


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("../x", "must be a folder inside the repository, not '../x'"),
        (".git/x", "must be a folder inside the repository, not '.git/x'"),
        ("./deploy/", "written as 'deploy'"),
    ],
)
def test_a_path_publish_refuses_is_a_finding_at_the_path(
    tmp_path: Path, path: str, said: str
) -> None:
    text = with_git(path=path)
    assert findings(tmp_path, text) == [(9, 11, "R234")]
    (message,) = messages(tmp_path, text)
    assert message.startswith("catalogue.yaml:9:11: R234 spec.git.path must be a folder ")
    assert said in message and "publish would refuse it" in message


@pytest.mark.parametrize("path", ["", "deploy", "deploy/", "/deploy", "a/b"])
def test_a_folder_of_the_repository_is_fine(tmp_path: Path, path: str) -> None:
    assert findings(tmp_path, with_git(path=path)) == []


def test_a_branch_git_refuses_is_a_finding_at_the_branch(tmp_path: Path) -> None:
    text = with_git(branch="acm dev")
    assert findings(tmp_path, text) == [(8, 13, "R234")]
    (message,) = messages(tmp_path, text)
    assert "spec.git.branch: not a valid branch name: 'acm dev'" in message
