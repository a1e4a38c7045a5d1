"""What a hub export says of a ManagedCluster beyond its labels: whether the hub can place
anything on it, and when the export last saw a change.

- Being deleted (`metadata.deletionTimestamp`): neither a Placement nor a PlacementRule
  selects it (OCM `pkg/placement/controllers/scheduling/helpers.go` GetAvailableClusters;
  the subscription operator's `pkg/placementrule/utils/placement.go`
  PlaceByGenericPlacmentFields), so the plan places nothing there.
- Not accepted (`spec.hubAcceptsClient: false`), or its condition
  `ManagedClusterConditionAvailable` False, Unknown or never reported: the hub taints it
  `unavailable` or `unreachable` (OCM `pkg/registration/hub/taint/controller.go`), which the
  generated Placements tolerate and PlacementRules do not read, so it is selected, but
  nothing reaches it until it is back.

An export carries no time of its own: the newest time in it (a condition's
lastTransitionTime, a taint's timeAdded, a creation or deletion time) is the latest moment
it is known to describe, a lower bound of when it was taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

AVAILABLE = "ManagedClusterConditionAvailable"
# The taints the hub puts on a cluster it cannot reach, which the generated Placements
# tolerate (render/acm.py) and the plan reads (plan/evaluate.py).
OFFLINE_TAINTS = (
    "cluster.open-cluster-management.io/unreachable",
    "cluster.open-cluster-management.io/unavailable",
)


@dataclass(frozen=True)
class ClusterState:
    deleting: bool = False
    accepted: bool = True
    available: str = "True"  # the Available condition's status; "" when never reported
    since: str = ""  # when it took that status (lastTransitionTime), or ""
    offline_since: str = ""  # timeAdded of its unreachable or unavailable taint, or ""

    @property
    def ready(self) -> bool:
        return not self.deleting and self.accepted and self.available == "True"


def read_state(item: dict[str, Any]) -> ClusterState | None:
    """The cluster's state, or None when the item carries no status (a hand-written list:
    nothing to say)."""
    metadata, spec, status = (_mapping(item.get(key)) for key in ("metadata", "spec", "status"))
    deleting = metadata.get("deletionTimestamp") is not None
    accepted = spec.get("hubAcceptsClient") is not False
    if "status" not in item and not deleting and accepted:
        return None
    condition = next(
        (c for c in _mappings(status.get("conditions")) if c.get("type") == AVAILABLE), None
    )
    available = _text(condition.get("status")) if condition is not None else ""
    since = _text(condition.get("lastTransitionTime")) if condition is not None else ""
    offline = next(
        (t for t in _mappings(spec.get("taints")) if t.get("key") in OFFLINE_TAINTS), None
    )
    offline_since = _text(offline.get("timeAdded")) if offline is not None else ""
    return ClusterState(deleting, accepted, available, since, offline_since)


def times(item: dict[str, Any]) -> Iterable[str]:
    """Every time the item states about itself."""
    metadata, spec, status = (_mapping(item.get(key)) for key in ("metadata", "spec", "status"))
    yield _text(metadata.get("creationTimestamp"))
    yield _text(metadata.get("deletionTimestamp"))
    yield from (_text(c.get("lastTransitionTime")) for c in _mappings(status.get("conditions")))
    yield from (_text(t.get("timeAdded")) for t in _mappings(spec.get("taints")))


def newest(stamps: Iterable[str]) -> str:
    """The latest of RFC 3339 times (as written), "" if none parses."""
    best: tuple[datetime, str] | None = None
    for stamp in set(stamps):  # a fleet's times repeat: each parsed once
        when = parse_time(stamp)
        if when is not None and (best is None or (when, stamp) > best):
            best = (when, stamp)
    return best[1] if best is not None else ""


def parse_time(stamp: str) -> datetime | None:
    """A Kubernetes time (`2026-11-30T23:50:00Z`); None for anything else, or one without
    a zone, which cannot be compared."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _mappings(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
