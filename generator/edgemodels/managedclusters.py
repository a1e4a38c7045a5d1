"""The output of `kubectl get managedclusters -o yaml` on the hub as sites: a `List` (or
`ManagedClusterList`) of ManagedCluster, or one ManagedCluster.

Names and labels come from `metadata`; the facts are read from the same labels, the
storage capacity from the label `edgemodels.io/model-storage` (a quantity such as `20Gi`),
and the taints (key and effect) from `spec.taints`, since a Placement skips a cluster whose
NoSelect taint it does not tolerate; what the status says, from edgemodels.clusterstatus.
ManagedClusterSets in the same list (`kubectl get managedclusters,managedclustersets -o
yaml`) are read too (edgemodels.clustersets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from edgemodels.catalogue.model import ARCH_LABEL, IMAGE_VOLUME_LABEL
from edgemodels.catalogue.schemawords import yaml_type
from edgemodels.clustersets import ClusterSet, read_cluster_set
from edgemodels.clusterstatus import newest, read_state, times
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.placement import CLUSTER_NAME_LABEL
from edgemodels.plan.quantity import parse_bytes
from edgemodels.sites import PRODUCTION_LABEL, Site
from edgemodels.yamlio import YamlFile
from edgemodels.yamltree import PosMap, PosSeq

STORAGE_LABEL = "edgemodels.io/model-storage"
MANAGED_CLUSTER_LISTS = frozenset({"List", "ManagedClusterList"})
# Kinds of the hub's cluster API that an export may hold besides clusters and sets
# (`kubectl get managedclusters,managedclustersets,managedclustersetbindings -A`): they
# say nothing about the sites (generate writes the bindings its Placements need), so
# they are passed over without a word.
QUIETLY_SKIPPED = frozenset({"ManagedClusterSetBinding", "Placement", "PlacementDecision"})
MAX_SITES = 100_000  # Limits (README, "Limits")


def _items(data: PosMap) -> tuple[list[Any], list[tuple[int, int]]]:
    """The items of a List and their positions; one ManagedCluster is a list of itself."""
    if data.get("kind") == "ManagedCluster":
        return [data], [data.pos]
    items = data.get("items")
    return (items, items.item_pos) if isinstance(items, PosSeq) else ([], [])


def items_of(data: PosMap) -> list[Any]:
    return _items(data)[0]


def newest_time(items: Iterable[Any]) -> str:
    """The newest time the export states of its items (edgemodels.clusterstatus)."""
    return newest(t for item in items if isinstance(item, dict) for t in times(item))


def read_managed_clusters(
    yf: YamlFile,
) -> tuple[list[Site], list[ClusterSet], list[Diagnostic]]:
    data = yf.data
    if data.get("kind") != "ManagedCluster" and not isinstance(data.get("items"), PosSeq):
        where = Location(yf.path, *data.pos)
        return [], [], [finding(where, "S002", "missing-field", "items: a list is required")]
    return read_items(yf.path, *_items(data))


def read_items(
    path: str,
    items: Sequence[Any],
    positions: Sequence[tuple[int, int]],
    positioned: Callable[[int], Any] | None = None,
) -> tuple[list[Site], list[ClusterSet], list[Diagnostic]]:
    """Sites and sets of the items. Items read without positions (exportread.py) come
    with `positioned`, which reads item N again with them: an item with a finding is
    read again, so that the finding names its place."""
    if len(items) > MAX_SITES:
        where = Location(path, *positions[MAX_SITES])
        message = f"{len(items)} sites; the limit is {MAX_SITES}"
        return [], [], [finding(where, "D205", "too-many-sites", message)]
    sites: list[Site] = []
    sets: list[ClusterSet] = []
    diags: list[Diagnostic] = []
    for index, (item, pos) in enumerate(zip(items, positions, strict=True)):
        where = Location(path, *pos)
        entry, found = _read_item(path, item, where)
        if found and positioned is not None:
            entry, found = _read_item(path, positioned(index), where)
        diags += found
        if isinstance(entry, ClusterSet):
            sets.append(entry)
        elif entry is not None:
            sites.append(entry)
    return sites, sets, diags


def _read_item(
    path: str, item: Any, where: Location
) -> tuple[Site | ClusterSet | None, list[Diagnostic]]:
    if isinstance(item, dict) and item.get("kind") in QUIETLY_SKIPPED:
        return None, []
    if isinstance(item, dict) and item.get("kind") == "ManagedClusterSet":
        cluster_set, problem = read_cluster_set(item, where)
        if cluster_set is None:
            return None, [finding(where, "D211", "invalid-cluster-set", problem)]
        return cluster_set, []
    return _managed_cluster(path, item, where)


def _value_pos(mapping: dict[str, Any], key: str, where: Location) -> tuple[int, int]:
    """Where a value stands; an item read without positions (read again when it has a
    finding) says its own place."""
    if isinstance(mapping, PosMap):
        return mapping.value_pos[key]
    return where.line, where.col


def _managed_cluster(path: str, item: Any, where: Location) -> tuple[Site | None, list[Diagnostic]]:
    if not isinstance(item, dict) or item.get("kind", "ManagedCluster") != "ManagedCluster":
        kind = item.get("kind") if isinstance(item, dict) else f"a {yaml_type(item)}"
        return None, [
            finding(
                where, "D206", "skipped-item", f"not a ManagedCluster ({kind}); skipped", "warning"
            )
        ]
    metadata = item.get("metadata")
    if not isinstance(metadata, dict) or not _named(metadata):
        return None, [_unnamed(path, metadata, where)]
    name: str = metadata["name"]
    raw = metadata.get("labels")
    if raw is None:
        raw = {}
    elif not isinstance(raw, dict):  # dropping them would leave the site unlabelled
        message = f"cluster {name}: metadata.labels: expected mapping, got {yaml_type(raw)}"
        at = Location(path, *_value_pos(metadata, "labels", where))
        return None, [finding(at, "S003", "wrong-type", message)]
    labels, diags = _string_labels(path, name, raw, where)
    labels.setdefault(CLUSTER_NAME_LABEL, name)
    capacity = None
    if STORAGE_LABEL in labels:
        capacity = parse_bytes(labels[STORAGE_LABEL])
        if capacity is None:
            diags.append(
                finding(
                    Location(path, *_value_pos(raw, STORAGE_LABEL, where)),
                    "D204",
                    "invalid-capacity",
                    f"cluster {name}: {STORAGE_LABEL}={labels[STORAGE_LABEL]} is not a quantity "
                    "such as 20Gi",
                )
            )
    volumes = labels.get(IMAGE_VOLUME_LABEL)
    site = Site(
        name=name,
        labels=tuple(sorted(labels.items())),
        capacity=capacity,
        arch=labels.get(ARCH_LABEL),
        image_volumes=None if volumes is None else volumes == "true",
        production=labels.get(PRODUCTION_LABEL) == "true",
        location=where,
        taints=read_taints(item.get("spec")),
        state=read_state(item),
    )
    return site, diags


def _named(metadata: dict[str, Any]) -> bool:
    name = metadata.get("name")
    return isinstance(name, str) and name != ""


def _unnamed(path: str, metadata: object, where: Location) -> Diagnostic:
    """A ManagedCluster whose metadata.name is missing, empty or not a string."""
    if not isinstance(metadata, dict) or metadata.get("name") is None:
        return finding(where, "S002", "missing-field", "ManagedCluster without metadata.name")
    name = metadata["name"]
    got = "an empty string" if name == "" else f"{yaml_type(name)} {name}"
    at = Location(path, *_value_pos(metadata, "name", where))
    return finding(at, "S003", "wrong-type", f"metadata.name: expected a name, got {got}")


def read_taints(spec: object) -> tuple[tuple[str, str], ...]:
    """(key, effect) of each taint. The API server has checked their shape on the hub, so
    an entry that is not a taint (a hand-edited file) is passed over rather than refused."""
    taints = spec.get("taints") if isinstance(spec, dict) else None
    if not isinstance(taints, list):
        return ()
    return tuple(
        (taint["key"], taint["effect"])
        for taint in taints
        if isinstance(taint, dict)
        and isinstance(taint.get("key"), str)
        and isinstance(taint.get("effect"), str)
    )


def _string_labels(
    path: str, cluster: str, raw: dict[str, Any], where: Location
) -> tuple[dict[str, str], list[Diagnostic]]:
    labels: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for key, value in raw.items():
        if isinstance(value, str):
            labels[key] = value
            continue
        diags.append(
            finding(
                Location(path, *_value_pos(raw, key, where)),
                "S003",
                "wrong-type",
                f"cluster {cluster}: label {key}: expected string, got {yaml_type(value)}"
                + (" (put it in quotes)" if isinstance(value, (bool, int, float)) else ""),
            )
        )
    return labels, diags
