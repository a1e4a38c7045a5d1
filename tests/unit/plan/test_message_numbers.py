"""Plan findings say one site (or model) in the singular and several in the plural: the
words that follow a count agree with it, through build_plan."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.plan.core import build_plan
from edgemodels.plan.sitemasks import Sites
from edgemodels.workloadsites import WorkloadSites

from .builders import catalogue, container_model, http_model, sel, site, sites, target, workload

# line a: one site; line b: two
FLEET = sites(
    site("a-01", {"line": "a"}),
    site("b-01", {"line": "b"}),
    site("b-02", {"line": "b"}),
    site("c-01", {"line": "c", "kubernetes.io/arch": "arm64"}),
    site("c-02", {"line": "c", "kubernetes.io/arch": "arm64"}),
    site("d-01", {"line": "d", "kubernetes.io/arch": "arm64"}),
)
TARGETS = tuple(target(f"line-{x}", sel({"line": x})) for x in "abcd")
ONE_OR_TWO = pytest.mark.parametrize(("line", "one"), [("a", True), ("b", False)])
TAG = "registry.example/scorer:1.0.0"
DIGEST = "registry.example/scorer@sha256:" + "a" * 64


def messages(
    code: str,
    work: Catalogue,
    base: Catalogue | None = None,
    exported: tuple[WorkloadSites, ...] | None = None,
    fleet: Sites = FLEET,
) -> list[str]:
    diags: list[Diagnostic]
    _, diags = build_plan(work, fleet, base, compared=base is not None, exported=exported)
    return [d.message for d in diags if d.code == code]


@ONE_OR_TWO
def test_d121_a_retired_workload_where_its_model_leaves(line: str, one: bool) -> None:
    detector = container_model("detector", targets=(f"line-{line}",))
    base = catalogue(TARGETS, (detector,), (workload("inspection", ("detector",), sel()),))
    work = catalogue(TARGETS, (replace(detector, targets=("line-d",)),))
    runs = ("a-01",) if one else ("b-01", "b-02")
    exported = (WorkloadSites("inspection", runs, Location("w.yaml", 4, 5)),)
    (message,) = messages("D121", work, base, exported)
    assert f"which it used at the base, leaves {'it' if one else 'them'}: " in message


@ONE_OR_TWO
def test_d126_a_followed_workload_that_moves_off_its_sites(line: str, one: bool) -> None:
    detector = container_model("detector", follow=True)
    inspection = workload("inspection", ("detector",), sel({"line": line}))
    base = catalogue(TARGETS, (detector,), (inspection,))
    work = catalogue(TARGETS, (detector,), (replace(inspection, selector=sel({"line": "d"})),))
    (message,) = messages("D126", work, base)
    assert f"which it follows, moves off {'it' if one else 'them'} in the catalogue: " in message


@pytest.mark.parametrize(("line", "one"), [("d", True), ("c", False)])
def test_d122_sites_of_another_architecture(line: str, one: bool) -> None:
    scorer = replace(
        http_model("scorer", targets=(f"line-{line}",)),
        images=(("arm64", "r.io/scorer-arm64@sha256:" + "1" * 64),),
    )
    (message,) = messages("D122", catalogue(TARGETS, (scorer,)))
    count = "1 arm64 site" if one else "2 arm64 sites"
    assert (
        f"{count}, but the model's images.arm64 is the image for {'it' if one else 'them'}: "
        in (message)
    )


@ONE_OR_TWO
def test_d124_a_version_under_the_same_tag(line: str, one: bool) -> None:
    base = catalogue(
        TARGETS, (replace(http_model("scorer", "1.0.0", (f"line-{line}",)), image=TAG),)
    )
    work = catalogue(
        TARGETS, (replace(http_model("scorer", "1.1.0", (f"line-{line}",)), image=TAG),)
    )
    (message,) = messages("D124", work, base)
    if one:
        assert "stays the same on 1 site that keeps it (a-01)" in message
        assert "no pod restarts: the site keeps running the image it has; " in message
    else:
        assert "stays the same on 2 sites that keep it (b-01, b-02)" in message
        assert "no pod restarts: the sites keep running the image they have; " in message


@ONE_OR_TWO
def test_d124_a_version_under_the_same_digest(line: str, one: bool) -> None:
    pinned = replace(http_model("scorer", "1.0.0", (f"line-{line}",)), image=DIGEST)
    base = catalogue(TARGETS, (pinned,))
    (message,) = messages("D124", catalogue(TARGETS, (replace(pinned, version="1.0.1"),)), base)
    assert f"site{'' if one else 's'} that keep{'s' if one else ''} it (" in message
    said = "so that site gets exactly" if one else "so those sites get exactly"
    assert f": pinned by digest, {said} the bytes of version 1.0.0" in message


@ONE_OR_TWO
def test_d110_sites_not_in_the_inventory(line: str, one: bool) -> None:
    unknown = ("zz",) if one else ("yy", "zz")
    detector = container_model("detector", follow=True)
    declared = catalogue(TARGETS, (detector,), (workload("w", ("detector",), sites=unknown),))
    (message,) = messages("D110", declared)
    named = "a site that is not" if one else "sites that are not"
    assert message.startswith(f"workload w names {named} in the inventory: ")
    assert message.endswith(f"are not placed on the site{'' if one else 's'} it meant")
    listed = catalogue(TARGETS, (detector,), (workload("w", ("detector",), sel()),))
    exported = (WorkloadSites("w", unknown, Location("w.yaml", 4, 5)),)
    (message,) = messages("D110", listed, exported=exported)
    assert message.startswith(
        f"workload w runs on {'a site' if one else 'sites'} not in the inventory: "
    )


@ONE_OR_TWO
def test_d111_objects_kept_on_the_sites_a_model_leaves(line: str, one: bool) -> None:
    leaving = http_model("old", targets=(f"line-{line}",))
    base = catalogue(TARGETS, (leaving, http_model("keep", targets=("line-d",))))
    work = replace(base, models=base.models[1:])
    argo = replace(work, hub=replace(work.hub, delivery="argocd"))
    (message,) = messages("D111", argo, base)
    assert f"; delete them on {'the site' if one else 'each site'} (label " in message


def test_d103_one_model_over_a_sites_capacity() -> None:
    small = sites(site("s", {"line": "a"}, capacity="1Gi"))
    one = catalogue(TARGETS, (container_model("w", targets=("line-a",), size="2Gi"),))
    assert messages("D103", one, fleet=small) == [
        "site s: container model w needs 2Gi but capacity.storage is 1Gi"
    ]
