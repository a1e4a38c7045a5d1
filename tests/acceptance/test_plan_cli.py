"""`edgemodels plan` as a user runs it: formats, the base revision, guards, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import jsonschema
import pytest
from closed_pipe import run_into_closed_pipe

from edgemodels.cli import EXIT_USAGE
from edgemodels.cli.plan import command, write_report
from edgemodels.errors import OutputError

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PLAN_SCHEMA = json.loads((REPO / "schemas" / "plan-report.schema.json").read_text())


def plan(*args: str | Path) -> int:
    """The command with the exit-code handling of `edgemodels.cli.main`."""
    try:
        return int(command.main([str(a) for a in args], standalone_mode=False))
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args], cwd=repo, check=True, capture_output=True
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout with the example catalogue committed on main; the test edits the working copy."""
    root = tmp_path / "checkout"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(EXAMPLES / "lrt", root / "catalogue")
    shutil.copy(EXAMPLES / "sites.yaml", root / "sites.yaml")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "catalogue")
    monkeypatch.chdir(root)
    return root


def drop_anomaly_scorer_from_lrt(root: Path) -> None:
    """anomaly-scorer keeps arm-assembly only: lrt-site-01 and lrt-site-03 lose it."""
    path = root / "catalogue" / "models" / "anomaly-scorer.yaml"
    text = path.read_text()
    assert "targets: [arm-assembly, lrt-non-arm]" in text
    path.write_text(text.replace("targets: [arm-assembly, lrt-non-arm]", "targets: [arm-assembly]"))


def test_plan_of_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan("--inventory", EXAMPLES / "sites.yaml", EXAMPLES / "lrt") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Plan for ") and out[0].endswith(" on 4 sites")
    assert "  paint-01     1       paint-inspector@2.1.0" in out
    assert out[-1] == "plan: no findings"


def test_a_site_reached_through_two_placements_fails(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """anomaly-scorer on arm-assembly and lrt: lrt-site-02 (env=lrt, line=assembly, arm64)
    would get two Subscriptions deploying the same Deployment and Service."""
    path = repo / "catalogue" / "models" / "anomaly-scorer.yaml"
    text = path.read_text()
    assert "targets: [arm-assembly, lrt-non-arm]" in text
    path.write_text(text.replace("lrt-non-arm", "lrt"))
    assert plan("-i", "sites.yaml", "catalogue") == 1
    out = capsys.readouterr().out.splitlines()
    twice = [line for line in out if " D112 " in line]
    assert twice == [
        "catalogue/models/anomaly-scorer.yaml:5:7: D112 site lrt-site-02: model anomaly-scorer "
        "is placed there by 2 placements (arm-assembly, lrt), so it gets the same objects twice "
        "(RHACM: the second Subscription fails, 'exists and owned by others', and which "
        "overrides win is undefined); make the placements disjoint"
    ]
    # and target lrt pins no architecture: arm64 lrt-site-02 gets the amd64 image (D122)
    assert [line.split(" to ")[1][:16] for line in out if " D122 " in line] == ["1 arm64 site, bu"]
    assert out[-1] == "plan: 2 errors, 0 warnings"


def test_json_matches_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan("-i", EXAMPLES / "sites.yaml", EXAMPLES / "lrt", "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, PLAN_SCHEMA)
    assert doc["summary"]["sites"] == 4 and doc["base"] is None


def test_upgrade_against_the_base_branch(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "catalogue" / "models" / "sktime.yaml"
    path.write_text(path.read_text().replace("1.4.2", "1.5.0"))
    assert plan("-i", "sites.yaml", "--base", "main") == 0  # default catalogue: ./catalogue
    out = capsys.readouterr().out.splitlines()
    assert (
        "  3 sites change; counted per site and model: 0 added, 3 upgraded, 0 downgraded, 0 changed, 0 moved, 0 removed"
        in out
    )
    assert "  lrt-site-01, lrt-site-02, lrt-site-03  sktime  ^upgraded  1.4.2 -> 1.5.0" in out


def test_a_plan_in_which_nothing_changes_says_so_in_one_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Tables of zeros, one row per model and placement, hid that nothing changes; the
    json and markdown reports keep their shape."""
    assert plan("-i", "sites.yaml", "--base", "main") == 0
    out = capsys.readouterr().out
    commit = out.splitlines()[0].rsplit("(", 1)[1]
    assert out == (
        "Plan for catalogue lrt (catalogue) on 4 sites, compared with main ("
        f"{commit}\n"
        "  no site changes: 4 models and 5 placements, on the same sites with the same "
        "versions and settings as at main\n"
        "\n"
        "plan: no findings\n"
    )
    assert plan("-i", "sites.yaml", "--base", "main", "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, PLAN_SCHEMA)
    assert doc["summary"]["sitesChanged"] == 0 and len(doc["models"]) == 4
    assert plan("-i", "sites.yaml", "--base", "main", "--format", "markdown") == 0
    assert "No model changes." in capsys.readouterr().out


def test_mass_removal_fails_and_names_the_models_and_sites(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_anomaly_scorer_from_lrt(repo)
    assert plan("-i", "sites.yaml", "catalogue", "--base", "main") == 1
    out = capsys.readouterr().out
    assert (
        # at the line that removed them: the model's targets
        "catalogue/models/anomaly-scorer.yaml:13:16: D101 models are removed from 2 of 4 sites "
        "(50%), over "
        "the limit of 10% of sites (the limit is 5 sites or 10% of sites, whichever is "
        "smaller): 1 model (anomaly-scorer from 2 sites) from lrt-site-01, lrt-site-03; pass "
        "--allow-removals if this is intended"
    ) in out.splitlines()
    # The JSON report lists the sites for a CI script (all of them, however many).
    assert plan("-i", "sites.yaml", "catalogue", "--base", "main", "--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, PLAN_SCHEMA)
    (removal,) = [f for f in doc["findings"] if f["code"] == "D101"]
    assert removal["sites"] == ["lrt-site-01", "lrt-site-03"]


def test_mass_removal_stands_at_each_line_that_removes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A narrowed target's D101 is at the expression or label that changed; a second
    change that removes is a D101 of its own, at its line (an annotation lands on each)."""
    edit(
        repo / "catalogue" / "catalogue.yaml",
        "operator: NotIn, values: [arm64]}",
        "operator: NotIn, values: [arm64, amd64]}",
    )
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    out = capsys.readouterr().out.splitlines()
    (removal,) = [line for line in out if ": D101 " in line]
    # at the value added to the expression (its line; in block style the value's own)
    assert removal.startswith("catalogue/catalogue.yaml:44:70: D101 models are removed from 2 ")
    retired = repo / "catalogue" / "models" / "sktime.yaml"
    retired.unlink()  # a model gone has no line: the catalogue's name
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" D101 ")[0] for line in out if ": D101 " in line] == [
        "catalogue/catalogue.yaml:8:9:",
        "catalogue/catalogue.yaml:44:70:",
    ]
    assert all(
        "models are removed from 3 of 4 sites (75%), over the limit of 10% of sites (the "
        "limit is 5 sites or 10% of sites, whichever is smaller); 1 of 2 changes that remove "
        "them (each a D101 at its line), through " in line
        for line in out
        if ": D101 " in line
    )


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("      line: assembly\n", "      line: logistics\n", "33:9"),  # the label's line
        ("      line: assembly\n", "      line: assembly\n      zone: a\n", "34:9"),  # added
        ("      line: assembly\n", "      lines: assembly\n", "33:9"),  # a key renamed
        ("      env: lrt\n      line: assembly\n", "      env: lab\n      line: x\n", "31:7"),
    ],
)
def test_mass_removal_stands_at_the_label_that_changed(
    repo: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, where: str
) -> None:
    """One label changed or added in a narrowed target's matchLabels: D101 at its line,
    which a merge request's annotation marks; two lines changed: the matchLabels key."""
    path = repo / "catalogue" / "catalogue.yaml"
    path.write_text(
        path.read_text().replace(
            "    lrt:\n      description: Every site of the LRT line\n      matchLabels: {env: lrt}\n",
            "    lrt:\n      description: Every site of the LRT line\n      matchLabels:\n"
            "        env: lrt\n      line: assembly\n".replace("      line", "        line"),
        )
    )
    assert "        line: assembly\n" in path.read_text()
    git(repo, "commit", "-qam", "block style")
    edit(path, old.replace("      ", "        "), new.replace("      ", "        "))
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    out = capsys.readouterr().out.splitlines()
    (removal,) = [line for line in out if ": D101 " in line]
    assert removal.startswith(f"catalogue/catalogue.yaml:{where}: D101 ")


def block_style(path: Path, old: str, new: str, repo: Path) -> None:
    """The catalogue's flow-style line written in block style, committed as the base."""
    edit(path, old, new)
    git(repo, "commit", "-qam", "block style")


def at(path: Path, text: str) -> str:
    """`file:line:col` of `text` in the file, as findings name it."""
    lines = path.read_text().splitlines()
    line = next(n for n, each in enumerate(lines) if text in each)
    return f"{path.relative_to(Path.cwd()).as_posix()}:{line + 1}:{lines[line].index(text) + 1}"


def test_mass_removal_stands_at_the_target_or_workload_line_that_changed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As for a selector's label: a model's target entry that is new, or a followed
    workload's label that changed, is the line D101 stands at."""
    model = repo / "catalogue" / "models" / "anomaly-scorer.yaml"
    flow = "targets: [arm-assembly, lrt-non-arm]"
    block_style(model, flow, "targets:\n        - arm-assembly\n        - lrt-non-arm", repo)
    edit(model, "- lrt-non-arm", "- paint-shop")
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    (removal,) = [line for line in capsys.readouterr().out.splitlines() if ": D101 " in line]
    assert removal.startswith(at(model, "paint-shop") + ": D101 ")
    edit(model, "- paint-shop", "- lrt-non-arm")
    workloads = repo / "catalogue" / "workloads.yaml"
    block_style(
        workloads, "matchLabels: {line: assembly}", "matchLabels:\n        line: assembly", repo
    )
    edit(workloads, "line: assembly", "line: logistics")
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    (removal,) = [line for line in capsys.readouterr().out.splitlines() if ": D101 " in line]
    assert removal.startswith(at(workloads, "line: logistics") + ": D101 ")
    edit(workloads, "line: logistics", "line: assembly")
    cat = repo / "catalogue" / "catalogue.yaml"
    expression = "- {key: kubernetes.io/arch, operator: NotIn, values: [arm64]}"
    block = "- key: kubernetes.io/arch\n          operator: NotIn\n          values:\n            - arm64"
    block_style(cat, expression, block, repo)
    edit(cat, "            - arm64", "            - arm64\n            - amd64")
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    (removal,) = [line for line in capsys.readouterr().out.splitlines() if ": D101 " in line]
    assert removal.startswith(at(cat, "amd64") + ": D101 ")  # the value added


def test_removal_guards_cannot_be_suppressed_in_the_catalogue(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The merge request under review must not switch off the guard that reviews it."""
    drop_anomaly_scorer_from_lrt(repo)
    head = repo / "catalogue" / "catalogue.yaml"
    head.write_text(
        head.read_text().replace("  name: lrt\n", "  name: lrt  # edgemodels: ignore[D101]\n")
    )
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" models are")[0] for line in out if ": D101 " in line] == [
        "catalogue/models/anomaly-scorer.yaml:13:16: D101"
    ]
    assert (
        "catalogue/catalogue.yaml:8:14: D113 [warning] D101 cannot be suppressed in the "
        "catalogue: the removal guards check the change that edits it; accept removals in the "
        "CI invocation instead (--allow-removals, --max-removals), and remove this suppression"
    ) in out
    # nor on the line it stands at now, the model's targets
    model = repo / "catalogue" / "models" / "anomaly-scorer.yaml"
    edit(model, "targets: [arm-assembly]", "targets: [arm-assembly]  # edgemodels: ignore[D101]")
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    out = capsys.readouterr().out
    assert "catalogue/models/anomaly-scorer.yaml:13:16: D101 models are removed" in out
    assert "catalogue/models/anomaly-scorer.yaml:13:32: D113 [warning] D101 cannot be" in out
    assert plan("-i", "sites.yaml", "--base", "main", "--allow-removals") == 0


def test_allow_removals_and_a_higher_limit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_anomaly_scorer_from_lrt(repo)
    assert plan("-i", "sites.yaml", "--base", "main", "--max-removals", "50%") == 0
    assert "D101" not in capsys.readouterr().out
    assert plan("-i", "sites.yaml", "--base", "main", "--max-removals", "1") == 1
    assert plan("-i", "sites.yaml", "--base", "main", "--allow-removals") == 0
    assert "D101 [warning]" in capsys.readouterr().out


def test_max_removals_help_says_what_zero_percent_does(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A percentage never counts less than one site, except 0%, which guards every
    removal as 0 does: the help must not promise that one site passes any percentage."""
    capsys.readouterr()
    with pytest.raises(SystemExit):
        command.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "a percentage above 0% never counts less than one site" in text
    assert "(0 and 0% guard every removal)" in text
    drop_anomaly_scorer_from_lrt(repo)
    assert plan("-i", "sites.yaml", "--base", "main", "--max-removals", "0%") == 1
    assert plan("-i", "sites.yaml", "--base", "main", "--max-removals", "1%") == 1  # 2 sites


def test_markdown_to_a_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_anomaly_scorer_from_lrt(repo)
    code = plan("-i", "sites.yaml", "--base", "main", "--format", "markdown", "-o", "plan.md")
    assert code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("plan written to plan.md\n")
    assert "D101" in captured.err
    text = (repo / "plan.md").read_text()
    assert text.startswith(
        "### ❌ edgemodels plan for catalogue lrt (catalogue) on 4 sites, compared with main ("
    )
    assert "🔴 2 removed" in text and "```mermaid" in text


def test_markdown_size_budget(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop_anomaly_scorer_from_lrt(repo)
    args = ("-i", "sites.yaml", "--base", "main", "--format", "markdown")
    assert plan(*args, "--max-markdown-chars", "2000", "-o", "plan.md") == 1  # exit as before
    text = (repo / "plan.md").read_text()
    assert len(text) <= 2000 and text.count("<details>") == text.count("</details>")
    assert text.splitlines()[-1].startswith("✂️ Cut to fit 2,000 characters")
    assert plan(*args, "--max-markdown-chars", "1999") == EXIT_USAGE
    assert "1999 is not in the range x>=2000" in capsys.readouterr().err


def add_target(root: Path, name: str, above: str = "") -> None:
    """A target that selects no site (D106), used by sktime; `above` goes before the targets."""
    cat = root / "catalogue" / "catalogue.yaml"
    text = cat.read_text().replace("  targets:\n", f"{above}  targets:\n", 1)
    cat.write_text(
        text.replace("    lrt:\n", f"    {name}:\n      matchLabels: {{env: none}}\n    lrt:\n", 1)
    )
    model = root / "catalogue" / "models" / "sktime.yaml"
    model.write_text(model.read_text().replace("targets: [", f"targets: [{name}, ", 1))


def thirty_old_warnings_one_new(repo: Path) -> None:
    """30 targets that select no site at the base (main), and one more in the work tree."""
    for n in range(30):
        add_target(repo, f"nowhere-{n:02}")
    git(repo, "commit", "-qam", "targets that select no site")
    add_target(repo, "nowhere-new")


def test_the_log_does_not_send_you_to_findings_a_size_budget_cut(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thirty_old_warnings_one_new(repo)
    args = ("-i", "sites.yaml", "--base", "main", "--format", "markdown")
    assert plan(*args, "-o", "small.md", "--max-markdown-chars", "2000") == 0
    assert "- … and 26 more (see `--format json`)" in (repo / "small.md").read_text()
    assert capsys.readouterr().err.splitlines()[-1] == (
        "plan: 0 errors, 31 warnings; 1 of them new (the 30 found at the base too are in "
        "small.md as far as its size budget allows; --format json has them all)"
    )


def test_text_lists_the_first_findings_the_base_had_and_the_log_says_so(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thirty_old_warnings_one_new(repo)
    assert plan("-i", "sites.yaml", "--base", "main", "-o", "plan.txt") == 0
    text = (repo / "plan.txt").read_text()
    old = text.split("Found at the base too (30)\n")[1].split("\n\n")[0].splitlines()
    assert len(old) == 11 and all(" D106 " in line for line in old[:10])
    assert old[-1] == (
        "  ... and 20 more found at the base too (--max-text-rows 0 shows all; "
        "--format json lists them)"
    )
    assert capsys.readouterr().err.splitlines()[-1] == (
        "plan: 0 errors, 31 warnings; 1 of them new (of the 30 found at the base too, "
        "plan.txt lists 10; --max-text-rows 0 lists them all)"
    )
    assert plan("-i", "sites.yaml", "--base", "main", "--max-text-rows", "0", "-o", "all.txt") == 0
    assert (repo / "all.txt").read_text().count(" D106 ") == 31
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith("(the 30 found at the base too are in all.txt)")
    )


def test_findings_the_base_had_are_listed_apart_and_do_not_mark_the_headline(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_target(repo, "nowhere")
    git(repo, "commit", "-qam", "a target that selects no site")
    # lines above the old finding move it; the message and file stay the same
    add_target(repo, "nowhere-2", above="  # moved down\n  # twice\n")
    args = ("-i", "sites.yaml", "--base", "main")
    assert plan(*args) == 0  # warnings only: exit as before
    out = capsys.readouterr().out
    new, old = out.split("New findings (1)\n")[1].split("\n\nFound at the base too (1)\n")
    assert "D106 [warning] placement nowhere-2 selects no site" in new
    assert "D106 [warning] placement nowhere selects no site" in old
    assert out.splitlines()[-1] == "plan: 0 errors, 2 warnings; 1 of them new"
    assert plan(*args, "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, PLAN_SCHEMA)
    assert doc["schemaVersion"] == 5
    assert {f["message"].split(" selects")[0]: f["new"] for f in doc["findings"]} == {
        "placement nowhere-2": True,
        "placement nowhere": False,
    }
    assert plan("-i", "sites.yaml", "--format", "json") == 0  # no base: every one is new
    assert [f["new"] for f in json.loads(capsys.readouterr().out)["findings"]] == [True, True]
    assert plan(*args, "--format", "markdown", "-o", "plan.md") == 0
    assert capsys.readouterr().err.splitlines()[1:] == [
        "catalogue/catalogue.yaml:33:5: D106 [warning] placement nowhere-2 selects no site of "
        "the inventory: no site has env=none (env is lrt on the sites)",
        "plan: 0 errors, 2 warnings; 1 of them new (the 1 found at the base too is in "
        "plan.md as far as its size budget allows; --format json has them all)",
    ]
    text = (repo / "plan.md").read_text()
    assert text.startswith("### ⚠️ edgemodels plan")
    assert "Findings: 0 errors, 2 warnings (1 new), 0 notes" in text
    assert text.index("placement nowhere-2") < text.index("Found at the base too (1)")
    assert text.index("Found at the base too (1)") < text.index("placement nowhere ")
    # from a subfolder the working copy names files differently: still matched
    monkeypatch.chdir(repo / "catalogue")
    assert plan(".", "-i", "../sites.yaml", "--base", "main") == 0
    assert "New findings (1)\ncatalogue.yaml:33:5: D106" in capsys.readouterr().out
    # nothing new: the headline is clean, the count still says what there is
    git(repo, "commit", "-qam", "a second one")
    assert plan(".", "-i", "../sites.yaml", "--base", "main", "--format", "markdown") == 0
    out = capsys.readouterr().out
    assert out.startswith("### ✅ edgemodels plan")
    assert "Findings: 0 errors, 2 warnings (0 new), 0 notes" in out


def test_a_plan_that_cannot_be_computed_still_writes_its_report(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The merge-request job posts plan.md: it must be this run's, in the format asked for."""
    (repo / "zero.yaml").write_text("")  # an inventory export that found nothing
    (repo / "plan.json").write_text("stale")
    (repo / "plan.md").write_text("stale")
    args = ("-i", "zero.yaml", "--base", "main")
    assert plan(*args, "--format", "json", "-o", "plan.json") == 1
    assert capsys.readouterr().err.startswith("plan written to plan.json\nzero.yaml:1:1: Y005 ")
    doc = json.loads((repo / "plan.json").read_text())
    jsonschema.validate(doc, PLAN_SCHEMA)
    assert (doc["catalogue"], doc["inventory"], doc["base"], doc["sites"]) == (
        "catalogue",
        "zero.yaml",
        None,
        [],
    )
    assert [(f["code"], f["new"]) for f in doc["findings"]] == [("Y005", True)]
    assert doc["summary"]["findings"] == {"error": 1, "warning": 0, "info": 0}
    assert plan(*args, "--format", "markdown", "-o", "plan.md") == 1
    text = (repo / "plan.md").read_text()
    assert text.startswith("### ❌ edgemodels plan for catalogue on zero.yaml: not computed\n")
    assert "- ❌ `zero.yaml:1:1` **Y005** file is empty" in text.splitlines()


def test_json_of_a_catalogue_with_errors_matches_the_schema(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "catalogue" / "models" / "sktime.yaml"
    path.write_text(path.read_text().replace("targets: [lrt]", "targets: [no-such-target]"))
    assert plan("-i", "sites.yaml", "--base", "main", "--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, PLAN_SCHEMA)
    assert doc["summary"]["findings"]["error"] >= 1 and doc["models"] == []


def test_report_folder_is_created(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert plan("-i", "sites.yaml", "--format", "json", "-o", "reports/mr/plan.json") == 0
    assert capsys.readouterr().err.startswith("plan written to reports/mr/plan.json\n")
    assert json.loads((repo / "reports" / "mr" / "plan.json").read_text())["sites"]


def test_managed_clusters_and_workload_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clusters = tmp_path / "clusters.yaml"
    clusters.write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        + "".join(
            f"- apiVersion: cluster.open-cluster-management.io/v1\n  kind: ManagedCluster\n"
            f"  metadata:\n    name: {name}\n    labels: {{env: lrt, line: {line}}}\n"
            for name, line in (("gw-1", "assembly"), ("gw-2", "logistics"))
        )
    )
    exported = tmp_path / "workloads.yaml"
    exported.write_text(
        "apiVersion: edgemodels.io/v1alpha1\nkind: WorkloadPlacement\n"
        "workloads:\n  - name: quality-inspection\n    sites: [gw-2]\n"
    )
    args = ("-i", clusters, EXAMPLES / "lrt", "--format", "json")
    assert plan(*args) == 0
    before = json.loads(capsys.readouterr().out)
    detector = {s["name"]: [m["name"] for m in s["models"]] for s in before["sites"]}
    assert "defect-detector" in detector["gw-1"] and "defect-detector" not in detector["gw-2"]
    assert plan(*args, "--workload-sites", exported) == 1
    after = json.loads(capsys.readouterr().out)
    # quality-inspection runs on gw-2 now, and on gw-2 alone, but the generated
    # follow-defect-detector Placement (line: assembly) selects gw-1: the model does not
    # follow it there, and stays where the workload has left (the plan notes the two apart)
    assert "defect-detector" not in [m["name"] for m in after["sites"][1]["models"]]
    # neither cluster is on the paint line or arm64
    assert sorted((f["code"], f["message"].split()[1]) for f in after["findings"]) == [
        ("D104", "quality-inspection"),
        ("D105", "model"),
        ("D106", "arm-assembly"),
        ("D106", "paint-shop"),
        ("D125", "quality-inspection"),
    ]
    messages = {f["code"]: f["message"] for f in after["findings"]}
    assert messages["D104"].endswith("without model defect-detector: gw-2")
    assert messages["D105"].endswith("where no workload uses it: gw-1")
    assert messages["D125"] == (
        "workload quality-inspection runs where --workload-sites says (1 site), not where the "
        "catalogue places it (by its selector): the export also lists 1 site the catalogue "
        "leaves out: gw-2; the catalogue also places it on 1 site the export does not list, "
        "where the plan does not count it as running: gw-1; follow-defect-detector follows "
        "the catalogue"
    )


def test_inventory_with_errors_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "sites.yaml"
    bad.write_text("apiVersion: edgemodels.io/v1alpha1\nkind: SiteInventory\nsites:\n  - name: A\n")
    assert plan("-i", bad, EXAMPLES / "lrt") == 1
    out = capsys.readouterr().out
    assert f"{bad.as_posix()}:4:11: S004" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("-i", "missing.yaml", str(EXAMPLES / "lrt")),
            "Invalid value for '-i' / '--inventory': File 'missing.yaml' does not exist.",
        ),
        (
            ("-i", str(EXAMPLES / "sites.yaml"), str(EXAMPLES / "lrt"), "--max-removals", "lots"),
            "--max-removals: expected a number of sites",
        ),
        (  # an unset CI variable: `--max-removals "$MAX_REMOVALS"` must not mean the default
            ("-i", str(EXAMPLES / "sites.yaml"), str(EXAMPLES / "lrt"), "--max-removals="),
            "--max-removals: expected a number of sites (5) or a percentage (10%), got ''",
        ),
        (
            ("-i", str(EXAMPLES / "sites.yaml"), "catalogue", "--base", "main"),
            "is not inside a git repository",
        ),
        (
            ("-i", str(EXAMPLES / "sites.yaml"), str(EXAMPLES / "lrt"), "--format", "yaml"),
            "Invalid value for '--format'",
        ),
    ],
)
def test_usage_errors_exit_2(
    args: tuple[str, ...],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(EXAMPLES / "lrt", tmp_path / "catalogue")  # not in a git repository
    monkeypatch.chdir(tmp_path)
    assert plan(*args) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_help_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        command.main(["--help"], prog_name="edgemodels plan")
    out = capsys.readouterr().out
    assert "edgemodels plan --inventory examples/sites.yaml examples/lrt" in out


def test_registered_in_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from edgemodels.cli import main

    assert main(["plan", "-i", str(EXAMPLES / "sites.yaml"), str(EXAMPLES / "lrt")]) == 0
    assert capsys.readouterr().out.startswith("Plan for ")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def test_placement_rules_of_a_follow_model_that_overlap(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PlacementRule cannot OR selectors: follow-defect-detector is generated as one rule
    (and Subscription) per workload, and lrt-site-01 matches both (line=assembly, and
    env=lrt with arch amd64)."""
    from edgemodels.cli import main

    edit(
        repo / "catalogue" / "catalogue.yaml",
        "placementKind: Placement",
        "placementKind: PlacementRule",
    )
    edit(repo / "catalogue" / "catalogue.yaml", "    clusterSets: [default]\n", "")
    edit(
        repo / "catalogue" / "workloads.yaml",
        "  - name: paint-monitor",
        "  - name: amd-check\n      uses: [defect-detector]\n"
        "      matchLabels: {kubernetes.io/arch: amd64, env: lrt}\n    - name: paint-monitor",
    )
    assert main(["generate", "catalogue", "-o", "out"]) == 0
    generated = sorted(
        p.name for p in (repo / "out" / "hub" / "synced" / "subscriptions").iterdir()
    )
    assert [n for n in generated if n.startswith("defect-detector")] == [
        "defect-detector--follow-defect-detector-1.yaml",
        "defect-detector--follow-defect-detector-2.yaml",
    ]
    capsys.readouterr()
    assert plan("-i", "sites.yaml", "catalogue", "--base", "main", "--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, PLAN_SCHEMA)
    twice = [f["message"] for f in doc["findings"] if f["code"] == "D112"]
    assert len(twice) == 1 and twice[0].startswith(
        "site lrt-site-01: model defect-detector is placed there by 2 placements "
        "(follow-defect-detector-1, follow-defect-detector-2)"
    )
    sites = {p["name"]: (p["sitesBefore"], p["sitesAfter"]) for p in doc["placements"]}
    assert sites["follow-defect-detector"] == (2, None)  # the base's single Placement
    assert sites["follow-defect-detector-1"] == (None, 2)
    assert sites["follow-defect-detector-2"] == (None, 2)  # lrt-site-01 and -03
    # Their Subscriptions replace follow-defect-detector's on the sites it had: a redeploy
    moved = {
        s["name"]: (c["fromPlacements"], c["toPlacements"])
        for s in doc["sites"]
        for c in s["changes"]
        if c["change"] == "moved"
    }
    assert moved == {
        "lrt-site-01": (
            ["follow-defect-detector"],
            ["follow-defect-detector-1", "follow-defect-detector-2"],
        ),
        "lrt-site-02": (["follow-defect-detector"], ["follow-defect-detector-1"]),
    }
    main(["check", "catalogue"])
    assert "R213" in capsys.readouterr().out


def test_renamed_target_redeploys_its_models(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sktime stays on its 3 sites, but through lrt-all: its Subscription sktime-lrt is
    deleted (RHACM purges what it deployed) and sktime-lrt-all created. The removal guard
    counts that purge: 3 of 4 sites is over its limit, so the rename needs --allow-removals."""
    edit(repo / "catalogue" / "catalogue.yaml", "    lrt:\n", "    lrt-all:\n")
    edit(repo / "catalogue" / "models" / "sktime.yaml", "targets: [lrt]", "targets: [lrt-all]")
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    out = capsys.readouterr().out.splitlines()
    (d101,) = [line for line in out if " D101 " in line]
    assert "removed from 3 of 4 sites (75%; 3 of them only to get them again" in d101
    assert plan("-i", "sites.yaml", "--base", "main", "--allow-removals") == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        "  3 sites change; counted per site and model: 0 added, 0 upgraded, 0 downgraded, 0 changed, 3 moved, 0 removed"
        in out
    )
    assert (
        "  lrt-site-01, lrt-site-02, lrt-site-03  sktime  >moved  placement lrt -> lrt-all, "
        "redeployed: without the model until the new Subscription applies it (up to a reconcile period); same version 1.4.2"
        in out
    )
    assert plan("-i", "sites.yaml", "--base", "main", "--format", "markdown") == 1
    text = capsys.readouterr().out
    assert "🟡 3 moved" in text
    assert (
        "| 🟡 moved | `sktime` | placement lrt -> lrt-all, redeployed: without the model until "
        "the new Subscription applies it (up to a reconcile period); same version 1.4.2 |" in text
    )


def test_a_claim_size_or_packaging_that_sites_refuse(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shrinking defect-detector's copy volume is refused by the API server (D114, at the
    size); sktime's packaging change hands its objects from Helm to the Subscription (D115,
    at the packaging). Both are findings on their lines, so a comment there suppresses them."""
    models = repo / "catalogue" / "models"
    edit(models / "defect-detector.yaml", "size: 2Gi", "size: 1Gi")
    edit(models / "sktime.yaml", "packaging: helm", "packaging: kustomize")
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    out = capsys.readouterr().out.splitlines()
    (d114,) = [line for line in out if " D114 " in line]
    assert d114.startswith(
        "catalogue/models/defect-detector.yaml:11:44: D114 container model defect-detector: "
        "container.size 2Gi -> 1Gi on 2 sites that keep it with copy delivery "
        "(lrt-site-01, lrt-site-02): the API server refuses to shrink its claim "
        "defect-detector-model (RHACM's patch of it fails at every reconcile)"
    )
    (d115,) = [line for line in out if " D115 " in line]
    assert d115.startswith(
        "catalogue/models/sktime.yaml:9:18: D115 model sktime: packaging helm -> kustomize on "
        "3 sites that keep it (lrt-site-01, lrt-site-02, lrt-site-03)"
    )
    assert "plan: 2 errors, 0 warnings; 2 of them new" in out
    edit(models / "defect-detector.yaml", "size: 1Gi", "size: 3Gi")
    assert plan("-i", "sites.yaml", "--base", "main", "--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, PLAN_SCHEMA)
    found = {f["code"]: f["severity"] for f in doc["findings"]}
    assert found == {"D114": "warning", "D115": "error"}
    edit(
        models / "sktime.yaml",
        "packaging: kustomize",
        "packaging: kustomize  # edgemodels: ignore[D115]",
    )
    assert plan("-i", "sites.yaml", "--base", "main") == 0  # a warning only
    out = capsys.readouterr().out
    assert " D115 " not in out and " D114 " in out


def test_a_moved_copy_model_loses_its_volume(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """defect-detector moves from its follow placement to the lrt target on the two sites
    that keep it: absent until the new Subscription applies, its volume deleted and copied."""
    edit(
        repo / "catalogue" / "models" / "defect-detector.yaml",
        "followWorkloads: true",
        "targets: [lrt]",
    )
    assert plan("-i", "sites.yaml", "--base", "main", "--allow-removals") == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        "  lrt-site-01, lrt-site-02  defect-detector  >moved  placement follow-defect-detector -> lrt, "
        "redeployed: without the model until the new Subscription applies it (up to a "
        "reconcile period), its copy volume deleted and the weights copied again; "
        "same version 3.0.1"
    ) in out


def test_new_image_under_the_same_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rebuilt image (new digest, same version) changes the Deployment on every site."""
    old = "sktime:1.4.2@sha256:3ff88d8252a1d379ee60f809fd7342bed3ca35e9e8a8184afdb1e62577c0ad5f"
    new = "sktime:1.4.2@sha256:4ff88d8252a1d379ee60f809fd7342bed3ca35e9e8a8184afdb1e62577c0ad5f"
    edit(repo / "catalogue" / "models" / "sktime.yaml", old, new)
    assert plan("-i", "sites.yaml", "--base", "main") == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        "  3 sites change; counted per site and model: 0 added, 0 upgraded, 0 downgraded, 3 changed, 0 moved, 0 removed"
        in out
    )
    row = next(line for line in out if line.startswith("  lrt-site-01, lrt-site-02, lrt-site-03"))
    assert row.split(None, 5)[4:] == [
        "~changed",
        f"same version 1.4.2; image registry.gitlab.com/i4q/lrt/{old} -> "
        f"registry.gitlab.com/i4q/lrt/{new}",
    ]
    assert plan("-i", "sites.yaml", "--base", "main", "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, PLAN_SCHEMA)
    (change,) = doc["sites"][0]["changes"]
    assert (change["change"], change["from"], change["to"]) == ("changed", "1.4.2", "1.4.2")
    assert change["toImage"].endswith(new) and change["fromImage"].endswith(old)
    sktime = next(m for m in doc["sites"][0]["models"] if m["name"] == "sktime")
    assert sktime["image"].endswith(new)


@pytest.mark.skipif(sys.platform == "win32", reason="poll() and SIGPIPE are POSIX notions")
def test_json_to_a_closed_output_ends_the_run_quietly() -> None:
    """`edgemodels plan --format json | head -1`: the report is written as it is made, and a
    reader that has gone stops it as before (141, nothing on stderr)."""
    args = ["plan", "-i", str(EXAMPLES / "sites.yaml"), str(EXAMPLES / "lrt"), "--format", "json"]
    run = run_into_closed_pipe(args)
    assert (run.returncode, run.stderr) == (141, "")


def test_json_to_a_folder_or_a_crash_midway_leaves_no_temporary_file(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "reports").mkdir()
    assert plan("-i", "sites.yaml", "--format", "json", "-o", "reports") == EXIT_USAGE
    said = capsys.readouterr().err
    assert "Invalid value for '-o' / '--output': File 'reports' is a directory." in said
    with pytest.raises(OutputError, match="--output reports: Is a directory"):
        write_report(Path("reports"), ["{}"])  # made a folder once the option was taken

    def half(view: object) -> Iterator[str]:
        yield '{\n  "schemaVersion": 5'
        raise RuntimeError("a bug while the sites are written")

    monkeypatch.setattr("edgemodels.cli.plan.json_pieces", half)
    (repo / "plan.json").write_text("the last run's")
    assert plan("-i", "sites.yaml", "--format", "json", "-o", "plan.json") == 3
    assert "internal error: RuntimeError: a bug while" in capsys.readouterr().err
    assert (repo / "plan.json").read_text() == "the last run's"
    assert sorted(p.name for p in repo.iterdir() if p.name.startswith(".")) == [".git"]
    assert list((repo / "reports").iterdir()) == []


def finding_places(out: str, codes: tuple[str, ...]) -> list[str]:
    return [line.split(" ")[0] + " " + line.split(" ")[1] for line in out.splitlines()
            if any(f": {code} " in line for code in codes)]  # fmt: skip


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ((("branch: acm-dev", "branch: acm-prod"),), ["catalogue/catalogue.yaml:12:13: D117"]),
        (
            # The models' namespace too: apart from the hub's, Helm models are refused (R208).
            (("namespace: i4q-lrt    #", "namespace: i4q-edge    #"),
             ("  defaults:\n    namespace: i4q-lrt\n", "  defaults:\n    namespace: i4q-edge\n")),
            ["catalogue/catalogue.yaml:16:16: D116"],
        ),
        (
            (("    reconcileRate: medium\n",
              "    reconcileRate: medium\n    delivery: argocd\n    argocd: {namespace: gitops}\n"),),
            ["catalogue/catalogue.yaml:20:15: D118"],
        ),
    ],
)  # fmt: skip
def test_hub_setting_findings_point_at_the_setting_that_changed(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    edits: tuple[tuple[str, str], ...],
    expected: list[str],
) -> None:
    """D116-D119 point at the changed line of spec.git / spec.hub, not at metadata.name."""
    path = repo / "catalogue" / "catalogue.yaml"
    text = path.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    plan("-i", "sites.yaml", "--base", "main", "--allow-removals", "catalogue")
    assert finding_places(capsys.readouterr().out, ("D116", "D117", "D118", "D119")) == expected


@pytest.mark.parametrize(
    ("pull_model", "expected"),
    [
        ("pullModel: false", "catalogue/catalogue.yaml:21:44: D119"),
        ("preserveResourcesOnDeletion: true", "catalogue/catalogue.yaml:21:5: D119"),  # left out
    ],
)
def test_a_dropped_pull_model_points_at_pull_model_or_the_argocd_section(
    repo: Path, capsys: pytest.CaptureFixture[str], pull_model: str, expected: str
) -> None:
    path = repo / "catalogue" / "catalogue.yaml"
    text = path.read_text().replace(
        "    reconcileRate: medium\n",
        "    reconcileRate: medium\n    delivery: argocd\n"
        "    argocd: {namespace: gitops, pullModel: true}\n",
    )
    path.write_text(text)
    git(repo, "commit", "-qam", "argo cd with the pull model")
    path.write_text(text.replace("pullModel: true", pull_model))
    plan("-i", "sites.yaml", "--base", "main", "catalogue")
    assert finding_places(capsys.readouterr().out, ("D119",)) == [expected]


def test_turning_the_pull_model_on_warns_at_pull_model_and_can_be_suppressed_there(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """D132 is no removal guard: a warning at the setting, which its line can suppress."""
    path = repo / "catalogue" / "catalogue.yaml"
    text = path.read_text().replace(
        "    reconcileRate: medium\n",
        "    reconcileRate: medium\n    delivery: argocd\n    argocd: {namespace: gitops}\n",
    )
    path.write_text(text)
    git(repo, "commit", "-qam", "argo cd, the hub's own")
    pulled = text.replace("{namespace: gitops}", "{namespace: gitops, pullModel: true}")
    path.write_text(pulled)
    assert plan("-i", "sites.yaml", "--base", "main", "catalogue") == 0  # warnings only
    out = capsys.readouterr().out
    assert finding_places(out, ("D132",)) == ["catalogue/catalogue.yaml:21:44: D132"]
    assert "D132 [warning] spec.hub.argocd.pullModel false -> true" in out
    assert "take over 4 models (anomaly-scorer, defect-detector, paint-inspector" in out
    suppressed = pulled.replace("pullModel: true}", "pullModel: true}  # edgemodels: ignore[D132]")
    path.write_text(suppressed)
    plan("-i", "sites.yaml", "--base", "main", "catalogue")
    out = capsys.readouterr().out
    assert " D132 " not in out and " D113 " not in out and " P001 " not in out


def test_a_claims_storage_class_change_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bound claim's storageClassName is immutable: naming one for defect-detector's copy
    volume on the sites that keep it is an error at the setting (D123)."""
    edit(
        repo / "catalogue" / "models" / "defect-detector.yaml",
        "size: 2Gi}",
        "size: 2Gi, storageClassName: longhorn}",
    )
    assert plan("-i", "sites.yaml", "--base", "main") == 1
    out = capsys.readouterr().out.splitlines()
    (d123,) = [line for line in out if " D123 " in line]
    assert d123.startswith(
        "catalogue/models/defect-detector.yaml:11:67: D123 container model defect-detector: "
        "container.storageClassName (cluster default) -> longhorn on 2 sites that keep it with "
        "copy delivery (lrt-site-01, lrt-site-02): the API server refuses"
    )
    assert " D114 " not in "\n".join(out)


def test_a_version_bumped_under_the_same_tag_fails_at_its_version_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sktime by tag at main; the working copy bumps its version and keeps the tag: its
    Deployment does not change and the sites keep the image they have (D124, an error).
    Suppressed on the version line (the image really did not change), the plan passes."""
    path = repo / "catalogue" / "models" / "sktime.yaml"
    edit(
        path,
        "sktime:1.4.2@sha256:3ff88d8252a1d379ee60f809fd7342bed3ca35e9e8a8184afdb1e62577c0ad5f",
        "sktime:1.4.2",
    )
    git(repo, "commit", "-qam", "sktime by tag")
    edit(path, "version: 1.4.2", "version: 1.4.3")
    assert plan("-i", "sites.yaml", "--base", "main", "catalogue") == 1
    out = capsys.readouterr().out
    assert finding_places(out, ("D124",)) == ["catalogue/models/sktime.yaml:7:16: D124"]
    assert "but its image registry.gitlab.com/i4q/lrt/sktime:1.4.2 stays the same on 3 sites" in out
    assert "1.4.2 -> 1.4.3; same image (D124)" in out
    edit(path, "version: 1.4.3", "version: 1.4.3  # edgemodels: ignore[D124]")
    assert plan("-i", "sites.yaml", "--base", "main", "catalogue") == 0
    out = capsys.readouterr().out
    assert " D124 " not in out and " P001 " not in out


def test_a_version_bumped_under_the_same_digest_is_a_warning(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(repo / "catalogue" / "models" / "defect-detector.yaml", "version: 3.0.1", "version: 3.0.2")
    assert plan("-i", "sites.yaml", "--base", "main", "catalogue") == 0
    out = capsys.readouterr().out
    assert finding_places(out, ("D124",)) == ["catalogue/models/defect-detector.yaml:7:16: D124"]
    assert "pinned by digest, so those sites get exactly the bytes of version 3.0.1" in out


def hub_findings_of(out: str) -> list[str]:
    return [line for line in out.splitlines() if any(f": D11{n} " in line for n in "6789")]


def test_a_removed_hub_setting_points_at_its_parent_mapping(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A setting left out (for its default) has no line of its own: the finding stands on
    the mapping that held it, and says the setting is not set (not `None`)."""
    path = repo / "catalogue" / "catalogue.yaml"
    text = path.read_text()
    path.write_text(text.replace("    reconcileRate: medium\n", ""))
    plan("-i", "sites.yaml", "--base", "main", "catalogue")
    (found,) = hub_findings_of(capsys.readouterr().out)
    assert found.startswith(
        "catalogue/catalogue.yaml:15:3: D117 [warning] spec.hub.reconcileRate medium -> "
        "(not set): the hand-applied part of hub/ carries this"
    )
    # delivery: argocd left out at the next change: back to Subscriptions, at spec.hub
    argo = "    reconcileRate: medium\n    delivery: argocd\n    argocd: {namespace: gitops}\n"
    path.write_text(text.replace("    reconcileRate: medium\n", argo))
    git(repo, "commit", "-qam", "argo cd")
    path.write_text(
        text.replace("    reconcileRate: medium\n", argo.replace("    delivery: argocd\n", ""))
    )
    plan("-i", "sites.yaml", "--base", "main", "--allow-removals", "catalogue")
    assert finding_places(capsys.readouterr().out, ("D118",)) == [
        "catalogue/catalogue.yaml:15:3: D118"
    ]


def test_hub_findings_point_into_the_file_that_holds_the_setting(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a split catalogue, spec.git in a file of its own: D117 stands there; a rename
    stands on metadata.name, the setting that changed."""
    path = repo / "catalogue" / "catalogue.yaml"
    text = path.read_text()
    start, end = text.index("  git:\n"), text.index("  hub:\n")
    path.write_text(text[:start] + text[end:])
    head = "apiVersion: edgemodels.io/v1alpha1\nkind: ModelCatalogue\nspec:\n"
    (repo / "catalogue" / "git.yaml").write_text(head + text[start:end])
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "spec.git in a file of its own")
    moved = repo / "catalogue" / "git.yaml"
    moved.write_text(moved.read_text().replace("branch: acm-dev", "branch: acm-prod"))
    path.write_text(path.read_text().replace("  name: lrt\n", "  name: lrt-edge\n"))
    plan("-i", "sites.yaml", "--base", "main", "--allow-removals", "catalogue")
    assert finding_places(capsys.readouterr().out, ("D116", "D117")) == [
        "catalogue/catalogue.yaml:8:9: D116",
        "catalogue/git.yaml:6:13: D117",
    ]


def test_the_inventory_read_from_stdin() -> None:
    """`kubectl get managedclusters -o yaml | edgemodels plan -i - CAT`: `-` is stdin, and
    its findings are named `<stdin>`."""
    sites = (EXAMPLES / "sites.yaml").read_text()
    run = [sys.executable, "-m", "edgemodels", "plan", "-i", "-", str(EXAMPLES / "lrt")]
    env = {**os.environ, "EDGEMODELS_SERVER": "off"}
    done = subprocess.run(run, input=sites, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "on 4 sites" in done.stdout.splitlines()[0]
    assert "  paint-01     1       paint-inspector@2.1.0" in done.stdout
    broken = sites.replace("kind: SiteInventory", "kind: [SiteInventory")
    done = subprocess.run(run, input=broken, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("<stdin>:"), done.stdout


@pytest.mark.parametrize(("runs", "says"), [("[paint-01]", "it"), ("[paint-01, paint-02]", "them")])
def test_a_retired_workload_still_running_is_told_in_one_or_many_sites_words(
    repo: Path, runs: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """paint-monitor is retired while the export still runs it where paint-inspector, which
    it used, leaves (D121): on one site the message said "leaves them"."""
    edit(repo / "catalogue" / "workloads.yaml", "    - name: paint-monitor\n", "    - name: x\n")
    edit(repo / "catalogue" / "workloads.yaml", "uses: [paint-inspector]", "uses: [sktime]")
    edit(repo / "catalogue" / "models" / "paint-inspector.yaml", "[paint-shop]", "[lrt]")
    with (repo / "sites.yaml").open("a") as sites:
        sites.write("  - {name: paint-02, labels: {line: paint}}\n")
    (repo / "workloads.yaml").write_text(
        "apiVersion: edgemodels.io/v1alpha1\nkind: WorkloadPlacement\n"
        f"workloads:\n  - name: paint-monitor\n    sites: {runs}\n"
    )
    args = ("-i", "sites.yaml", "catalogue", "--base", "main", "--allow-removals")
    assert plan(*args, "--workload-sites", "workloads.yaml") == 1
    (d121,) = [line for line in capsys.readouterr().out.splitlines() if " D121 " in line]
    assert f"paint-inspector, which it used at the base, leaves {says}: paint-01" in d121


@pytest.mark.parametrize(
    ("tracking", "warned"),
    [
        ("", True),
        ("resourceTrackingMethod: label", True),
        ("resourceTrackingMethod: annotation", False),
    ],
)
def test_long_application_names_are_warned_of_unless_argo_cd_tracks_by_annotation(
    repo: Path, capsys: pytest.CaptureFixture[str], tracking: str, warned: bool
) -> None:
    """A 50-letter catalogue name leaves no room for a site's in an Application's name."""
    path = repo / "catalogue" / "catalogue.yaml"
    text = path.read_text().replace("  name: lrt\n", f"  name: {'l' * 50}\n")
    path.write_text(
        text.replace(
            "    reconcileRate: medium\n",
            f"    reconcileRate: medium\n    delivery: argocd\n    argocd: {{{tracking}}}\n",
        )
    )
    plan("-i", "sites.yaml", "catalogue")
    assert bool(finding_places(capsys.readouterr().out, ("D128",))) is warned


HUB_EXPORT = """\
apiVersion: v1
kind: List
items:
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: lrt-site-01
    labels: {env: lrt, line: assembly, kubernetes.io/arch: amd64}
    creationTimestamp: "2026-01-05T10:00:00Z"
  spec: {hubAcceptsClient: true}
  status:
    conditions:
    - {type: ManagedClusterConditionAvailable, status: "True",
       lastTransitionTime: "2026-11-30T12:00:00Z"}
- apiVersion: cluster.open-cluster-management.io/v1
  kind: ManagedCluster
  metadata:
    name: lrt-site-02
    labels: {env: lrt, line: assembly, kubernetes.io/arch: amd64}
    deletionTimestamp: "2026-11-29T08:00:00Z"
  spec: {hubAcceptsClient: true}
  status:
    conditions:
    - {type: ManagedClusterConditionAvailable, status: "True",
       lastTransitionTime: "2026-11-01T12:00:00Z"}
"""


def test_a_hub_export_says_its_age_and_what_the_hub_will_not_select(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The headline names the export's newest time; a cluster being deleted gets no model,
    and the note about it carries its sites in JSON."""
    export = tmp_path / "clusters.yaml"
    export.write_text(HUB_EXPORT, encoding="utf-8")
    assert plan("-i", export, EXAMPLES / "lrt") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(" on 2 sites (a hub export of 2026-11-30T12:00:00Z or later)")
    assert "  lrt-site-02  0       (none)" in out
    assert plan("-i", export, EXAMPLES / "lrt", "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, PLAN_SCHEMA)
    (note,) = [f for f in report["findings"] if f["code"] == "D134"]
    assert note["sites"] == ["lrt-site-02"] and note["severity"] == "info"
