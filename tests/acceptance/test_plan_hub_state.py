"""`plan --base` on a hub export with sites offline or being deleted: D133 and D134 are about
the inventory, so the base has them too, yet they must not sink behind the first ten of the
findings the base had too (a fleet has dozens of those)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_plan_cli import add_target, git, plan, repo, thirty_old_warnings_one_new  # noqa: F401

AVAILABLE = "ManagedClusterConditionAvailable"


def managed_cluster(name: str, labels: str, status: str = "True", deleting: bool = False) -> str:
    deleted = "    deletionTimestamp: '2026-11-30T22:00:00Z'\n" if deleting else ""
    return (
        "- apiVersion: cluster.open-cluster-management.io/v1\n  kind: ManagedCluster\n"
        f"  metadata:\n    name: {name}\n    labels: {{{labels}}}\n{deleted}"
        "  spec: {hubAcceptsClient: true}\n"
        f"  status:\n    conditions:\n    - type: {AVAILABLE}\n      status: '{status}'\n"
        "      lastTransitionTime: '2026-11-30T20:00:00Z'\n"
    )


def hub_export(root: Path) -> None:
    """The example's four sites as the hub lists them: one unreachable, one being deleted."""
    sets = "cluster.open-cluster-management.io/clusterset: default"
    clusters = [
        managed_cluster("lrt-site-01", f"env: lrt, line: assembly, {sets}", "Unknown"),
        managed_cluster("lrt-site-02", f"env: lrt, line: assembly, {sets}"),
        managed_cluster("lrt-site-03", f"env: lrt, line: logistics, {sets}", deleting=True),
        managed_cluster("paint-01", f"line: paint, {sets}"),
    ]
    (root / "clusters.yaml").write_text("apiVersion: v1\nkind: List\nitems:\n" + "".join(clusters))


def test_the_hubs_offline_and_deleted_sites_are_not_cut_with_the_old_findings(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    thirty_old_warnings_one_new(repo)
    hub_export(repo)
    args = ("-i", "clusters.yaml", "--base", "main")
    plan(*args)
    out = capsys.readouterr().out
    findings = out.split("\nNew findings (1)\n")[1]
    hub, old = findings.split("\n\nFound at the base too (")
    assert hub.splitlines()[2] == "Sites the hub cannot deliver to, found at the base too (2)"
    assert [line.split(" ")[1] for line in hub.splitlines()[3:]] == ["D133", "D134"]
    assert " unreachable on the hub " in hub and "lrt-site-03" in hub
    assert " D133 " not in old and " D134 " not in old
    assert old.startswith("33)\n")  # the 30 targets' D106 and the export's own, cut to 10
    # the job's log with -o names them too, and counts the rest as before
    plan(*args, "-o", "plan.txt")
    err = capsys.readouterr().err.splitlines()
    assert [line.split(" ")[1] for line in err if " D13" in line] == ["D133", "D134"]
    assert " D106 " not in "".join(err[2:-1])  # the new D106 alone (after an error)
    assert "found at the base too, plan.txt lists 9;" in err[-1]


@pytest.mark.parametrize("budget", ["60000", "2000"])
def test_markdown_lists_the_hubs_sites_apart_and_never_cuts_them(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    budget: str,
) -> None:
    """As the text report: their own section after the new findings, unfolded, not behind
    the findings the base had too, which a size budget cuts first."""
    thirty_old_warnings_one_new(repo)
    hub_export(repo)
    plan(
        "-i",
        "clusters.yaml",
        "--base",
        "main",
        "--format",
        "markdown",
        "--max-markdown-chars",
        budget,
    )
    out = capsys.readouterr().out
    title = "**Sites the hub cannot deliver to, found at the base too (2)**"
    assert title in out.splitlines()
    hub = out.split(title)[1].split("\n\n")[1].splitlines()
    assert [line.split(" ")[3] for line in hub] == ["**D133**", "**D134**"]
    assert out.index("nowhere-new") < out.index(title)
    if "<summary>Found at the base too (" in out:
        folded = out.split("<summary>Found at the base too (")[1]
        assert folded.startswith("33)") and "D133" not in folded and "D134" not in folded
    assert len(out) <= int(budget)


def test_markdown_without_a_base_never_cuts_the_hubs_sites(
    repo: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --base every finding is new: the 50 listed are errors first, so notes of
    the hub's sites sank behind 60 warnings and were cut; text lists every finding."""
    for n in range(60):
        add_target(repo, f"nowhere-{n:02}")
    hub_export(repo)
    plan("-i", "clusters.yaml", "--format", "markdown")
    out = capsys.readouterr().out
    title = "**Sites the hub cannot deliver to (2)**"
    assert title in out.splitlines()
    hub = out.split(title)[1].split("\n\n")[1].splitlines()
    assert [line.split(" ")[3] for line in hub] == ["**D133**", "**D134**"]
    assert "- … and " in out.split(title)[0]  # the other findings are cut at 50, as before
