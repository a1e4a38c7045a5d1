"""Nothing escapes the output folder, no credential reaches git or a message, and the
generated workloads are locked down unless the catalogue says otherwise, with a reason."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from edgemodels.catalogue import load
from edgemodels.errors import OutputError
from edgemodels.generate import build_tree, source_info
from edgemodels.render import RenderOptions
from edgemodels.tree import JOURNAL_PATH, MANIFEST_PATH, STAGING_DIR
from edgemodels.treewrite import write_tree

from .conftest import FIGURES
from .trees import snapshot
from .workloads import site_objects, violations, workloads
from .workspace import EXAMPLE, build_case, run

# --- helpers ---------------------------------------------------------------------------------


def listing(root: Path) -> dict[str, bytes | str]:
    """Every entry under root: file bytes, or the target of a symlink."""
    found: dict[str, bytes | str] = {}
    for current, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(current) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                found[rel] = path.read_bytes()
    return found


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(output folder, a victim folder beside it that nothing may touch)."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.yaml").write_text("precious: true\n", encoding="utf-8")
    (victim / "models").mkdir()
    yield tmp_path / "out", victim


def _set(path: Path, dotted: str, value: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    node = data
    keys = dotted.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _first_model(catalogue: Path) -> Path:
    return sorted((catalogue / "models").glob("*.yaml"))[0]


# --- path traversal through the catalogue ---------------------------------------------------

TRAVERSALS = ["../../victim/models/x", "/tmp/absolute", "..", ".git", "a/../../b", "x\\..\\y"]


@pytest.mark.parametrize("name", TRAVERSALS)
@pytest.mark.parametrize(
    "field",
    ["spec.models.0.name", "metadata.name", "spec.hub.clusterSets.0", "spec.targets"],
)
def test_names_from_the_catalogue_cannot_leave_the_output_folder(
    tmp_path: Path, sandbox: tuple[Path, Path], name: str, field: str
) -> None:
    out, victim = sandbox
    before = listing(victim)
    catalogue = tmp_path / "cat"
    shutil.copytree(EXAMPLE, catalogue)
    if field == "spec.models.0.name":
        _set(_first_model(catalogue), field, name)
    elif field == "spec.targets":  # a target named like a path
        path = catalogue / "catalogue.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["spec"]["targets"][name] = {"matchLabels": {"env": "lrt"}}
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    else:
        _set(catalogue / "catalogue.yaml", field, name)
    result = run(["generate", str(catalogue), "-o", str(out)])
    assert result.code == 1, result.out + result.err  # refused as a catalogue error
    assert not out.exists() or listing(out) == {}
    assert listing(victim) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_home", "cat", "victim"]


@pytest.mark.parametrize(
    "name",
    ["../../escaped", "/tmp/escaped", "..", ".git", "a/../..", "x\x00y", "a\\b"],
)
def test_names_that_bypass_the_schema_are_stopped_by_the_writer(
    tmp_path: Path, sandbox: tuple[Path, Path], name: str
) -> None:
    """Defence in depth: even a name the schema let through cannot make a path outside."""
    out, victim = sandbox
    before = listing(victim)
    loaded = load(EXAMPLE)
    assert loaded.catalogue is not None
    model = dataclasses.replace(loaded.catalogue.models[0], name=name)
    catalogue = dataclasses.replace(loaded.catalogue, models=(model, *loaded.catalogue.models[1:]))
    source = source_info(EXAMPLE, loaded.merged.files, Path.cwd())
    with pytest.raises(OutputError, match="unsafe output path"):
        write_tree(out, build_tree(catalogue, source, RenderOptions()))
    assert listing(victim) == before
    assert not out.exists() or all(p.startswith(".edgemodels") for p in listing(out))
    assert not Path("/tmp/escaped").exists()


# --- planted symlinks -----------------------------------------------------------------------


def _generated(out: Path) -> None:
    result = run(["generate", str(EXAMPLE), "-o", str(out)])
    assert result.code == 0, result.err


def _a_generated_file(out: Path, under: str) -> str:
    return next(p for p in sorted(snapshot(out)) if p.startswith(under))


PLANTS = {
    # what is replaced by a symlink into the victim folder
    "a generated folder": "models",
    "a generated file": "hub/channel.yaml",
    "the state folder": ".edgemodels",
    "the staging folder": STAGING_DIR,
    "the journal": JOURNAL_PATH,
    "the manifest": MANIFEST_PATH,
    "a parent of a stale file": "models/zz-stale",
}


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_planted_symlinks_are_never_followed(
    sandbox: tuple[Path, Path], plant: str, force: bool
) -> None:
    out, victim = sandbox
    _generated(out)
    where = out / PLANTS[plant]
    if plant == "a parent of a stale file":  # the manifest owns a file behind the link
        manifest = out / MANIFEST_PATH
        text = manifest.read_text(encoding="utf-8")
        owned = '"models/zz-stale/x.yaml": "' + "0" * 64 + '",\n    '
        manifest.write_text(text.replace('"hub/', owned + '"hub/', 1), encoding="utf-8")
        (victim / "x.yaml").write_text("victim\n", encoding="utf-8")
    elif where.is_dir():
        shutil.rmtree(where)
    elif where.exists():
        where.unlink()
    where.symlink_to(victim / ("keep.yaml" if plant.endswith("file") else ""))
    before = listing(victim)
    args = ["generate", str(EXAMPLE), "-o", str(out)] + (["--force"] if force else [])
    result = run(args)
    assert result.code in (0, 1, 2), result.err
    assert "internal error" not in result.err
    assert listing(victim) == before, f"{plant}: the victim folder changed"
    FIGURES["security: planted-symlink runs, victim untouched"] += 1


def test_a_symlinked_lock_or_journal_tmp_is_refused_not_followed(
    sandbox: tuple[Path, Path],
) -> None:
    out, victim = sandbox
    _generated(out)
    for name in (".edgemodels/lock", ".edgemodels/journal.json.tmp"):
        target = out / name
        target.unlink(missing_ok=True)
        target.symlink_to(victim / "keep.yaml")
        before = listing(victim)
        result = run(["generate", str(EXAMPLE), "-o", str(out), "--force"])
        assert result.code in (0, 2), result.err
        assert listing(victim) == before
        target.unlink(missing_ok=True)  # recovery may have removed a stale journal.tmp


# --- credentials ----------------------------------------------------------------------------

# Assembled at run time, so this file holds no credential-shaped literal itself.
TOKEN = "glpat-" + "Zq8Xw7Vu6Ts5Rq4Po3Nm"
PASSWORD = "Hunter2-" + "s3cret-" + "x9"
SECRETS = (TOKEN, PASSWORD)


def _plant_credentials(case: Path) -> None:
    catalogue = case / "cat" / "catalogue.yaml"
    text = catalogue.read_text(encoding="utf-8")
    url = f"https://deploy:{PASSWORD}@gitlab.com/i4q/LRT.git"
    catalogue.write_text(text.replace("https://gitlab.com/i4q/LRT.git", url), encoding="utf-8")
    model = _first_model(case / "cat")
    data = yaml.safe_load(model.read_text(encoding="utf-8"))
    data["spec"]["models"][0]["env"] = {"GITLAB_TOKEN": TOKEN, "MODE": "fast"}
    model.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a credential leaked: ...{text[-300:]}"


def test_credentials_in_the_catalogue_are_refused_and_never_shown(tmp_path: Path) -> None:
    case = build_case(tmp_path / "case")
    tree_before = snapshot(case / "out")
    _plant_credentials(case)
    cat, out = str(case / "cat"), str(case / "out")
    reports = tmp_path / "reports"
    commands = [
        ["check", cat],
        ["check", cat, "--no-policies"],
        ["check", cat, "--format", "json", "--output", str(reports / "check.json")],
        ["check", cat, "--format", "sarif", "--output", str(reports / "check.sarif")],
        ["generate", cat, "-o", out],
        ["generate", cat, "-o", out, "--check", "--format", "json"],
        ["plan", "-i", str(case / "sites.yaml"), cat, "--format", "json"],
        [
            "plan",
            "-i",
            str(case / "sites.yaml"),
            cat,
            "--format",
            "markdown",
            "-o",
            str(reports / "plan.md"),
        ],
        ["validate", out, "--output", str(reports / "validate.sarif"), "--format", "sarif"],
        ["rules", "--catalogue", cat],
        ["rule", "P110", "--catalogue", cat],
        ["policy", "export", "--catalogue", cat, "-o", str(reports / "admission.yaml")],
        ["publish", cat, "--repo", str(tmp_path / "none.git"), "--dry-run"],
    ]
    codes = {}
    for args in commands:
        result = run(args)
        codes[" ".join(args[:2])] = result.code
        assert result.code in (0, 1, 2), result.err
        _assert_no_secret(result.out, result.err)
    for report in reports.iterdir():
        _assert_no_secret(report.read_text(encoding="utf-8"))
    check = run(["check", cat])
    assert "R209" in check.out and "P110" in check.out
    assert "R209" in run(["check", cat, "--no-policies"]).out
    assert codes[f"generate {cat}"] == 1  # D305 and R209: nothing written
    assert snapshot(case / "out") == tree_before
    _assert_no_secret(*(b.decode("utf-8", "replace") for b in snapshot(case / "out").values()))
    FIGURES["security: commands run with planted credentials"] += len(commands)


def test_d305_holds_when_the_policies_are_off(tmp_path: Path) -> None:
    case = build_case(tmp_path / "case", generate=False)
    model = _first_model(case / "cat")
    data = yaml.safe_load(model.read_text(encoding="utf-8"))
    data["spec"]["models"][0]["env"] = {"HF_TOKEN": "hf_" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv"}
    model.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (case / "cat" / ".edgemodels-policy.yaml").write_text("extends: none\n", encoding="utf-8")
    assert run(["check", str(case / "cat")]).code == 0  # every policy off: check is silent
    result = run(["generate", str(case / "cat"), "-o", str(case / "out")])
    assert result.code == 1 and "D305" in result.out and "Hugging Face token" in result.out
    assert not (case / "out").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="publish needs git")
def test_publish_never_puts_a_credential_in_the_deploy_repository_or_its_output(
    tmp_path: Path,
) -> None:
    bare = tmp_path / "deploy.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True, timeout=60)
    case = build_case(tmp_path / "case", generate=False)
    assert run(["publish", str(case / "cat"), "--repo", str(bare), "--branch", "b"]).code == 0
    for url in (
        f"https://robot:{PASSWORD}@gitlab.com/i4q/LRT.git",
        f"http://{TOKEN}@127.0.0.1:9/deploy.git",
        f"ssh://git:{PASSWORD}@127.0.0.1:9/deploy.git",
        f"robot:{PASSWORD}@gitlab.com:i4q/LRT.git",
    ):
        workdir = tmp_path / "work"
        result = run(["publish", str(case / "cat"), "--repo", url, "--workdir", str(workdir)])
        assert result.code == 2 and "carries credentials" in result.err, result.err
        _assert_no_secret(result.out, result.err)
        assert not workdir.exists() or not any(workdir.iterdir())
    _plant_credentials(case)
    result = run(["publish", str(case / "cat"), "--repo", str(bare), "--branch", "b"])
    assert result.code == 1, result.err  # catalogue errors: nothing committed
    _assert_no_secret(result.out, result.err)
    objects = subprocess.run(
        ["git", "-C", str(bare), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout.decode("utf-8", "replace")
    _assert_no_secret(objects)


# --- safe workloads -------------------------------------------------------------------------


def test_every_generated_workload_of_the_example_is_locked_down(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _generated(out)
    found = workloads(site_objects(out))
    assert {o["kind"] for o in found} >= {"Deployment", "Job"}
    problems = [v for o in found for v in violations(o, root_ok=False, writable_ok=False)]
    assert problems == []
    FIGURES["security: example workloads checked"] += len(found)


def test_loosening_needs_an_explicit_reason_and_loosens_only_that(tmp_path: Path) -> None:
    catalogue = tmp_path / "cat"
    shutil.copytree(EXAMPLE, catalogue)
    model_file = next(
        p
        for p in sorted((catalogue / "models").glob("*.yaml"))
        if yaml.safe_load(p.read_text(encoding="utf-8"))["spec"]["models"][0]["wrapper"] == "http"
    )
    _set(model_file, "spec.models.0.security", {"runAsRoot": True})
    refused = run(["generate", str(catalogue), "-o", str(tmp_path / "out")])
    assert refused.code == 1 and "reason" in refused.out
    exception = {"runAsRoot": True, "reason": "vendor image needs port 80"}
    _set(model_file, "spec.models.0.security", exception)
    result = run(["generate", str(catalogue), "-o", str(tmp_path / "out")])
    assert result.code == 0, result.out + result.err
    name = yaml.safe_load(model_file.read_text(encoding="utf-8"))["spec"]["models"][0]["name"]
    loosened = 0
    for obj in workloads(site_objects(tmp_path / "out")):
        mine = obj["metadata"]["name"] == name
        assert violations(obj, root_ok=mine, writable_ok=False) == []
        if mine:
            pod = obj["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is False
            loosened += 1
    assert loosened >= 1


@pytest.mark.parametrize(
    "journal",
    [
        {"moves": [["000000", "../victim/keep.yaml"]], "removes": []},
        {"moves": [], "removes": ["../victim/keep.yaml"]},
        {"moves": [], "removes": ["/tmp/victim-absolute"]},
        {"moves": [["../../victim/keep.yaml", "hub/channel.yaml"]], "removes": []},
        {"moves": [["tree/../../victim", "models"]], "removes": []},
    ],
)
def test_a_planted_journal_cannot_move_or_delete_outside(
    sandbox: tuple[Path, Path], journal: dict[str, list[object]]
) -> None:
    """The journal is replayed by the next run: a forged one must not reach outside."""
    import json

    out, victim = sandbox
    _generated(out)
    before, tree_before = listing(victim), snapshot(out)
    (out / JOURNAL_PATH).write_text(json.dumps(journal), encoding="utf-8")
    result = run(["generate", str(EXAMPLE), "-o", str(out)])
    assert result.code == 2, result.err
    assert "journal" in result.err or "unsafe output path" in result.err, result.err
    assert listing(victim) == before
    assert snapshot(out) == tree_before


def test_messages_never_quote_a_credential(tmp_path: Path) -> None:
    """Schema findings quote offending values, errors quote paths: neither repeats a
    credential pasted into the wrong place."""
    case = build_case(tmp_path / "case", generate=False)
    pem = "-----BEGIN RSA " + "PRIVATE KEY-----\\nMIIEow" + "IBAAKCAQEA7s3cr3tB0dy\\n-----END"
    model = _first_model(case / "cat")
    text = model.read_text(encoding="utf-8")
    text = text.replace("version: ", f'version: "{pem}"\n      description: ', 1)
    model.write_text(text, encoding="utf-8")
    data = yaml.safe_load(model.read_text(encoding="utf-8"))
    entry = data["spec"]["models"][0]
    entry["env"] = {"DB_PASSWORD": 87654321987, "MODE": TOKEN}
    if "http" in entry:
        entry["http"]["port"] = TOKEN
    model.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    catalogue = case / "cat" / "catalogue.yaml"
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8").replace(
            "credentialsSecret: lrt-git", f"credentialsSecret: {TOKEN}"
        ),
        encoding="utf-8",
    )
    secrets = (TOKEN, "87654321987", "7s3cr3tB0dy", PASSWORD)
    outputs = []
    for args in (
        ["check", str(case / "cat")],
        ["check", str(case / "cat"), "--format", "json"],
        ["check", str(case / "cat"), "--format", "sarif"],
        ["generate", str(case / "cat"), "-o", str(tmp_path / "out")],
        ["check", f"https://deploy:{PASSWORD}@gitlab.com/cat"],
        ["plan", "-i", f"https://deploy:{PASSWORD}@gitlab.com/sites.yaml", str(case / "cat")],
    ):
        result = run(args)
        assert result.code in (1, 2), result.out + result.err
        outputs.append(result.out + result.err)
    assert "S00" in outputs[0]  # the schema findings are there, only without the values
    for text in outputs:
        for secret in secrets:
            assert secret not in text, text[-400:]
