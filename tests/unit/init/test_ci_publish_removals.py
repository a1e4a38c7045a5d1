"""The CI files `init` writes run publish's removal guard (`-i`), and a merge request or
pull request labelled `allow-removals` lets its removal through on the default branch as it
does in plan; an older commit's publish that runs after a newer one's passes, publishing
nothing. The lines run as written, against a bare deploy repository on disk; GitLab's
merge-request API is a local HTTP server."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from edgemodels.init import CI_FILES

from .test_init import DEPLOY_URL, created, git, sh, yaml_load  # noqa: F401 - a fixture

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def deploy_env(created: Path, tmp_path: Path) -> dict[str, str]:  # noqa: F811 - the fixture
    """The catalogue committed; its pushes go to the bare deploy.git beside it."""
    git("commit", "-q", "-m", "Model catalogue", cwd=created)
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{tmp_path / 'deploy.git'}.insteadOf",
        "GIT_CONFIG_VALUE_0": DEPLOY_URL,
        "GITLAB_USER_NAME": "Model CI",
        "GITLAB_USER_EMAIL": "ci@example.com",
    }


def retire(repo: Path) -> None:
    git("rm", "-q", "catalogue/models/forecaster.yaml", cwd=repo)
    assert sh("edgemodels generate -o generated", repo, {}).returncode == 0
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "retire forecaster", cwd=repo)


class MergeRequests(BaseHTTPRequestHandler):
    labels: list[str] | None = None  # None: the API refuses (no token that may read it)

    def do_GET(self) -> None:
        wanted = f"/api/v4/projects/7/repository/commits/{SHA}/merge_requests"
        if self.labels is None or self.path != wanted:
            self.send_error(401 if self.labels is None else 404)
            return
        body = json.dumps([{"iid": 3, "labels": self.labels}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), MergeRequests)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    finally:
        server.shutdown()
        server.server_close()
        MergeRequests.labels = None


def test_gitlab_publish_refuses_a_removal_unless_its_merge_request_allowed_it(
    created: Path,  # noqa: F811 - the fixture
    deploy_env: dict[str, str],
    api: str,
    tmp_path: Path,
) -> None:
    ci = yaml_load(created / CI_FILES[0])
    env = {k: str(v) for k, v in ci["variables"].items()}  # type: ignore[attr-defined]
    env |= deploy_env | {"CI_API_V4_URL": api, "CI_PROJECT_ID": "7", "CI_COMMIT_SHA": SHA}
    lines = list(ci["publish"]["script"])  # type: ignore[index]
    label, publish = lines[-2:]
    assert publish.startswith("edgemodels publish") and '-i "$INVENTORY"' in publish
    done = sh(publish, created, env)
    assert done.returncode == 0 and "D309 [info]" in done.stdout, done.stdout + done.stderr
    retire(created)
    both = f"{label}\n{publish}"
    for labels in (None, [], ["docs", "allow-removals-later"]):
        MergeRequests.labels = labels
        done = sh(both, created, env)
        assert done.returncode == 1, (labels, done.stdout, done.stderr)
        assert "D102 " in done.stdout and "pass --allow-removals" in done.stdout
    assert "removed forecaster" not in deploy_log(tmp_path)
    MergeRequests.labels = ["docs", "allow-removals"]
    done = sh(both, created, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "D102 [warning]" in done.stdout and "removed forecaster" in deploy_log(tmp_path)


def test_gitlab_publish_args_allow_a_removal_by_hand(
    created: Path,  # noqa: F811 - the fixture
    deploy_env: dict[str, str],
) -> None:
    """A push no merge request brought, or no token to read labels with: a pipeline run
    for the default branch with EDGEMODELS_PUBLISH_ARGS."""
    ci = yaml_load(created / CI_FILES[0])
    env = {k: str(v) for k, v in ci["variables"].items()}  # type: ignore[attr-defined]
    env |= deploy_env | {"CI_API_V4_URL": "http://127.0.0.1:9/api/v4", "CI_PROJECT_ID": "7"}
    label, publish = list(ci["publish"]["script"])[-2:]  # type: ignore[index]
    assert sh(publish, created, env).returncode == 0
    retire(created)
    assert sh(f"{label}\n{publish}", created, env).returncode == 1
    env["EDGEMODELS_PUBLISH_ARGS"] = "--allow-removals"
    done = sh(f"{label}\n{publish}", created, env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_github_publish_refuses_a_removal_unless_its_pull_request_allowed_it(
    created: Path,  # noqa: F811 - the fixture
    deploy_env: dict[str, str],
    tmp_path: Path,
) -> None:
    flow = yaml_load(created / CI_FILES[1])
    job = flow["jobs"]["publish"]  # type: ignore[index]
    assert job["permissions"]["pull-requests"] == "read"
    steps = {s.get("name"): s for s in job["steps"]}
    label = steps["removals allowed by the pull request"]
    assert "commits/$GITHUB_SHA/pulls" in label["run"] and "grep -qx allow-removals" in label["run"]
    step = steps["publish to the deploy branch"]
    assert step["env"]["ALLOW_REMOVALS"] == "${{ steps.removals.outputs.args }}"
    run = re.sub(r"\$\{\{[^}]*\}\}", "ci", step["run"])  # the expressions: some text
    env = {k: str(v) for k, v in flow["env"].items()}  # type: ignore[attr-defined]
    env |= deploy_env
    assert sh(run, created, env).returncode == 0
    retire(created)
    for args, rc in (("", 1), ("--allow-removals", 0)):
        done = sh(run, created, env | {"ALLOW_REMOVALS": args})
        assert done.returncode == rc, (args, done.stdout, done.stderr)
        assert "D102 " in done.stdout
    assert "removed forecaster" in deploy_log(tmp_path)


def deploy_log(tmp_path: Path) -> str:
    return git(
        "--git-dir", str(tmp_path / "deploy.git"), "log", "--format=%B", "acm-dev", cwd=tmp_path
    )


@pytest.mark.parametrize("which", [0, 1])
def test_an_older_commits_publish_that_runs_second_passes_publishing_nothing(
    created: Path,  # noqa: F811 - the fixture
    deploy_env: dict[str, str],
    tmp_path: Path,
    which: int,
) -> None:
    """GitLab's resource_group, GitHub's concurrency group: one publish at a time, not in
    the commits' order. The older commit's job must neither roll the sites back nor fail."""
    ci = yaml_load(created / CI_FILES[which])
    if which == 0:
        env = {k: str(v) for k, v in ci["variables"].items()}  # type: ignore[attr-defined]
        publish = list(ci["publish"]["script"])[-1]  # type: ignore[index]
    else:
        env = {k: str(v) for k, v in ci["env"].items()}  # type: ignore[attr-defined]
        steps = {s.get("name"): s for s in ci["jobs"]["publish"]["steps"]}  # type: ignore[index]
        publish = re.sub(r"\$\{\{[^}]*\}\}", "ci", steps["publish to the deploy branch"]["run"])
    env |= deploy_env
    older = git("rev-parse", "HEAD", cwd=created).strip()
    path = created / "catalogue/models/forecaster.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a newer commit\n", encoding="utf-8")
    git("commit", "-q", "-am", "a newer commit", cwd=created)
    newer = git("rev-parse", "HEAD", cwd=created).strip()
    done = sh(publish, created, env)
    assert done.returncode == 0, done.stdout + done.stderr
    git("checkout", "-q", "--detach", older, cwd=created)
    done = sh(publish, created, env)
    assert done.returncode == 0, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert (
        f"superseded, nothing to publish: the branch was last published from catalogue commit {newer[:12]}"
        in said
    )
    log = deploy_log(tmp_path)
    assert (
        log.count("Catalogue source commit: ") == 1 and f"Catalogue source commit: {newer}" in log
    )


GH = """#!/bin/sh
# gh as the workflow calls it: `gh api <endpoint> --jq <filter>` prints the filter's
# strings one per line, raw, as gh does; exit 1 (and nothing on stdout) when the API fails.
[ "$1 $2 $3 $4" = "api repos/edge/models/commits/$GITHUB_SHA/pulls --jq .[].labels[].name" ] || exit 9
[ -n "$GH_TOKEN" ] || exit 4
[ "$FAKE_GH" = fail ] && { echo "HTTP 502" >&2; exit 1; }
printf '%s' "$FAKE_GH" | tr , '\\n'
"""


@pytest.mark.parametrize(
    ("labels", "allowed"),
    [
        ("", False),
        ("docs,allow-removals-later", False),
        ("docs,allow-removals", True),
        ("fail", False),
    ],
)
def test_github_reads_the_allow_removals_label_of_the_pull_request(
    created: Path,  # noqa: F811 - the fixture
    tmp_path: Path,
    labels: str,
    allowed: bool,
) -> None:
    """The label step as written, with a stand-in for `gh` (not installed here) that checks
    the call and answers as gh's --jq does: only an exact `allow-removals` label passes
    --allow-removals to publish; no pull request or an API failure keeps the guard on."""
    flow = yaml_load(created / CI_FILES[1])
    steps = {s.get("name"): s for s in flow["jobs"]["publish"]["steps"]}  # type: ignore[index]
    step = steps["removals allowed by the pull request"]
    assert step["env"] == {"GH_TOKEN": "${{ github.token }}"}
    stub = tmp_path / "stub"
    stub.mkdir()
    (stub / "gh").write_text(GH, encoding="utf-8")
    (stub / "gh").chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env = {
        "GITHUB_REPOSITORY": "edge/models",
        "GITHUB_SHA": SHA,
        "GITHUB_OUTPUT": str(output),
        "GH_TOKEN": "token",
        "FAKE_GH": labels,
    }
    done = sh(f'PATH="{stub}:$PATH"\n{step["run"]}', created, env)
    assert done.returncode == 0, done.stderr
    assert output.read_text(encoding="utf-8") == ("args=--allow-removals\n" if allowed else "")
