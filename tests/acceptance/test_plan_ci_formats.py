"""`plan --format sarif|junit|gitlab|github`: the plan's findings in each CI format, checked
against what its consumer reads, and the plan's summary where the format has room for it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from test_plan_cli import (
    add_target,
    drop_anomaly_scorer_from_lrt,
    git,
    plan,
    repo,  # noqa: F401  (the fixture)
)

from edgemodels.cli.plan import command

BASE = ("-i", "sites.yaml", "catalogue", "--base", "main")
REMOVAL = "models are removed from 2 of 4 sites"


def one_old_warning_and_a_removal(root: Path) -> None:
    """A target that selects no site at the base too (D106, old), and a removal (D101, new)."""
    add_target(root, "nowhere")
    git(root, "commit", "-qam", "a target that selects no site")
    drop_anomaly_scorer_from_lrt(root)


def test_help_lists_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan("--help") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "[text|json|markdown|sarif|junit|gitlab|github]" in out
    assert "--format sarif -o plan.sarif" in out


def test_sarif_is_valid_and_carries_the_plan(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    sarif_schema: dict[str, object],
) -> None:
    one_old_warning_and_a_removal(repo)
    assert plan(*BASE, "--format", "sarif") == 1  # exit as the text report's
    doc = json.loads(capsys.readouterr().out)
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    assert [e.message for e in validator.iter_errors(doc)] == []
    (run,) = doc["runs"]
    states = {r["ruleId"]: r["baselineState"] for r in run["results"]}
    assert states == {"D101": "new", "D106": "unchanged"}
    (removal,) = [r for r in run["results"] if r["ruleId"] == "D101"]
    assert removal["properties"]["sites"] == ["lrt-site-01", "lrt-site-03"]
    assert removal["message"]["text"].startswith(REMOVAL)
    summary = run["properties"]["edgemodels/plan"]
    assert summary["changes"].startswith("2 sites change; counted per site and model")
    assert summary["base"]["revision"] == "main"
    assert summary["summary"]["changes"]["removed"] == 2
    assert [m["name"] for m in summary["models"]] == ["anomaly-scorer"]  # those that change


def test_junit_parses_and_its_suite_output_is_the_plan(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    one_old_warning_and_a_removal(repo)
    assert plan(*BASE, "--format", "junit", "-o", "reports/plan.xml") == 1
    terminal = capsys.readouterr().out  # -o: the text report on the terminal, as check's
    assert terminal.startswith("Plan for catalogue lrt") and "Changes by site" in terminal
    root = ET.fromstring((repo / "reports" / "plan.xml").read_text())
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 2 == int(suite.get("tests", "0"))
    assert int(suite.get("failures", "-1")) == 1
    (failure,) = [f for case in cases for f in case.findall("failure")]
    assert failure is not None and failure.get("type") == "D101"
    assert "sites (2): lrt-site-01, lrt-site-03" in (failure.text or "")
    out = suite.find("system-out")
    assert out is not None and out.text is not None
    assert "lrt-site-01, lrt-site-03  anomaly-scorer  -removed  0.9.0" in out.text


def test_gitlab_code_quality_lists_every_finding(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    one_old_warning_and_a_removal(repo)
    assert plan(*BASE, "--format", "gitlab") == 1
    issues = json.loads(capsys.readouterr().out)
    assert [i["check_name"] for i in issues] == [
        "D106 placement-selects-nothing",
        "D101 mass-removal",
    ]
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["location"]["lines"]["begin"] >= 1
        assert (repo / issue["location"]["path"]).is_file()
    assert [i["severity"] for i in issues] == ["minor", "major"]
    assert issues[1]["location"] == {  # where the merge request removed them
        "path": "catalogue/models/anomaly-scorer.yaml",
        "lines": {"begin": 13},
    }


GITHUB_COMMAND = re.compile(
    r"::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,title=[^:]+::[^\n]+"
)


def test_github_annotates_what_the_change_brings_then_logs_the_plan(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    one_old_warning_and_a_removal(repo)
    assert plan(*BASE, "--format", "github") == 1
    lines = capsys.readouterr().out.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 1 and GITHUB_COMMAND.fullmatch(commands[0])
    assert commands[0].startswith(
        "::error file=catalogue/models/anomaly-scorer.yaml,line=13,col=16,"
    )
    assert "title=D101 mass-removal::models are removed from 2 of 4 sites (50%25)" in commands[0]
    assert lines[1].startswith("Plan for catalogue lrt")  # the log: the text report
    assert "Found at the base too (1)" in lines
    # without a base every finding is annotated
    assert plan("-i", "sites.yaml", "catalogue", "--format", "github") == 0
    commands = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    assert [c.split(" ")[0] for c in commands] == ["::warning"]
    assert GITHUB_COMMAND.fullmatch(commands[0])


@pytest.mark.parametrize("fmt", ["sarif", "junit", "gitlab", "github"])
def test_a_plan_that_cannot_be_computed_reports_its_findings_in_the_format(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    (repo / "sites.yaml").write_text("apiVersion: v1\nkind: List\nitems: []\n")  # D209
    assert plan("-i", "sites.yaml", "catalogue", "--format", fmt) == 1
    assert "D209" in capsys.readouterr().out


def test_the_choices_are_the_reporters() -> None:
    from edgemodels.plan.report_unplanned import unplanned_reporters
    from edgemodels.plan.reports import PLAN_FORMATS, reporters

    (fmt,) = [p for p in command.params if p.name == "fmt"]
    assert tuple(fmt.type.choices) == PLAN_FORMATS  # type: ignore[attr-defined]
    assert set(reporters()) == set(PLAN_FORMATS) == set(unplanned_reporters())
