"""Every plan finding about a set of sites carries all of them (`sites`, which the JSON
reports list), while its message names the first ten and how many more: a CI script acts on
the sites without parsing prose. One fleet of 24 sites per finding, listed out of name order,
so the sites must come in the inventory's order, the order the message names them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from edgemodels.catalogue.model import Catalogue, Model, Selector, Workload
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.output import diagnostic_dict
from edgemodels.plan.core import build_plan
from edgemodels.plan.report_json import render_json
from edgemodels.plan.reports import build_view
from edgemodels.plan.sitelist import cut, name_list, site_names
from edgemodels.plan.sitemasks import Sites
from edgemodels.workloadsites import WorkloadSites

from .builders import catalogue, container_model, http_model, sel, site, sites, target, workload

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "schemas" / "plan-report.schema.json").read_text()
)
NAMES = tuple(f"s-{n * 7 % 24:02}" for n in range(24))  # s-00, s-07, s-14, s-21, s-04, ...
EDGE = sel({"env": "edge"})
NOWHERE = sel({"env": "none"})
TARGETS = (target("edge", EDGE), target("none", NOWHERE))
EXPORT = Location("workload-sites.yaml", 3, 5)


def fleet(**labels: str) -> Sites:
    return sites(*(site(name, {"env": "edge", **labels}) for name in NAMES))


def argocd(work: Catalogue) -> Catalogue:
    return replace(work, hub=replace(work.hub, delivery="argocd"))


def removed() -> list[Diagnostic]:
    """D101 and D102 (the removal guards) and D111: the only model leaves every site."""
    base = argocd(catalogue(TARGETS, (http_model("scorer", "1.0.0", ("edge",)),)))
    return build_plan(argocd(catalogue(TARGETS, ())), fleet(), base, compared=True)[1]


def tainted() -> list[Diagnostic]:
    """D106: a placement whose sites all have a NoSelect taint it does not tolerate."""
    where = sites(
        *(replace(site(n, {"env": "edge"}), taints=(("maintenance", "NoSelect"),)) for n in NAMES)
    )
    return build_plan(catalogue(TARGETS, (http_model("scorer", "1.0.0", ("edge",)),)), where)[1]


def unused_model() -> list[Diagnostic]:
    """D105: a container model where its only workload runs nowhere."""
    idle = catalogue(
        TARGETS,
        (container_model("detector", targets=("edge",)),),
        (workload_of("detector", NOWHERE),),
    )
    return build_plan(idle, fleet())[1]


def missing_model() -> list[Diagnostic]:
    """D104: a workload on every site, its model placed on none of them."""
    work = catalogue(
        TARGETS,
        (container_model("detector", targets=("none",)),),
        (workload_of("detector", EDGE),),
    )
    return build_plan(work, fleet())[1]


def workload_of(model: str, selector: Selector) -> Workload:
    return workload("inspection", (model,), selector)


def image_volume() -> list[Diagnostic]:
    """D108: image volume delivery to sites that declare they have none."""
    model = container_model("weights", targets=("edge",), delivery="imageVolume")
    where = sites(*(site(name, {"env": "edge"}, image_volumes=False) for name in NAMES))
    return build_plan(catalogue(TARGETS, (model,)), where)[1]


def other_arch() -> list[Diagnostic]:
    """D122: a placement that pins no architecture deploys `image` to arm64 sites."""
    model = replace(
        http_model("scorer", "1.0.0", ("edge",)),
        images=(("arm64", "r.io/scorer-arm64@sha256:" + "1" * 64),),
    )
    return build_plan(catalogue(TARGETS, (model,)), fleet(**{"kubernetes.io/arch": "arm64"}))[1]


def same_image() -> list[Diagnostic]:
    """D124: a new version under the same tag on every site that keeps the model."""

    def scorer(version: str) -> Model:
        return replace(http_model("scorer", version, ("edge",)), image="r.io/scorer:1")

    base = catalogue(TARGETS, (scorer("1.0.0"),))
    return build_plan(catalogue(TARGETS, (scorer("1.1.0"),)), fleet(), base, compared=True)[1]


def long_names() -> list[Diagnostic]:
    """D128: site names that make Argo CD Application names longer than 63 characters."""
    work = argocd(catalogue(TARGETS, (http_model("scorer", "1.0.0", ("edge",)),)))
    where = sites(*(site(name + "-" + "x" * 50, {"env": "edge"}) for name in NAMES))
    return build_plan(work, where)[1]


def resized() -> list[Diagnostic]:
    """D114: a copy-delivered model's size changes on the sites that keep it."""

    def weights(size: str) -> Model:
        return container_model("weights", targets=("edge",), size=size, delivery="copy")

    base = catalogue(TARGETS, (weights("1Gi"),))
    return build_plan(catalogue(TARGETS, (weights("2Gi"),)), fleet(), base, compared=True)[1]


def reclassed() -> list[Diagnostic]:
    """D123: a copy-delivered model's storage class changes on the sites that keep it."""
    weights = container_model("weights", targets=("edge",), size="1Gi", delivery="copy")
    assert weights.container is not None
    fast = replace(weights, container=replace(weights.container, storage_class="fast"))
    base = catalogue(TARGETS, (weights,))
    return build_plan(catalogue(TARGETS, (fast,)), fleet(), base, compared=True)[1]


def repackaged() -> list[Diagnostic]:
    """D115: a kept model's packaging changes under Subscriptions."""
    helm = http_model("scorer", "1.0.0", ("edge",))
    base = catalogue(TARGETS, (helm,))
    work = catalogue(TARGETS, (replace(helm, packaging="kustomize"),))
    return build_plan(work, fleet(), base, compared=True)[1]


def switched() -> list[Diagnostic]:
    """D118: Subscriptions dropped without the migration, on the sites that keep models."""
    base = catalogue(TARGETS, (http_model("scorer", "1.0.0", ("edge",)),))
    return build_plan(argocd(base), fleet(), base, compared=True)[1]


def pulled() -> list[Diagnostic]:
    """D132: the pull model turned on, on the sites whose Applications change hands."""
    base = argocd(catalogue(TARGETS, (http_model("scorer", "1.0.0", ("edge",)),)))
    work = replace(base, hub=replace(base.hub, argocd=replace(base.hub.argocd, pull_model=True)))
    return build_plan(work, fleet(), base, compared=True)[1]


def follow_moved() -> list[Diagnostic]:
    """D126: a follow model leaves the sites its workload moves off in the catalogue."""
    detector = container_model("detector", follow=True)
    base = catalogue(TARGETS, (detector,), (workload_of("detector", EDGE),))
    work = catalogue(TARGETS, (detector,), (workload_of("detector", NOWHERE),))
    return build_plan(work, fleet(), base, compared=True)[1]


def export_differs() -> list[Diagnostic]:
    """D125: the export runs the workload on sites the catalogue does not place it on."""
    work = catalogue(
        TARGETS,
        (container_model("detector", follow=True),),
        (workload_of("detector", NOWHERE),),
    )
    exported = (WorkloadSites("inspection", NAMES, EXPORT),)
    return build_plan(work, fleet(), exported=exported)[1]


def retired() -> list[Diagnostic]:
    """D121: a retired workload the export still runs where its model is removed."""
    base = catalogue(
        TARGETS, (container_model("detector", targets=("edge",)),), (workload_of("detector", EDGE),)
    )
    exported = (WorkloadSites("inspection", NAMES, EXPORT),)
    return build_plan(catalogue(TARGETS, ()), fleet(), base, True, exported)[1]


SCENARIOS: dict[str, Callable[[], list[Diagnostic]]] = {
    "D101": removed,
    "D102": removed,
    "D104": missing_model,
    "D105": unused_model,
    "D106": tainted,
    "D108": image_volume,
    "D111": removed,
    "D114": resized,
    "D115": repackaged,
    "D118": switched,
    "D121": retired,
    "D122": other_arch,
    "D123": reclassed,
    "D124": same_image,
    "D125": export_differs,
    "D126": follow_moved,
    "D128": long_names,
    "D132": pulled,
}


def named_ten(names: tuple[str, ...]) -> str:
    return ", ".join(names[:10]) + f" and {len(names) - 10} more"


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_a_finding_carries_every_site_its_message_cuts_to_ten(code: str) -> None:
    (found,) = [d for d in SCENARIOS[code]() if d.code == code]
    expected = tuple(s.split("-x")[0] for s in found.sites)  # D128's long names, shortened
    assert expected == NAMES
    assert named_ten(found.sites) in found.message  # the message still names ten
    assert diagnostic_dict(found)["sites"] == list(found.sites)


def test_unknown_sites_of_an_export_are_carried_sorted_as_named() -> None:
    """D110: names the inventory lacks have no inventory order; the message sorts them."""
    work = catalogue(
        TARGETS, (container_model("detector", follow=True),), (workload_of("detector", EDGE),)
    )
    ghosts = tuple(f"gone-{name}" for name in NAMES)
    exported = (WorkloadSites("inspection", ghosts, EXPORT),)
    (found,) = [d for d in build_plan(work, fleet(), exported=exported)[1] if d.code == "D110"]
    assert found.sites == tuple(sorted(ghosts))
    assert found.message.endswith(named_ten(found.sites))
    # A catalogue workload's own `sites`: the message adds a guess to each name it shows.
    declared = replace(workload_of("detector", EDGE), selector=None, sites=ghosts)
    work = catalogue(TARGETS, (container_model("detector", follow=True),), (declared,))
    (found,) = [d for d in build_plan(work, fleet())[1] if d.code == "D110"]
    assert found.sites == tuple(sorted(ghosts))
    assert "gone-s-09 (did you mean s-09?) and 14 more; " in found.message


def test_a_finding_about_one_site_carries_it() -> None:
    """D103 and D120 are one finding per site: `sites` names it too, so a script reads the
    sites of every finding the same way."""
    model = container_model("weights", targets=("edge",), size="2Gi")
    where = sites(site("small", {"env": "edge"}, capacity="1Gi"), site("bare"))
    found = {d.code: d.sites for d in build_plan(catalogue(TARGETS, (model,)), where)[1]}
    assert found["D103"] == ("small",) and found["D120"] == ("bare",)


def test_findings_about_no_site_carry_none() -> None:
    """A placement that selects nothing for want of labels is about no site (one whose
    sites are all tainted is about them: D106 above)."""
    work = catalogue(TARGETS, (http_model("scorer", "1.0.0", ("none",)),))
    (found,) = [d for d in build_plan(work, fleet())[1] if d.code == "D106"]
    assert found.sites == () and "sites" not in diagnostic_dict(found)


def test_the_json_report_lists_the_sites_and_the_text_does_not() -> None:
    """Through the report: the schema takes `sites`, the message keeps its ten names."""
    base = catalogue(TARGETS, (http_model("scorer", "1.0.0", ("edge",)),))
    plan, diags = build_plan(catalogue(TARGETS, ()), fleet(), base, compared=True)
    doc = json.loads(render_json(build_view(plan, diags)))
    jsonschema.validate(doc, SCHEMA)
    by_code = {f["code"]: f for f in doc["findings"]}
    assert by_code["D101"]["sites"] == by_code["D102"]["sites"] == list(NAMES)
    assert by_code["D101"]["message"].endswith(
        f"{named_ten(NAMES)}; pass --allow-removals if this is intended"
    )


@pytest.mark.parametrize("numbers", [(), (23,), tuple(range(10)), tuple(range(11)), (0, 5, 23)])
def test_the_message_names_the_first_ten_of_the_sites_carried(numbers: tuple[int, ...]) -> None:
    """name_list takes the lowest ten sites alone; they are the first ten of site_names."""
    where = fleet()
    mask = sum(1 << n for n in numbers)
    carried = site_names(where, mask)
    assert carried == tuple(NAMES[n] for n in numbers)
    assert name_list(where, mask) == cut(carried)
