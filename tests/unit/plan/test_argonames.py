"""D128: with Argo CD delivery, sites whose names make an Application's name, the tracking
label's value under Argo CD's label tracking, longer than 63 characters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import Catalogue
from edgemodels.plan.core import build_plan

from .builders import catalogue, http_model, sel, site, sites, target

# `test-scorer-line` (16) and '-' leave 46 characters for a site's name.
FITS, TOO_LONG = "s" * 46, "s" * 47


def argocd(delivery: str = "argocd", tracking: str | None = None) -> Catalogue:
    work = catalogue(
        (target("line", sel({"env": "edge"})),), (http_model("scorer", "1.0.0", ("line",)),)
    )
    argo = replace(work.hub.argocd, resource_tracking_method=tracking)  # type: ignore[arg-type]
    return replace(work, hub=replace(work.hub, delivery=delivery, argocd=argo))  # type: ignore[arg-type]


def test_sites_whose_names_pass_63_are_named() -> None:
    fleet = sites(*(site(name, {"env": "edge"}) for name in (FITS, TOO_LONG, "a" * 63)))
    _, diags = build_plan(argocd(), fleet)
    (found,) = [d for d in diags if d.code == "D128"]
    assert (found.severity, found.location.line) == ("warning", 40)
    assert found.message.startswith(
        "model scorer on placement line: its Argo CD Applications are named "
        "'test-scorer-line-<site>', longer than 63 characters for a site name over 46: "
        f"2 sites ({TOO_LONG}, {'a' * 63}); under Argo CD's label tracking"
    )
    assert "resourceTrackingMethod: annotation" in found.message


def test_names_within_63_and_subscription_delivery_are_fine() -> None:
    fits = sites(site(FITS, {"env": "edge"}), site(TOO_LONG, {"env": "plant"}))
    assert not [d for d in build_plan(argocd(), fits)[1] if d.code == "D128"]
    longer = sites(site(TOO_LONG, {"env": "edge"}))
    assert not [d for d in build_plan(argocd("subscription"), longer)[1] if d.code == "D128"]


@pytest.mark.parametrize(
    ("tracking", "warned"),
    [(None, True), ("label", True), ("annotation", False), ("annotation+label", False)],
)
def test_only_where_the_name_is_an_uncut_label(tracking: str | None, warned: bool) -> None:
    """Unset is taken as label (the OpenShift GitOps operator's default)."""
    longer = sites(site(TOO_LONG, {"env": "edge"}))
    codes = [d.code for d in build_plan(argocd(tracking=tracking), longer)[1]]
    assert ("D128" in codes) is warned
