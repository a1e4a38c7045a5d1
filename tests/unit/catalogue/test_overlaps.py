"""R213 (placements of one model that can select one cluster) and R214 (selectors that can
never match) on inline catalogues."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.catalogue import load as load_catalogue
from edgemodels.diagnostics import Diagnostic

from .helpers import BASE, findings, messages

TWO_TARGETS = BASE.replace(
    "  models:\n",
    "    arm:\n"
    "      matchLabels: {line: assembly}\n"
    "      matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [arm64]}]\n"
    "  models:\n",
).replace("targets: [lrt]", "targets: [lrt, arm]")


def test_overlapping_targets_warn_at_the_second_entry(tmp_path: Path) -> None:
    assert findings(tmp_path, TWO_TARGETS) == [(25, 22, "R213")]
    (message,) = messages(tmp_path, TWO_TARGETS)
    assert "model 'sktime': targets 'lrt' and 'arm'" in message
    assert "{env: lrt, kubernetes.io/arch: arm64, line: assembly}" in message


def test_a_notin_expression_makes_them_disjoint(tmp_path: Path) -> None:
    text = TWO_TARGETS.replace(
        "      matchLabels: {env: lrt}\n",
        "      matchLabels: {env: lrt}\n"
        "      matchExpressions: [{key: kubernetes.io/arch, operator: NotIn, values: [arm64]}]\n",
    )
    assert findings(tmp_path, text) == []


def test_other_values_of_one_key_are_disjoint(tmp_path: Path) -> None:
    text = TWO_TARGETS.replace("{line: assembly}", "{env: plant}")
    assert findings(tmp_path, text) == []


def test_exists_and_does_not_exist_are_disjoint(tmp_path: Path) -> None:
    text = TWO_TARGETS.replace("{line: assembly}", "{line: a}").replace(
        "{env: lrt}\n",
        "{env: lrt}\n      matchExpressions: [{key: line, operator: DoesNotExist}]\n",
    )
    assert findings(tmp_path, text) == []


def test_in_lists_that_share_a_value_overlap(tmp_path: Path) -> None:
    text = TWO_TARGETS.replace("      matchLabels: {line: assembly}\n", "").replace(
        "operator: In, values: [arm64]", "operator: NotIn, values: [arm64]"
    )
    text = text.replace(
        "      matchLabels: {env: lrt}\n",
        "      matchExpressions: [{key: env, operator: In, values: [a, lrt]}]\n",
    )
    assert findings(tmp_path, text) == [(24, 22, "R213")]
    assert "{env: a}" in messages(tmp_path, text)[0]


def test_cluster_sets_of_the_hub_can_keep_targets_apart(tmp_path: Path) -> None:
    """Placements see only the hub's cluster sets (default: `default`, which holds the sites
    without a set label): a target pinned to another set never meets the first one."""
    text = TWO_TARGETS.replace(
        "{line: assembly}", "{line: assembly, cluster.open-cluster-management.io/clusterset: lab}"
    )
    assert findings(tmp_path, text) == [(17, 5, "R214")]  # arm selects no visible cluster
    both = text.replace(
        "    namespace: i4q-lrt\n  defaults:",
        "    namespace: i4q-lrt\n    clusterSets: [default, lab]\n  defaults:",
    )
    assert both != text
    assert findings(tmp_path, both) == [(26, 22, "R213")]
    assert "cluster.open-cluster-management.io/clusterset: lab" in messages(tmp_path, both)[0]


LAB = "cluster.open-cluster-management.io/clusterset: lab"


def load(tmp_path: Path, text: str) -> list[Diagnostic]:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    return list(load_catalogue(path, base=tmp_path).diagnostics)


def _on_sets(text: str, sets: str) -> str:
    hub = "    namespace: i4q-lrt\n  defaults:"
    assert hub in text
    return text.replace(hub, f"    namespace: i4q-lrt\n    clusterSets: {sets}\n  defaults:")


@pytest.mark.parametrize("sets", ["[edge]", "[default, edge]"])
def test_a_set_that_may_be_chosen_by_a_label_selector_is_no_never(
    tmp_path: Path, sets: str
) -> None:
    """A cluster set other than default and global may be of selectorType LabelSelector,
    whose clusters need not carry its name as their set label: a target of set lab can
    reach sites through set edge then. check cannot know the set's kind, so no warning,
    only a note saying what holds for each kind."""
    text = _on_sets(BASE.replace("{env: lrt}\n", f"{{env: lrt, {LAB}}}\n", 1), sets)
    found = load(tmp_path, text)
    assert [(d.code, d.severity) for d in found] == [("R214", "info")]
    (message,) = [d.message for d in found]
    assert message.startswith(
        "target 'lrt': its cluster.open-cluster-management.io/clusterset requirements leave "
        "out every set of spec.hub.clusterSets as a label, so it matches only clusters that a "
        "set of selectorType LabelSelector among them holds"
    )
    assert "none if they are all ExclusiveClusterSetLabel sets" in message


def test_a_selector_that_contradicts_itself_still_never_matches_in_any_set(
    tmp_path: Path,
) -> None:
    text = BASE.replace(
        "{env: lrt}\n",
        "{env: lrt}\n      matchExpressions: [{key: env, operator: NotIn, values: [lrt]}]\n",
        1,
    )
    found = load(tmp_path, _on_sets(text, "[edge]"))
    assert [(d.code, d.severity) for d in found] == [("R214", "warning")]


def test_only_the_default_set_still_never_matches_another_set_label(tmp_path: Path) -> None:
    """`default` is an ExclusiveClusterSetLabel set (OCM makes it so), holding the clusters
    labelled default or not labelled: a target of set lab reaches none of them."""
    text = BASE.replace("{env: lrt}\n", f"{{env: lrt, {LAB}}}\n", 1)
    for hub in (text, _on_sets(text, "[default]")):
        (finding,) = load(tmp_path, hub)
        assert (finding.code, finding.severity) == ("R214", "warning")
        assert finding.message == (
            "target 'lrt': selector can never match any cluster: its "
            "cluster.open-cluster-management.io/clusterset requirements leave out the only "
            "set of spec.hub.clusterSets, default (its clusters have the label "
            "cluster.open-cluster-management.io/clusterset=default, or none)"
        )


def test_global_holds_every_cluster(tmp_path: Path) -> None:
    text = _on_sets(BASE.replace("{env: lrt}\n", f"{{env: lrt, {LAB}}}\n", 1), "[global]")
    assert load(tmp_path, text) == []


def test_suppressed_on_the_targets_line(tmp_path: Path) -> None:
    text = TWO_TARGETS.replace(
        "targets: [lrt, arm]", "targets: [lrt, arm]  # edgemodels: ignore[R213]"
    )
    assert findings(tmp_path, text) == []


def test_follow_placement_overlapping_a_target(tmp_path: Path) -> None:
    text = BASE.replace(
        "      targets: [lrt]\n", "      targets: [lrt]\n      followWorkloads: true\n"
    ) + (
        "  workloads:\n"
        "    - name: inspect\n"
        "      uses: [sktime]\n"
        "      matchLabels: {line: a}\n"
        "    - name: elsewhere\n"
        "      uses: [sktime]\n"
        "      matchLabels: {env: plant}\n"
    )
    assert findings(tmp_path, text) == [(23, 24, "R213")]
    (message,) = messages(tmp_path, text)
    assert "target 'lrt' and its follow-sktime placement (workload 'inspect')" in message
    disjoint = text.replace("{line: a}", "{env: other}")
    assert findings(tmp_path, disjoint) == []


SPLIT_RULES = BASE.replace(
    "    namespace: i4q-lrt\n  defaults:",
    "    namespace: i4q-lrt\n    placementKind: PlacementRule\n  defaults:",
).replace("      targets: [lrt]\n", "      followWorkloads: true\n") + (
    "  workloads:\n"
    "    - name: inspect\n"
    "      uses: [sktime]\n"
    "      matchLabels: {line: assembly}\n"
    "    - name: amd-check\n"
    "      uses: [sktime]\n"
    "      matchLabels: {kubernetes.io/arch: amd64, env: lrt}\n"
)


def r213(tmp_path: Path, text: str) -> list[tuple[int, int]]:
    return [(line, col) for line, col, code in findings(tmp_path, text) if code == "R213"]


def test_placement_rules_of_one_follow_placement_overlapping(tmp_path: Path) -> None:
    """A PlacementRule cannot OR selectors, so follow-sktime is two rules, one per workload;
    a cluster matching both gets sktime from two Subscriptions."""
    assert r213(tmp_path, SPLIT_RULES) == [(23, 24)]
    (message,) = [m for m in messages(tmp_path, SPLIT_RULES) if " R213 " in m]
    assert (
        "follow-sktime-1 (workload 'inspect') and follow-sktime-2 (workload 'amd-check') can "
        "both select one cluster, e.g. labels {env: lrt, kubernetes.io/arch: amd64, "
        "line: assembly}"
    ) in message
    # One Placement ORs the selectors: one Subscription, no overlap.
    placement = SPLIT_RULES.replace("    placementKind: PlacementRule\n", "")
    assert r213(tmp_path, placement) == []
    disjoint = SPLIT_RULES.replace("env: lrt}", "line: paint}")
    assert r213(tmp_path, disjoint) == []


def test_argo_cd_delivery_writes_placements_not_rules(tmp_path: Path) -> None:
    argo = SPLIT_RULES.replace(
        "    placementKind: PlacementRule\n",
        "    placementKind: PlacementRule\n    delivery: argocd\n",
    )
    assert r213(tmp_path, argo) == []


NEVER = {
    "matchLabels against NotIn": (
        "{env: lrt}\n      matchExpressions: [{key: env, operator: NotIn, values: [lrt]}]\n",
        "no value of 'env' meets env In [lrt] and env NotIn [lrt]",
    ),
    "In against DoesNotExist": (
        "{line: a}\n      matchExpressions:\n"
        "        - {key: env, operator: In, values: [a]}\n"
        "        - {key: env, operator: DoesNotExist}\n",
        "'env' must be present (env In [a]) and absent (env DoesNotExist)",
    ),
    "In lists without a common value": (
        "{env: a}\n      matchExpressions: [{key: env, operator: In, values: [b, c]}]\n",
        "no value of 'env' meets env In [a] and env In [b, c]",
    ),
}


@pytest.mark.parametrize("case", sorted(NEVER))
def test_selector_that_can_never_match(tmp_path: Path, case: str) -> None:
    selector, reason = NEVER[case]
    text = BASE.replace("{env: lrt}\n", selector, 1)
    assert findings(tmp_path, text) == [(15, 5, "R214")]
    assert messages(tmp_path, text) == [
        f"catalogue.yaml:15:5: R214 [warning] target 'lrt': selector can never match any "
        f"cluster: {reason}"
    ]


def test_satisfiable_combinations_are_accepted(tmp_path: Path) -> None:
    text = BASE.replace(
        "{env: lrt}\n",
        "{env: lrt}\n      matchExpressions:\n"
        "        - {key: env, operator: NotIn, values: [other]}\n"
        "        - {key: env, operator: Exists}\n"
        "        - {key: gpu, operator: DoesNotExist}\n"
        "        - {key: gpu, operator: NotIn, values: [a]}\n",
        1,
    )
    assert findings(tmp_path, text) == []


def test_workload_selector_that_can_never_match(tmp_path: Path) -> None:
    text = BASE + (
        "  workloads:\n"
        "    - name: inspect\n"
        "      uses: [sktime]\n"
        "      matchLabels: {line: a}\n"
        "      matchExpressions: [{key: line, operator: DoesNotExist}]\n"
    )
    assert findings(tmp_path, text) == [(25, 7, "R214")]
