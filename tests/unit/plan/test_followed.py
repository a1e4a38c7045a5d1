"""D126 followed-workload-moved: a follow model's removal, explained by the workload that
moved (or was retired) in the catalogue, through build_plan."""

from __future__ import annotations

from edgemodels.catalogue.model import Catalogue, Workload
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.plan.core import build_plan
from edgemodels.workloadsites import WorkloadSites

from .builders import catalogue, container_model, sel, site, sites, target, workload

SITES = sites(
    site("a", {"line": "assembly"}),
    site("b", {"line": "assembly"}),
    site("c", {"line": "paint"}),
)
INSPECTION = workload("inspection", ("detector",), sel({"line": "assembly"}))
PAINT = workload("paint", ("detector",), sel({"line": "paint"}))


def with_workloads(*workloads: Workload, follow: bool = True) -> Catalogue:
    model = container_model("detector", follow=follow, targets=() if follow else ("paint",))
    return catalogue((target("paint", sel({"line": "paint"})),), (model,), workloads)


def notes(
    after: Catalogue, base: Catalogue, exported: tuple[WorkloadSites, ...] | None = None
) -> list[Diagnostic]:
    _, diags = build_plan(after, SITES, base, compared=True, exported=exported)
    return [d for d in diags if d.code == "D126"]


def test_a_workload_moved_in_the_catalogue_explains_its_follow_models_removal() -> None:
    moved = workload("inspection", ("detector",), sel({"line": "paint"}))
    found = notes(with_workloads(moved), with_workloads(INSPECTION))
    assert [(d.location, d.severity, d.message) for d in found] == [
        (
            Location("catalogue.yaml", 80, 7),  # the workload's entry
            "info",
            "model detector leaves 2 sites because workload inspection, which it follows, moves"
            " off them in the catalogue: a, b; if the workload still runs there, it loses the "
            "model: pass --workload-sites, the workload placement system's export, to check "
            "(then D104 names the sites where it still runs)",
        )
    ]


def test_the_export_of_the_moved_workload_is_checked_instead() -> None:
    """With the workload in the export, where it runs is known: D104 if it is still on the
    sites its model leaves, no note either way; an export without it still gets the note."""
    moved = workload("inspection", ("detector",), sel({"line": "paint"}))
    still = (WorkloadSites("inspection", ("a", "b"), Location("w.yaml", 4, 5)),)
    after, base = with_workloads(moved), with_workloads(INSPECTION)
    assert notes(after, base, still) == []
    _, diags = build_plan(after, SITES, base, compared=True, exported=still)
    assert [d.message for d in diags if d.code == "D104"] == [
        "workload inspection runs on 2 sites without model detector: a, b"
    ]
    gone = (WorkloadSites("inspection", ("c",), Location("w.yaml", 4, 5)),)
    assert notes(after, base, gone) == []  # the export says it has moved: nothing to check
    other = (WorkloadSites("paint", ("c",), Location("w.yaml", 4, 5)),)
    (note,) = notes(with_workloads(moved, PAINT), with_workloads(INSPECTION, PAINT), other)
    assert "add inspection to the --workload-sites export to check" in note.message


def test_a_retired_workload_is_named_at_its_model() -> None:
    (note,) = notes(with_workloads(PAINT), with_workloads(INSPECTION, PAINT))
    assert note.location == Location("catalogue.yaml", 60, 7)  # the model's entry
    assert note.message.startswith(
        "model detector leaves 2 sites because workload inspection, which it follows, is "
        "retired from the catalogue: a, b;"
    )
    assert note.message.endswith("(then D121 names the sites where it still runs)")


def test_no_note_where_the_workload_did_not_move() -> None:
    # the workload stops using the model as it moves: it does not need it anywhere
    stopped = workload("inspection", ("other",), sel({"line": "paint"}))
    assert notes(with_workloads(stopped, PAINT), with_workloads(INSPECTION, PAINT)) == []
    # the model stops following workloads (it keeps target paint): it leaves for that
    moved = workload("inspection", ("detector",), sel({"line": "paint"}))
    assert notes(with_workloads(moved, follow=False), with_workloads(INSPECTION)) == []
    # nothing moves
    assert notes(with_workloads(INSPECTION), with_workloads(INSPECTION)) == []
