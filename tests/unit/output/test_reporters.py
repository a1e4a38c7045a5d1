"""Every report format, checked for the structure its consumer needs."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.output import REPORTERS, render_gitlab
from edgemodels.sarif import render_sarif

ERR = Diagnostic(
    Location("catalogue/models.yaml", 4, 12),
    "S002",
    "spec.models[0]: missing required field 'image' <&> \"quoted\"",
    "error",
    "missing-field",
)
WARN = Diagnostic(
    Location("out/hub/placements/lrt.yaml", 7, 3),
    "P104",
    "placement selects every cluster, 100%: check it",
    "warning",
    "broad-placement",
    origin=Location("catalogue/catalogue.yaml", 30, 5),
)
NOTE = Diagnostic(Location("my dir/a,b:c.yaml"), "R201", "line one\nline two", "info", "note")
ALL = [ERR, WARN, NOTE]
SITES = tuple(f"site-{n:02d}" for n in range(12))
ABOUT_SITES = Diagnostic(
    Location("catalogue/models.yaml", 9, 5),
    "D101",
    "removes scorer from 12 sites: site-00, ..., site-09 and 2 more",
    "error",
    "mass-removal",
    sites=SITES,
)


def test_registry_has_every_documented_format() -> None:
    assert set(REPORTERS) == {"text", "json", "sarif", "junit", "gitlab", "github"}


def test_text_is_what_a_finding_renders() -> None:
    out = REPORTERS["text"](ALL, "checked x")
    expected = [*(d.render() for d in ALL), "checked x: 1 error, 1 warning, 1 note"]
    assert out == "\n".join(expected) + "\n"


# --- SARIF -------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_official_schema(sarif_schema: dict[str, object]) -> None:
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    for diags in (ALL, []):
        doc = json.loads(render_sarif(diags, "checked x"))
        errors = [e.message for e in validator.iter_errors(doc)]
        assert errors == []


def test_sarif_schema_check_can_fail(sarif_schema: dict[str, object]) -> None:
    doc = json.loads(render_sarif(ALL, "s"))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    assert list(validator.iter_errors(doc))


def test_sarif_structure() -> None:
    doc = json.loads(render_sarif(ALL, "checked x"))
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["P104", "R201", "S002"]
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 12}
    related = results[1]["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "catalogue/catalogue.yaml"
    whole_file = results[2]["locations"][0]["physicalLocation"]
    assert whole_file["region"] == {"startLine": 1, "startColumn": 1}  # a whole file: 1:1
    assert whole_file["artifactLocation"]["uri"] == "my%20dir/a%2Cb%3Ac.yaml"


def test_sarif_lists_every_site_of_a_finding_in_its_properties(
    sarif_schema: dict[str, object],
) -> None:
    doc = json.loads(render_sarif([*ALL, ABOUT_SITES], "planned x"))
    results = doc["runs"][0]["results"]
    assert results[3]["properties"] == {"sites": list(SITES)}
    assert ["properties" in r for r in results[:3]] == [False, False, False]
    validator = jsonschema.validators.validator_for(sarif_schema)(sarif_schema)
    assert [e.message for e in validator.iter_errors(doc)] == []


# --- JUnit -------------------------------------------------------------------------------


def test_junit_parses_one_testcase_per_finding() -> None:
    root = ET.fromstring(REPORTERS["junit"](ALL, "checked x"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 3 == int(suite.get("tests", "0"))
    assert int(suite.get("failures", "-1")) == 1
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("type") == "S002"
    assert failure.get("message", "").endswith('<&> "quoted"')
    assert cases[0].get("classname") == "catalogue/models.yaml"
    assert cases[1].find("failure") is None
    out = cases[1].find("system-out")
    assert out is not None and "from catalogue/catalogue.yaml:30:5" in (out.text or "")


def test_junit_text_lists_every_site_of_a_finding() -> None:
    root = ET.fromstring(REPORTERS["junit"]([WARN, ABOUT_SITES], "planned x"))
    warn, about = root.findall("testsuite/testcase")
    failure = about.find("failure")
    assert failure is not None and failure.get("message") == ABOUT_SITES.message
    assert (failure.text or "").endswith("\nsites (12): " + ", ".join(SITES))
    out = warn.find("system-out")
    assert out is not None and "sites" not in (out.text or "")


def test_junit_clean_run_is_one_passing_testcase() -> None:
    root = ET.fromstring(REPORTERS["junit"]([], "checked x"))
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 1 and cases[0].find("failure") is None
    assert root.get("failures") == "0"


# --- GitLab Code Quality -----------------------------------------------------------------

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_gitlab_required_fields() -> None:
    issues = json.loads(render_gitlab(ALL, "x"))
    assert isinstance(issues, list) and len(issues) == 3
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["fingerprint"], str) and len(issue["fingerprint"]) == 64
        assert issue["severity"] in GITLAB_SEVERITIES
        assert isinstance(issue["location"]["path"], str)
        assert issue["location"]["lines"]["begin"] >= 1
    assert [i["severity"] for i in issues] == ["major", "minor", "info"]
    assert issues[0]["check_name"] == "S002 missing-field"


def test_gitlab_fingerprints_are_stable_and_distinct() -> None:
    first = [i["fingerprint"] for i in json.loads(render_gitlab(ALL, "x"))]
    again = [i["fingerprint"] for i in json.loads(render_gitlab(ALL, "y"))]
    assert first == again
    moved = Diagnostic(Location(ERR.path, 40, 1), ERR.code, ERR.message, "error", ERR.name)
    assert json.loads(render_gitlab([moved], "x"))[0]["fingerprint"] == first[0]
    twins = json.loads(render_gitlab([ERR, moved], "x"))
    assert twins[0]["fingerprint"] != twins[1]["fingerprint"]
    assert len(set(first)) == 3


# --- GitHub workflow commands ------------------------------------------------------------


def test_github_annotations() -> None:
    lines = REPORTERS["github"](ALL, "checked x").splitlines()
    assert lines[0] == (
        "::error file=catalogue/models.yaml,line=4,col=12,title=S002 missing-field::"
        "spec.models[0]: missing required field 'image' <&> \"quoted\""
    )
    assert lines[1].startswith("::warning file=out/hub/placements/lrt.yaml,line=7,col=3,")
    assert lines[1].endswith("100%25: check it (from catalogue/catalogue.yaml:30:5)")
    assert (
        lines[2]
        == "::notice file=my dir/a%2Cb%3Ac.yaml,line=1,col=1,title=R201 note::line one%0Aline two"
    )
    assert lines[3].startswith("checked x:")


# --- the CLI helpers ---------------------------------------------------------------------


def test_output_file_gets_the_format_and_terminal_gets_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from edgemodels.cli import emit_findings

    target = tmp_path / "reports" / "findings.sarif"
    assert emit_findings(ALL, "sarif", "checked x", output=target) == 1
    assert json.loads(target.read_text())["version"] == "2.1.0"
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ERR.render()
    assert "\x1b[" not in out  # captured output is not a terminal


def test_without_output_stdout_gets_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    from edgemodels.cli import emit_findings

    assert emit_findings([WARN], "gitlab", "x") == 0
    assert json.loads(capsys.readouterr().out)[0]["severity"] == "minor"
    assert emit_findings([WARN], "gitlab", "x", strict=True) == 1


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    from edgemodels.cli import emit_findings
    from edgemodels.errors import OutputError

    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="cannot write the report"):
        emit_findings(ALL, "json", "x", output=tmp_path / "file" / "report.json")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"CI": "true"}, False)],
)
def test_colour_only_on_a_terminal_outside_ci(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
) -> None:
    from edgemodels.cli import terminal

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("CI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert terminal.use_colour(_Tty()) is expected
    assert terminal.use_colour(io.StringIO()) is False
    coloured = terminal.text_report([ERR], "x", colour=True)
    assert "\x1b[31m" in coloured
    assert terminal.text_report([ERR], "x", colour=False) == REPORTERS["text"]([ERR], "x")


def test_progress_is_plain_when_not_interactive() -> None:
    from edgemodels.cli import terminal

    items = list(range(100))
    with terminal.progress(items, "working") as bar:
        assert list(bar) == items


def test_report_options_on_a_command(tmp_path: Path) -> None:
    import click
    from click.testing import CliRunner

    from edgemodels.cli import emit_findings
    from edgemodels.cli.options import report_options

    @click.command()
    @report_options
    def demo(fmt: str, output: Path | None) -> None:
        raise SystemExit(emit_findings(ALL, fmt, "demo", output=output))

    target = tmp_path / "r.xml"
    result = CliRunner().invoke(demo, ["--format", "junit", "--output", str(target)])
    assert result.exit_code == 1
    assert ET.fromstring(target.read_text()).tag == "testsuites"
    assert result.output.splitlines()[-1].startswith("demo: 1 error")
    bad = CliRunner().invoke(demo, ["--format", "yaml"])
    assert bad.exit_code == 2


def test_a_finding_about_a_whole_file_is_at_1_1() -> None:
    whole = Diagnostic(Location("out/hub/x.yaml"), "D301", "edited by hand")
    assert whole.render() == "out/hub/x.yaml:1:1: D301 edited by hand"
