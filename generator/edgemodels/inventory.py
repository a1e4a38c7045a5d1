"""The sites a plan is computed for, read from a SiteInventory or from ManagedClusters.

Accepted documents:

- `kind: SiteInventory` (schemas/inventory.schema.json): `sites: [{name, labels, capacity:
  {storage}, arch, imageVolumes, production}]`. The facts are also set as labels
  (`kubernetes.io/arch`, `edgemodels.io/image-volumes`, `edgemodels.io/production`) so
  targets can select on them; a label that contradicts its fact is an error. Optional
  `taints` per site and `clusterSets` (the hub's ManagedClusterSets) as below.
- The output of `kubectl get managedclusters -o yaml` on the hub: a `List` (or
  `ManagedClusterList`) of ManagedCluster, or one ManagedCluster. Names and labels come from
  `metadata`; the facts are read from the same labels, and the storage capacity from the
  label `edgemodels.io/model-storage` (a quantity such as `20Gi`), and the taints (key and
  effect) from `spec.taints`, since a Placement skips a cluster whose NoSelect taint it does
  not tolerate. ManagedClusterSets in the same list (`kubectl get
  managedclusters,managedclustersets -o yaml`) are read too (edgemodels.clustersets).

Every site carries the label `name=<site>`, as OCM gives every ManagedCluster.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from edgemodels.catalogue.model import ARCH_LABEL, IMAGE_VOLUME_LABEL, NOWHERE
from edgemodels.catalogue.schema import yaml_type
from edgemodels.clustersets import ClusterSet, listed_cluster_set, read_cluster_set
from edgemodels.clusterstatus import ClusterState, newest, read_state, times
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.errors import InputError
from edgemodels.placement import CLUSTER_NAME_LABEL
from edgemodels.plan.quantity import parse_bytes
from edgemodels.plan.schemacheck import schema_findings
from edgemodels.yamlio import YamlFile
from edgemodels.yamltree import PosMap, PosSeq, parse_text

API_VERSION = "edgemodels.io/v1alpha1"
PRODUCTION_LABEL = "edgemodels.io/production"
STORAGE_LABEL = "edgemodels.io/model-storage"
MANAGED_CLUSTER_LISTS = frozenset({"List", "ManagedClusterList"})
MANAGED_CLUSTER_API = "cluster.open-cluster-management.io/v1"
# Kinds of the hub's cluster API that an export may hold besides clusters and sets
# (`kubectl get managedclusters,managedclustersets,managedclustersetbindings -A`): they
# say nothing about the sites (generate writes the bindings its Placements need), so
# they are passed over without a word.
QUIETLY_SKIPPED = frozenset({"ManagedClusterSetBinding", "Placement", "PlacementDecision"})

# Limits (README, "Limits"): a hub's full ManagedCluster list with status is large.
MAX_INPUT_BYTES = 64 * 1024 * 1024
STDIN = "-"  # the file argument that names standard input
STDIN_NAME = "<stdin>"  # how findings name it
MAX_SITES = 100_000


@dataclass(frozen=True)
class Site:
    name: str
    labels: tuple[tuple[str, str], ...]  # sorted by key
    capacity: int | None = None  # bytes of storage for container models
    arch: str | None = None
    image_volumes: bool | None = None
    production: bool = False
    location: Location = NOWHERE
    taints: tuple[tuple[str, str], ...] = ()  # (key, effect) of a ManagedCluster's spec.taints
    state: ClusterState | None = None  # what a hub export says of it (None: not known)

    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


@dataclass(frozen=True)
class Inventory:
    path: str
    kind: str
    sites: tuple[Site, ...]
    # The ManagedClusterSets listed with the clusters (`kubectl get
    # managedclusters,managedclustersets -o yaml`); empty: the plan knows sets by label only.
    cluster_sets: tuple[ClusterSet, ...] = ()
    # The newest time a hub export states (edgemodels.clusterstatus), "" if none.
    newest: str = ""


def read_document(path: Path, shown: str | None = None) -> tuple[YamlFile, list[Diagnostic]]:
    """One YAML document with positions, within MAX_INPUT_BYTES; `-` is standard input
    (`kubectl get managedclusters -o yaml | edgemodels plan -i -`), named `<stdin>`. A file
    that cannot be read raises InputError (exit 2); what is wrong inside a readable one
    comes back as findings."""
    stdin = path.as_posix() == STDIN
    name = STDIN_NAME if stdin else shown or path.as_posix()
    top = Location(name, 1, 1)
    try:
        # A pipe has no size to ask first: read one byte beyond the limit.
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1) if stdin else None
        size = len(data) if data is not None else path.stat().st_size
        if size > MAX_INPUT_BYTES:
            held = f"{size} bytes" if data is None else f"over {MAX_INPUT_BYTES} bytes"
            message = f"file is {held}; the limit is {MAX_INPUT_BYTES}"
            return YamlFile(name, "", None), [finding(top, "Y008", "input-too-large", message)]
        text = (data if data is not None else path.read_bytes()).decode("utf-8")
        text = text.removeprefix("\ufeff")
    except OSError as exc:  # not there to read (a folder, no permission): I/O, exit 2
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        return YamlFile(name, "", None), [finding(top, "Y004", "not-utf8", "not valid UTF-8")]
    data, diags = parse_text(text, name)
    if data is None and not diags:
        diags = [finding(top, "Y005", "empty-file", "file is empty")]
    return YamlFile(name, text, data), diags


def load_inventory(
    path: Path, shown: str | None = None
) -> tuple[Inventory | None, list[Diagnostic]]:
    """Sites from a SiteInventory or a ManagedCluster list; problems come back as findings."""
    yf, diags = read_document(path, shown)
    if diags:
        return None, _one_document(diags)
    data = yf.data
    kind = data.get("kind") if isinstance(data, PosMap) else None
    if not isinstance(kind, str):
        kind = None  # `kind: [..]` is unhashable: the set lookup below used to crash
    sets: list[ClusterSet] = []
    stamp = ""
    if kind == "SiteInventory":
        sites, sets, diags = _site_inventory(yf)
    elif kind in MANAGED_CLUSTER_LISTS or kind == "ManagedCluster":
        sites, sets, diags = _managed_clusters(yf)
        stamp = newest(
            t for item in _items(yf.data)[0] if isinstance(item, PosMap) for t in times(item)
        )
    else:
        return None, [
            finding(
                Location(yf.path, *getattr(data, "pos", (1, 1))),
                "D201",
                "inventory-kind",
                "not a site inventory: expected kind SiteInventory, or the output of "
                "`kubectl get managedclusters -o yaml` (a List of ManagedCluster); "
                + _what_it_is(data),
            )
        ]
    diags += _listed_twice(sites, "site", "D202", "duplicate-site")
    diags += _listed_twice(sets, "cluster set", "D211", "invalid-cluster-set")
    if not sites and not _has_errors(diags):
        diags.append(_no_sites(yf, "sites" if kind == "SiteInventory" else "items"))
    if _has_errors(diags):
        return None, diags
    return Inventory(yf.path, str(kind), tuple(sites), tuple(sets), stamp), diags


def _what_it_is(data: object) -> str:
    """What a file given as the inventory holds instead (the wrong file, or kubectl's
    table or error text)."""
    if isinstance(data, PosMap):
        kind = data.get("kind")
        if kind == "Config":
            return "got a kubeconfig (kind Config)"
        return f"got kind {kind}" if isinstance(kind, str) else "got a mapping without a kind"
    if isinstance(data, str):
        return "got plain text (kubectl's table or a message: ask for -o yaml)"
    return f"got a {yaml_type(data)}"


def _one_document(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Y006 says what an inventory is instead: one document, whatever its number of sites."""
    return [
        replace(
            d,
            message="more than one YAML document: an inventory is one, a List of every "
            "cluster (`kubectl get managedclusters -o yaml`)",
        )
        if d.code == "Y006"
        else d
        for d in diags
    ]


def _has_errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diags)


def _no_sites(yf: YamlFile, key: str) -> Diagnostic:
    """An empty inventory (a hub query that returned nothing, a wrong kubeconfig) would
    make every model look removed from nowhere, and the mass-removal guard never fire."""
    data = yf.data
    pos = data.value_pos.get(key, data.pos)
    return finding(
        Location(yf.path, *pos),
        "D209",
        "no-sites",
        "the inventory lists no site: a plan needs the sites (check the hub query or the file)",
    )


# --- SiteInventory ---------------------------------------------------------------------------

_FACT_LABELS = (
    ("arch", ARCH_LABEL),
    ("imageVolumes", IMAGE_VOLUME_LABEL),
    ("production", PRODUCTION_LABEL),
)


def _site_inventory(yf: YamlFile) -> tuple[list[Site], list[ClusterSet], list[Diagnostic]]:
    diags = schema_findings(yf, "inventory.schema.json")
    if diags:
        return [], [], diags
    sites: list[Site] = []
    for number, entry in enumerate(yf.data["sites"]):
        labels, found = _with_facts(yf.path, entry)
        diags += found
        storage = entry.get("capacity", {}).get("storage")
        sites.append(
            Site(
                name=entry["name"],
                labels=tuple(sorted(labels.items())),
                capacity=parse_bytes(storage) if storage is not None else None,
                arch=entry.get("arch"),
                image_volumes=entry.get("imageVolumes"),
                production=bool(entry.get("production", False)),
                location=Location(yf.path, *yf.data["sites"].item_pos[number]),
                taints=_taints(entry),
            )
        )
    sets: list[ClusterSet] = []
    listed = yf.data.get("clusterSets", [])
    for number, raw in enumerate(listed):
        where = Location(yf.path, *listed.item_pos[number])
        cluster_set, problem = listed_cluster_set(raw, where)
        if cluster_set is None:
            diags.append(finding(where, "D211", "invalid-cluster-set", problem))
        else:
            sets.append(cluster_set)
    return sites, sets, diags


def _with_facts(path: str, entry: PosMap) -> tuple[dict[str, str], list[Diagnostic]]:
    """The site's labels plus its facts as labels; a label contradicting its fact is D203."""
    labels = dict(entry.get("labels", {}))
    diags = []
    for field_name, label in (*_FACT_LABELS, ("name", CLUSTER_NAME_LABEL)):
        if field_name not in entry:
            continue
        fact = _label_text(entry[field_name])
        given = labels.setdefault(label, fact)
        if given != fact:
            where = Location(path, *entry["labels"].value_pos[label])
            message = (
                f"site {entry['name']}: label {label}={given} contradicts {field_name}: {fact}"
            )
            diags.append(finding(where, "D203", "label-conflict", message))
    return labels, diags


def _label_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- ManagedCluster list ---------------------------------------------------------------------


def _items(data: PosMap) -> tuple[list[Any], list[tuple[int, int]]]:
    """The items of a List and their positions; one ManagedCluster is a list of itself."""
    if data.get("kind") == "ManagedCluster":
        return [data], [data.pos]
    items = data.get("items")
    return (items, items.item_pos) if isinstance(items, PosSeq) else ([], [])


def _managed_clusters(yf: YamlFile) -> tuple[list[Site], list[ClusterSet], list[Diagnostic]]:
    data = yf.data
    if data.get("kind") != "ManagedCluster" and not isinstance(data.get("items"), PosSeq):
        where = Location(yf.path, *data.pos)
        return [], [], [finding(where, "S002", "missing-field", "items: a list is required")]
    items, positions = _items(data)
    if len(items) > MAX_SITES:
        where = Location(yf.path, *positions[MAX_SITES])
        message = f"{len(items)} sites; the limit is {MAX_SITES}"
        return [], [], [finding(where, "D205", "too-many-sites", message)]
    sites: list[Site] = []
    sets: list[ClusterSet] = []
    diags: list[Diagnostic] = []
    for item, pos in zip(items, positions, strict=True):
        where = Location(yf.path, *pos)
        if isinstance(item, PosMap) and item.get("kind") in QUIETLY_SKIPPED:
            continue
        if isinstance(item, PosMap) and item.get("kind") == "ManagedClusterSet":
            cluster_set, problem = read_cluster_set(item, where)
            if cluster_set is None:
                diags.append(finding(where, "D211", "invalid-cluster-set", problem))
            else:
                sets.append(cluster_set)
            continue
        site, found = _managed_cluster(yf.path, item, where)
        diags += found
        if site is not None:
            sites.append(site)
    return sites, sets, diags


def _managed_cluster(path: str, item: Any, where: Location) -> tuple[Site | None, list[Diagnostic]]:
    if not isinstance(item, PosMap) or item.get("kind", "ManagedCluster") != "ManagedCluster":
        kind = item.get("kind") if isinstance(item, PosMap) else f"a {yaml_type(item)}"
        return None, [
            finding(
                where, "D206", "skipped-item", f"not a ManagedCluster ({kind}); skipped", "warning"
            )
        ]
    metadata = item.get("metadata")
    if not isinstance(metadata, PosMap) or not _named(metadata):
        return None, [_unnamed(path, metadata, where)]
    name: str = metadata["name"]
    raw = metadata.get("labels")
    if raw is None:
        raw = PosMap((where.line, where.col))
    elif not isinstance(raw, PosMap):  # dropping them would leave the site unlabelled
        message = f"cluster {name}: metadata.labels: expected mapping, got {yaml_type(raw)}"
        at = Location(path, *metadata.value_pos["labels"])
        return None, [finding(at, "S003", "wrong-type", message)]
    labels, diags = _string_labels(path, name, raw)
    labels.setdefault(CLUSTER_NAME_LABEL, name)
    capacity = None
    if STORAGE_LABEL in labels:
        capacity = parse_bytes(labels[STORAGE_LABEL])
        if capacity is None:
            diags.append(
                finding(
                    Location(path, *raw.value_pos[STORAGE_LABEL]),
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
        taints=_taints(item.get("spec")),
        state=read_state(item),
    )
    return site, diags


def _named(metadata: PosMap) -> bool:
    name = metadata.get("name")
    return isinstance(name, str) and name != ""


def _unnamed(path: str, metadata: object, where: Location) -> Diagnostic:
    """A ManagedCluster whose metadata.name is missing, empty or not a string."""
    if not isinstance(metadata, PosMap) or metadata.get("name") is None:
        return finding(where, "S002", "missing-field", "ManagedCluster without metadata.name")
    name = metadata["name"]
    got = "an empty string" if name == "" else f"{yaml_type(name)} {name}"
    at = Location(path, *metadata.value_pos["name"])
    return finding(at, "S003", "wrong-type", f"metadata.name: expected a name, got {got}")


def _taints(spec: object) -> tuple[tuple[str, str], ...]:
    """(key, effect) of each taint. The API server has checked their shape on the hub, so
    an entry that is not a taint (a hand-edited file) is passed over rather than refused."""
    taints = spec.get("taints") if isinstance(spec, PosMap) else None
    if not isinstance(taints, PosSeq):
        return ()
    return tuple(
        (taint["key"], taint["effect"])
        for taint in taints
        if isinstance(taint, PosMap)
        and isinstance(taint.get("key"), str)
        and isinstance(taint.get("effect"), str)
    )


def _string_labels(path: str, cluster: str, raw: PosMap) -> tuple[dict[str, str], list[Diagnostic]]:
    labels: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for key, value in raw.items():
        if isinstance(value, str):
            labels[key] = value
            continue
        diags.append(
            finding(
                Location(path, *raw.value_pos[key]),
                "S003",
                "wrong-type",
                f"cluster {cluster}: label {key}: expected string, got {yaml_type(value)}"
                + (" (put it in quotes)" if isinstance(value, (bool, int, float)) else ""),
            )
        )
    return labels, diags


def _listed_twice(
    entries: Sequence[Site | ClusterSet], what: str, code: str, name: str
) -> list[Diagnostic]:
    first: dict[str, Site | ClusterSet] = {}
    diags: list[Diagnostic] = []
    for entry in entries:
        if entry.name in first:
            message = (
                f"{what} {entry.name} is listed twice "
                f"(first at line {first[entry.name].location.line})"
            )
            diags.append(finding(entry.location, code, name, message))
        else:
            first[entry.name] = entry
    return diags


def site_labels(inventory: Inventory) -> list[Mapping[str, str]]:
    return [site.label_map() for site in inventory.sites]


# --- workload placement export ---------------------------------------------------------------


@dataclass(frozen=True)
class WorkloadSites:
    """Where one workload runs, according to the workload placement system."""

    name: str
    sites: tuple[str, ...]
    location: Location


def load_workload_sites(
    path: Path, shown: str | None = None
) -> tuple[tuple[WorkloadSites, ...] | None, list[Diagnostic]]:
    """A `kind: WorkloadPlacement` file: `workloads: [{name, sites: [...]}]`."""
    yf, diags = read_document(path, shown)
    if diags:
        return None, diags
    if not isinstance(yf.data, PosMap) or yf.data.get("kind") != "WorkloadPlacement":
        where = Location(yf.path, *getattr(yf.data, "pos", (1, 1)))
        message = "not a workload placement file: expected kind WorkloadPlacement"
        return None, [finding(where, "D207", "workload-file-kind", message)]
    diags = schema_findings(yf, "workload-placement.schema.json")
    if diags:
        return None, diags
    found: list[WorkloadSites] = []
    seen: dict[str, Location] = {}
    for number, entry in enumerate(yf.data["workloads"]):
        where = Location(yf.path, *yf.data["workloads"].item_pos[number])
        name = entry["name"]
        if name in seen:
            message = f"workload {name} is listed twice (first at line {seen[name].line})"
            diags.append(finding(where, "D208", "duplicate-workload", message))
            continue
        seen[name] = where
        found.append(WorkloadSites(name, tuple(entry["sites"]), where))
    if diags:
        return None, diags
    return tuple(found), []
