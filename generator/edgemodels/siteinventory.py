"""A `kind: SiteInventory` (schemas/inventory.schema.json): `sites: [{name, labels,
capacity: {storage}, arch, imageVolumes, production, taints}]` and `clusterSets` (the hub's
ManagedClusterSets, edgemodels.clustersets).

The facts are also set as labels (`kubernetes.io/arch`, `edgemodels.io/image-volumes`,
`edgemodels.io/production`) so targets can select on them; a label that contradicts its
fact is an error (D203).
"""

from __future__ import annotations

from edgemodels.catalogue.model import ARCH_LABEL, IMAGE_VOLUME_LABEL
from edgemodels.clustersets import ClusterSet, listed_cluster_set
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.managedclusters import read_taints
from edgemodels.placement import CLUSTER_NAME_LABEL
from edgemodels.plan.quantity import parse_bytes
from edgemodels.plan.schemacheck import schema_findings
from edgemodels.sites import PRODUCTION_LABEL, Site
from edgemodels.yamlio import YamlFile
from edgemodels.yamltree import PosMap

_FACT_LABELS = (
    ("arch", ARCH_LABEL),
    ("imageVolumes", IMAGE_VOLUME_LABEL),
    ("production", PRODUCTION_LABEL),
)


def read_site_inventory(
    yf: YamlFile,
) -> tuple[list[Site], list[ClusterSet], list[Diagnostic]]:
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
                taints=read_taints(entry),
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
