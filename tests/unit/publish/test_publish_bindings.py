"""Publish runs plan's D137 placements-unbound, -i or not: from PlacementRules to
Placements, the bindings must be on the hub before RHACM applies the new hub/synced/.
A catalogue in a real git repository, a bare deploy repository on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import git
from .test_publish import message, publish
from .test_publish_hub_guards import SITES, edit
from .test_publish_order import commit

PLACEMENT = "    placementKind: Placement\n"
RULE = "    placementKind: PlacementRule\n"


def test_placement_rules_to_placements_is_refused_until_allowed(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    settings = catalogue / "catalogue.yaml"
    edit(settings, PLACEMENT, RULE)
    git("init", "-q", "-b", "main", cwd=catalogue)
    commit(catalogue, "catalogue on PlacementRules")
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    before = message(bare_repo)
    edit(settings, RULE, PLACEMENT)
    commit(catalogue, "to Placements")
    rc, out, err = publish(capsys, *args)
    assert rc == 1, out + err
    assert "D137 spec.hub.placementKind PlacementRule -> Placement: " in out
    assert "Bind the sets before the publish" in out
    assert message(bare_repo) == before  # nothing pushed
    rc, out, err = publish(capsys, *args, "-i", str(SITES))
    assert rc == 1 and "D137 spec.hub.placementKind" in out, out + err
    rc, out, err = publish(capsys, *args, "--allow-removals")
    assert rc == 0 and "D137 [warning] spec.hub.placementKind" in out, out + err
    assert message(bare_repo) != before


def test_the_binding_left_behind_by_placement_rules_is_named_for_deletion(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """Back to PlacementRules: hub/bindings/ leaves the tree, and kubectl apply deletes
    nothing, so the note says which object to delete, as the removed file defined it."""
    git("init", "-q", "-b", "main", cwd=catalogue)
    commit(catalogue, "catalogue on Placements")
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    assert publish(capsys, *args)[0] == 0
    edit(catalogue / "catalogue.yaml", PLACEMENT, RULE)
    commit(catalogue, "to PlacementRules")
    rc, out, err = publish(capsys, *args)
    assert rc == 0, out + err
    wanted = (
        "kubectl apply deletes nothing, so delete the removed files' objects by hand "
        "(kubectl delete -n i4q-lrt managedclustersetbinding.cluster.open-cluster-management.io"
        "/default)"
    )
    assert wanted in message(bare_repo).replace("\n", " ")
    assert wanted in err.replace("\n", " ")
