"""ManagedClusterSets of an inventory: which sites a set holds when it is not its label.

A Placement sees only the sites of the cluster sets it may use (`spec.hub.clusterSets`).
A set of `selectorType: ExclusiveClusterSetLabel` (the default) holds the clusters labelled
`cluster.open-cluster-management.io/clusterset=<set>`; one of `selectorType: LabelSelector`
holds the clusters its `labelSelector` matches, whatever that label says (OCM's `global`
set is one, with an empty selector). Without the sets in the inventory a plan can know only
the label; `kubectl get managedclusters,managedclustersets -o yaml` gives both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from edgemodels.catalogue.model import Requirement, Selector
from edgemodels.diagnostics import Location

KIND = "ManagedClusterSet"
EXCLUSIVE = "ExclusiveClusterSetLabel"
LABEL_SELECTOR = "LabelSelector"
# Every site has its `name` label, and no value is In an empty list.
MATCHES_NOTHING = Selector((), (Requirement("name", "In", ()),))
_OPERATORS = {"In": True, "NotIn": True, "Exists": False, "DoesNotExist": False}  # values?


@dataclass(frozen=True)
class ClusterSet:
    name: str
    selector: Selector | None  # None: the set holds the clusters labelled with its name
    location: Location


def read_cluster_set(item: dict[str, Any], where: Location) -> tuple[ClusterSet | None, str]:
    """A ManagedClusterSet item, or None and what is wrong with it."""
    metadata = item.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        return None, "ManagedClusterSet without metadata.name"
    spec = item.get("spec")
    chooser = spec.get("clusterSelector") if isinstance(spec, dict) else None
    if chooser is None:
        return ClusterSet(name, None, where), ""  # the API's default
    if not isinstance(chooser, dict):
        return None, f"cluster set {name}: spec.clusterSelector is not a mapping"
    kind = chooser.get("selectorType") or EXCLUSIVE  # OCM takes "" as the default too
    if kind == EXCLUSIVE:
        return ClusterSet(name, None, where), ""
    if kind != LABEL_SELECTOR:
        return None, (
            f"cluster set {name}: spec.clusterSelector.selectorType is {kind!r}, "
            f"expected {EXCLUSIVE} or {LABEL_SELECTOR}"
        )
    if chooser.get("labelSelector") is None:
        # OCM builds the set's selector with LabelSelectorAsSelector, which takes no
        # selector as one that matches nothing (an empty one matches everything).
        return ClusterSet(name, MATCHES_NOTHING, where), ""
    selector, problem = label_selector(chooser["labelSelector"])
    if selector is None:
        return None, f"cluster set {name}: spec.clusterSelector.labelSelector: {problem}"
    return ClusterSet(name, selector, where), ""


def label_selector(raw: Any) -> tuple[Selector | None, str]:
    """A metav1.LabelSelector, checked as the API server checks it."""
    if not isinstance(raw, dict):
        return None, "not a mapping"
    labels = raw.get("matchLabels") or {}
    if not isinstance(labels, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
    ):
        return None, "matchLabels must map label keys to string values"
    expressions = raw.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return None, "matchExpressions must be a list"
    requirements: list[Requirement] = []
    for entry in expressions:
        requirement = _requirement(entry)
        if requirement is None:
            return None, (
                "each matchExpressions entry needs a key, an operator of In, NotIn, Exists or "
                "DoesNotExist, and values (strings) exactly for In and NotIn"
            )
        requirements.append(requirement)
    return Selector(tuple(sorted(labels.items())), tuple(requirements)), ""


def _requirement(entry: object) -> Requirement | None:
    if not isinstance(entry, dict):
        return None
    key, operator, values = entry.get("key"), entry.get("operator"), entry.get("values") or []
    if not isinstance(key, str) or operator not in _OPERATORS:
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    if bool(values) != _OPERATORS[operator]:
        return None
    return Requirement(key, operator, tuple(values))


def listed_cluster_set(entry: dict[str, Any], where: Location) -> tuple[ClusterSet | None, str]:
    """A SiteInventory's `clusterSets` entry (its schema checked): `{name, labelSelector}`."""
    name = entry["name"]
    if "labelSelector" not in entry:
        return ClusterSet(name, None, where), ""
    selector, problem = label_selector(entry["labelSelector"])
    if selector is None:
        return None, f"cluster set {name}: labelSelector: {problem}"
    return ClusterSet(name, selector, where), ""
