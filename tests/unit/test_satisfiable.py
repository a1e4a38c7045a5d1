"""The satisfiability of label requirements against brute force over every small label set."""

from __future__ import annotations

import itertools
import random

from edgemodels.catalogue.model import Requirement, Selector
from edgemodels.satisfiable import solve, solve_within
from edgemodels.selectors import selector_matches

KEYS = ("a", "b")
VALUES = ("x", "y", "any")  # "any" is also the value the solver makes up
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def label_sets() -> list[dict[str, str]]:
    """Every label set over KEYS, with each key absent, one of VALUES or some other value."""
    choices = [None, *VALUES, "other"]
    found = []
    for picked in itertools.product(choices, repeat=len(KEYS)):
        found.append({k: v for k, v in zip(KEYS, picked, strict=True) if v is not None})
    return found


def random_requirement(rng: random.Random) -> Requirement:
    op = rng.choice(OPERATORS)
    values: tuple[str, ...] = ()
    if op in ("In", "NotIn"):
        values = tuple(rng.sample(VALUES, rng.randint(1, len(VALUES))))
    return Requirement(rng.choice(KEYS), op, values)  # type: ignore[arg-type]


def test_solve_agrees_with_brute_force() -> None:
    rng = random.Random(20261129)
    every = label_sets()
    for _ in range(3000):
        reqs = tuple(random_requirement(rng) for _ in range(rng.randint(1, 5)))
        selector = Selector((), reqs)
        possible = any(selector_matches(selector, labels) for labels in every)
        answer = solve(reqs)
        assert (answer.labels is not None) == possible, (reqs, answer)
        if answer.labels is not None:
            assert selector_matches(selector, answer.labels), (reqs, answer)
        else:
            assert answer.reason


def test_reasons_name_the_contradiction() -> None:
    labels_vs_notin = (Requirement("env", "In", ("lrt",)), Requirement("env", "NotIn", ("lrt",)))
    assert (
        solve(labels_vs_notin).reason == "no value of 'env' meets env In [lrt] and env NotIn [lrt]"
    )
    in_vs_absent = (Requirement("env", "In", ("a",)), Requirement("env", "DoesNotExist"))
    assert solve(in_vs_absent).reason == (
        "'env' must be present (env In [a]) and absent (env DoesNotExist)"
    )


def test_made_up_values_avoid_notin() -> None:
    reqs = (Requirement("gpu", "Exists"), Requirement("gpu", "NotIn", ("any", "any-1")))
    assert solve(reqs).labels == {"gpu": "any-2"}


def test_alternatives_are_tried_in_order() -> None:
    absent = (Requirement("set", "DoesNotExist"),)
    inside = (Requirement("set", "In", ("edge",)),)
    assert solve_within((), (absent, inside)).labels == {}
    pinned = (Requirement("set", "Exists"),)
    assert solve_within(pinned, (absent, inside)).labels == {"set": "edge"}
    assert solve_within((Requirement("set", "In", ("lab",)),), (absent, inside)).labels is None
