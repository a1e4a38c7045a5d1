"""The registry of finding codes outside the policy pack, and `rule CODE` / `rules --all`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from edgemodels.cli import main
from edgemodels.codes import CODES, FAMILIES, every_code

SOURCE = Path(__file__).resolve().parents[2] / "generator" / "edgemodels"


def test_every_code_the_source_reports_is_registered() -> None:
    used = {
        code
        for path in SOURCE.rglob("*.py")
        # P000-P099 are the policy engine's own; P100 and up are rules of policy files
        for code in re.findall(r'"([YSRD][0-9]{3}|P0[0-9]{2})"', path.read_text(encoding="utf-8"))
    }
    assert used - set(CODES) == set()
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", c.name) for c in CODES.values())
    assert {code[0] for code in every_code()} == set(FAMILIES)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("R104", "unknown-target"),
        ("y012", "tab-indentation"),
        ("K101", "unknown-field"),
        ("P001", "unused-suppression"),
        ("p006", "policy-config-invalid"),
    ],
)
def test_rule_prints_every_family(code: str, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", code]) == 0
    assert capsys.readouterr().out.startswith(f"{code.upper()} {name}\n")


def test_rule_finds_a_code_by_name_and_refuses_an_unknown_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rule", "hand-edited-output"]) == 0
    assert capsys.readouterr().out.startswith("D301 ")
    assert main(["rule", "Z999"]) == 2


def test_rule_d304_says_how_to_bring_the_tree_up_to_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rule", "D304"]) == 0
    fix = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  fix:")]
    assert fix and "edgemodels generate CATALOGUE -o OUTPUT" in fix[0] and "git add" in fix[0]


def test_rules_all_lists_the_other_codes_after_the_policies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules"]) == 0
    policies_only = capsys.readouterr().out
    assert "R104" not in policies_only
    assert main(["rules", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(policies_only) and "R104  unknown-target" in out
    assert "P001  unused-suppression" in out.removeprefix(policies_only)


def test_the_readme_tables_list_every_plan_code_and_policy_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/findings.md's "Plan findings" table has a row per plan code (D1xx), its "Policy
    rules" one per default rule, with its name; and no row names a code edgemodels does not
    have."""
    text = (SOURCE.parents[1] / "docs" / "findings.md").read_text(encoding="utf-8")
    policies = text[text.index("\n## Policy rules\n") : text.index("\n## Plan findings (D1xx)\n")]
    plan = text[text.index("\n## Plan findings (D1xx)\n") :]
    row = re.compile(r"^\| ([A-Z][0-9]{3}) \| ([^|]+?) \|", re.MULTILINE)
    rows = dict(row.findall(policies))
    plan_rows = dict(row.findall(plan))
    assert set(rows) & set(plan_rows) == set()
    rows.update(plan_rows)
    assert main(["rules", "--format", "json"]) == 0
    rules = {r["code"]: r["name"] for r in json.loads(capsys.readouterr().out)}
    assert {code: rows.get(code) for code in rules} == rules
    plan_codes = {code for code in CODES if code.startswith("D1")}
    assert set(plan_rows) == plan_codes
    assert set(rows) - plan_codes - set(rules) == set()
