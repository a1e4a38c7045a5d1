"""D137 placements-unbound: a move from PlacementRules to Placements, whose cluster sets
only the hand-applied hub/bindings/ bind, is a removal guard (plan and publish)."""

from __future__ import annotations

from dataclasses import replace

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic
from edgemodels.plan.core import build_plan

from .builders import catalogue, http_model, sel, site, sites, target

FLEET = sites(site("a-01", {"line": "a"}), site("a-02", {"line": "a"}))
TARGETS = (target("line-a", sel({"line": "a"})),)


def with_kind(base: Catalogue, kind: str, sets: tuple[str, ...] = ("default",)) -> Catalogue:
    return replace(base, hub=replace(base.hub, placement_kind=kind, cluster_sets=sets))


def diagnosed(work: Catalogue, base: Catalogue, allow: bool = False) -> list[Diagnostic]:
    _, diags = build_plan(work, FLEET, base, compared=True, allow_removals=allow)
    return [d for d in diags if d.code in ("D117", "D137")]


def test_placement_rules_to_placements_is_a_removal_guard_that_says_to_bind_first() -> None:
    """Every site keeps its models in the plan, but the Placements select nothing until
    the bindings exist, and no publish applies them: the hub would purge every site."""
    rules = with_kind(
        catalogue(TARGETS, (http_model("scorer", "1.0.0", ("line-a",)),)), "PlacementRule"
    )
    placements = with_kind(rules, "Placement", ("default", "edge"))
    d117, d137 = sorted(diagnosed(placements, rules), key=lambda d: d.code)
    assert d117.message.startswith("spec.hub.clusterSets default -> default, edge: ")
    assert (d137.code, d137.severity) == ("D137", "error")
    assert d137.message.startswith("spec.hub.placementKind PlacementRule -> Placement: ")
    assert "select no cluster" in d137.message
    assert "ManagedClusterSetBindings of default, edge" in d137.message
    assert f"namespace {rules.hub.namespace}" in d137.message
    assert "before the publish" in d137.message and "kubectl apply -f" in d137.message
    assert "--allow-removals" in d137.message
    (allowed,) = [d for d in diagnosed(placements, rules, allow=True) if d.code == "D137"]
    assert (allowed.code, allowed.severity) == ("D137", "warning")
    assert "--allow-removals" not in allowed.message


def test_other_kind_changes_are_no_removal() -> None:
    placements = catalogue(TARGETS, (http_model("scorer", "1.0.0", ("line-a",)),))
    rules = with_kind(placements, "PlacementRule")
    # PlacementRules need no binding: only the hand-applied part changes (D117)
    assert [d.code for d in diagnosed(rules, placements)] == ["D117"]
    # a catalogue with no model loses nothing
    empty = with_kind(catalogue(TARGETS, ()), "PlacementRule")
    assert [d.code for d in diagnosed(with_kind(empty, "Placement"), empty)] == ["D117"]


def test_d117_still_names_the_other_hand_applied_settings() -> None:
    rules = with_kind(
        catalogue(TARGETS, (http_model("scorer", "1.0.0", ("line-a",)),)), "PlacementRule"
    )
    faster = replace(rules.hub, placement_kind="Placement", reconcile_rate="high")
    codes = {d.code: d for d in diagnosed(replace(rules, hub=faster), rules)}
    assert set(codes) == {"D117", "D137"}
    assert "spec.hub.reconcileRate (not set) -> high" in codes["D117"].message
    assert "placementKind" not in codes["D117"].message
