"""The plan's inline suppressions: its own D1 codes, by code in any case or by name."""

from __future__ import annotations

from edgemodels.plan.suppressions import plan_suppressions
from edgemodels.yamlio import YamlFile


def test_plan_takes_its_codes_in_any_case_and_by_name() -> None:
    text = "a: 1  # edgemodels: ignore[d105, over-capacity, P101, R104, no-such-name]\n"
    (sup,), refused = plan_suppressions([YamlFile("catalogue.yaml", text, None)])
    assert sup.codes == {"d105", "over-capacity"}
    assert refused == []


def test_the_removal_guards_are_refused_by_name_and_in_any_case() -> None:
    text = "a: 1  # edgemodels: ignore[d101, site-left-empty, D105]\n"
    (sup,), (refused,) = plan_suppressions([YamlFile("catalogue.yaml", text, None)])
    assert sup.codes == {"D105"}
    assert refused.code == "D113" and "D101 and D102 cannot be suppressed" in refused.message
