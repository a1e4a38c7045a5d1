"""The hub objects of a tree by kind and namespace/name: Subscriptions, Channels, Placements
and their bindings, as the subscription and placement controllers resolve them.

The RHACM checks (acm_checks.py) and the Argo CD checks (argocd_checks.py) both resolve
references between hub objects, through this index: its name sets are built per kind on
first lookup, as a scan per lookup was quadratic in the fleet. It lives apart from both so
that neither check module depends on the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from edgemodels.validate.manifests import Manifest
from edgemodels.validate.pointers import Pointer, value_at

APPS = "apps.open-cluster-management.io"
CLUSTER = "cluster.open-cluster-management.io"
CHANNEL = (f"{APPS}/v1", "Channel")
PLACEMENT = (f"{CLUSTER}/v1beta1", "Placement")
PLACEMENT_RULE = (f"{APPS}/v1", "PlacementRule")
BINDING = (f"{CLUSTER}/v1beta2", "ManagedClusterSetBinding")
GITOPS_CLUSTER = (f"{APPS}/v1beta1", "GitOpsCluster")


class Index:
    """The hub objects by (apiVersion, kind) and namespace/name, for reference checks."""

    def __init__(self, manifests: Iterable[Manifest]) -> None:
        self.by_kind: dict[tuple[str, str], list[Manifest]] = {}
        for m in manifests:
            self.by_kind.setdefault((m.api_version, m.kind), []).append(m)
        self._names: dict[tuple[str, str], set[tuple[str, str]]] = {}
        self._channels: dict[tuple[str, str], Manifest] | None = None

    def of(self, key: tuple[str, str]) -> list[Manifest]:
        return self.by_kind.get(key, [])

    def has(self, key: tuple[str, str], namespace: str, name: str) -> bool:
        names = self._names.get(key)
        if names is None:  # a set per kind: a scan per lookup was quadratic in the fleet
            names = self._names[key] = {(m.namespace, m.name) for m in self.of(key)}
        return (namespace, name) in names

    def channel(self, namespace: str, name: str) -> Manifest | None:
        if self._channels is None:
            self._channels = {(m.namespace, m.name): m for m in self.of(CHANNEL)}
        return self._channels.get((namespace, name))

    def bindings(self, namespace: str) -> set[str]:
        return {m.name for m in self.of(BINDING) if m.namespace == namespace}


def string_at(data: Mapping[str, object], pointer: Pointer) -> str | None:
    value = value_at(data, pointer)
    return value if isinstance(value, str) else None
