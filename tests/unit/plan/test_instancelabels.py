"""D130: under annotation+label tracking, two Applications on one site whose names Argo CD
cuts to one app.kubernetes.io/instance label value."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import Catalogue
from edgemodels.names import argocd_instance_label
from edgemodels.plan.core import build_plan

from .builders import catalogue, http_model, sel, site, sites, target

# ApplicationSets '<49 c>-scorer-line' (61 characters) and '<49 c>-scorer-line-2' (63).
NAME = "c" * 49
EDGE = {"env": "edge"}


def argocd(tracking: str | None) -> Catalogue:
    work = catalogue(
        (target("line", sel(EDGE)), target("line-2", sel(EDGE))),
        (http_model("scorer", "1.0.0", ("line", "line-2")),),
    )
    argo = replace(work.hub.argocd, resource_tracking_method=tracking)  # type: ignore[arg-type]
    return replace(work, name=NAME, hub=replace(work.hub, delivery="argocd", argocd=argo))


def collisions(tracking: str | None, *names: str) -> list[str]:
    fleet = sites(*(site(name, EDGE) for name in names))
    return [d.message for d in build_plan(argocd(tracking), fleet)[1] if d.code == "D130"]


def test_argo_cds_cut_as_its_source_does() -> None:
    """Cut to 63, then no trailing '-' or '.' (argo-cd PR #18256)."""
    assert argocd_instance_label("a" * 63) == "a" * 63
    assert argocd_instance_label("a" * 62 + "-b") == "a" * 62
    assert argocd_instance_label("a" * 61 + "-.b") == "a" * 61
    assert argocd_instance_label("a" * 61 + "-b-c") == "a" * 61 + "-b"


def test_a_site_where_two_names_cut_to_one_label_is_named() -> None:
    """On site 2a, '<...>-line-2a' and '<...>-line-2-2a' both become '<...>-line-2'; on x1
    the labels are '<...>-line-x' and '<...>-line-2'."""
    (message,) = collisions("annotation+label", "2a", "x1", "2b")
    assert message.startswith(
        f"model scorer on placement line-2 and model scorer on placement line: under Argo "
        f"CD's annotation+label tracking their Applications '{NAME}-scorer-line-2-<site>' "
        f"and '{NAME}-scorer-line-<site>' get one app.kubernetes.io/instance label, cut to "
        f"63 characters, on 2 sites (2a, 2b; on 2a: '{NAME}-scorer-line-2')"
    )


def test_the_json_report_carries_every_clashing_site() -> None:
    fleet = sites(*(site(name, EDGE) for name in ("2a", "x1", "2b")))
    (found,) = [d for d in build_plan(argocd("annotation+label"), fleet)[1] if d.code == "D130"]
    assert found.sites == ("2a", "2b")


def test_an_uncut_name_can_meet_a_cut_one() -> None:
    """On site 2, '<...>-line-2' is 63 characters, uncut, and '<...>-line-2-2' is cut to it."""
    (message,) = collisions("annotation+label", "2", "3")
    assert f"on 1 site (2; on 2: '{NAME}-scorer-line-2')" in message


def test_labels_that_stay_apart_are_fine() -> None:
    assert collisions("annotation+label", "x1", "3", "a" * 63) == []


@pytest.mark.parametrize("tracking", [None, "label", "annotation"])
def test_only_under_annotation_and_label_tracking(tracking: str | None) -> None:
    """annotation writes no label; under label tracking the sync fails first (D128)."""
    assert collisions(tracking, "2a") == []
