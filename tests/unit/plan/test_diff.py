"""The change between two catalogues, per site, per model and per placement."""

from __future__ import annotations

from dataclasses import replace

from edgemodels.catalogue.model import ARCH_LABEL, HttpSpec, Model, Overrides, Resources
from edgemodels.diagnostics import Location
from edgemodels.plan.core import build_plan
from edgemodels.plan.diff import SiteChange, site_changes, site_models
from edgemodels.plan.removals import RemovalLimit
from edgemodels.plan.reports import detail_text

from .builders import (
    catalogue,
    container_model,
    http_model,
    req,
    sel,
    site,
    sites,
    target,
)

SITES = sites(
    site("lrt-1", {"env": "lrt"}),
    site("lrt-2", {"env": "lrt"}),
    site("paint-1", {"line": "paint"}),
    site("lab-1", {"env": "lab"}),
)
TARGETS = (target("lrt", sel({"env": "lrt"})), target("paint", sel({"line": "paint"})))
BASE = catalogue(
    TARGETS,
    (
        http_model("scorer", "1.0.0", ("lrt",)),
        http_model("painter", "2.0.0", ("paint",)),
        http_model("legacy", "0.1", ("lrt",)),
        http_model("tagged", "latest", ("paint",)),
    ),
)
WORK = catalogue(
    TARGETS,
    (
        http_model("scorer", "1.1.0", ("lrt", "paint")),  # upgraded on lrt, added on paint
        http_model("painter", "1.9.0", ("paint",)),  # downgraded
        http_model("tagged", "2024.1", ("paint",)),  # changed, no order
        http_model("fresh", "0.1.0", ("lrt",)),  # new model
    ),  # legacy removed
)


def named(
    changes: dict[int, list[SiteChange]],
) -> dict[str, set[tuple[str, str, str | None, str | None]]]:
    return {
        SITES.names[n]: {(c.model, c.kind, c.before, c.after) for c in found}
        for n, found in changes.items()
    }


def test_changes_per_site() -> None:
    plan, _ = build_plan(WORK, SITES, BASE, compared=True, allow_removals=True)
    assert named(site_changes(plan.diffs)) == {
        "lrt-1": {
            ("scorer", "upgraded", "1.0.0", "1.1.0"),
            ("fresh", "added", None, "0.1.0"),
            ("legacy", "removed", "0.1", None),
        },
        "lrt-2": {
            ("scorer", "upgraded", "1.0.0", "1.1.0"),
            ("fresh", "added", None, "0.1.0"),
            ("legacy", "removed", "0.1", None),
        },
        "paint-1": {
            ("scorer", "added", None, "1.1.0"),
            ("painter", "downgraded", "2.0.0", "1.9.0"),
            ("tagged", "changed", "latest", "2024.1"),
        },
    }  # lab-1 has nothing before and after: no entry


def test_totals_per_model() -> None:
    plan, _ = build_plan(WORK, SITES, BASE, compared=True, allow_removals=True)
    counts = {d.name: {k: n for k, n in d.counts().items() if n} for d in plan.diffs}
    assert counts == {
        "scorer": {"added": 1, "upgraded": 2},
        "painter": {"downgraded": 1},
        "tagged": {"changed": 1},
        "fresh": {"added": 2},
        "legacy": {"removed": 2},
    }
    assert [d.name for d in plan.diffs] == ["scorer", "painter", "tagged", "fresh", "legacy"]


def test_totals_per_placement() -> None:
    plan, _ = build_plan(WORK, SITES, BASE, compared=True, allow_removals=True)
    totals = {
        t.name: (t.sites_before, t.sites_after, {k: n for k, n in t.changes.items() if n})
        for t in plan.placements
    }
    assert totals == {
        "lrt": (2, 2, {"upgraded": 2, "added": 2, "removed": 2}),
        "paint": (1, 1, {"added": 1, "downgraded": 1, "changed": 1}),
    }


def test_without_a_base_nothing_changes() -> None:
    plan, diags = build_plan(WORK, SITES)
    assert not plan.compared
    assert site_changes(plan.diffs) == {}
    assert all(not any(d.counts().values()) for d in plan.diffs)
    assert not [d for d in diags if d.code in ("D101", "D102")]


def test_site_models_lists_every_site() -> None:
    plan, _ = build_plan(WORK, SITES)
    assert [[(m.name, m.version) for m in models] for models in site_models(plan.after)] == [
        [("scorer", "1.1.0"), ("fresh", "0.1.0")],
        [("scorer", "1.1.0"), ("fresh", "0.1.0")],
        [("scorer", "1.1.0"), ("painter", "1.9.0"), ("tagged", "2024.1")],
        [],
    ]
    assert site_models(plan.after)[2][1].image == "registry.example/painter:1.9.0"


def test_base_without_catalogue_adds_everything() -> None:
    plan, _ = build_plan(WORK, SITES, None, compared=True)
    kinds = {c.kind for found in site_changes(plan.diffs).values() for c in found}
    assert kinds == {"added"}
    assert sum(d.counts()["added"] for d in plan.diffs) == 7


def test_a_site_moved_between_two_placements_of_a_model() -> None:
    """lrt-2 keeps scorer but through `east` instead of `west`: its Subscription is replaced
    (a redeploy), which is not a version change. The removal guard counts it (the old
    Subscription's objects are deleted on the way); the site is not left empty (no D102)."""
    three = sites(
        site("lrt-1", {"zone": "west"}),
        site("lrt-2", {"zone": "west", "move": "yes"}),
        site("lrt-3", {"zone": "east", "move": "yes"}),
    )
    model = http_model("scorer", "1.0.0", ("west", "east"))
    base = catalogue(
        (target("west", sel({"zone": "west"})), target("east", sel({"zone": "east"}))), (model,)
    )
    work = catalogue(
        (
            target("west", sel({"zone": "west"}, req("move", "DoesNotExist"))),
            target("east", sel({}, req("move", "Exists"))),
        ),
        (model,),
    )
    plan, diags = build_plan(work, three, base, compared=True, limit=RemovalLimit(0, 0))
    changes = site_changes(plan.diffs)
    assert [
        (c.model, c.kind, c.before, c.after, c.placements_before, c.placements_after)
        for c in changes[1]
    ] == [("scorer", "moved", "1.0.0", "1.0.0", ("west",), ("east",))]
    assert set(changes) == {1}
    (d101,) = [d for d in diags if d.code in ("D101", "D102")]
    assert d101.code == "D101" and d101.severity == "error"
    assert d101.message.startswith(
        "models are removed from 1 of 3 sites (33.3%; 1 of them only to get them again through "
        "other placements: a moved model's old Subscription is deleted, and its objects with "
        "it), over the limit of 0 sites or 0% of sites, whichever is smaller (over both):"
    )
    _, within = build_plan(work, three, base, compared=True, limit=RemovalLimit(1, None))
    assert not [d for d in within if d.code in ("D101", "D102")]
    totals = {t.name: t.changes["moved"] for t in plan.placements}
    assert totals == {"west": 1, "east": 1}  # the placement it leaves and the one it joins


def test_a_new_image_for_one_placement_only() -> None:
    """The arm target pins an arch, so it runs the model's arm64 image; only its sites see
    the new digest."""
    two = sites(site("x86", {"env": "lrt"}), site("arm", {"env": "lrt", ARCH_LABEL: "arm64"}))
    targets = (
        target("amd", sel({"env": "lrt"}, req(ARCH_LABEL, "NotIn", "arm64"))),
        target("arm", sel({"env": "lrt"}, req(ARCH_LABEL, "In", "arm64"))),
    )
    model = http_model("scorer", "1.0.0", ("amd", "arm"))
    base = replace(model, images=(("arm64", "registry.example/scorer-arm:1.0.0@sha256:aa"),))
    work = replace(model, images=(("arm64", "registry.example/scorer-arm:1.0.0@sha256:bb"),))
    plan, _ = build_plan(
        catalogue(targets, (work,)), two, catalogue(targets, (base,)), compared=True
    )
    changes = site_changes(plan.diffs)
    assert list(changes) == [1]
    (change,) = changes[1]
    assert (change.kind, change.image_before, change.image_after) == (
        "changed",
        "registry.example/scorer-arm:1.0.0@sha256:aa",
        "registry.example/scorer-arm:1.0.0@sha256:bb",
    )
    assert [m.image for m in site_models(plan.after)[0]] == ["registry.example/scorer:1.0.0"]


def _one_model_plan(base: Model, work: Model) -> dict[int, list[SiteChange]]:
    targets = (target("lrt", sel({"env": "lrt"})), target("paint", sel({"line": "paint"})))
    plan, _ = build_plan(
        catalogue(targets, (work,)), SITES, catalogue(targets, (base,)), compared=True
    )
    return site_changes(plan.diffs)


def test_settings_under_the_same_version_are_a_change() -> None:
    """A model's pods roll out again when its replicas, env or port change, though its
    version and image do not: each site is `changed`, and the report names what."""
    model = http_model("scorer", "1.0.0", ("lrt",))
    work = replace(
        model,
        replicas=3,
        env=(("LOG_LEVEL", "debug"),),
        http=HttpSpec(port=9090),
    )
    changes = _one_model_plan(model, work)
    assert set(changes) == {0, 1}  # the two lrt sites
    (change,) = changes[0]
    assert (change.kind, change.before, change.after, change.settings) == (
        "changed",
        "1.0.0",
        "1.0.0",
        ("replicas", "env", "http"),
    )
    assert detail_text(change) == "same version 1.0.0; replicas, env, http changed"


def test_an_override_changes_only_its_placement() -> None:
    """A target override reaches that target's sites only."""
    model = http_model("scorer", "1.0.0", ("lrt", "paint"))
    over = Overrides(resources=Resources(limits=(("memory", "1Gi"),)))
    work = replace(model, target_overrides=(("paint", over),))
    changes = _one_model_plan(model, work)
    assert list(changes) == [2]  # paint-1
    assert [(c.kind, c.settings) for c in changes[2]] == [("changed", ("resources",))]


def test_an_upgrade_names_the_settings_it_also_changes() -> None:
    model = http_model("scorer", "1.0.0", ("lrt",))
    work = replace(model, version="1.1.0", image="registry.example/scorer:1.1.0", replicas=2)
    (change,) = _one_model_plan(model, work)[0]
    assert (change.kind, change.settings) == ("upgraded", ("replicas",))
    assert detail_text(change) == "1.0.0 -> 1.1.0; replicas changed"


def test_what_reaches_no_site_is_no_change() -> None:
    """A description, or the entry's place in the catalogue, deploys nothing."""
    model = http_model("scorer", "1.0.0", ("lrt",))
    work = replace(model, description="now documented", location=Location("other.yaml", 3, 5))
    assert _one_model_plan(model, work) == {}


def test_a_new_helper_image_changes_container_models_only() -> None:
    targets = (target("lrt", sel({"env": "lrt"})),)
    models = (
        http_model("scorer", "1.0.0", ("lrt",)),
        container_model("weights", "1.0.0", ("lrt",)),
    )
    base = catalogue(targets, models)
    work = replace(base, defaults=replace(base.defaults, helper_image="registry.example/helper:2"))
    plan, _ = build_plan(work, SITES, base, compared=True)
    changes = site_changes(plan.diffs)
    assert [(c.model, c.kind, c.settings) for c in changes[0]] == [
        ("weights", "changed", ("helperImage",))
    ]


def test_a_placement_no_model_uses_is_no_hub_object() -> None:
    """generate writes a Placement only for a target some model uses: a target whose last
    model leaves selects no site after the merge, and an unused one is no placement."""
    unused = target("lab", sel({"env": "lab"}))
    base = catalogue((*TARGETS, unused), (http_model("scorer", "1.0.0", ("lrt",)),))
    work = catalogue((*TARGETS, unused), (http_model("scorer", "1.0.0", ("paint",)),))
    plan, _ = build_plan(work, SITES, base, compared=True, allow_removals=True)
    totals = {t.name: (t.sites_before, t.sites_after) for t in plan.placements}
    assert totals == {"lrt": (2, None), "paint": (None, 1)}
    plan, _ = build_plan(work, SITES)
    assert [(t.name, t.sites_after) for t in plan.placements] == [("paint", 1)]


def test_a_model_renamed_is_a_removal_at_its_new_name_that_says_so() -> None:
    """Renaming scorer to quality-scorer (the same image) deletes it on its sites and
    deploys it again: D101 stood at the catalogue's metadata.name, as for a model retired,
    and did not say that the removed model is the added one under a new name."""
    old = http_model("scorer", "1.0.0", ("lrt",))
    where = Location("models/quality-scorer.yaml", 5, 13)
    new = replace(
        http_model("quality-scorer", "1.0.0", ("lrt",)),
        image=old.image,
        location=Location("models/quality-scorer.yaml", 5, 7),
        key_locations=(("name", where),),
    )
    base = catalogue(TARGETS, (old,))
    work = catalogue(TARGETS, (new,))
    _, diags = build_plan(work, SITES, base, compared=True, limit=RemovalLimit(0, 0))
    (d101,) = [d for d in diags if d.code == "D101"]
    assert d101.location == where
    assert d101.message.endswith(
        "from lrt-1, lrt-2; model scorer is now quality-scorer (the same image): a rename "
        "deletes it on these sites and deploys it again under the new name; pass "
        "--allow-removals if this is intended"
    )
    other = replace(new, image="registry.example/other:1.0.0")  # another image: no rename
    _, diags = build_plan(
        catalogue(TARGETS, (other,)), SITES, base, compared=True, limit=RemovalLimit(0, 0)
    )
    (d101,) = [d for d in diags if d.code == "D101"]
    assert d101.location != where and "rename" not in d101.message
