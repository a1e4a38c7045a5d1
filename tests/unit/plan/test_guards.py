"""Every guard of the plan, tripped and not tripped."""

from __future__ import annotations

from dataclasses import replace

import pytest

from edgemodels.catalogue.model import Catalogue, Selector
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.errors import UsageError
from edgemodels.output import diagnostic_dict
from edgemodels.plan.core import build_plan
from edgemodels.plan.removals import RemovalLimit, parse_removal_limit
from edgemodels.plan.sitemasks import Sites, index_sites
from edgemodels.sites import Inventory

from .builders import (
    CATALOGUE_FILE as FILE,
)
from .builders import (
    catalogue,
    container_model,
    http_model,
    req,
    sel,
    site,
    sites,
    target,
    workload,
)


def fleet(total: int, losing: int) -> tuple[Sites, Catalogue, Catalogue]:
    """`total` sites; the first `losing` of them lose model `old` (they keep `keep`). The
    others keep `old` through the same placement, narrowed: no move."""
    members = [site(f"s{n:02}", {"drop": "yes" if n < losing else "no"}) for n in range(total)]
    models = (http_model("keep", targets=("all",)), http_model("old", targets=("olds",)))
    base = catalogue((target("all", sel()), target("olds", sel())), models)
    work = catalogue((target("all", sel()), target("olds", sel({"drop": "no"}))), models)
    return sites(*members), base, work


def codes(diags: list[Diagnostic]) -> dict[str, str]:
    return {d.code: d.severity for d in diags}


@pytest.mark.parametrize(
    ("total", "losing", "limit", "trips"),
    [
        (100, 5, RemovalLimit(), False),  # 5 sites is not more than 5
        (100, 6, RemovalLimit(), True),  # more than 5 sites
        (20, 2, RemovalLimit(), False),  # 10% is not more than 10%
        (20, 3, RemovalLimit(), True),  # 15% of sites
        (100, 6, RemovalLimit(sites=10, percent=None), False),
        (100, 11, RemovalLimit(sites=10, percent=None), True),
        (100, 30, RemovalLimit(sites=None, percent=50), False),
        (100, 51, RemovalLimit(sites=None, percent=50), True),
        (10, 1, RemovalLimit(sites=0, percent=None), True),
        # a small fleet: 10% is less than a site, and one site is never a mass removal
        (3, 1, RemovalLimit(), False),
        (9, 1, RemovalLimit(), False),
        (3, 2, RemovalLimit(), True),
        (1, 1, RemovalLimit(), False),  # D102 guards the site left empty
        (3, 1, RemovalLimit(sites=None, percent=0), True),  # 0% guards every removal
    ],
)
def test_mass_removal(total: int, losing: int, limit: RemovalLimit, trips: bool) -> None:
    where, base, work = fleet(total, losing)
    _, diags = build_plan(work, where, base, compared=True, limit=limit)
    found = [d for d in diags if d.code == "D101"]
    assert bool(found) == trips
    if trips:
        assert found[0].severity == "error"
        assert found[0].location.line == 10  # the target whose selector narrowed
        assert f"removed from {losing} of {total} sites" in found[0].message
        assert "s00" in found[0].message and "--allow-removals" in found[0].message


@pytest.mark.parametrize(
    ("total", "losing", "limit", "over"),
    [
        # 2 is not over 5 sites: only the 10% arm is named
        (2, 2, RemovalLimit(), "(100%), over the limit of 10% of sites (the limit is 5 sites "
         "or 10% of sites, whichever is smaller):"),
        (1000, 7, RemovalLimit(), "(0.7%), over the limit of 5 sites (the limit is"),
        # over both: the limit is said once
        (40, 25, RemovalLimit(), "(62.5%), over the limit of 5 sites or 10% of sites, "
         "whichever is smaller (over both):"),
        (300, 1, RemovalLimit(sites=0, percent=None), "(0.3%), over the limit of 0 sites:"),
    ],
)  # fmt: skip
def test_mass_removal_names_the_arm_of_the_limit_it_is_over(
    total: int, losing: int, limit: RemovalLimit, over: str
) -> None:
    where, base, work = fleet(total, losing)
    _, diags = build_plan(work, where, base, compared=True, limit=limit)
    message = next(d.message for d in diags if d.code == "D101")
    assert f"removed from {losing} of {total} sites {over}" in message


def test_mass_removal_names_at_most_ten_sites() -> None:
    where, base, work = fleet(40, 25)
    _, diags = build_plan(work, where, base, compared=True)
    message = next(d.message for d in diags if d.code == "D101")
    assert "s09 and 15 more" in message and "s10" not in message


def test_mass_removal_names_the_models_most_sites_first() -> None:
    """A publish the guard stops shows no table of models: the finding names which leave,
    the one leaving the most sites first, five of them and how many more."""
    members = [site(f"s{n:02}", {"n": str(n)}) for n in range(20)]
    # m0 had 7 sites, m1 8, ..., m6 13 (n below its number + 7); all are retired at once
    had = [req("n", "In", *[str(n) for n in range(i + 7)]) for i in range(7)]
    models = tuple(http_model(f"m{i}", targets=(f"t{i}",)) for i in range(7))
    base = catalogue(tuple(target(f"t{i}", sel({}, had[i])) for i in range(7)), models)
    work = catalogue(base.targets, ())
    _, diags = build_plan(work, sites(*members), base, compared=True)
    (removal,) = [d for d in diags if d.code == "D101"]  # one cause: the retirements
    assert removal.location.line == 4  # no line of its own: the catalogue's name
    assert (
        "smaller (over both): 7 models (m6 from 13 sites, m5 from 12, m4 from 11, m3 from 10, "
        "m2 from 9 and 2 more) from s00, s01,"
    ) in removal.message
    where, base, work = fleet(40, 25)
    _, diags = build_plan(work, where, base, compared=True)
    message = next(d.message for d in diags if d.code == "D101")
    assert "(over both): 1 model (old from 25 sites) from s00, s01," in message


def test_mass_removal_stands_at_each_change_that_removes() -> None:
    """A merge request's annotation lands on the line it changed: a narrowed target's
    selector, a model's targets, a followed workload; one D101 each, each counting the
    whole change against the limit and naming its own models and sites."""
    members = [site(f"s{n:02}", {"line": "a" if n < 10 else "b"}) for n in range(20)]
    fed = http_model("fed", follow=True)
    models = (
        http_model("narrowed", targets=("all",)),
        replace(http_model("retargeted", targets=("a", "b")), location=Location(FILE, 50, 7)),
        replace(fed, location=Location(FILE, 60, 7)),
    )
    targets = (target("all", sel(), line=12), target("a", sel({"line": "a"}), line=14))
    targets += (target("b", sel({"line": "b"}), line=16),)
    base = catalogue(targets, models, (workload("w", ("fed",), sel({"line": "a"})),))
    work = catalogue(
        (target("all", sel({"line": "b"}), line=12), *targets[1:]),
        (models[0], replace(models[1], targets=("b",)), models[2]),
        (workload("w", ("fed",), sel({"line": "a", "k": "v"})),),  # runs nowhere now
    )
    _, diags = build_plan(work, sites(*members), base, compared=True)
    found = {d.location.line: d for d in diags if d.code == "D101"}
    assert sorted(found) == [12, 50, 80]  # the target, the model, the workload
    for d in found.values():
        assert d.message.startswith("models are removed from 10 of 20 sites (50%)")
        assert "; 1 of 3 changes that remove them (each a D101 at its line), through " in d.message
        assert d.sites == tuple(f"s{n:02}" for n in range(10))
    assert (
        "through the selector of target all: 1 model (narrowed from 10 sites)" in found[12].message
    )
    assert "through the targets of model retargeted: 1 model (retargeted" in found[50].message
    assert "through workload w, which model fed follows: 1 model (fed" in found[80].message
    # one change alone: the message reads as before, at its line
    work = catalogue(work.targets, (models[0],))
    base = catalogue(targets, (models[0],))
    _, diags = build_plan(work, sites(*members), base, compared=True)
    (removal,) = [d for d in diags if d.code == "D101"]
    assert removal.location.line == 12
    assert "smaller (over both): 1 model (narrowed from 10 sites) from s00," in removal.message


def test_allow_removals_turns_the_guards_into_warnings() -> None:
    where, base, work = fleet(10, 10)
    work = catalogue(work.targets, ())  # every site loses everything
    _, diags = build_plan(work, where, base, compared=True)
    assert codes(diags) == {"D101": "error", "D102": "error"}  # unused targets: no D106
    _, diags = build_plan(work, where, base, compared=True, allow_removals=True)
    assert codes(diags) == {"D101": "warning", "D102": "warning"}


def test_site_left_without_any_model() -> None:
    where = sites(site("a", {"env": "lrt"}), site("b", {"env": "lab"}))
    targets = (target("lrt", sel({"env": "lrt"})), target("lab", sel({"env": "lab"})))
    base = catalogue(targets, (http_model("m", targets=("lrt", "lab")),))
    work = catalogue(targets, (http_model("m", targets=("lrt",)),))
    limit = RemovalLimit(sites=5, percent=None)
    _, diags = build_plan(work, where, base, compared=True, limit=limit)
    assert [(d.code, d.message) for d in diags] == [
        (
            "D102",
            "1 site is left with none of the models it had: b; "
            "pass --allow-removals if this is intended",
        )
    ]


def test_site_left_empty_stands_at_the_change_that_emptied_it() -> None:
    """D102 stands where D101 does when one change empties the sites: here the narrowed
    target's selector; with two changes taking models from them, at `metadata.name`."""
    members = [site(f"s{n:02}", {"line": "a" if n < 3 else "b"}) for n in range(6)]
    targets = (target("all", sel(), line=12), target("b", sel({"line": "b"}), line=14))
    one = http_model("one", targets=("all",))
    two = replace(http_model("two", targets=("all",)), location=Location(FILE, 50, 7))
    base = catalogue(targets, (one,))
    work = catalogue((target("all", sel({"line": "b"}), line=12), targets[1]), (one,))
    _, diags = build_plan(work, sites(*members), base, compared=True)
    (empty,) = [d for d in diags if d.code == "D102"]
    assert (empty.location.line, empty.sites) == (12, ("s00", "s01", "s02"))
    # two changes take models from the emptied sites: neither alone emptied them
    base = catalogue(targets, (one, two))
    work = catalogue(
        (target("all", sel({"line": "b"}), line=12), targets[1]),
        (one, replace(two, targets=("b",))),
    )
    _, diags = build_plan(work, sites(*members), base, compared=True)
    (empty,) = [d for d in diags if d.code == "D102"]
    assert empty.location == work.location


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", RemovalLimit(5, None)),
        ("0", RemovalLimit(0, None)),
        ("10%", RemovalLimit(None, 10.0)),
        ("12.5%", RemovalLimit(None, 12.5)),
    ],
)
def test_parse_removal_limit(text: str, expected: RemovalLimit) -> None:
    assert parse_removal_limit(text) == expected


def test_capacity_of_a_managed_cluster_names_its_label() -> None:
    """A ManagedCluster has no capacity.storage: its capacity is the label
    edgemodels.io/model-storage, which D103 must name so the admin knows what to change."""
    small = site("small", {"env": "lrt", "edgemodels.io/model-storage": "1Gi"}, capacity="1Gi")
    where = index_sites(Inventory("clusters.yaml", "List", (small,)))
    cat = catalogue(
        (target("lrt", sel({"env": "lrt"})),),
        (container_model("a", targets=("lrt",), size="2Gi"),),
    )
    _, diags = build_plan(cat, where)
    assert [d.message for d in diags if d.code == "D103"] == [
        "site small: container model a needs 2Gi but its label edgemodels.io/model-storage is 1Gi"
    ]


@pytest.mark.parametrize("text", ["", "five", "-1", "150%", "5 sites", "1e3"])
def test_parse_removal_limit_refuses(text: str) -> None:
    with pytest.raises(UsageError):
        parse_removal_limit(text)


def test_capacity() -> None:
    where = sites(
        site("small", {"env": "lrt"}, capacity="1Gi", line=7),
        site("big", {"env": "lrt"}, capacity="2Gi"),
        site("unknown", {"env": "lrt"}),
    )
    cat = catalogue(
        (target("lrt", sel({"env": "lrt"})),),
        (
            container_model("a", targets=("lrt",), size="600Mi"),
            container_model("b", targets=("lrt",), size="600Mi"),
            container_model("c", targets=("lrt",)),  # no size: not counted
            http_model("d", targets=("lrt",)),  # not a container model
        ),
    )
    _, diags = build_plan(cat, where)
    over = [d for d in diags if d.code == "D103"]
    assert [(d.location.path, d.location.line, d.severity) for d in over] == [
        ("sites.yaml", 7, "error")
    ]
    assert over[0].message == (
        "site small: container models need 1.2Gi (a 600Mi, b 600Mi) but capacity.storage is 1Gi"
    )
    unsized = [d for d in diags if d.code == "D107"]
    assert [(d.severity, d.message) for d in unsized] == [
        (
            "info",
            "container model c has no container.size, so its storage on 2 sites with a "
            "declared capacity is not checked",
        )
    ]


def test_models_without_workloads_and_workloads_without_models() -> None:
    where = sites(site("a", {"line": "assembly"}), site("b", {"line": "paint"}))
    cat = catalogue(
        (target("everywhere", sel()),),
        (
            container_model("detector", targets=("everywhere",)),  # b has no user: warning
            container_model("painter", targets=()),  # used on b, placed nowhere: error
            http_model("api", targets=("everywhere",)),  # http models are not checked
        ),
        (
            workload("inspection", ("detector",), sel({"line": "assembly"})),
            workload("paint", ("painter",), sel({"line": "paint"})),
        ),
    )
    _, diags = build_plan(cat, where)
    found = sorted((d.code, d.severity, d.message) for d in diags)
    assert found == [
        ("D104", "error", "workload paint runs on 1 site without model painter: b"),
        (
            "D105",
            "warning",
            "container model detector is placed on 1 site where no workload uses it: b",
        ),
    ]


def test_no_workload_checks_without_workloads() -> None:
    where = sites(site("a"))
    cat = catalogue((target("all", sel()),), (container_model("m", targets=("all",)),))
    _, diags = build_plan(cat, where)
    assert diags == []


def test_target_selecting_nothing() -> None:
    where = sites(site("a", {"env": "lrt"}))
    cat = catalogue(
        (
            target("lrt", sel({"env": "lrt"})),
            target("ghost", sel({}, req("env", "In", "x")), line=22),
        ),
        (http_model("m", targets=("lrt", "ghost")),),
    )
    unused = catalogue(cat.targets, (http_model("m", targets=("lrt",)),))
    # A target no model names is no Placement (generate writes none; check says R107).
    assert [d for d in build_plan(unused, where)[1] if d.code == "D106"] == []
    _, diags = build_plan(cat, where)
    assert [(d.code, d.severity, d.location.line, d.message) for d in diags] == [
        (
            "D106",
            "warning",
            22,
            "placement ghost selects no site of the inventory: no site has env=x "
            "(env is lrt on the sites)",
        )
    ]


ASSEMBLY = {
    "env": "lrt",
    "line": "assembly",
    "cluster.open-cluster-management.io/clusterset": "lines",
}
PAINT = {"env": "lrt", "line": "paint", "cluster.open-cluster-management.io/clusterset": "lines"}


@pytest.mark.parametrize(
    ("selector", "sets", "why"),
    [
        (  # a misspelt value: the values the sites have, and the closest
            sel({"env": "lrt", "line": "paitn"}),
            ("lines",),
            "no site has line=paitn (line is assembly or paint on the sites); did you mean paint?",
        ),
        (  # a misspelt key
            sel({"lne": "paint"}),
            ("lines",),
            "no site has the label lne; did you mean line?",
        ),
        (  # a key no site has, and none close: the keys they have
            sel({}, req("gpu", "Exists")),
            ("lines",),
            "no site has the label gpu (the sites' labels: "
            "cluster.open-cluster-management.io/clusterset, env, line, name)",
        ),
        (  # key and value the wrong way round: the pair the sites have, as the fix
            sel({"paint": "line"}),
            ("lines",),
            "no site has the label paint; key and value the wrong way round? the sites "
            "have line=paint: write {line: paint}",
        ),
        (sel({}, req("env", "DoesNotExist")), ("lines",), "every site has the label env"),
        (sel({}, req("env", "NotIn", "lrt")), ("lines",), "every site has env in [lrt]"),
        (  # each requirement alone matches
            sel({"line": "paint"}, req("name", "In", "asm-01")),
            ("lines",),
            "each of its requirements matches some site, but no site matches them all",
        ),
        (  # the selector is right, the cluster sets leave its site out
            sel({"line": "paint"}),
            ("default",),
            "the site it matches is outside spec.hub.clusterSets [default] "
            "(label cluster.open-cluster-management.io/clusterset)",
        ),
    ],
)
def test_a_placement_that_selects_nothing_says_why(
    selector: Selector, sets: tuple[str, ...], why: str
) -> None:
    """D106 names the requirement no site of the inventory meets, with the values the sites
    do have: on three sites a typo is the likely cause, and the fix one word away."""
    where = sites(site("asm-01", ASSEMBLY), site("asm-02", ASSEMBLY), site("paint-01", PAINT))
    targets = (target("lrt", sel({"env": "lrt"})), target("paint", selector, line=22))
    cat = catalogue(targets, (http_model("m", targets=("lrt", "paint")),), cluster_sets=sets)
    _, diags = build_plan(cat, where)
    d106 = [d.message for d in diags if d.code == "D106" and "paint" in d.message]
    assert d106 == [f"placement paint selects no site of the inventory: {why}"]


def test_image_volume_delivery() -> None:
    where = sites(
        site("old", {"env": "lrt"}, image_volumes=False),
        site("new", {"env": "lrt"}, image_volumes=True),
        site("unknown", {"env": "lrt"}),
    )
    cat = catalogue(
        (target("lrt", sel({"env": "lrt"})),),
        (
            container_model("vol", targets=("lrt",), delivery="imageVolume"),
            container_model("copy", targets=("lrt",), delivery="copy"),
            container_model("auto", targets=("lrt",)),  # defaults: auto picks per site
        ),
    )
    _, diags = build_plan(cat, where)
    assert [(d.code, d.message) for d in diags] == [
        (
            "D108",
            "container model vol is delivered as an image volume to 1 site without image "
            "volume support: old",
        )
    ]


def test_argo_cd_preserving_resources_keeps_removed_models_on_sites() -> None:
    from dataclasses import replace

    where, base, work = fleet(10, 2)
    _, diags = build_plan(work, where, base, compared=True)
    assert "D111" not in codes(diags)  # Subscriptions: RHACM removes them
    argo = replace(work, hub=replace(work.hub, delivery="argocd"))
    _, diags = build_plan(argo, where, base, compared=True)
    (kept,) = [d for d in diags if d.code == "D111"]
    assert kept.severity == "info"
    assert "model 'old' leaves 2 sites (s00, s01)" in kept.message
    no_preserve = replace(argo.hub.argocd, preserve_resources_on_deletion=False)
    pruning = replace(argo, hub=replace(argo.hub, argocd=no_preserve))
    _, diags = build_plan(pruning, where, base, compared=True)
    assert "D111" not in codes(diags)


def test_placed_twice_through_a_target_and_the_follow_placement() -> None:
    where = sites(
        site("cam-01", {"line": "a", "camera": "yes"}),
        site("gw-01", {"line": "a"}),
        site("b-01", {"line": "b"}),
    )
    work = catalogue(
        (target("line-a", sel({"line": "a"})), target("line-b", sel({"line": "b"}))),
        (container_model("weights", targets=("line-a", "line-b"), follow=True),),
        (workload("inspect", ("weights",), sel({"camera": "yes"})),),
    )
    _, diags = build_plan(work, where)
    twice = [d for d in diags if d.code == "D112"]
    assert [(d.severity, d.location.line) for d in twice] == [("error", 60)]
    assert twice[0].message.startswith(
        "site cam-01: model weights is placed there by 2 placements (line-a, follow-weights)"
    )
    disjoint = catalogue(
        (target("line-a", sel({"line": "a"}, req("camera", "DoesNotExist"))),),
        (container_model("weights", targets=("line-a",), follow=True),),
        (workload("inspect", ("weights",), sel({"camera": "yes"})),),
    )
    _, diags = build_plan(disjoint, where)
    assert "D112" not in codes(diags)


def test_a_site_without_labels_that_nothing_selects_is_named() -> None:
    where = sites(
        site("a", {"env": "lrt"}),
        site("bare", line=7),
        site("picked", line=9),  # no labels, but a name selector selects it
        site("other", {"env": "x"}),  # labelled: selected by nothing, yet not this finding
    )
    cat = catalogue(
        (target("lrt", sel({"env": "lrt"})), target("rest", sel({}, req("name", "In", "picked")))),
        (http_model("m", targets=("lrt", "rest")),),
    )
    _, diags = build_plan(cat, where)
    assert [(d.code, d.severity, d.location.line, d.message) for d in diags] == [
        (
            "D120",
            "warning",
            7,
            "site bare has no labels, and no target can select it: no model goes there"
            " (give it the labels its targets select on, such as env: lrt for target lrt)",
        )
    ]


def test_an_unlabelled_site_is_shown_labels_of_its_own_catalogue() -> None:
    """The example labels come from the catalogue's targets, not from edgemodels' example."""
    where = sites(site("a", {"line": "paint"}), site("bare", line=7))
    only_expressions = target("any", sel({}, req("line", "In", "paint")))
    cat = catalogue(
        (only_expressions, target("assembly", sel({"line": "assembly", "env": "edge"}))),
        (http_model("m", targets=("any", "assembly")),),
    )
    _, diags = build_plan(cat, where)
    assert [d.message.split("(")[-1] for d in diags if d.code == "D120"] == [
        "give it the labels its targets select on, such as line: assembly, env: edge"
        " for target assembly)"
    ]
    cat = catalogue((only_expressions,), (http_model("m", targets=("any",)),))
    _, diags = build_plan(cat, where)
    assert [d.message.split("(")[-1] for d in diags if d.code == "D120"] == [
        "give it the labels its targets select on)"
    ]


def test_placed_twice_is_one_finding_per_model_and_overlap_naming_its_sites() -> None:
    """Two targets that overlap on 24 sites: one finding with the count and the first ten
    names, not 24 findings at the same line; a third overlap is a finding of its own."""
    where = sites(
        *(site(f"s-{n:02}", {"line": "a", "zone": "x" if n < 24 else "y"}) for n in range(30))
    )
    work = catalogue(
        (
            target("line-a", sel({"line": "a"})),
            target("zone-x", sel({"zone": "x"})),
            target("zone-y", sel({"zone": "y"})),
        ),
        (http_model("scorer", "1.0.0", ("line-a", "zone-x", "zone-y")),),
    )
    _, diags = build_plan(work, where)
    twice = sorted(d.message for d in diags if d.code == "D112")
    named = ", ".join(f"s-{n:02}" for n in range(10))
    assert twice == [
        f"24 sites ({named} and 14 more): model scorer is placed there by 2 placements "
        "(line-a, zone-x), so each gets the same objects twice (RHACM: the second "
        "Subscription fails, 'exists and owned by others', and which overrides win is "
        "undefined); make the placements disjoint",
        "6 sites (s-24, s-25, s-26, s-27, s-28, s-29): model scorer is placed there by 2 "
        "placements (line-a, zone-y), so each gets the same objects twice (RHACM: the second "
        "Subscription fails, 'exists and owned by others', and which overrides win is "
        "undefined); make the placements disjoint",
    ]


def test_placed_twice_lists_every_site_for_the_json_report() -> None:
    """The message names ten sites; the finding carries all of them, as the JSON report
    had them when D112 was one finding per site."""
    where = sites(*(site(f"s-{n:02}", {"line": "a", "zone": "x"}) for n in range(24)))
    work = catalogue(
        (target("line-a", sel({"line": "a"})), target("zone-x", sel({"zone": "x"}))),
        (http_model("scorer", "1.0.0", ("line-a", "zone-x")),),
    )
    _, diags = build_plan(work, where)
    (twice,) = [d for d in diags if d.code == "D112"]
    assert twice.sites == tuple(f"s-{n:02}" for n in range(24))
    assert diagnostic_dict(twice)["sites"] == [f"s-{n:02}" for n in range(24)]
    assert "sites" not in diagnostic_dict(replace(twice, sites=()))
