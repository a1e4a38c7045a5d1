"""`edgemodels init`: the new catalogue repository passes its own checks and CI commands."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from ruamel.yaml import YAML

from edgemodels import __version__
from edgemodels.cli.init import command
from edgemodels.errors import UsageError
from edgemodels.init import CATALOGUE_FILE, CI_FILES, HOOKS_FILE, edit_yaml

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "repo-template"
BIN = Path(sys.executable).parent
DEPLOY_URL = "https://git.example.com/plant/deploy.git"


def init(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = command.main(list(args), standalone_mode=False)
    out, err = capsys.readouterr()
    return int(rc), out, err


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def sh(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=full, capture_output=True, text=True, timeout=120
    )


def yaml_load(path: Path) -> dict[str, object]:
    doc = YAML(typ="safe").load(path.read_text())
    assert isinstance(doc, dict)
    return doc


@pytest.fixture
def created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    deploy = tmp_path / "deploy.git"
    git("init", "-q", "--bare", str(deploy), cwd=tmp_path)
    target = tmp_path / "plant-models"
    rc, out, err = init(capsys, str(target), "--git-url", DEPLOY_URL, "--branch", "acm-dev")
    assert rc == 0, err
    assert "created catalogue 'plant-models'" in out
    return target


def test_identity_is_filled_in_and_comments_stay(created: Path, tmp_path: Path) -> None:
    text = (created / CATALOGUE_FILE).read_text()
    template = (TEMPLATE / CATALOGUE_FILE).read_text()
    assert (
        text.splitlines()[0] == "# yaml-language-server: $schema=../schemas/catalogue.schema.json"
    )
    assert "  name: plant-models                  # used in generated names" in text
    assert f"    url: {DEPLOY_URL}\n" in text
    changed = [a for a, b in zip(template.splitlines(), text.splitlines(), strict=True) if a != b]
    assert len(changed) == 2  # name and url; every comment line is the same
    assert (created / "schemas" / "catalogue.schema.json").is_file()
    staged = git("diff", "--cached", "--name-only", cwd=created).split()
    assert "catalogue/models/forecaster.yaml" in staged
    assert "generated/.edgemodels/manifest.json" in staged
    assert git("symbolic-ref", "HEAD", cwd=created).strip() == "refs/heads/main"


# Named in the README without being files of the new repository: a CI report, an RBAC
# resource, the folder generated with `delivery: argocd` only.
NOT_REPOSITORY_PATHS = {"plan.md", "managedclustersets/bind", "hub/argocd/synced/"}


def test_every_path_the_readme_names_is_in_the_repository(created: Path) -> None:
    """The README is all the documentation a catalogue repository has: it pointed to
    docs/catalogue.md, a file of edgemodels' own repository."""
    readme = (created / "README.md").read_text()
    named = {
        token
        for token in re.findall(r"`([^`\s]+)`", readme)
        if ("/" in token or re.search(r"\.(md|ya?ml|json)$", token))
        and not re.search(r"[<>]|^git\+|^\.?/tmp", token)
    }
    assert {"schemas/catalogue.md", "catalogue/catalogue.yaml"} <= named
    # hub/ and the like are paths of the deploy branch, which generated/ holds.
    missing = {
        path
        for path in named - NOT_REPOSITORY_PATHS
        if not (created / path).exists() and not (created / "generated" / path).exists()
    }
    assert missing == set()


def test_the_field_reference_is_beside_the_schema_it_is_made_from(created: Path) -> None:
    reference = (created / "schemas" / "catalogue.md").read_text()
    assert reference == (REPO / "docs" / "catalogue.md").read_text()
    assert "| `spec.models[].version` | string |" in reference


def test_a_section_the_template_names_is_in_the_file_it_names(created: Path) -> None:
    """`(README, "Setting up")` in a catalogue file reads as this repository's README, and
    names one of its headings; a section of edgemodels' documentation is named with its
    file, as `edgemodels' docs/argocd.md, "Argo CD delivery"`, which is no file here."""
    headings = set(re.findall(r"^#+ (.+)$", (created / "README.md").read_text(), re.MULTILINE))
    named = []
    for path in TEMPLATE.rglob("*"):
        if not path.is_file() or path.name == "README.md":
            continue
        text = re.sub(r"\s*\n\s*#?\s*", " ", path.read_text())
        for owner, section in re.findall(r"(\S+ \S+|\S+), \"([^\"]+)\"", text):
            if owner.endswith("README"):
                assert owner == "README" or owner.startswith("("), (path, owner)
                assert section in headings, (path, section)
                named.append(section)
            elif owner.startswith("edgemodels' "):
                page = REPO / owner.removeprefix("edgemodels' ")
                assert page.is_file() and not (created / page.relative_to(REPO)).exists()
                titles = re.findall(r"^#+ (.+)$", page.read_text(), re.MULTILINE)
                assert any(t.startswith(section) for t in titles), (path, owner, section)
                named.append(section)
    assert named


def test_the_readme_refreshes_schemas_after_an_upgrade(created: Path) -> None:
    git("commit", "-q", "-m", "Model catalogue", cwd=created)
    readme = (created / "README.md").read_text()
    (line,) = [line for line in readme.splitlines() if line.startswith("fresh=")]
    (created / "schemas" / "catalogue.md").write_text("an older reference\n")
    done = sh(line, created, {})
    assert done.returncode == 0, done.stderr
    assert git("status", "--porcelain", cwd=created) == ""


def test_refuses_a_non_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine\n")
    rc, _, err = init(capsys, str(tmp_path / "full"))
    assert rc == 2 and "is not empty" in err
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["keep.txt"]
    rc, _, err = init(capsys, str(tmp_path / "new"), "--name", "Not_A_Label")
    assert rc == 2 and "DNS label" in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--git-url", "https://alice:hunter2@git.example.com/d.git"), "R209"),
        (("--git-url", "/srv/git/deploy.git"), "R210"),
        # a folder is where publish pushes, not what the hub clones: the message says so
        (
            ("--git-url", "/srv/git/deploy.git"),
            "the URL RHACM clones goes here; to push to a repository in a folder, run: "
            "edgemodels publish --repo /srv/git/deploy.git)",
        ),
        (("--git-url", "git.example.com/deploy.git"), "git@host:path (R210)"),
        (("--git-url", DEPLOY_URL, "--branch", "a..b"), "not a valid branch name"),
        (("--git-url", DEPLOY_URL, "--path", "../up"), "--path must be a folder"),
        (("--git-url", DEPLOY_URL, "--path", "/abs"), "--path must be a folder"),
        (("--tool-repo", "https://bob:s3cret@git.example.com/tool.git"), "credentials"),
        (("--tool-repo", "ftp://git.example.com/tool.git"), "pip installs from"),
        (("--tool-repo", "no/such/folder"), "no such folder, and not a git URL"),
    ],
)
def test_refused_arguments_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], said: str
) -> None:
    rc, _, err = init(capsys, str(tmp_path / "x"), *args)
    assert rc == 2 and said in err
    assert "hunter2" not in err and "s3cret" not in err
    assert made(tmp_path) == []


def made(folder: Path) -> list[str]:
    """What a run left in tmp_path (the suite's own HOME folder aside)."""
    return sorted(p.name for p in folder.iterdir() if p.name != "_home")


def test_a_failure_while_building_leaves_no_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(target: Path) -> None:
        raise UsageError("the new catalogue does not generate: simulated")

    monkeypatch.setattr("edgemodels.init._first_generate", broken)
    (tmp_path / "empty").mkdir()
    for folder in ("x", "empty"):
        rc, _, err = init(capsys, str(tmp_path / folder), "--git-url", DEPLOY_URL)
        assert rc == 2 and "simulated" in err
    assert made(tmp_path) == ["empty"]
    assert list((tmp_path / "empty").iterdir()) == []
    monkeypatch.undo()
    rc, _, err = init(capsys, str(tmp_path / "x"), "--git-url", DEPLOY_URL)  # a rerun works
    assert rc == 0, err


def test_an_empty_folder_is_filled_in_place_even_the_working_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mkdir plant-models && cd plant-models && edgemodels init .`: "." was refused with
    "cannot create .: Invalid argument", and the folder given by its path was replaced by
    another one, leaving the shell in a deleted folder, with the mode of a temporary one
    (0700). The folder the user made is the one filled, with its mode kept."""
    folder = tmp_path / "plant-models"
    folder.mkdir()
    folder.chmod(0o2775)  # a team's shared folder: group-writable, setgid
    before = folder.stat()
    monkeypatch.chdir(folder)
    rc, out, err = init(capsys, ".", "--git-url", DEPLOY_URL)
    assert rc == 0, err
    assert "created catalogue 'plant-models' in ." in out
    after = folder.stat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert (Path.cwd() / CATALOGUE_FILE).is_file() and (folder / ".git").is_dir()
    assert "next: git commit -m 'Model catalogue'" in out  # no `cd .` first: already there
    assert made(tmp_path) == ["plant-models"]  # no staging folder left beside it
    other = tmp_path / "other"
    other.mkdir()
    inode = other.stat().st_ino
    rc, _, err = init(capsys, str(other), "--git-url", DEPLOY_URL)
    assert rc == 0, err
    assert other.stat().st_ino == inode and (other / CATALOGUE_FILE).is_file()


def test_a_failure_while_filling_an_empty_folder_leaves_it_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    real_rename, renames = os.rename, []

    def failing_rename(source: str, target: str) -> None:
        renames.append(source)
        if len(renames) == 3:
            raise OSError(28, "No space left on device")
        real_rename(source, target)

    monkeypatch.setattr("edgemodels.init.os.rename", failing_rename)
    rc, _, err = init(capsys, str(folder), "--git-url", DEPLOY_URL)
    assert rc == 2 and "No space left on device" in err
    assert list(folder.iterdir()) == [] and made(tmp_path) == ["empty"]


def test_a_new_folder_gets_the_mode_of_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository the team shares, made as mkdir makes a folder, not 0700 as a temporary
    folder is."""
    old = os.umask(0o022)
    try:
        rc, _, err = init(capsys, str(tmp_path / "new"), "--git-url", DEPLOY_URL)
    finally:
        os.umask(old)
    assert rc == 0, err
    assert (tmp_path / "new").stat().st_mode & 0o7777 == 0o755


def test_template_yaml_round_trips_byte_for_byte(tmp_path: Path) -> None:
    for rel in (CATALOGUE_FILE, HOOKS_FILE, *CI_FILES, "sites.yaml"):
        copy = tmp_path / rel.replace("/", "_")
        copy.write_text((TEMPLATE / rel).read_text())
        edit_yaml(copy, lambda doc: None)
        assert copy.read_text() == (TEMPLATE / rel).read_text(), rel


def test_tool_source_goes_to_hooks_and_ci(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cat"
    rc, _, err = init(
        capsys,
        str(target),
        "--tool-repo",
        "https://git.example.com/tools/edgemodels.git",
        "--tool-rev",
        "v9.9.9",
        "--no-generate",
        "--no-git",
    )
    assert rc == 0, err
    hooks = yaml_load(target / HOOKS_FILE)["repos"][0]  # type: ignore[index]
    assert (hooks["repo"], hooks["rev"]) == (
        "https://git.example.com/tools/edgemodels.git",
        "v9.9.9",
    )
    wanted = "edgemodels @ git+https://git.example.com/tools/edgemodels.git@v9.9.9"
    assert yaml_load(target / CI_FILES[0])["variables"]["EDGEMODELS_REQUIREMENT"] == wanted  # type: ignore[index]
    assert yaml_load(target / CI_FILES[1])["env"]["EDGEMODELS_REQUIREMENT"] == wanted  # type: ignore[index]
    assert "# Checks that run on every" in (target / HOOKS_FILE).read_text()
    assert not (target / "generated").exists() and not (target / ".git").exists()


def tool_repository(folder: Path, tag: str | None) -> str:
    """A local edgemodels repository with one commit (tagged `tag`); its commit."""
    git("init", "-q", str(folder), cwd=folder.parent)
    (folder / "pyproject.toml").write_text("[project]\nname = 'edgemodels'\n")
    git("add", "-A", cwd=folder)
    git("commit", "-qm", "release", cwd=folder)
    if tag:
        git("tag", tag, cwd=folder)
    return git("rev-parse", "HEAD", cwd=folder).strip()


def ci_requirement(target: Path) -> str:
    gitlab = yaml_load(target / CI_FILES[0])["variables"]["EDGEMODELS_REQUIREMENT"]  # type: ignore[index]
    github = yaml_load(target / CI_FILES[1])["env"]["EDGEMODELS_REQUIREMENT"]  # type: ignore[index]
    assert gitlab == github
    return str(gitlab)


@pytest.mark.parametrize(
    ("repo", "hooks_repo", "pip_url"),
    [
        ("git@github.com:org/edgemodels.git", None, "git+ssh://git@github.com/org/edgemodels.git"),
        (
            "gitlab.example.com:tools/edgemodels",
            None,
            "git+ssh://gitlab.example.com/tools/edgemodels",
        ),
        ("ssh://git@host:2222/tools/em.git", None, "git+ssh://git@host:2222/tools/em.git"),
        ("tool", "{tmp}/tool", "git+file://{tmp}/tool"),
        ("file://{tmp}/tool", None, "git+file://{tmp}/tool"),
    ],
)
def test_every_tool_repo_form_gives_ci_a_valid_pip_requirement(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    repo: str,
    hooks_repo: str | None,
    pip_url: str,
) -> None:
    """pre-commit takes any URL git takes; pip only `name @ git+SCHEME://...@REV`."""
    tool_repository(tmp_path / "tool", "v9.9.9")
    monkeypatch.chdir(tmp_path)  # a relative folder is made absolute for the hooks
    repo, pip_url = repo.format(tmp=tmp_path), pip_url.format(tmp=tmp_path)
    args = ("--tool-repo", repo, "--tool-rev", "v9.9.9", "--no-generate", "--no-git")
    rc, _, err = init(capsys, str(tmp_path / "cat"), *args)
    assert rc == 0, err
    hooks = yaml_load(tmp_path / "cat" / HOOKS_FILE)["repos"][0]  # type: ignore[index]
    assert hooks["repo"] == (hooks_repo or repo).format(tmp=tmp_path)
    parsed = Requirement(ci_requirement(tmp_path / "cat"))
    assert (parsed.name, parsed.url) == ("edgemodels", f"{pip_url}@v9.9.9")


def test_a_local_tool_repo_must_hold_the_rev(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pre-commit would fail at the first commit and pip at the first CI run."""
    commit = tool_repository(tmp_path / "tool", None)
    tool = str(tmp_path / "tool")
    rc, _, err = init(capsys, str(tmp_path / "cat"), "--tool-repo", tool)
    assert rc == 2
    assert f"--tool-rev v{__version__} is not a tag or commit of {tool}" in err
    assert f"git -C {tool} tag v{__version__}" in err
    assert made(tmp_path) == ["tool"]
    rc, _, err = init(capsys, str(tmp_path / "x"), "--tool-repo", str(tmp_path / "x-none"))
    assert rc == 2 and "no such folder" in err
    (tmp_path / "plain").mkdir()
    rc, _, err = init(capsys, str(tmp_path / "x"), "--tool-repo", str(tmp_path / "plain"))
    assert rc == 2 and "is not a git repository" in err
    rc, _, err = init(capsys, str(tmp_path / "cat"), "--tool-repo", tool, "--tool-rev", commit)
    assert rc == 0, err
    assert ci_requirement(tmp_path / "cat").endswith(f"@{commit}")


def _check_output_supported() -> bool:
    help_text = sh("edgemodels check --help", REPO, {}).stdout
    return "--output" in help_text


def test_gitlab_ci_commands_pass_as_created(created: Path, tmp_path: Path) -> None:
    """The merge-request job's script, then the publish job's, run as GitLab would."""
    git("commit", "-q", "-m", "Model catalogue", cwd=created)
    origin = tmp_path / "catalogue.git"
    git("init", "-q", "--bare", str(origin), cwd=tmp_path)
    git("remote", "add", "origin", str(origin), cwd=created)
    git("push", "-q", "origin", "main", cwd=created)
    # The merge request: a version bump, regenerated and committed as the README says.
    model = created / "catalogue" / "models" / "forecaster.yaml"
    model.write_text(model.read_text().replace("1.0.0", "1.1.0"))
    assert sh("edgemodels generate -o generated", created, {}).returncode == 0
    git("commit", "-q", "-a", "-m", "forecaster 1.1.0", cwd=created)
    ci = yaml_load(created / ".gitlab-ci.yml")
    env = {k: str(v) for k, v in ci["variables"].items()}  # type: ignore[attr-defined]
    env |= {
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "GITLAB_USER_NAME": "Ada Lovelace",
        "GITLAB_USER_EMAIL": "ada@example.com",
        "CI_PIPELINE_URL": "https://git.example.com/p/1",
        # git itself sends the catalogue's https URL to the bare repository on disk.
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{tmp_path / 'deploy.git'}.insteadOf",
        "GIT_CONFIG_VALUE_0": DEPLOY_URL,
    }
    for line in ci["check"]["script"]:  # type: ignore[index]
        if line.startswith("edgemodels check") and not _check_output_supported():
            # Until `check` takes --output (report_options), write the report by redirection.
            line = line.replace("--output reports/check.json", "> reports/check.json")
            (created / "reports").mkdir(exist_ok=True)
        done = sh(line, created, env)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    issues = json.loads((created / "reports" / "check.json").read_text())
    assert [i["check_name"] for i in issues if i["severity"] != "info"] == []
    assert (created / "reports" / "validate.xml").read_text().startswith("<?xml")
    assert "forecaster" in (created / "plan.md").read_text()
    assert "1.1.0" in (created / "plan.md").read_text()
    for line in ci["publish"]["script"]:  # type: ignore[index]
        done = sh(line, created, env)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    log = git(
        "--git-dir",
        str(tmp_path / "deploy.git"),
        "log",
        "--format=%an|%s%n%b",
        "acm-dev",
        cwd=tmp_path,
    )
    assert log.startswith("Ada Lovelace|edgemodels: publish plant-models: 1 added")
    assert "added forecaster 1.1.0" in log
    assert "Pipeline: https://git.example.com/p/1" in log


def test_github_workflow_commands_pass_as_created(created: Path, tmp_path: Path) -> None:
    git("commit", "-q", "-m", "Model catalogue", cwd=created)
    git("update-ref", "refs/remotes/origin/main", "HEAD", cwd=created)
    flow = yaml_load(created / CI_FILES[1])
    summary = tmp_path / "summary.md"
    env = {k: str(v) for k, v in flow["env"].items()}  # type: ignore[attr-defined]
    env |= {"GITHUB_BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary)}
    steps = flow["jobs"]["check"]["steps"]  # type: ignore[index]
    runs = [s["run"] for s in steps if "run" in s and "pip install" not in s["run"]]
    assert len(runs) == 5
    for line in runs:
        done = sh(line, created, env)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    sarif = json.loads((created / "validate.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    assert (
        "edgemodels plan for catalogue plant-models (catalogue) on 2 sites" in summary.read_text()
    )


def test_ci_files_match_their_schemas() -> None:
    vendor = pytest.importorskip("check_jsonschema.builtin_schemas")
    import importlib.resources

    import jsonschema

    folder = importlib.resources.files(vendor) / "vendor"
    for schema_name, rel in (
        ("gitlab-ci.json", CI_FILES[0]),
        ("github-workflows.json", CI_FILES[1]),
    ):
        schema = json.loads((folder / schema_name).read_text())
        doc = yaml_load(TEMPLATE / rel)
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
        assert errors == [], rel


def test_the_generated_tree_is_marked_generated_for_review(created: Path) -> None:
    """The template's .gitattributes reaches the new repository: merge requests collapse the
    diffs of generated/ (GitHub and GitLab) without hiding them, and the catalogue is not
    marked."""
    assert (created / ".gitattributes").read_text() == (TEMPLATE / ".gitattributes").read_text()
    staged = git("diff", "--cached", "--name-only", cwd=created).split()
    assert ".gitattributes" in staged
    paths = ["generated/README.md", "generated/.edgemodels/manifest.json", CATALOGUE_FILE]
    attrs = git(
        "check-attr", "linguist-generated", "gitlab-generated", "diff", "--", *paths, cwd=created
    )
    assert attrs.splitlines() == [
        "generated/README.md: linguist-generated: true",
        "generated/README.md: gitlab-generated: set",
        "generated/README.md: diff: unspecified",
        "generated/.edgemodels/manifest.json: linguist-generated: true",
        "generated/.edgemodels/manifest.json: gitlab-generated: set",
        "generated/.edgemodels/manifest.json: diff: unspecified",
        f"{CATALOGUE_FILE}: linguist-generated: unspecified",
        f"{CATALOGUE_FILE}: gitlab-generated: unspecified",
        f"{CATALOGUE_FILE}: diff: unspecified",
    ]


@pytest.fixture
def removal(created: Path) -> Path:
    """A merge request that retires the only model: plan's D101/D102 guard fires."""
    git("commit", "-q", "-m", "Model catalogue", cwd=created)
    git("update-ref", "refs/remotes/origin/main", "HEAD", cwd=created)
    git("rm", "-q", "catalogue/models/forecaster.yaml", cwd=created)
    assert sh("edgemodels generate -o generated", created, {}).returncode == 0
    git("add", "-A", cwd=created)
    git("commit", "-q", "-m", "retire forecaster", cwd=created)
    return created


def test_gitlab_plan_allows_removals_for_a_labelled_merge_request(removal: Path) -> None:
    ci = yaml_load(removal / ".gitlab-ci.yml")
    env = {k: str(v) for k, v in ci["variables"].items()}  # type: ignore[attr-defined]
    env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = "main"
    [plan] = [s for s in ci["check"]["script"] if s.startswith("edgemodels plan")]  # type: ignore[index]
    for labels, rc in (("", 1), ("docs,allow-removals-later", 1), ("docs,allow-removals", 0)):
        done = sh(plan, removal, env | {"CI_MERGE_REQUEST_LABELS": labels})
        assert done.returncode == rc, (labels, done.stdout, done.stderr)
        assert "D101" in done.stdout + done.stderr
    done = sh(plan, removal, env | {"EDGEMODELS_PLAN_ARGS": "--allow-removals --max-removals 9"})
    assert done.returncode == 0, done.stdout + done.stderr


def test_github_plan_allows_removals_for_a_labelled_pull_request(removal: Path) -> None:
    flow = yaml_load(removal / CI_FILES[1])
    assert "labeled" in flow["on"]["pull_request"]["types"]  # type: ignore[index]
    [step] = [s for s in flow["jobs"]["check"]["steps"] if s.get("name") == "plan"]  # type: ignore[index]
    expression = step["env"]["ALLOW_REMOVALS"]
    assert "labels.*.name, 'allow-removals'" in expression and "'--allow-removals'" in expression
    assert step["env"]["EDGEMODELS_PLAN_ARGS"] == "${{ vars.EDGEMODELS_PLAN_ARGS }}"
    env = {k: str(v) for k, v in flow["env"].items()}  # type: ignore[attr-defined]
    env["GITHUB_BASE_REF"] = "main"
    for args, rc in (("", 1), ("--allow-removals", 0)):
        done = sh(step["run"], removal, env | {"ALLOW_REMOVALS": args})
        assert done.returncode == rc, (args, done.stdout, done.stderr)
    # The repository variable, as GitLab's: here a limit the removal stays within.
    done = sh(step["run"], removal, env | {"EDGEMODELS_PLAN_ARGS": "--max-removals 100%"})
    said = done.stdout + done.stderr
    assert done.returncode == 1 and "D102" in said and "D101" not in said, said


@pytest.mark.parametrize("ci_file", CI_FILES)
def test_publish_refuses_a_stale_committed_tree(
    created: Path, tmp_path: Path, ci_file: str
) -> None:
    """A push that bypassed the hooks: the deploy branch must not get a tree nobody checked."""
    git("commit", "-q", "-m", "Model catalogue", cwd=created)
    model = created / "catalogue" / "models" / "forecaster.yaml"
    model.write_text(model.read_text().replace("1.0.0", "1.1.0"))
    git("commit", "-q", "-a", "--no-verify", "-m", "forecaster 1.1.0, not regenerated", cwd=created)
    ci = yaml_load(created / ci_file)
    if ci_file == CI_FILES[0]:
        env = {k: str(v) for k, v in ci["variables"].items()}  # type: ignore[attr-defined]
        lines = list(ci["publish"]["script"])  # type: ignore[index]
    else:
        env = {k: str(v) for k, v in ci["env"].items()}  # type: ignore[attr-defined]
        steps = ci["jobs"]["publish"]["steps"]  # type: ignore[index]
        lines = [s["run"] for s in steps if "run" in s and "pip install" not in s["run"]]
    env |= {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{tmp_path / 'deploy.git'}.insteadOf",
        "GIT_CONFIG_VALUE_0": DEPLOY_URL,
    }
    ran = []
    for line in lines:
        ran.append(line)
        if sh(line, created, env).returncode != 0:
            break
    assert "--check" in ran[-1] and "generate" in ran[-1], ran
    assert any(line.startswith("edgemodels validate") for line in lines)
    assert git("--git-dir", str(tmp_path / "deploy.git"), "branch", "--list", cwd=tmp_path) == ""


def test_the_next_hint_has_the_first_commit_and_the_hooks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra, start in (((), "git commit"), (("--no-git",), "git init -b main && git add -A")):
        target = tmp_path / f"cat{len(extra)}"
        rc, out, err = init(capsys, str(target), "--git-url", DEPLOY_URL, *extra)
        assert rc == 0, err
        hint = out[out.index("next: ") :]
        assert hint.startswith(f"next: cd {target} && {start}"), hint
        assert "pre-commit install" in hint and "git add -A && git commit" in hint


def test_a_repository_made_inside_another_work_tree_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A catalogue repository made inside another one's work tree is a repository nested in
    it: `git add -A` there would stage it as an embedded repository. Said, not refused (a
    monorepo may want it); without git init the files are the outer repository's own."""
    outer = tmp_path / "platform"
    outer.mkdir()
    git("init", "-q", cwd=outer)
    rc, out, err = init(capsys, str(outer / "models"), "--git-url", DEPLOY_URL)
    assert rc == 0, err
    assert (outer / "models" / ".git").is_dir()
    assert f"note: {outer / 'models'} is inside the git work tree of {outer}" in err
    assert "note:" not in out.replace("note: the hooks", "")
    rc, _, err = init(capsys, str(outer / "plain"), "--git-url", DEPLOY_URL, "--no-git")
    assert rc == 0 and "inside the git work tree" not in err
    rc, _, err = init(capsys, str(tmp_path / "alone"), "--git-url", DEPLOY_URL)
    assert rc == 0 and "inside the git work tree" not in err


@pytest.mark.parametrize("rev", ["HEAD", "FETCH_HEAD", "@", "main~1", "v1^", "@{u}", "a..b"])
def test_a_rev_that_moves_is_refused_without_asking_the_remote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rev: str
) -> None:
    """pre-commit never fetches a rev it installed again: HEAD would stay where it was."""
    for repo in (("--tool-repo", "https://git.example.com/tools/edgemodels.git"), ()):
        rc, _, err = init(capsys, str(tmp_path / "cat"), *repo, "--tool-rev", rev, "--no-git")
        assert rc == 2
        assert f"--tool-rev {rev!r} is not a tag or commit" in err
        assert "give a tag (such as v1.2.0) or a commit hash" in err
        assert made(tmp_path) == []


def test_a_branch_of_a_local_tool_repo_is_refused_with_its_commit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit = tool_repository(tmp_path / "tool", "v9.9.9")
    git("branch", "release", cwd=tmp_path / "tool")
    tool = str(tmp_path / "tool")
    for rev in ("HEAD", "release", "refs/heads/release", "release~0"):
        rc, _, err = init(capsys, str(tmp_path / "cat"), "--tool-repo", tool, "--tool-rev", rev)
        assert rc == 2, rev
        assert f"--tool-rev {rev} is not a tag or commit of {tool} (a branch or HEAD" in err
        assert f"give a tag or the commit it names now (--tool-rev {commit})" in err
        assert made(tmp_path) == ["tool"]
    rc, _, err = init(capsys, str(tmp_path / "cat"), "--tool-repo", tool, "--tool-rev", "HEAD~5")
    assert rc == 2 and "'HEAD~5' is not a tag or commit" in err and " tag HEAD~5" not in err
    for rev in ("v9.9.9", commit[:10]):
        rc, _, err = init(capsys, str(tmp_path / rev), "--tool-repo", tool, "--tool-rev", rev)
        assert rc == 0, err
