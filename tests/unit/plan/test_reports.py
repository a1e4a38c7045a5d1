"""The plan's reports: the pinned JSON structure, the markdown comment, the text tables."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import jsonschema
import pytest

from edgemodels.catalogue.model import Catalogue
from edgemodels.cli.plan import _old_findings_kept
from edgemodels.cli.plan import command as plan_command
from edgemodels.diagnostics import Diagnostic, Location, sort_diagnostics
from edgemodels.plan.core import Plan, build_plan
from edgemodels.plan.gitrev import Revision
from edgemodels.plan.report_json import json_pieces, plan_document, render_json
from edgemodels.plan.report_markdown import MIN_MAX_CHARS, render_markdown
from edgemodels.plan.report_text import render_text
from edgemodels.plan.reports import View, build_view, reporters

from .builders import catalogue, http_model, sel, site, sites, target
from .test_diff import BASE, SITES, WORK

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "schemas" / "plan-report.schema.json").read_text()
)


def view(compared: bool = True) -> View:
    plan, diags = build_plan(
        WORK, SITES, BASE if compared else None, compared=compared, allow_removals=True
    )
    plan = Plan(
        plan.sites,
        plan.after,
        plan.before,
        plan.diffs,
        plan.placements,
        "catalogue/",
        "sites.yaml",
        Revision("origin/main", "a" * 40) if compared else None,
    )
    return build_view(plan, sort_diagnostics(diags))


# Pinned: changing these sets is a breaking change and needs a new schemaVersion.
TOP_KEYS = {
    "schemaVersion", "kind", "catalogue", "inventory", "base", "summary", "models",
    "placements", "sites", "findings",
}  # fmt: skip
SUMMARY_KEYS = {"sites", "models", "placements", "sitesChanged", "changes", "findings"}
MODEL_KEYS = {"name", "versionBefore", "versionAfter", "sitesBefore", "sitesAfter", "changes"}
PLACEMENT_KEYS = {"name", "sitesBefore", "sitesAfter", "changes"}
SITE_KEYS = {"name", "models", "changes"}
CHANGE_KEYS = {
    "model", "change", "from", "to", "fromImage", "toImage", "fromPlacements", "toPlacements",
    "settings",
}  # fmt: skip
SITE_MODEL_KEYS = {"name", "version", "image"}
KIND_KEYS = {"added", "upgraded", "downgraded", "changed", "moved", "removed"}


@pytest.mark.parametrize("compared", [True, False])
def test_json_keys_are_pinned(compared: bool) -> None:
    doc = json.loads(render_json(view(compared)))
    jsonschema.validate(doc, SCHEMA)
    assert set(doc) == TOP_KEYS
    assert doc["schemaVersion"] == 5 and doc["kind"] == "EdgeModelsPlan"
    assert set(doc["summary"]) == SUMMARY_KEYS
    assert set(doc["summary"]["changes"]) == KIND_KEYS
    assert all(set(m) == MODEL_KEYS and set(m["changes"]) == KIND_KEYS for m in doc["models"])
    assert all(set(p) == PLACEMENT_KEYS for p in doc["placements"])
    assert all(set(s) == SITE_KEYS for s in doc["sites"])
    assert all(set(c) == CHANGE_KEYS for s in doc["sites"] for c in s["changes"])
    assert all(set(m) == SITE_MODEL_KEYS for s in doc["sites"] for m in s["models"])


def test_json_values() -> None:
    doc = json.loads(render_json(view()))
    assert doc["base"] == {"revision": "origin/main", "commit": "a" * 40}
    assert doc["summary"] == {
        "sites": 4,
        "models": 4,
        "placements": 2,
        "sitesChanged": 3,
        "changes": {
            "added": 3,
            "upgraded": 2,
            "downgraded": 1,
            "changed": 1,
            "moved": 0,
            "removed": 2,
        },
        "findings": {"error": 0, "warning": 1, "info": 0},  # D101, a warning here
    }
    assert doc["models"][0] == {
        "name": "scorer",
        "versionBefore": "1.0.0",
        "versionAfter": "1.1.0",
        "sitesBefore": 2,
        "sitesAfter": 3,
        "changes": {
            "added": 1,
            "upgraded": 2,
            "downgraded": 0,
            "changed": 0,
            "moved": 0,
            "removed": 0,
        },
    }
    assert doc["models"][-1]["versionAfter"] is None  # legacy, removed
    paint = doc["sites"][2]
    assert paint["name"] == "paint-1"
    assert {
        "model": "painter",
        "change": "downgraded",
        "from": "2.0.0",
        "to": "1.9.0",
        "fromImage": "registry.example/painter:2.0.0",
        "toImage": "registry.example/painter:1.9.0",
        "fromPlacements": ["paint"],
        "toPlacements": ["paint"],
        "settings": [],
    } in paint["changes"]
    assert {
        "model": "scorer",
        "change": "added",
        "from": None,
        "to": "1.1.0",
        "fromImage": None,
        "toImage": "registry.example/scorer:1.1.0",
        "fromPlacements": [],
        "toPlacements": ["paint"],
        "settings": [],
    } in paint["changes"]
    assert doc["sites"][3] == {"name": "lab-1", "models": [], "changes": []}


def test_json_without_base() -> None:
    doc = json.loads(render_json(view(compared=False)))
    assert doc["base"] is None
    assert all(m["versionBefore"] is None and m["sitesBefore"] is None for m in doc["models"])
    assert all(p["sitesBefore"] is None for p in doc["placements"])
    assert doc["sites"][0]["models"] == [
        {"name": "scorer", "version": "1.1.0", "image": "registry.example/scorer:1.1.0"},
        {"name": "fresh", "version": "0.1.0", "image": "registry.example/fresh:0.1.0"},
    ]


def test_markdown_summary_first_detail_folded() -> None:
    text = render_markdown(view())
    first_fold = text.index("<details>")
    summary = text[:first_fold]
    assert summary.startswith(
        "### ⚠️ edgemodels plan for catalogue test (catalogue/) on 4 sites, compared with"
    )
    assert (
        "**3 of 4 sites change**; counted per site and model: 🟢 3 added · 🔵 2 upgraded · 🟠 1 downgraded"
        in summary
    )
    assert "| `scorer` | 1.0.0 -> 1.1.0 | 2 -> 3 | 1 | 2 | 0 | 0 | 0 | 0 |" in summary
    assert "**D101**" in summary
    detail = text[first_fold:]
    assert "```mermaid\nflowchart LR" in detail
    assert '  p0 -->|"🟢🔵🔴"| s0' in detail  # lrt gives lrt-1 an addition, upgrade, removal
    assert '  p1["paint<br/>1 site"]' in detail
    assert "→" not in text  # one arrow in the whole report: the per-site detail's "->"
    assert "1.0.0 -> 1.1.0" in detail
    assert 's2(["paint-1"]):::mixed' in detail
    assert (
        "| `paint-1` | 🟢 added | `scorer` | 1.1.0 |\n|  | 🟠 downgraded | `painter` | 2.0.0 -> 1.9.0 |"
        in detail
    )
    assert text.count("<details>") == text.count("</details>") == 2


def big_view(models: int = 150, sites_: int = 200, findings: int = 300) -> View:
    """A fleet-wide bump: every model upgraded on every site, and many findings."""
    many = sites(*(site(f"site-{n:04}", {"env": "lrt"}) for n in range(sites_)))
    targets = (target("lrt", sel({"env": "lrt"})),)
    names = [f"model-{n:03}" for n in range(models)]
    base = catalogue(targets, tuple(http_model(m, "1.0.0", ("lrt",)) for m in names))
    work = catalogue(targets, tuple(http_model(m, "1.0.1", ("lrt",)) for m in names))
    plan, diags = build_plan(work, many, base, compared=True)
    extra = [
        Diagnostic(
            Location(f"catalogue/models/m{n}.yaml", 5, 5),
            "D105",
            f"container model m{n} is placed on 3 sites where no workload uses it | x",
            "warning" if n % 7 else "error",
        )
        for n in range(findings)
    ]
    return build_view(plan, sort_diagnostics([*diags, *extra]))


def assert_well_formed(text: str) -> None:
    """Folds and fences closed, every table row whole, and no text glued to a table."""
    assert text.count("<details>") == text.count("</details>")
    assert text.count("```") % 2 == 0
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("|"):
            assert line.endswith(" |") or line.endswith("|"), line
            columns = len(line.replace("\\|", "").split("|"))
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if following.startswith("|"):
                assert len(following.replace("\\|", "").split("|")) == columns
            else:
                assert following == "", f"text right after a table row: {following!r}"


@pytest.mark.parametrize("budget", [60_000, 20_000, 5_000, MIN_MAX_CHARS])
def test_markdown_fits_its_budget_whole_rows_and_closed_blocks(budget: int) -> None:
    text = render_markdown(big_view(), budget)
    assert len(text) <= budget
    assert_well_formed(text)
    assert text.startswith("### ❌ edgemodels plan for")
    assert "**200 of 200 sites change**" in text
    last = text.splitlines()[-1]
    assert last.startswith("✂️ Cut to fit " + f"{budget:,} characters (`--max-markdown-chars`)")
    assert "`edgemodels plan --format json`" in last


def test_markdown_fills_summary_then_findings_errors_first_then_models_then_sites() -> None:
    text = render_markdown(big_view(), 10_000)
    findings = [line for line in text.splitlines() if line.startswith("- ")]
    assert (
        findings[0].startswith("- ❌") and findings[-1] == "- … and 250 more (see `--format json`)"
    )
    icons = [line[:4] for line in findings[:-1]]
    assert icons == sorted(icons, key=lambda icon: "❌" not in icon)  # errors, then warnings
    assert "| `model-000` | 1.0.0 -> 1.0.1 | 200 -> 200 | 0 | 200 |" in text
    assert "more models (see `--format json`)." in text
    assert "Changes by site" not in text  # nothing of the detail fits: left out whole
    assert "the per-site detail (200 sites)" in text.splitlines()[-1]
    roomy = render_markdown(big_view(), 300_000)
    assert "<details><summary>Changes by site (200)</summary>" in roomy
    # the 200 sites upgraded alike share their 150 rows, as in the text report
    group = "| `site-0000`, `site-0001`, `site-0002` and 197 more | 🔵 upgraded | `model-000` |"
    assert group in roomy and "more sites (see" not in roomy
    assert_well_formed(roomy)


def test_markdown_of_the_fleet_wide_bump_in_the_default_budget() -> None:
    view = big_view(models=1000, sites_=20, findings=201)
    text = render_markdown(view)
    assert len(text) <= 60_000 < 65_536
    assert_well_formed(text)
    assert "more models (see `--format json`)." in text


def test_markdown_within_budget_is_not_cut() -> None:
    text = render_markdown(view())
    assert "✂️" not in text and "… and" not in text
    assert_well_formed(text)


def test_markdown_stays_under_the_github_comment_limit() -> None:
    many = sites(*(site(f"site-{n:04}", {"env": "lrt"}) for n in range(3000)))
    targets = (target("lrt", sel({"env": "lrt"})),)
    base = catalogue(targets, (http_model("a", "1.0.0", ("lrt",)), http_model("b", "1", ("lrt",))))
    work = catalogue(targets, (http_model("a", "2.0.0", ("lrt",)), http_model("c", "1", ("lrt",))))
    plan, diags = build_plan(work, many, base, compared=True)
    text = render_markdown(build_view(plan, diags))
    assert len(text) < 60_000
    assert_well_formed(text)
    # 3,000 sites changed alike are one group of rows, whole, not the first few hundred
    # sites' rows with the rest cut
    sites_ = "`site-0000`, `site-0001`, `site-0002` and 2997 more"
    group = f"| {sites_} | 🔵 upgraded | `a` | 1.0.0 -> 2.0.0 |"
    assert [line for line in text.splitlines() if line.startswith("| `site-")] == [group]
    assert "|  | 🔴 removed | `b` | 1 |" in text
    assert "more sites (see" not in text and "✂️" not in text
    assert 'k_upgraded(["🔵 3000 upgraded"]):::upgraded' in text  # buckets, not 3000 nodes


def test_change_counts_say_they_count_a_model_on_a_site() -> None:
    """Two models upgraded on the same two sites are four upgrades: the headlines and the
    placement table say what they count, or "2 sites change: 4 upgraded" reads as more
    sites upgraded than change."""
    two = sites(site("s1", {"env": "lrt"}), site("s2", {"env": "lrt"}))
    targets = (target("lrt", sel({"env": "lrt"})),)
    base = catalogue(
        targets, (http_model("a", "1.0.0", ("lrt",)), http_model("b", "1.0.0", ("lrt",)))
    )
    work = catalogue(
        targets, (http_model("a", "1.1.0", ("lrt",)), http_model("b", "1.1.0", ("lrt",)))
    )
    v = build_view(*build_plan(work, two, base, compared=True))
    lines = render_text(v).splitlines()
    assert lines[1] == (
        "  2 sites change; counted per site and model: "
        "0 added, 4 upgraded, 0 downgraded, 0 changed, 0 moved, 0 removed"
    )
    at = lines.index("Placements (changes counted per site and model)")
    assert lines[at + 2].split() == ["lrt", "2", "->", "2", "0", "4", "0", "0", "0", "0"]
    assert "**2 of 2 sites change**; counted per site and model: 🟢 0 added · 🔵 4 upgraded" in (
        render_markdown(v)
    )


def test_text_report() -> None:
    text = render_text(view())
    lines = text.splitlines()
    assert lines[0] == (
        "Plan for catalogue test (catalogue/) on 4 sites, compared with origin/main (aaaaaaaaaaaa)"
    )
    assert (
        "  3 sites change; counted per site and model: 3 added, 2 upgraded, 1 downgraded, 1 changed, 0 moved, 2 removed"
        in lines
    )
    assert "  lrt-1, lrt-2  scorer   ^upgraded    1.0.0 -> 1.1.0" in lines  # the same changes
    assert lines[-1] == "plan: 0 errors, 1 warning"


def test_text_report_of_a_fleet_wide_change_groups_sites_and_caps_the_rows() -> None:
    """3,000 sites on two label sets, every model upgraded and one removed from one set: a
    row per site and model was 196,000 lines for the synthetic fleet's bump."""
    many = sites(*(site(f"site-{n:04}", {"env": "lrt", "line": f"l{n % 2}"}) for n in range(3000)))
    targets = (target("lrt", sel({"env": "lrt"})), target("l1", sel({"line": "l1"})))
    names = [f"model-{n:03}" for n in range(150)]
    base = catalogue(
        targets,
        (
            *(http_model(m, "1.0.0", ("lrt",)) for m in names),
            http_model("gone", "1.0.0", ("l1",)),
        ),
    )
    work = catalogue(targets, tuple(http_model(m, "1.0.1", ("lrt",)) for m in names))
    plan, diags = build_plan(work, many, base, compared=True, allow_removals=True)
    lines = render_text(build_view(plan, sort_diagnostics(diags)), 200).splitlines()
    assert len(lines) < 200 + 150 + 20  # the per-site rows, the models, the rest
    at = lines.index("Changes by site")
    # the group that loses a model comes first (it is not larger), whole: 151 rows
    assert lines[at + 2].startswith("  site-0001, site-0003, site-0005 and 1497 more  model-000 ")
    (gone,) = [line for line in lines if " gone " in line and "-removed" in line]
    assert gone.split()[-2:] == ["-removed", "1.0.0"]
    assert lines[at + 2 + 151] == (
        "  ... and 1500 more sites in 1 group, left out at --max-text-rows 200 "
        "(0 shows all; --format json lists every site)"
    )
    everything = render_text(build_view(plan, sort_diagnostics(diags)), 0).splitlines()
    assert (
        "  site-0000, site-0002, site-0004 and 1497 more  model-000  ^upgraded  1.0.0 -> 1.0.1"
        in everything
    )
    assert not any(line.startswith("  ... and") for line in everything)


def test_text_report_merges_rows_that_read_the_same() -> None:
    """A model upgraded alike through two targets: the sites' changes differ only in their
    placements, which an upgrade's row does not show, so they are one row, not two rows
    that read the same with nothing to tell them apart; JSON keeps each site's placements."""
    both = sites(*(site(f"site-{n}", {"line": f"l{n % 2}"}) for n in range(4)))
    targets = (target("l0", sel({"line": "l0"})), target("l1", sel({"line": "l1"})))
    base = catalogue(targets, (http_model("a", "1.0.0", ("l0", "l1")),))
    work = catalogue(targets, (http_model("a", "2.0.0", ("l0", "l1")),))
    plan, diags = build_plan(work, both, base, compared=True)
    done = build_view(plan, sort_diagnostics(diags))
    lines = render_text(done).splitlines()
    rows = lines[lines.index("Changes by site") + 2 : lines.index("Models") - 1]
    assert rows == ["  site-0, site-1, site-2 and 1 more  a      ^upgraded  1.0.0 -> 2.0.0"]
    placements = {s["name"]: s["changes"][0]["toPlacements"] for s in plan_document(done)["sites"]}
    assert placements == {"site-0": ["l0"], "site-1": ["l1"], "site-2": ["l0"], "site-3": ["l1"]}


def test_text_report_without_base_lists_models_per_site() -> None:
    text = render_text(view(compared=False))
    assert "  paint-1       3       scorer@1.1.0, painter@1.9.0, tagged@2024.1" in text.splitlines()


def test_text_report_without_base_lists_each_set_of_models_once() -> None:
    many = sites(*(site(f"site-{n:04}", {"env": "lrt", "n": str(n % 3)}) for n in range(3000)))
    targets = tuple(target(f"t{n}", sel({"n": str(n)})) for n in range(3))
    work = catalogue(targets, tuple(http_model(f"m{n}", "1.0.0", (f"t{n}",)) for n in range(3)))
    plan, diags = build_plan(work, many, None, compared=False)
    lines = render_text(build_view(plan, diags), 2).splitlines()
    at = lines.index("Models by site")
    assert [line.split() for line in lines[at + 2 : at + 4]] == [
        ["site-0000,", "site-0003,", "site-0006", "and", "997", "more", "1", "m0@1.0.0"],
        ["site-0001,", "site-0004,", "site-0007", "and", "997", "more", "1", "m1@1.0.0"],
    ]
    assert lines[at + 4 : at + 5] == [
        "  ... and 1000 more sites in 1 group, left out at --max-text-rows 2 "
        "(0 shows all; --format json lists every site)",
    ]


def test_text_report_without_base_lists_the_sites_with_no_model_last() -> None:
    many = sites(*(site(f"site-{n:04}", {"n": str(n % 3)}) for n in range(30)))
    work = catalogue((target("t0", sel({"n": "0"})),), (http_model("m0", "1.0.0", ("t0",)),))
    plan, diags = build_plan(work, many, None, compared=False)
    lines = render_text(build_view(plan, diags), 1).splitlines()
    at = lines.index("Models by site")
    assert lines[at + 2].split()[-2:] == ["1", "m0@1.0.0"]  # 10 sites, before the 20 without
    assert lines[at + 3].startswith("  ... and 20 more sites in 1 group")


def test_the_max_text_rows_help_states_the_order_the_report_uses() -> None:
    (option,) = [p for p in plan_command.params if p.name == "max_text_rows"]
    text = " ".join((option.help or "").split())
    assert "the largest group first" not in text
    assert "lose a model, downgrade or move come first" in text
    assert "the sites with no model come last" in text


def test_text_report_of_a_plan_that_changes_nothing_is_one_line_and_the_findings() -> None:
    v = nowhere_plan(base_targets=2)  # the same catalogue on other lines: one old D106 each
    assert not v.changes
    lines = render_text(v).splitlines()
    assert lines[:3] == [
        f"Plan for catalogue {v.plan.after.catalogue.name} on 1 site",
        "  no site changes: 1 model and 3 placements, on the same sites with the same "
        "versions and settings as at the base",
        "",
    ]
    assert lines[3] == "Found at the base too (2)" and len(lines) == 8
    assert lines[-1] == "plan: 0 errors, 2 warnings; 0 of them new"


def test_text_report_keeps_the_tables_when_a_placement_changes_without_a_site() -> None:
    """A new target that selects no site changes no site, yet the reviewer must see it."""
    v = nowhere_plan(base_targets=1)
    assert not v.changes
    lines = render_text(v).splitlines()
    assert (
        "  no site changes" in lines and "Placements (changes counted per site and model)" in lines
    )  # the old tables
    assert "  nowhere-2  0 -> 0  0       0          0            0         0       0" in lines


def test_every_format_is_registered() -> None:
    assert set(reporters()) == {"text", "json", "markdown", "sarif", "junit", "gitlab", "github"}


def nowhere_plan(base_targets: int) -> View:
    """lrt reaches the one site; nowhere-N select none (D106). The base has the first
    `base_targets` of them, on other lines."""
    one = sites(site("a", {"env": "lrt"}))
    lrt = target("lrt", sel({"env": "lrt"}), line=5)
    names = ("nowhere-1", "nowhere-2")

    def cat(count: int, line: int) -> Catalogue:
        targets = tuple(target(n, sel({"env": "none"}), line + i) for i, n in enumerate(names))
        return catalogue((lrt, *targets[:count]), (http_model("m", "1", ("lrt", *names[:count])),))

    plan, diags = build_plan(cat(2, 20), one, cat(base_targets, 10), compared=True)
    return build_view(plan, sort_diagnostics(diags))


def test_a_finding_the_base_had_is_not_new_though_its_line_moved() -> None:
    v = nowhere_plan(base_targets=1)
    assert [(d.code, d.location.line) for d in v.old_findings] == [("D106", 20)]
    assert [d.message for d in v.new_findings] == [
        "placement nowhere-2 selects no site of the inventory: no site has env=none"
        " (env is lrt on the sites)"
    ]
    text = render_markdown(v)
    assert text.startswith("### ⚠️ edgemodels plan")
    assert "Findings: 0 errors, 2 warnings (1 new), 0 notes" in text
    assert text.index("nowhere-2 selects") < text.index("<summary>Found at the base too (1)")
    assert text.index("<summary>Found at the base too (1)") < text.index("nowhere-1 selects")
    assert render_text(v).splitlines()[-1] == "plan: 0 errors, 2 warnings; 1 of them new"


def test_only_findings_the_base_had_leave_the_headline_clean() -> None:
    text = render_markdown(nowhere_plan(base_targets=2))
    assert text.startswith("### ✅ edgemodels plan")
    assert "Findings: 0 errors, 2 warnings (0 new), 0 notes" in text


def test_every_finding_is_new_without_a_base() -> None:
    v = view(compared=False)
    assert v.plan.base_findings is None and list(v.new_findings) == list(v.findings)
    assert "new" not in render_markdown(v).split("\n\n")[2]


def test_one_site_and_one_model_read_in_the_singular_and_the_headline_names_the_catalogue() -> None:
    v = nowhere_plan(base_targets=2)  # one site, one model
    name = v.plan.after.catalogue.name
    assert render_markdown(v).splitlines()[0].endswith(f"plan for catalogue {name} on 1 site")
    assert "**0 of 1 site change**" in render_markdown(v)
    assert render_text(v).startswith(f"Plan for catalogue {name} on 1 site\n")
    plan = build_plan(v.plan.after.catalogue, v.plan.sites, compared=False)[0]
    assert "**1 model on 1 site**" in render_markdown(build_view(plan, []))


def test_the_log_counts_only_the_old_findings_it_leaves_out() -> None:
    """The log shows every error; the text report lists the first 10 found at the base too,
    errors first, so with 12 old errors it lists none of the 5 old warnings."""

    def old(severity: str, n: int) -> list[Diagnostic]:
        where = Location("c.yaml", 1, 1)
        return [Diagnostic(where, "D106", f"{n}", severity, "x") for _ in range(n)]  # type: ignore[arg-type]

    view = cast(View, SimpleNamespace(old_findings=old("error", 12) + old("warning", 5)))
    assert _old_findings_kept("text", view, 200) == 0
    assert _old_findings_kept("text", view, 0) is None
    view = cast(View, SimpleNamespace(old_findings=old("error", 3) + old("warning", 30)))
    assert _old_findings_kept("text", view, 200) == 7
    view = cast(View, SimpleNamespace(old_findings=old("error", 3) + old("warning", 7)))
    assert _old_findings_kept("text", view, 200) is None


def document_text(doc: dict[str, object]) -> str:
    """The JSON report as `render_json` wrote it before it was streamed: the whole document,
    then `json.dumps` of each top-level value, a list one item a line."""
    fields = []
    for key, value in doc.items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            text = f"[\n    {items}\n  ]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        fields.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def unicode_view(compared: bool, findings: bool) -> View:
    """Several sites (one with no model and no change), a path, a finding and an origin
    with non-ASCII text, quotes, a backslash and a control character."""
    plan = view(compared).plan
    plan = Plan(
        plan.sites, plan.after, plan.before, plan.diffs, plan.placements,
        "katalog/größe ✓", 'sites "Zürich".yaml', plan.base,
    )  # fmt: skip
    diags = [
        *view(compared).findings,
        Diagnostic(
            Location("catalogue/models/ß.yaml", 3, 7),
            "P001",
            'model "naïve\\path" \x07 has no limits — ✗',
            "warning",
            "no-limits",
            Location("catalogue/Ω.yaml", 1, 1),
        ),
    ]
    return build_view(plan, sort_diagnostics(diags) if findings else [])


@pytest.mark.parametrize("compared", [True, False])
@pytest.mark.parametrize("findings", [True, False])
def test_json_is_streamed_with_the_bytes_of_the_whole_document(
    compared: bool, findings: bool
) -> None:
    v = unicode_view(compared, findings)
    pieces = list(json_pieces(v))
    expected = document_text(plan_document(v))
    assert "".join(pieces) == render_json(v) == expected
    assert ("größe ✓" in expected, "\\u0007" in expected) == (True, findings)
    assert '{"name": "lab-1", "models": [], "changes": []}' in expected
    assert ('"findings": []' in expected) != findings
    # a piece per site at least: the CLI writes them as they are made
    assert len(pieces) > len(v.plan.sites.inventory.sites)
    assert sum(p.count('"name": "lab-1"') for p in pieces) == 1


def test_text_report_lists_the_models_and_placements_that_change_and_counts_the_rest() -> None:
    """One model bumped in a catalogue of 60: its row, not 60 rows of zeros, and the
    placement it changes on; --max-text-rows 0 lists every row."""
    many = sites(*(site(f"site-{n:04}", {"line": f"l{n % 3}"}) for n in range(30)))
    targets = tuple(target(f"l{n}", sel({"line": f"l{n}"})) for n in range(3))
    names = [f"model-{n:03}" for n in range(60)]
    base = catalogue(
        targets, tuple(http_model(m, "1.0.0", (f"l{i % 3}",)) for i, m in enumerate(names))
    )
    bumped = tuple(
        http_model(m, "1.1.0" if m == "model-031" else "1.0.0", (f"l{i % 3}",))
        for i, m in enumerate(names)
    )
    plan, diags = build_plan(catalogue(targets, bumped), many, base, compared=True)
    view_ = build_view(plan, sort_diagnostics(diags))
    lines = render_text(view_).splitlines()
    models = lines[
        lines.index("Models") + 1 : lines.index("Placements (changes counted per site and model)")
        - 1
    ]
    assert [line.split()[0] for line in models[1:]] == ["model-031", "..."]
    assert models[1].split()[:5] == ["model-031", "1.0.0", "->", "1.1.0", "10"]
    assert models[2] == (
        "  ... and 59 more models, unchanged "
        "(--max-text-rows 0 shows them; --format json lists them)"
    )
    at = lines.index("Placements (changes counted per site and model)")
    assert lines[at + 2].split()[0] == "l1"
    assert lines[at + 3] == (
        "  ... and 2 more placements, unchanged "
        "(--max-text-rows 0 shows them; --format json lists them)"
    )
    everything = render_text(view_, 0).splitlines()
    rows = [line.split() for line in everything]
    assert ["model-000", "1.0.0", "10", "->", "10", "0", "0", "0", "0", "0", "0"] in rows
    assert sum(1 for row in rows if row and row[0].startswith("model-")) == 60
    assert not any("unchanged (" in line for line in everything)
