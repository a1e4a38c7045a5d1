"""`edgemodels check` as a user runs it: exit codes, formats, default paths."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from one_edit import FOUND, initialised_with_one_edit

from edgemodels.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "lrt"
BAD = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
spec:
  models: [{name: x}]
"""


def test_example_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLE)]) == 0
    assert "no findings" in capsys.readouterr().out


def test_findings_exit_1_with_locations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "catalogue.yaml").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "catalogue.yaml:4:12: S002 spec.models[0]: missing required field 'image'"
    assert out[-1].startswith("checked catalogue.yaml: 3 errors")


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "c.yaml").write_text(BAD)
    assert main(["check", str(tmp_path / "c.yaml"), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["error"] == 3
    first = doc["findings"][0]
    assert {k: first[k] for k in ("line", "col", "code", "name")} == {
        "line": 4,
        "col": 12,
        "code": "S002",
        "name": "missing-field",
    }


def test_warnings_fail_only_under_fail_on_warning_or_strict(tmp_path: Path) -> None:
    text = (
        (EXAMPLE / "catalogue.yaml")
        .read_text()
        .replace("  models:", "    spare:\n      matchLabels: {a: b}\n  models:")
    )
    cat = tmp_path / "cat"
    cat.mkdir()
    for f in EXAMPLE.rglob("*.yaml"):
        dest = cat / f.relative_to(EXAMPLE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(f.read_text())
    (cat / "catalogue.yaml").write_text(text + "    spare:\n      matchLabels: {a: b}\n")
    assert main(["check", str(cat)]) == 0
    assert main(["check", str(cat), "--strict"]) == 1
    assert main(["check", str(cat), "--fail-on", "warning"]) == 1  # as validate takes it


def test_missing_catalogue_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert "no catalogue given" in capsys.readouterr().err


def test_console_script_version_and_help() -> None:
    exe = Path(sys.executable).parent / "edgemodels"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "edgemodels, version 0.2.0"
    helptext = subprocess.run(
        [str(exe), "check", "--help"], capture_output=True, text=True, check=True
    )
    assert "Example:" in helptext.stdout


def test_bad_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "xml"]) == 2


@pytest.mark.parametrize(
    ("command", "name", "said"),
    [
        ("check", "report.json", "a json or gitlab report, but without --format the report is "
         "text: add --format json (or gitlab)"),
        ("check", "report.sarif", "a sarif report, but without --format the report is text: "
         "add --format sarif"),
        ("plan", "plan.md", "a markdown report, but without --format the report is text: add "
         "--format markdown"),
    ],
)  # fmt: skip
def test_a_report_file_named_for_another_format_needs_format(
    tmp_path: Path, command: str, name: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check -o report.json` wrote the text report into report.json, exit 0: the CI job
    that read it as JSON failed instead. Refused before anything runs; --format given is
    what is written, whatever the name."""
    shutil.copy(REPO / "examples" / "sites.yaml", tmp_path / "sites.yaml")
    extra = ["-i", str(tmp_path / "sites.yaml")] if command == "plan" else []
    report = tmp_path / name
    assert main([command, str(EXAMPLE), *extra, "-o", str(report)]) == 2
    assert f"Error: --output {report} is named as {said}\n" in capsys.readouterr().err
    assert not report.exists()
    assert main([command, str(EXAMPLE), *extra, "-o", str(report), "--format", "text"]) == 0
    assert report.read_text().strip()


def test_an_empty_catalogue_folder_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "e").mkdir()
    assert main(["check", str(tmp_path / "e"), "--format", "json"]) == 2
    assert "no catalogue files (*.yaml) found (Y014)" in capsys.readouterr().err
    assert main(["generate", str(tmp_path / "e"), "-o", str(tmp_path / "out")]) == 2


def test_the_policy_config_is_found_where_the_help_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`init`'s layout keeps .edgemodels-policy.yaml at the repository's root, above
    catalogue/: check reads it there, and its --help says it looks there."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(EXAMPLE, tmp_path / "models" / "catalogue")
    (tmp_path / ".edgemodels-policy.yaml").write_text("rules: {P101: warnin}\n")
    assert main(["check", str(tmp_path / "models" / "catalogue")]) == 2
    assert "P006 rules.P101" in capsys.readouterr().err
    assert main(["check", "--help"]) == 0
    helptext = " ".join(capsys.readouterr().out.split()).replace("- ", "-")  # click wraps
    assert "(default: .edgemodels-policy.yaml next to the catalogue or above it" in helptext


@pytest.mark.parametrize(
    ("kind", "command"),
    [("SiteInventory", "check"), ("PolicySet", "check"), ("SiteInventory", "generate")],
)
def test_a_file_of_another_kind_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str
) -> None:
    """`edgemodels check sites.yaml` (the file beside the catalogue): the file is YAML, so
    "no catalogue files (*.yaml) found" would send the user looking for the wrong thing."""
    path = tmp_path / "sites.yaml"
    path.write_text(f"apiVersion: edgemodels.io/v1alpha1\nkind: {kind}\nsites: []\n")
    extra = ["-o", str(tmp_path / "out")] if command == "generate" else []
    assert main([command, str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert f"{path}: a {kind} file, not a catalogue (kind: ModelCatalogue) (Y014)" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("config", "why"),
    [
        ("rules: [\n", "(Y001)"),
        # a typo: the rule meant to be turned off would run
        ("rules: {P1010: off}\n", "no rule with code or name 'P1010'"),
        # the same rule by code and by name: which one was meant is unknown
        (
            "rules: {P101: warning, image-pinned-by-digest: off}\n",
            "rules: image-pinned-by-digest: off contradicts P101: warning at ",
        ),
    ],
)
def test_a_broken_policy_config_stops_the_run_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, why: str
) -> None:
    cat = tmp_path / "cat"
    shutil.copytree(EXAMPLE, cat)
    (cat / ".edgemodels-policy.yaml").write_text(config)
    assert main(["check", str(cat)]) == 2
    captured = capsys.readouterr()
    assert "the policy config is invalid" in captured.err and "P006" in captured.err
    assert why in captured.err
    assert captured.out == ""  # nothing was checked: no default rule ran
    assert main(["rules", "--catalogue", str(cat)]) == 2
    assert main(["check", str(cat), "--no-policies"]) == 0


def test_rules_of_a_missing_catalogue_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--catalogue", "/nonexistent/"]) == 2
    assert "Invalid value for '--catalogue': Path '/nonexistent/' does not exist." in (
        capsys.readouterr().err
    )


def test_each_credential_is_its_own_finding_and_suppressed_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = tmp_path / "lrt"
    shutil.copytree(EXAMPLE, catalogue)
    model = catalogue / "models" / "anomaly-scorer.yaml"
    text = model.read_text(encoding="utf-8")
    env = '      env: {SCORE_THRESHOLD: "0.8"}\n'
    assert env in text
    model.write_text(
        text.replace(
            env,
            "      env:\n"
            "        HF_TOKEN: hf_abcdefghijklmnopqrstuvwxyzABCDEFGH  # edgemodels: ignore[P110]\n"
            "        NOTE: 'AKIAIOSFODNN7EXAMPLE'\n"
            "        GH: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n",
        ),
        encoding="utf-8",
    )
    line = text[: text.index(env)].count("\n") + 1  # HF_TOKEN's line
    assert main(["check", str(catalogue), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["line"], f["code"]) for f in findings] == [(line + 2, "P110"), (line + 3, "P110")]
    assert "AWS access key" in findings[0]["message"]
    assert "GitHub token" in findings[1]["message"]


def test_schema_and_reference_errors_of_one_edit_come_in_one_run(tmp_path: Path) -> None:
    """A misspelt target next to a schema error used to show only once the schema error was
    fixed: a second round. `generate` says the same, and writes nothing."""
    repo = initialised_with_one_edit(tmp_path)
    env = {**os.environ, "EDGEMODELS_SERVER": "off"}
    cli = [sys.executable, "-m", "edgemodels"]
    check = subprocess.run(
        [*cli, "check", "catalogue"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert check.returncode == 1, check.stderr
    assert check.stdout.splitlines() == [*FOUND, "checked catalogue: 2 errors, 0 warnings"]
    before = sorted((p, p.read_bytes()) for p in (repo / "generated").rglob("*") if p.is_file())
    generate = subprocess.run(
        [*cli, "generate", "catalogue", "-o", "generated"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert generate.returncode == 1, generate.stderr
    assert generate.stdout.splitlines()[:2] == FOUND
    after = sorted((p, p.read_bytes()) for p in (repo / "generated").rglob("*") if p.is_file())
    assert after == before


def test_help_says_where_the_policy_config_is_looked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """check finds .edgemodels-policy.yaml above the catalogue too (up to the repository
    root), as `edgemodels init` lays it out: the catalogue in catalogue/, the config above."""
    assert main(["check", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split()).replace("- ", "-")  # click wraps at -
    assert "(default: .edgemodels-policy.yaml next to the catalogue or above it," in text


@pytest.fixture
def container_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """init's catalogue with its example model turned into a container model, which runs
    the built-in (tag-only) helper image: spec.defaults (a block mapping) sets none."""
    shutil.copytree(REPO / "repo-template" / "catalogue", tmp_path / "catalogue")
    model = tmp_path / "catalogue" / "models" / "forecaster.yaml"
    text = model.read_text()
    text = text.replace("wrapper: http ", "wrapper: container ")
    text = text.replace("http: {port: 8080, healthPath: /health}", "container: {size: 1Gi}")
    model.write_text(text.split("      resources:")[0])
    monkeypatch.chdir(tmp_path)
    return tmp_path / "catalogue" / "catalogue.yaml"


def line_of(path: Path, start: str) -> int:
    return next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith(start)
    )


def test_the_built_in_helper_image_is_reported_at_the_defaults_key(
    container_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """P101 on the built-in helper image was at spec.defaults' first key (`namespace:`),
    where a missing field's location falls, as if the namespace were at fault: it is at
    `defaults:` now, and suppressed there."""
    defaults = line_of(container_template, "  defaults:")
    assert main(["check", "catalogue"]) == 0
    out = capsys.readouterr().out
    assert f"catalogue/catalogue.yaml:{defaults}:3: P101 [warning] the built-in helper" in out
    text = container_template.read_text()
    container_template.write_text(
        text.replace("  defaults:\n", "  defaults:  # edgemodels: ignore[P101]\n")
    )
    assert main(["check", "catalogue"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "checked catalogue: no findings"


def test_other_findings_on_a_missing_field_stay_at_its_parents_first_key(
    container_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only P101's built-in helper image moved: P103 on the same image, and P112 on the
    unset spec.hub.delivery (init's template suppresses it on that line), are where they
    were, at the first key of spec.defaults and of spec.hub."""
    (container_template.parent.parent / ".edgemodels-policy.yaml").write_text(
        "registries: {allow: [registry.example.com]}\n"
    )
    text = container_template.read_text()
    container_template.write_text(text.replace("  # edgemodels: ignore[P112]", ""))
    first_of_defaults = line_of(container_template, "  defaults:") + 1
    first_of_hub = line_of(container_template, "    namespace: edge-models")  # hub's, first
    assert main(["check", "catalogue"]) == 1
    out = capsys.readouterr().out
    assert f"catalogue/catalogue.yaml:{first_of_defaults}:5: P103 the built-in helper" in out
    assert f"catalogue/catalogue.yaml:{first_of_hub}:5: P112 [warning] " in out
