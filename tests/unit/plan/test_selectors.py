"""Label-selector and Placement semantics, from the Kubernetes and OCM documentation.

Sources: kubernetes.io "Labels and Selectors" (equality- and set-based requirements,
`!=`/`notin` match objects without the key, `partition` / `!partition`), the LabelSelector
API reference (matchLabels and matchExpressions are ANDed; a matchLabels entry is an `In`
with one value; an empty selector matches all objects), OCM Placement (predicates are ORed;
clusterSets restrict), OCM ManagedClusterSet (unlabelled clusters are in `default`, every
cluster is in `global`). Every case is checked by the index and by the per-site reference.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgemodels.catalogue.model import Requirement, Selector
from edgemodels.selectors import (
    CLUSTER_SET_LABEL,
    build_index,
    mask_of,
    members,
    placement_mask,
    placement_matches,
    selector_mask,
    selector_matches,
)

from .builders import req, sel

# The objects of the documentation's examples; H has an empty value, E no labels at all.
SITES: dict[str, dict[str, str]] = {
    "A": {"environment": "production", "tier": "frontend"},
    "B": {"environment": "qa", "tier": "backend", "partition": "customerA"},
    "C": {"environment": "dev", "tier": "cache", "component": "redis"},
    "D": {"environment": "production", "tier": "cache", "component": "redis"},
    "E": {},
    "F": {"environment": "qa", "partition": "customerB"},
    "G": {"environment": "production", "partition": "customerA"},
    "H": {"tier": ""},
}
NAMES = list(SITES)
ALL = set(NAMES)

SELECTOR_TABLE: list[tuple[str, Selector, set[str]]] = [
    ("environment = production", sel({"environment": "production"}), {"A", "D", "G"}),
    (
        "tier != frontend: also objects without tier",
        sel({}, req("tier", "NotIn", "frontend")),
        {"B", "C", "D", "E", "F", "G", "H"},
    ),
    (
        "environment in (production, qa)",
        sel({}, req("environment", "In", "production", "qa")),
        {"A", "B", "D", "F", "G"},
    ),
    (
        "tier notin (frontend, backend): also objects without tier",
        sel({}, req("tier", "NotIn", "frontend", "backend")),
        {"C", "D", "E", "F", "G", "H"},
    ),
    ("partition (exists)", sel({}, req("partition", "Exists")), {"B", "F", "G"}),
    (
        "!partition (does not exist)",
        sel({}, req("partition", "DoesNotExist")),
        {"A", "C", "D", "E", "H"},
    ),
    (
        "partition, environment notin (qa): requirements ANDed",
        sel({}, req("partition", "Exists"), req("environment", "NotIn", "qa")),
        {"G"},
    ),
    (
        "matchLabels AND matchExpressions",
        sel({"component": "redis"}, req("tier", "In", "cache"), req("environment", "NotIn", "dev")),
        {"D"},
    ),
    ("matchLabels entries ANDed", sel({"environment": "production", "tier": "cache"}), {"D"}),
    (
        "matchLabels k: v is In (v)",
        sel({}, req("environment", "In", "production")),
        {"A", "D", "G"},
    ),
    ("empty selector matches everything", sel(), ALL),
    (
        "two requirements on one key",
        sel({}, req("tier", "In", "cache", "frontend"), req("tier", "NotIn", "frontend")),
        {"C", "D"},
    ),
    ("In on a key no object has", sel({}, req("zone", "In", "a")), set()),
    ("NotIn on a key no object has", sel({}, req("zone", "NotIn", "a")), ALL),
    ("DoesNotExist on a key no object has", sel({}, req("zone", "DoesNotExist")), ALL),
    ("empty value is a value", sel({"tier": ""}), {"H"}),
    ("Exists with an empty value", sel({}, req("tier", "Exists")), {"A", "B", "C", "D", "H"}),
    ("values are case sensitive", sel({"environment": "Production"}), set()),
]


def _index_names(selector: Selector) -> set[str]:
    index = build_index([SITES[n] for n in NAMES])
    return {NAMES[i] for i in members(selector_mask(index, selector))}


def _reference_names(selector: Selector) -> set[str]:
    return {n for n in NAMES if selector_matches(selector, SITES[n])}


@pytest.mark.parametrize(("case", "selector", "expected"), SELECTOR_TABLE, ids=lambda v: "")
def test_selector_table(case: str, selector: Selector, expected: set[str]) -> None:
    assert _index_names(selector) == expected, case
    assert _reference_names(selector) == expected, case


PLACEMENT_TABLE: list[tuple[str, tuple[Selector, ...], set[str]]] = [
    (
        "predicates are ORed",
        (sel({"environment": "production"}), sel({}, req("partition", "Exists"))),
        {"A", "B", "D", "F", "G"},
    ),
    ("no predicates: every cluster", (), ALL),
    ("one empty predicate: every cluster", (sel(),), ALL),
    (
        "a predicate selecting nothing adds nothing",
        (sel({"zone": "x"}), sel({"tier": "cache"})),
        {"C", "D"},
    ),
]


@pytest.mark.parametrize(("case", "predicates", "expected"), PLACEMENT_TABLE, ids=lambda v: "")
def test_placement_predicates(
    case: str, predicates: tuple[Selector, ...], expected: set[str]
) -> None:
    index = build_index([SITES[n] for n in NAMES])
    assert {NAMES[i] for i in members(placement_mask(index, predicates))} == expected, case
    assert {n for n in NAMES if placement_matches(predicates, SITES[n])} == expected, case


SET_SITES = {
    "s1": {CLUSTER_SET_LABEL: "default", "env": "lrt"},
    "s2": {CLUSTER_SET_LABEL: "edge", "env": "lrt"},
    "s3": {"env": "lrt"},  # no set label: OCM puts it in `default`
    "s4": {CLUSTER_SET_LABEL: "lab"},
}


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        (("default",), {"s1", "s3"}),
        (("edge",), {"s2"}),
        (("edge", "lab"), {"s2", "s4"}),
        (("global",), {"s1", "s2", "s3", "s4"}),
        (("unknown",), set()),
        ((), set()),  # no set bound: a Placement selects nothing
        (None, {"s1", "s2", "s3", "s4"}),  # PlacementRule: no cluster sets at all
    ],
)
def test_cluster_sets_restrict(sets: tuple[str, ...] | None, expected: set[str]) -> None:
    names = list(SET_SITES)
    index = build_index([SET_SITES[n] for n in names])
    got = {names[i] for i in members(placement_mask(index, (), sets))}
    assert got == expected
    assert {n for n in names if placement_matches((), SET_SITES[n], sets)} == expected


# `kubectl get managedclusters,managedclustersets`: `arm` selects by a label, whatever the
# sites' clusterset label says; `edge` is exclusive; `lab` is not on the hub.
KNOWN = {
    "arm": sel({"env": "lrt"}),
    "edge": None,
    "global": Selector(),
    "default": None,
}


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        (("arm",), {"s1", "s2", "s3"}),
        (("edge",), {"s2"}),
        (("lab",), set()),  # labelled lab, but no such set: nothing
        (("lab", "edge"), {"s2"}),
        (("global",), {"s1", "s2", "s3", "s4"}),
        (("default",), {"s1", "s3"}),
    ],
)
def test_cluster_sets_from_the_inventory(sets: tuple[str, ...], expected: set[str]) -> None:
    names = list(SET_SITES)
    index = build_index([SET_SITES[n] for n in names], KNOWN)
    assert {names[i] for i in members(placement_mask(index, (), sets))} == expected
    assert {n for n in names if placement_matches((), SET_SITES[n], sets, KNOWN)} == expected


def test_global_not_on_the_hub_holds_nothing() -> None:
    index = build_index([SET_SITES[n] for n in SET_SITES], {"edge": None})
    assert placement_mask(index, (), ("global",)) == 0


def test_cluster_sets_and_predicates_are_anded() -> None:
    names = list(SET_SITES)
    index = build_index([SET_SITES[n] for n in names])
    mask = placement_mask(index, (sel({"env": "lrt"}),), ("edge", "default"))
    assert {names[i] for i in members(mask)} == {"s1", "s2", "s3"}
    mask = placement_mask(index, (sel({"env": "lrt"}),), ("lab",))
    assert mask == 0


def test_members_and_mask_of_round_trip() -> None:
    numbers = [0, 1, 7, 8, 9, 63, 64, 1000, 4999]
    assert members(mask_of(numbers, 5000)) == numbers
    assert members(0) == []


# --- the index agrees with the reference on random selectors and sites ------------------------

KEYS = st.sampled_from(["a", "b", "c", "example.com/d", CLUSTER_SET_LABEL])
VALUES = st.sampled_from(["1", "2", "x", "", "default", "edge"])
LABELS = st.dictionaries(KEYS, VALUES, max_size=4)
REQUIREMENTS = st.builds(
    Requirement,
    KEYS,
    st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]),
    st.lists(VALUES, max_size=3).map(tuple),
)
SELECTORS = st.builds(
    Selector,
    st.dictionaries(KEYS, VALUES, max_size=2).map(lambda d: tuple(d.items())),
    st.lists(REQUIREMENTS, max_size=3).map(tuple),
)
SETS = st.none() | st.lists(st.sampled_from(["default", "edge", "global", "lab"]), max_size=2).map(
    tuple
)
# The inventory's ManagedClusterSets: none listed, or some of them, each by label or selector.
KNOWN_SETS = st.dictionaries(
    st.sampled_from(["default", "edge", "global", "lab"]), st.none() | SELECTORS, max_size=3
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LABELS, max_size=40), st.lists(SELECTORS, max_size=3).map(tuple), SETS, KNOWN_SETS)
def test_index_agrees_with_reference(
    labels: list[dict[str, str]],
    predicates: tuple[Selector, ...],
    sets: tuple[str, ...] | None,
    known: dict[str, Selector | None],
) -> None:
    index = build_index(labels, known)
    indexed = set(members(placement_mask(index, predicates, sets)))
    reference = {
        i for i, site in enumerate(labels) if placement_matches(predicates, site, sets, known)
    }
    assert indexed == reference
    for selector in predicates:
        assert set(members(selector_mask(index, selector))) == {
            i for i, site in enumerate(labels) if selector_matches(selector, site)
        }
