"""The sites a plan is computed for, read from a SiteInventory (siteinventory.py) or from
the hub's ManagedClusters (managedclusters.py), and what holds for both: one document,
each site and cluster set listed once, at least one site."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from edgemodels.catalogue.schemawords import yaml_type
from edgemodels.clustersets import ClusterSet
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.exportitems import Export, Unreadable
from edgemodels.exportread import read_export
from edgemodels.inputfile import parse_document, read_input
from edgemodels.managedclusters import (
    MANAGED_CLUSTER_LISTS,
    items_of,
    newest_time,
    read_items,
    read_managed_clusters,
)
from edgemodels.siteinventory import read_site_inventory
from edgemodels.sites import Inventory, Site
from edgemodels.yamlfindings import EMPTY_SECOND_DOCUMENT
from edgemodels.yamltree import PosMap


def load_inventory(
    path: Path, shown: str | None = None
) -> tuple[Inventory | None, list[Diagnostic]]:
    """Sites from a SiteInventory or a ManagedCluster list; problems come back as findings.
    A hub export is read without positions where it can be (exportread.py)."""
    name, text, diags = read_input(path, shown)
    if text is None:
        return None, diags
    try:
        export = read_export(text, name)
        if export is not None:
            return _from_export(name, export)
    except Unreadable:
        pass  # read whole, with positions, as any inventory
    yf, diags = parse_document(text, name)
    if diags:
        return None, _one_document(diags)
    data = yf.data
    kind = data.get("kind") if isinstance(data, PosMap) else None
    if not isinstance(kind, str):
        kind = None  # `kind: [..]` is unhashable: the set lookup below used to crash
    sets: list[ClusterSet] = []
    stamp = ""
    if kind == "SiteInventory":
        sites, sets, diags = read_site_inventory(yf)
    elif kind in MANAGED_CLUSTER_LISTS or kind == "ManagedCluster":
        sites, sets, diags = read_managed_clusters(yf)
        stamp = newest_time(items_of(yf.data))
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
    key = "sites" if kind == "SiteInventory" else "items"
    where = Location(yf.path, *data.value_pos.get(key, data.pos))
    return _inventory(where, str(kind), sites, sets, diags, stamp)


def _from_export(name: str, export: Export) -> tuple[Inventory | None, list[Diagnostic]]:
    sites, sets, diags = read_items(name, export.items, export.positions, export.positioned)
    where = Location(name, *export.items_pos)
    return _inventory(where, export.kind, sites, sets, diags, newest_time(export.items))


def _inventory(
    where: Location,
    kind: str,
    sites: list[Site],
    sets: list[ClusterSet],
    diags: list[Diagnostic],
    stamp: str,
) -> tuple[Inventory | None, list[Diagnostic]]:
    """What holds for every inventory: each site and set listed once, at least one site.
    `where`: the list of sites, where an empty one is named."""
    diags += _listed_twice(sites, "site", "D202", "duplicate-site")
    diags += _listed_twice(sets, "cluster set", "D211", "invalid-cluster-set")
    if not sites and not _has_errors(diags):
        diags.append(_no_sites(where))
    if _has_errors(diags):
        return None, diags
    return Inventory(where.path, kind, tuple(sites), tuple(sets), stamp), diags


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
        if d.code == "Y006" and d.message != EMPTY_SECOND_DOCUMENT
        else d
        for d in diags
    ]


def _has_errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diags)


def _no_sites(where: Location) -> Diagnostic:
    """An empty inventory (a hub query that returned nothing, a wrong kubeconfig) would
    make every model look removed from nowhere, and the mass-removal guard never fire."""
    return finding(
        where,
        "D209",
        "no-sites",
        "the inventory lists no site: a plan needs the sites (check the hub query or the file)",
    )


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
