"""Switching delivery moves no model: `edgemodels plan` of a catalogue and of its Argo CD
version are the same, and `--base` across the switch reports no site change."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest

from edgemodels.cli import EXIT_USAGE
from edgemodels.cli.plan import command

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"
SITES = CASES / "delivery-sites" / "sites.yaml"
LRT = REPO / "examples" / "lrt"


def run_plan(reports: Path, *args: str | Path) -> tuple[int, dict[str, Any]]:
    """`edgemodels plan ARGS --format json`: exit code and report (as cli.main maps them)."""
    out = reports / f"plan-{len(list(reports.glob('plan-*')))}.json"
    argv = [*map(str, args), "--format", "json", "-o", str(out)]
    try:
        code = int(command.main(argv, standalone_mode=False))
    except click.ClickException as exc:
        exc.show()
        code = EXIT_USAGE
    return code, json.loads(out.read_text()) if out.exists() else {}


def without_paths(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in ("catalogue", "inventory")}


def to_argocd(folder: Path, migration: str = "keep-subscriptions") -> None:
    """The LRT example with `delivery: argocd` (its only hub change), at the first step of
    the migration unless `migration` is empty."""
    path = folder / "catalogue.yaml"
    text = path.read_text()
    assert "    reconcileRate: medium\n" in text
    argo = f"    argocd: {{migration: {migration}}}\n" if migration else ""
    path.write_text(text.replace("    reconcileRate: medium\n", "    delivery: argocd\n" + argo))


def test_the_plan_of_both_deliveries_is_identical(tmp_path: Path) -> None:
    code, subscription = run_plan(
        tmp_path, "-i", SITES, CASES / "delivery-subscription/catalogue.yaml"
    )
    assert code == 0
    for mode in ("argocd", "migration"):
        code, argo = run_plan(tmp_path, "-i", SITES, CASES / f"delivery-{mode}/catalogue.yaml")
        assert code == 0
        assert without_paths(argo) == without_paths(subscription)
    placed = {s["name"] for s in subscription["sites"] if s["models"]}
    assert subscription["summary"]["sites"] == 5 and len(placed) == 3


def test_the_lrt_example_plans_the_same_on_argo_cd(tmp_path: Path) -> None:
    argo = tmp_path / "lrt"
    shutil.copytree(LRT, argo)
    to_argocd(argo)
    sites = REPO / "examples" / "sites.yaml"
    code, before = run_plan(tmp_path, "-i", sites, LRT)
    assert code == 0
    code, after = run_plan(tmp_path, "-i", sites, argo)
    assert code == 0 and without_paths(after) == without_paths(before)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args], cwd=repo, check=True, capture_output=True
    )


def test_base_across_the_switch_shows_no_site_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(LRT, root / "catalogue")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "catalogue on Subscriptions")
    to_argocd(root / "catalogue")
    monkeypatch.chdir(root)
    reports = tmp_path / "reports"
    reports.mkdir()
    code, report = run_plan(
        reports, "-i", REPO / "examples/sites.yaml", "--base", "HEAD", "catalogue"
    )
    assert code == 0
    assert report["base"] is not None and report["summary"]["sitesChanged"] == 0
    assert set(report["summary"]["changes"].values()) == {0}
    for model in report["models"]:
        assert model["sitesBefore"] == model["sitesAfter"] > 0
    # Straight to Argo CD, the Subscriptions go before the sites' objects carry the marks
    git(root, "checkout", "-q", "--", "catalogue")
    to_argocd(root / "catalogue", migration="")
    code, report = run_plan(
        reports, "-i", REPO / "examples/sites.yaml", "--base", "HEAD", "catalogue"
    )
    assert code == 1
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == ["D118"]
