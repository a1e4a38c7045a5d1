"""The life of a model in the generated tree: add, bump, retarget, delete; and the safety
of regenerating: hand edits, foreign files, determinism, the --check gate, locking."""

from __future__ import annotations

import copy
import difflib
import fcntl
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from generate_helpers import files_of, run_generate

from edgemodels import treewrite

BASE: dict[str, Any] = {
    "apiVersion": "edgemodels.io/v1alpha1",
    "kind": "ModelCatalogue",
    "metadata": {"name": "plant"},
    "spec": {
        "git": {"url": "https://git.example.com/plant/deploy.git", "branch": "main"},
        "hub": {"namespace": "plant"},
        "defaults": {"namespace": "plant", "imagePullSecrets": ["pull"]},
        "targets": {
            "edge": {"matchLabels": {"tier": "edge"}},
            "arm": {"matchLabels": {"tier": "edge", "kubernetes.io/arch": "arm64"}},
            "lab": {"matchLabels": {"tier": "lab"}},
        },
        "models": [
            {
                "name": "api",
                "version": "1.0.0",
                "wrapper": "http",
                "packaging": "helm",
                "image": "quay.io/plant/api:1.0.0",
                "images": {"arm64": "quay.io/plant/api-arm64:1.0.0"},
                "targets": ["edge", "arm"],
                "http": {"port": 8080, "ingressPath": "/api"},
            },
            {
                "name": "web",
                "version": "1.0.0",
                "wrapper": "http",
                "packaging": "kustomize",
                "image": "quay.io/plant/web:1.0.0",
                "images": {"arm64": "quay.io/plant/web-arm64:1.0.0"},
                "targets": ["edge", "arm"],
                "http": {"port": 8080},
                "overrides": {"edge": {"replicas": 2}},
            },
            {
                "name": "weights",
                "version": "1.0.0",
                "wrapper": "container",
                "packaging": "helm",
                "image": "quay.io/plant/weights:1.0.0",
                "images": {"arm64": "quay.io/plant/weights-arm64:1.0.0"},
                "targets": ["edge", "arm"],
                "container": {"size": "1Gi"},
            },
            {
                "name": "vocab",
                "version": "1.0.0",
                "wrapper": "container",
                "packaging": "kustomize",
                "image": "quay.io/plant/vocab:1.0.0",
                "images": {"arm64": "quay.io/plant/vocab-arm64:1.0.0"},
                "targets": ["edge", "arm"],
            },
        ],
    },
}


def dump(doc: dict[str, Any]) -> str:
    # Flow style for leaf lists and maps, as people write catalogues: editing a target list
    # then moves no line, so banners (which cite catalogue lines) stay put.
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=200)


def catalogue() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def model(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in doc["spec"]["models"] if m["name"] == name)


class Repo:
    """A catalogue file and an output folder in tmp_path."""

    def __init__(self, root: Path) -> None:
        self.file = root / "catalogue.yaml"
        self.out = root / "deploy"

    def generate(self, doc: dict[str, Any], *extra: str) -> int:
        self.file.write_text(dump(doc))
        return run_generate(str(self.file), "-o", str(self.out), *extra)

    def files(self) -> dict[str, bytes]:
        return files_of(self.out)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path)


def changes(
    before: dict[str, bytes], after: dict[str, bytes]
) -> tuple[set[str], set[str], set[str]]:
    added = set(after) - set(before)
    removed = set(before) - set(after)
    changed = {p for p in set(before) & set(after) if before[p] != after[p]}
    return added, changed, removed


# hub/kustomization.yaml (applied once by hand) does not change with the models.
BOOKKEEPING = {"README.md", ".edgemodels/manifest.json", "hub/synced/kustomization.yaml"}


def test_adding_a_model_adds_its_files_only(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    doc = catalogue()
    assert repo.generate(doc) == 0
    before = repo.files()
    capsys.readouterr()
    doc["spec"]["models"].append(
        {**model(doc, "web"), "name": "extra", "targets": ["lab"], "overrides": {}}
    )
    assert repo.generate(doc) == 0
    added, changed, removed = changes(before, repo.files())
    assert not removed
    assert changed == BOOKKEEPING
    assert added == {
        "models/extra/README.md",
        "models/extra/base/kustomization.yaml",
        "models/extra/base/deployment.yaml",
        "models/extra/base/service.yaml",
        "models/extra/overlays/lab/kustomization.yaml",
        "hub/synced/placements/lab.yaml",
        "hub/synced/subscriptions/extra--lab.yaml",
        "hub/synced/applications/extra.yaml",
    }
    out = capsys.readouterr().out
    assert f"{repo.out}: 8 added, 3 changed, 0 removed" in out
    assert "  added    models/extra/base/deployment.yaml" in out


def bumped(doc: dict[str, Any]) -> dict[str, Any]:
    for m in doc["spec"]["models"]:
        m["version"] = "1.1.0"
        m["image"] = m["image"].replace(":1.0.0", ":1.1.0")
        m["images"] = {k: v.replace(":1.0.0", ":1.1.0") for k, v in m["images"].items()}
    return doc


def test_a_version_bump_changes_only_image_version_and_job_name_lines(repo: Repo) -> None:
    assert repo.generate(catalogue()) == 0
    before = repo.files()
    assert repo.generate(bumped(catalogue())) == 0
    after = repo.files()
    added, changed, removed = changes(before, after)
    assert not added and not removed
    assert "models/api/chart/templates/deployment.yaml" not in changed  # templates never change
    assert {"models/api/chart/Chart.yaml", "models/api/chart/values.yaml"} <= changed
    assert "models/web/base/deployment.yaml" in changed
    assert "models/web/base/service.yaml" not in changed
    assert "models/vocab/components/copy/claim.yaml" not in changed  # the volume stays
    for path in changed - {".edgemodels/manifest.json"}:
        diff = difflib.ndiff(before[path].decode().splitlines(), after[path].decode().splitlines())
        for line in diff:
            if line[:2] in ("- ", "+ "):
                provenance = path == "README.md" and "sha256:" in line  # catalogue digest
                ok = "1.0.0" in line or "1.1.0" in line or "-copy-" in line or provenance
                assert ok, f"{path}: {line}"


def test_a_version_bump_renames_the_copy_job_and_keeps_the_claim(repo: Repo) -> None:
    assert repo.generate(catalogue()) == 0
    job_before = yaml.safe_load(repo.files()["models/vocab/components/copy/job.yaml"])
    assert repo.generate(bumped(catalogue())) == 0
    job_after = yaml.safe_load(repo.files()["models/vocab/components/copy/job.yaml"])
    assert job_before["metadata"]["name"] != job_after["metadata"]["name"]
    assert job_after["metadata"]["name"].startswith("vocab-copy-")


def test_retargeting_removes_exactly_that_subscription(repo: Repo) -> None:
    doc = catalogue()
    assert repo.generate(doc) == 0
    before = repo.files()
    model(doc, "web")["targets"] = ["edge"]
    model(doc, "api")["targets"] = ["edge", "arm", "lab"]
    assert repo.generate(doc) == 0
    added, changed, removed = changes(before, repo.files())
    assert removed == {
        "hub/synced/subscriptions/web--arm.yaml",
        "models/web/overlays/arm/kustomization.yaml",
    }
    assert added == {"hub/synced/subscriptions/api--lab.yaml", "hub/synced/placements/lab.yaml"}
    assert changed == BOOKKEEPING | {"models/web/README.md", "models/api/README.md"}
    assert not (repo.out / "models" / "web" / "overlays" / "arm").exists()


def test_deleting_a_model_removes_all_its_files(repo: Repo) -> None:
    doc = catalogue()
    assert repo.generate(doc) == 0
    doc["spec"]["models"] = [m for m in doc["spec"]["models"] if m["name"] != "vocab"]
    assert repo.generate(doc) == 0
    files = repo.files()
    assert not any(
        "vocab" in p for p in files if p != "README.md" and not p.startswith(".edgemodels")
    )
    assert not (repo.out / "models" / "vocab").exists()
    assert b"vocab" not in files["README.md"]
    assert "hub/synced/placements/arm.yaml" in files  # still used by the other models


def test_deleting_every_model_leaves_only_the_bookkeeping(repo: Repo) -> None:
    doc = catalogue()
    assert repo.generate(doc) == 0
    doc["spec"]["models"] = []
    assert repo.generate(doc) == 0
    assert not (repo.out / "models").exists()
    assert sorted(repo.files()) == [
        ".edgemodels/.gitignore",
        ".edgemodels/manifest.json",
        "README.md",
        "hub/bindings/default.yaml",
        "hub/channel.yaml",
        "hub/kustomization.yaml",
        "hub/namespace.yaml",
        "hub/subscription.yaml",
        "hub/synced/kustomization.yaml",
    ]


def test_a_hand_edit_is_reported_and_kept(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.generate(catalogue()) == 0
    values = repo.out / "models" / "api" / "chart" / "values.yaml"
    values.write_text(values.read_text() + "# tuned on site\n")
    capsys.readouterr()
    assert repo.generate(bumped(catalogue())) == 1
    out = capsys.readouterr().out
    assert f"{values.as_posix()}:1:1: D301 generated file was edited by hand" in out
    assert "nothing written, 1 conflict" in out
    assert values.read_text().endswith("# tuned on site\n")
    assert b"1.0.0" in (repo.out / "models" / "api" / "chart" / "Chart.yaml").read_bytes()
    assert repo.generate(bumped(catalogue()), "--force") == 0
    assert "(discarded a hand edit of models/api/chart/values.yaml)" in capsys.readouterr().out
    assert "tuned" not in values.read_text()


def test_files_of_others_are_left_alone(repo: Repo) -> None:
    repo.out.mkdir()
    (repo.out / ".gitlab-ci.yml").write_text("stages: []\n")
    (repo.out / "models").mkdir()
    (repo.out / "models" / "NOTES.md").write_text("ours")
    doc = catalogue()
    assert repo.generate(doc) == 0
    doc["spec"]["models"] = []
    assert repo.generate(doc) == 0
    assert (repo.out / ".gitlab-ci.yml").read_text() == "stages: []\n"
    assert (repo.out / "models" / "NOTES.md").read_text() == "ours"


def test_a_foreign_file_in_the_way_stops_the_run(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.out.mkdir()
    (repo.out / "README.md").write_text("the deploy repository\n")
    assert repo.generate(catalogue()) == 1
    out = capsys.readouterr().out
    assert (
        f"{(repo.out / 'README.md').as_posix()}:1:1: D302 a file not written by edgemodels" in out
    )
    # As it was: the run wrote nothing, so it leaves no .edgemodels/lock there either.
    assert sorted(p.name for p in repo.out.iterdir()) == ["README.md"]


def test_a_file_left_behind_by_a_git_restore_is_named_as_such(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Generate, add a model and generate, then restore the tree from git (`git checkout
    -- generated`): the manifest forgets the model's files, which git leaves as untracked.
    Adding the model back (a little changed) meets them in the way. They carry edgemodels'
    banner, so D302 says where they come from, and --force may overwrite them."""
    doc = catalogue()
    assert repo.generate(doc) == 0
    tracked = repo.files()
    extra = {**model(doc, "web"), "name": "extra", "targets": ["lab"], "overrides": {}}
    doc["spec"]["models"].append(extra)
    assert repo.generate(doc) == 0
    for path, data in tracked.items():  # what `git checkout -- deploy` does
        (repo.out / path).write_bytes(data)
    leftover = repo.out / "models" / "extra" / "base" / "deployment.yaml"
    assert leftover.is_file()
    capsys.readouterr()
    extra["replicas"] = 3
    assert repo.generate(doc) == 1
    out = capsys.readouterr().out
    assert (
        f"{leftover.as_posix()}:1:1: D302 a file edgemodels wrote for another version of the "
        "catalogue is in the way, though the manifest does not list it: left behind when the "
        "tree was restored from git (git checkout and git restore keep files git does not "
        "track; git clean -n lists them); delete it, or rerun with --force to overwrite it"
    ) in out
    assert repo.generate(doc, "--force") == 0
    assert "discarded" not in capsys.readouterr().out  # no hand edit was lost
    assert b"replicas: 3" in leftover.read_bytes()


def test_generating_twice_gives_identical_bytes_wherever_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = Repo(tmp_path / "a"), Repo(tmp_path / "b")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert first.generate(catalogue()) == 0
    monkeypatch.chdir(tmp_path / "b")
    second.file.write_text(dump(catalogue()))
    assert run_generate("catalogue.yaml", "-o", "deploy") == 0
    assert first.files() == second.files()
    mtimes = {p: os.stat(first.out / p).st_mtime_ns for p in first.files()}
    assert first.generate(catalogue()) == 0
    assert {p: os.stat(first.out / p).st_mtime_ns for p in first.files()} == mtimes


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_in_a_pre_commit_hook_generated_files_git_lacks_are_stale(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit hides the unstaged changes of tracked files while its hooks run, but not
    untracked files: a model added, generated and committed with `git commit -a` (which
    stages tracked files only) left the model's new files out of the commit, and the hook
    passed them as up to date from the work tree."""
    root = repo.file.parent
    git(root, "init", "-q")
    assert repo.generate(catalogue()) == 0
    git(root, "add", "-A")
    git(root, "-c", "user.name=a", "-c", "user.email=a@example.com", "commit", "-qm", "one")
    doc = catalogue()
    doc["spec"]["models"].append({**model(doc, "web"), "name": "extra", "targets": ["lab"]})
    assert repo.generate(doc) == 0
    git(root, "add", "-u")  # what `git commit -a` stages: not the new model's files
    capsys.readouterr()
    assert repo.generate(doc, "--check") == 0  # by hand: the folder is what the catalogue makes
    monkeypatch.setenv("PRE_COMMIT", "1")  # what pre-commit sets for the hooks it runs
    assert repo.generate(doc, "--check") == 1
    out = capsys.readouterr().out
    assert "out of date (" in out and " added, 0 changed, 0 removed" in out
    extra = (repo.out / "models" / "extra").as_posix()
    assert f"{extra}:1:1: D304 out of date: generate would add " in out
    assert f"&& git add {repo.out.as_posix()}\n" in out
    git(root, "add", "-A")
    assert repo.generate(doc, "--check") == 0
    (repo.out / "notes.txt").write_text("ours, not generated\n")  # not the tree's: no matter
    assert repo.generate(doc, "--check") == 0
    assert capsys.readouterr().out.startswith(f"{repo.out.as_posix()}: up to date")


def test_check_is_the_stale_output_gate(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    assert repo.generate(catalogue()) == 0
    assert repo.generate(catalogue(), "--check") == 0
    assert "up to date" in capsys.readouterr().out
    before = repo.files()
    assert repo.generate(bumped(catalogue()), "--check") == 1
    out = capsys.readouterr().out
    assert "out of date" in out
    models = (repo.out / "models").as_posix()
    assert (  # one line per folder; model folders with the same changes share one
        f"{models}:1:1: D304 out of date: generate would change 3 files (README.md, "
        "chart/Chart.yaml, chart/values.yaml) in each of 2 model folders (api, weights)\n"
    ) in out
    assert out.count(" D304 ") == 5  # 16 files, and the manifest that lists them
    assert "  changed  models/api/chart/Chart.yaml" not in out  # listed once, as findings
    out_dir = repo.out.as_posix()
    assert out.endswith(
        f"to update it, run: edgemodels generate {repo.file.as_posix()} -o {out_dir}"
        f" && git add {out_dir}\n"
    )
    assert repo.files() == before  # --check writes nothing
    assert repo.generate(bumped(catalogue()), "--check", "--format", "json") == 1
    captured = capsys.readouterr()
    assert "git add" in captured.err  # stdout stays a report
    chart = (repo.out / "models" / "api" / "chart" / "Chart.yaml").as_posix()
    found = json.loads(captured.out)["findings"]  # one per file: CI annotations need them
    assert sum(f["code"] == "D304" for f in found) == 16
    assert {"path": chart, "message": "out of date: generate would change this file"} in [
        {"path": f["path"], "message": f["message"]} for f in found
    ]


def test_a_comment_or_a_reformat_changes_no_generated_file(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The manifest's catalogue digest is of the catalogue's content, not its text."""
    assert repo.generate(catalogue()) == 0
    before = repo.files()
    flow = yaml.safe_dump(catalogue(), default_flow_style=True, width=60)
    reformatted = "# plant catalogue\n" + flow.replace("\n", "  # a comment\n", 3)
    capsys.readouterr()
    for extra in ((), ("--no-cache",)):  # the digest kept in the cache, and one worked out
        repo.file.write_text(reformatted)
        assert run_generate(str(repo.file), "-o", str(repo.out), "--check", *extra) == 0
        assert "up to date" in capsys.readouterr().out
    assert run_generate(str(repo.file), "-o", str(repo.out)) == 0
    assert repo.files() == before


def test_check_of_a_folder_without_a_tree_says_so_once(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped OUTPUT in CI is one finding, not one D304 per file it would write."""
    for state in ("does not exist", "holds no generated tree"):
        assert repo.generate(catalogue(), "--check") == 1
        out = capsys.readouterr().out
        assert f"{repo.out.as_posix()}:1:1: D304 {repo.out.as_posix()} {state} (no " in out
        assert out.count("D304") == 1 and "would add this file" not in out
        assert "  added" not in out  # no list of every file either
        repo.out.mkdir(exist_ok=True)
    assert list(repo.out.iterdir()) == []  # --check wrote nothing


def test_catalogue_errors_stop_before_anything_is_written(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = catalogue()
    model(doc, "api")["targets"] = ["nowhere"]
    assert repo.generate(doc) == 1
    assert "nowhere" in capsys.readouterr().out
    assert not repo.out.exists()


def test_check_says_in_one_line_that_the_catalogue_has_errors(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a hook or CI log `edgemodels check` beside it prints the catalogue's findings;
    generate --check says only why it compared nothing. Run by hand, or in a machine
    format, generate still reports every finding."""
    assert repo.generate(catalogue()) == 0
    doc = catalogue()
    model(doc, "api")["targets"] = ["nowhere"]
    model(doc, "web")["targets"] = ["elsewhere"]
    capsys.readouterr()
    cat, out_dir = repo.file.as_posix(), repo.out.as_posix()
    assert repo.generate(doc, "--check") == 1
    assert capsys.readouterr().out == (
        f"generate --check {cat} -o {out_dir}: the catalogue has 2 errors "
        f"(see edgemodels check); {out_dir} was not compared\n"
    )
    assert repo.generate(doc, "--check", "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert [f["message"] for f in report["findings"] if "nowhere" in f["message"]]
    assert report["summary"]["error"] == 2
    assert repo.generate(doc) == 1
    out = capsys.readouterr().out
    assert "nowhere" in out and "elsewhere" in out
    assert out.splitlines()[-1].startswith(f"generate {cat} -o {out_dir}: 2 errors, ")


def test_check_shows_generates_own_findings_in_full(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """D305 is generate's own (check reports a policy finding, which can be turned off)."""
    doc = catalogue()
    model(doc, "api")["env"] = {"TOKEN": "ghp_" + "a1B2c3D4e5" * 4}
    assert repo.generate(doc, "--check") == 1
    out = capsys.readouterr().out
    assert " D305 " in out and "was not compared" not in out
    subject = f"generate --check {repo.file.as_posix()} -o {repo.out.as_posix()}"
    assert out.splitlines()[-1].startswith(f"{subject}: 1 error, ")


def test_the_summary_names_the_catalogue_and_the_output(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The findings' summary line has one subject, with or without catalogue errors."""
    assert repo.generate(catalogue()) == 0
    capsys.readouterr()
    assert repo.generate(bumped(catalogue()), "--check") == 1
    out = capsys.readouterr().out
    subject = f"generate --check {repo.file.as_posix()} -o {repo.out.as_posix()}"
    assert re.search(rf"^{re.escape(subject)}: \d+ errors?, \d+ warnings?$", out, re.M)


def test_an_output_path_that_is_a_file_exits_2(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.out.write_text("not a folder")
    assert repo.generate(catalogue()) == 2
    assert "is a file" in capsys.readouterr().err


def test_a_second_run_on_the_same_folder_exits_2(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.generate(catalogue()) == 0
    fd = os.open(repo.out / ".edgemodels" / "lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert repo.generate(bumped(catalogue())) == 2
    finally:
        os.close(fd)
    assert "another edgemodels run is writing" in capsys.readouterr().err


def test_ctrl_c_while_writing_leaves_the_previous_tree(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert repo.generate(catalogue()) == 0
    before = repo.files()

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(treewrite, "write_journal", interrupted)
    assert repo.generate(bumped(catalogue())) == 130
    monkeypatch.undo()
    assert {p: b for p, b in repo.files().items() if "staging" not in p} == before
    assert repo.generate(bumped(catalogue())) == 0
    assert not (repo.out / ".edgemodels" / "staging").exists()


def test_a_suppressed_catalogue_warning_stays_quiet_and_errors_still_stop(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = catalogue()
    text = dump(doc).replace("  lab:", "  lab:  # edgemodels: ignore[R107]")
    repo.file.write_text(text)
    assert run_generate(str(repo.file), "-o", str(repo.out)) == 0
    out = capsys.readouterr().out
    assert "R107" not in out and "P001" not in out
    model(doc, "api")["version"] = "2024.05"
    text = dump(doc).replace("version: '2024.05'", "version: '2024.05'  # edgemodels: ignore[R206]")
    repo.file.write_text(text)
    # The loader does not build a catalogue that has errors, suppressed or not: generate
    # must then fail loudly rather than exit 0 without writing.
    assert run_generate(str(repo.file), "-o", str(repo.out)) == 1
    assert "R206" in capsys.readouterr().out


def test_the_summary_lists_paths_up_to_a_limit() -> None:
    from edgemodels.generatereport import summary
    from edgemodels.treeplan import Plan

    plan = Plan(added=tuple(f"f{i:03d}" for i in range(5)), changed=("g",))
    text = summary(plan, Path("out"), check=False, max_paths=3)
    assert text.splitlines() == [
        "out: 5 added, 1 changed, 0 removed, 0 unchanged",
        "  added    f000",
        "  added    f001",
        "  added    f002",
        "  ... and 3 more",
    ]


def test_many_changed_paths_are_said_per_folder_as_check_says_them() -> None:
    """A setting of `defaults` changes one file in each of 500 model folders: the summary
    said 200 of the paths one by one and left the rest (the hub's among them) to a count;
    past 20 paths it groups them as --check's findings do."""
    from edgemodels.generatereport import summary
    from edgemodels.treeplan import Plan

    values = tuple(f"models/m{n:03d}/chart/values.yaml" for n in range(30))
    plan = Plan(changed=(*values, "hub/channel.yaml"), unchanged=5)
    assert summary(plan, Path("out"), check=False).splitlines() == [
        "out: 0 added, 31 changed, 0 removed, 5 unchanged",
        "  models: changed 1 file (chart/values.yaml) in each of 30 model folders "
        "(m000, m001, m002 and 27 more)",
        "  hub: changed 1 file (channel.yaml)",
    ]
    top = Plan(changed=(*values, "README.md"), unchanged=5)  # the tree's own folder: "."
    assert summary(top, Path("out"), check=False).splitlines()[2:] == [
        "  .: changed 1 file (README.md)"
    ]
    few = Plan(changed=values[:3], unchanged=5)  # a few paths: each on its line
    assert summary(few, Path("out"), check=False).splitlines()[1:] == [
        f"  changed  {path}" for path in values[:3]
    ]


def test_a_first_write_is_summarised_per_top_folder(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert repo.generate(catalogue()) == 0
    lines = capsys.readouterr().out.splitlines()
    files = len(repo.files())
    models = len({p.split("/")[1] for p in repo.files() if p.startswith("models/")})
    hub = sum(p.startswith("hub/") for p in repo.files())
    assert f"  added    hub/ ({hub} files)" in lines
    in_models = sum(p.startswith("models/") for p in repo.files())
    assert f"  added    models/ ({in_models} files in {models} model folders)" in lines
    assert "  added    README.md" in lines
    assert len([line for line in lines if line.startswith("  added ")]) == 4 < files
    assert repo.generate(bumped(catalogue())) == 0  # a regenerate lists its paths
    assert "  changed  models/api/chart/Chart.yaml" in capsys.readouterr().out


def test_check_names_the_files_that_changed_not_the_manifest_that_follows_them(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ownership manifest lists every file with its sha256: it changes whenever one
    does, so --check names the files, not it beside them as a problem of its own."""
    doc = catalogue()
    assert repo.generate(doc) == 0
    model(doc, "web")["version"] = "9.9.9"
    capsys.readouterr()
    assert repo.generate(doc, "--check") == 1
    out = capsys.readouterr().out
    assert "manifest" not in out and ".edgemodels" not in out
    stale = [line for line in out.splitlines() if " D304 " in line]
    listed = sum(int(line.split(" would change ")[1].split(" ")[0]) for line in stale)
    assert f"out of date (0 added, {listed} changed, 0 removed, " in out
    assert repo.generate(doc, "--check", "--format", "json") == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    paths = [f["path"] for f in found if f["code"] == "D304"]
    assert len(paths) == listed and not any(".edgemodels" in p for p in paths)
