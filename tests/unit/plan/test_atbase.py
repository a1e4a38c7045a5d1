"""Which findings of a plan the base had too: a problem a change shrinks is not new."""

from __future__ import annotations

from dataclasses import replace

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.plan.atbase import split_new

WHERE = Location("catalogue/models/m00014-scorer.yaml", 5, 5)


def unused(model: str, sites: list[str], line: int = 5) -> Diagnostic:
    """D105 as plan words it, naming the first three sites here."""
    named = ", ".join(sites[:3]) + (f" and {len(sites) - 3} more" if len(sites) > 3 else "")
    message = (
        f"container model {model} is placed on {len(sites)} sites where no workload uses it: "
        f"{named}"
    )
    where = replace(WHERE, line=line)
    return Diagnostic(
        where, "D105", message, "warning", "model-without-workload", None, tuple(sites)
    )


BASE_SITES = [f"site-{n:05}" for n in range(351)]


def test_a_finding_on_fewer_of_the_sites_it_had_is_found_at_the_base_too() -> None:
    """A target narrowed from 351 sites to 104: D105 names 104 sites, other counts and
    other first names, on another line; the base had it on all of them."""
    now = unused("m00014-scorer", BASE_SITES[247:], line=9)
    new, old = split_new([now], [unused("m00014-scorer", BASE_SITES)])
    assert (new, old) == ([], [now])


def test_a_finding_that_reaches_a_site_it_did_not_is_new() -> None:
    now = unused("m00014-scorer", [*BASE_SITES[300:], "site-09999"])
    new, old = split_new([now], [unused("m00014-scorer", BASE_SITES)])
    assert (new, old) == ([now], [])


def test_the_same_shape_about_another_model_is_new() -> None:
    """Only the sites and the numbers are left out of the comparison: not the names of
    models (their digits included), placements or versions."""
    now = unused("m00015-scorer", BASE_SITES[:10])
    assert split_new([now], [unused("m00014-scorer", BASE_SITES)]) == ([now], [])
    versioned = replace(now, message=now.message.replace("m00015-scorer", "m00014-scorer 1.2.4"))
    at_base = replace(now, message=now.message.replace("m00015-scorer", "m00014-scorer 1.2.3"))
    assert split_new([versioned], [replace(at_base, sites=tuple(BASE_SITES))]) == ([versioned], [])


def test_a_finding_without_sites_is_the_same_only_word_for_word() -> None:
    d106 = Diagnostic(WHERE, "D106", "placement t010 selects no site: 3 requirements", "warning")
    other = replace(d106, message="placement t010 selects no site: 2 requirements")
    assert split_new([d106], [other]) == ([d106], [])
    assert split_new([d106], [replace(d106, location=replace(WHERE, line=40))]) == ([], [d106])
