"""The sites a plan is computed for, as the inventory (inventory.py) gives them.

Every site carries the label `name=<site>`, as OCM gives every ManagedCluster; its facts
(arch, image volumes, production) are labels too, so targets can select on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from edgemodels.catalogue.model import NOWHERE
from edgemodels.clustersets import ClusterSet
from edgemodels.clusterstatus import ClusterState
from edgemodels.diagnostics import Location

PRODUCTION_LABEL = "edgemodels.io/production"


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


def site_labels(inventory: Inventory) -> list[Mapping[str, str]]:
    return [site.label_map() for site in inventory.sites]
