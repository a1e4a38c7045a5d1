"""D128: with Argo CD delivery, sites whose names make an Application's name, the tracking
label's value under Argo CD's label tracking, longer than 63 characters."""

from __future__ import annotations

from dataclasses import replace

from edgemodels.catalogue.model import Catalogue
from edgemodels.plan.core import build_plan

from .builders import catalogue, http_model, sel, site, sites, target

# `test-scorer-line` (16) and '-' leave 46 characters for a site's name.
FITS, TOO_LONG = "s" * 46, "s" * 47


def argocd(delivery: str = "argocd") -> Catalogue:
    work = catalogue(
        (target("line", sel({"env": "edge"})),), (http_model("scorer", "1.0.0", ("line",)),)
    )
    return replace(work, hub=replace(work.hub, delivery=delivery))  # type: ignore[arg-type]


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
