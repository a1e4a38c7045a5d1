"""The published hook definitions against the layout `edgemodels init` writes.

pre-commit matches `files:` with re.search on each staged path and leaves deleted paths out
of the list; a hook whose list is empty is skipped unless it has `always_run: true`. The
slow end-to-end run with the real pre-commit is tests/acceptance/test_precommit_hooks.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from edgemodels.init import HOOKS_FILE, InitOptions, init_repository

REPO = Path(__file__).resolve().parents[3]
WHOLE_CATALOGUE = ("edgemodels-check", "edgemodels-generate-check")
OTHER_FILES = ("README.md", ".gitlab-ci.yml", ".github/workflows/edgemodels.yml", "sites.yaml")
POLICY_FILES = (".edgemodels-policy.yaml", "policies/site-rules.yaml")


def hooks() -> dict[str, dict[str, object]]:
    doc = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    return {hook["id"]: hook for hook in doc}


def matches(hook: dict[str, object], path: str) -> bool:
    return re.search(str(hook.get("files", "")), path) is not None


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The files of a new catalogue repository, as git lists them."""
    target = tmp_path_factory.mktemp("init") / "cat"
    init_repository(InitOptions(target, git_url="https://git.example.com/edge/deploy.git"))
    done = subprocess.run(
        ["git", "ls-files"], cwd=target, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_every_hook_looks_at_the_whole_tree() -> None:
    assert set(hooks()) == {*WHOLE_CATALOGUE, "edgemodels-validate"}
    assert all(hook["pass_filenames"] is False for hook in hooks().values())


def test_a_deletion_only_commit_still_runs_check_and_generate_check() -> None:
    """Deleted files are not in pre-commit's list: only always_run makes these hooks run."""
    for name in WHOLE_CATALOGUE:
        assert hooks()[name].get("always_run") is True, name


def test_the_template_config_keeps_the_hook_options() -> None:
    doc = YAML(typ="safe").load((REPO / "repo-template" / HOOKS_FILE).read_text())
    for hook in doc["repos"][0]["hooks"]:
        assert "always_run" not in hook and "files" not in hook, hook["id"]


def test_validate_runs_only_for_the_generated_tree_and_policies(layout: list[str]) -> None:
    validate = hooks()["edgemodels-validate"]
    assert validate.get("always_run", False) is False
    generated = [p for p in layout if p.startswith("generated/")]
    assert generated and all(matches(validate, p) for p in generated)
    assert all(matches(validate, p) for p in POLICY_FILES)
    others = [p for p in layout if not p.startswith("generated/")]
    assert [p for p in (*others, *OTHER_FILES) if matches(validate, p)] == []


def test_check_filter_is_the_catalogue_and_policies(layout: list[str]) -> None:
    check = hooks()["edgemodels-check"]
    catalogue = [p for p in layout if p.startswith("catalogue/")]
    assert catalogue and all(matches(check, p) for p in (*catalogue, *POLICY_FILES))
    assert matches(check, "catalogue.yaml")  # the single-file layout
    unrelated = [p for p in (*layout, *OTHER_FILES) if not p.startswith("catalogue/")]
    assert [p for p in unrelated if matches(check, p)] == []


def test_generate_check_filter_is_its_inputs_and_output(layout: list[str]) -> None:
    generate = hooks()["edgemodels-generate-check"]
    inputs = [p for p in layout if p.startswith(("catalogue/", "generated/"))]
    assert all(matches(generate, p) for p in inputs)
    assert [p for p in OTHER_FILES if matches(generate, p)] == []
