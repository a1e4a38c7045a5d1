"""D124 version-without-new-image, through build_plan."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import Catalogue, ContainerDelivery, Model, Overrides
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.plan.core import build_plan
from edgemodels.plan.diff import site_changes
from edgemodels.plan.reports import detail_text

from .builders import CATALOGUE_FILE, catalogue, container_model, http_model, sel, site, sites
from .builders import target as make_target

VERSION_LINE = Location(CATALOGUE_FILE, 41, 16)
FLEET = sites(site("a-01", {"line": "a"}), site("a-02", {"line": "a"}), site("b-01", {"line": "b"}))
TARGETS = (make_target("line-a", sel({"line": "a"})), make_target("line-b", sel({"line": "b"})))
TAG = "registry.example/scorer:1.0.0"
DIGEST = "registry.example/scorer@sha256:" + "a" * 64


def scorer(version: str, image: str = TAG, targets: tuple[str, ...] = ("line-a",)) -> Model:
    model = replace(http_model("scorer", version, targets), image=image)
    return replace(model, key_locations=(("version", VERSION_LINE),))


def weights(version: str, image: str = TAG, delivery: ContainerDelivery = "copy") -> Model:
    model = container_model("weights", version, ("line-a",), size="1Gi", delivery=delivery)
    return replace(model, image=image, key_locations=(("version", VERSION_LINE),))


def d124(base: Catalogue, work: Catalogue) -> list[Diagnostic]:
    _, diags = build_plan(work, FLEET, base, compared=True)
    return [d for d in diags if d.code == "D124"]


def test_an_http_model_bumped_under_the_same_tag_is_an_error_at_its_version() -> None:
    base = catalogue(TARGETS, (scorer("1.0.0"),))
    work = catalogue(TARGETS, (scorer("1.1.0"),))
    (found,) = d124(base, work)
    assert (found.severity, found.location, found.name) == (
        "error",
        VERSION_LINE,
        "version-without-new-image",
    )
    assert found.message == (
        f"model scorer: version 1.0.0 -> 1.1.0, but its image {TAG} stays the same on 2 sites "
        "that keep it (a-01, a-02): its Deployment does not name the version, so it does not "
        "change and no pod restarts: the sites keep running the image they have; a node that "
        "has a tag never pulls it again (every generated container and image volume pulls "
        "IfNotPresent), so a restarted pod starts from its node's copy while a new node pulls "
        "whatever the tag names then; name version 1.1.0's image by a new tag (:1.1.0) or pin "
        "its digest (@sha256:<digest>): a new reference is pulled on every site; if the image "
        "did not change, keep the version"
    )


@pytest.mark.parametrize(
    ("delivery", "says"),
    [
        ("copy", "so the new copy Job copies the files its node already has into version "
         "2.0.0's folder, while ConfigMap weights-model announces 2.0.0"),
        ("imageVolume", "so the image volumes keep the files their nodes have, while "
         "ConfigMap weights-model announces 2.0.0"),
    ],
)  # fmt: skip
def test_a_container_model_says_what_its_delivery_keeps(
    delivery: ContainerDelivery, says: str
) -> None:
    base = catalogue(TARGETS, (weights("1.0.0", delivery=delivery),))
    work = catalogue(TARGETS, (weights("2.0.0", delivery=delivery),))
    (found,) = d124(base, work)
    assert found.severity == "error"
    assert "(every generated container and image volume pulls IfNotPresent), " + says in (
        found.message
    )


def test_an_unchanged_digest_is_a_warning_naming_the_old_bytes() -> None:
    base = catalogue(TARGETS, (scorer("1.0.0", DIGEST),))
    work = catalogue(TARGETS, (scorer("1.0.1", DIGEST),))
    (found,) = d124(base, work)
    assert found.severity == "warning"
    assert found.message == (
        f"model scorer: version 1.0.0 -> 1.0.1, but its image {DIGEST} stays the same on "
        "2 sites that keep it (a-01, a-02): pinned by digest, so those sites get exactly the "
        "bytes of version 1.0.0 under the new version; name the new version's image (a new "
        "digest), or, if only the version's name changes, suppress this on its line"
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (scorer("1.0.0"), scorer("1.1.0", "registry.example/scorer:1.1.0")),  # a new tag
        (scorer("1.0.0"), scorer("1.1.0", TAG + "@sha256:" + "b" * 64)),  # a digest added
        (scorer("1.0.0", DIGEST), scorer("1.1.0", DIGEST.replace("a", "c"))),  # a new digest
        (scorer("1.0.0"), scorer("1.0.0")),  # nothing changes
        (scorer("1.0.0"), replace(scorer("1.0.0"), replicas=3)),  # the same version
        (scorer("1.0.0"), scorer("1.1.0", targets=("line-b",))),  # no site keeps it
    ],
)
def test_no_finding_where_the_reference_changes_or_the_version_does_not(
    before: Model, after: Model
) -> None:
    assert d124(catalogue(TARGETS, (before,)), catalogue(TARGETS, (after,))) == []


def test_only_the_sites_that_keep_their_reference_count() -> None:
    """line-b gets a new image through its override; line-a keeps the model's tag."""
    new_image = Overrides(image="registry.example/scorer:1.1.0")
    both = ("line-a", "line-b")
    base = catalogue(TARGETS, (scorer("1.0.0", targets=both),))
    moved_on = replace(scorer("1.1.0", targets=both), target_overrides=(("line-b", new_image),))
    (found,) = d124(base, catalogue(TARGETS, (moved_on,)))
    assert "stays the same on 2 sites that keep it (a-01, a-02)" in found.message


def test_tags_are_named_before_digests_and_decide_the_severity() -> None:
    pinned = Overrides(image=DIGEST)
    both = ("line-a", "line-b")
    base = replace(scorer("1.0.0", targets=both), target_overrides=(("line-b", pinned),))
    work = replace(scorer("2.0.0", targets=both), target_overrides=(("line-b", pinned),))
    (found,) = d124(catalogue(TARGETS, (base,)), catalogue(TARGETS, (work,)))
    assert found.severity == "error"
    assert (
        f"but its image {TAG} stays the same on 2 sites that keep it (a-01, a-02)" in found.message
    )


def test_a_version_that_is_no_tag_gets_no_tag_example() -> None:
    base = catalogue(TARGETS, (scorer("1.0.0"),))
    (found,) = d124(base, catalogue(TARGETS, (scorer("1.0.0+build.7"),)))
    assert "by a new tag or pin its digest" in found.message


def test_the_site_detail_says_the_image_stayed() -> None:
    base = catalogue(TARGETS, (scorer("1.0.0"),))
    plan, _ = build_plan(catalogue(TARGETS, (scorer("1.1.0"),)), FLEET, base, compared=True)
    details = {detail_text(c) for changes in site_changes(plan.diffs).values() for c in changes}
    assert details == {"1.0.0 -> 1.1.0; same image (D124)"}
    retagged = scorer("1.1.0", "registry.example/scorer:1.1.0")
    plan, _ = build_plan(catalogue(TARGETS, (retagged,)), FLEET, base, compared=True)
    details = {detail_text(c) for changes in site_changes(plan.diffs).values() for c in changes}
    assert details == {"1.0.0 -> 1.1.0"}
