"""Kubernetes label selectors and OCM Placement semantics, evaluated over an index of sites.

Semantics (Kubernetes `LabelSelector`, OCM `Placement`):

- matchLabels and matchExpressions are ANDed; every requirement is ANDed.
- `In`: the key is present with one of the values. `NotIn`: the key is absent or its value
  is not one of the values. `Exists`: the key is present. `DoesNotExist`: the key is absent.
- An empty selector matches every site.
- A Placement's predicates are ORed; a Placement without predicates selects every site.
- `clusterSets` restrict a Placement to the member sites of those sets. Membership is the
  label `cluster.open-cluster-management.io/clusterset`; a site without it belongs to
  `default` (OCM adds unlabelled clusters there) and every site belongs to `global`. When
  the inventory lists its ManagedClusterSets (edgemodels.clustersets), a set of
  `selectorType: LabelSelector` holds the sites its selector matches, and a set it does not
  list holds no site.

Sites are numbered 0..n-1 and a set of sites is a Python int used as a bit mask (bit i is
site i): union, intersection and complement are single C-level operations and a set of
5,000 sites takes 625 bytes. The index keeps, per label (key, value) and per key, the list
of site numbers (memory linear in the number of labels) and turns a list into a mask only
when a selector asks for it, so a selector is evaluated as a few set operations instead of
being tested against every site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress

from edgemodels.catalogue.model import Requirement, Selector

Mask = int

CLUSTER_SET_LABEL = "cluster.open-cluster-management.io/clusterset"
DEFAULT_CLUSTER_SET = "default"
GLOBAL_CLUSTER_SET = "global"

# '0'/'1' digits to 0/1 bytes, so itertools.compress can pick the set positions in C.
_DIGIT_BYTES = bytes.maketrans(b"01", b"\x00\x01")


@dataclass(frozen=True)
class LabelIndex:
    """Sites by label. Build it with `build_index`."""

    size: int
    by_pair: Mapping[tuple[str, str], tuple[int, ...]]
    by_key: Mapping[str, tuple[int, ...]]
    # The inventory's cluster sets: a set's label selector, or None for a set that holds
    # the sites labelled with its name. Empty: the sets are not known, each set is its label.
    cluster_sets: Mapping[str, Selector | None] = field(default_factory=dict)
    # Masks built on demand, keyed by ("pair", key, value) / ("key", key); a cache only.
    _masks: dict[tuple[str, ...], Mask] = field(default_factory=dict, compare=False, repr=False)

    @property
    def everything(self) -> Mask:
        return (1 << self.size) - 1

    def pair_mask(self, key: str, value: str) -> Mask:
        return self._cached(("pair", key, value), self.by_pair.get((key, value), ()))

    def key_mask(self, key: str) -> Mask:
        return self._cached(("key", key), self.by_key.get(key, ()))

    def _cached(self, slot: tuple[str, ...], sites: Sequence[int]) -> Mask:
        mask = self._masks.get(slot)
        if mask is None:
            mask = mask_of(sites, self.size)
            self._masks[slot] = mask
        return mask


def build_index(
    site_labels: Sequence[Mapping[str, str]],
    cluster_sets: Mapping[str, Selector | None] | None = None,
) -> LabelIndex:
    """Index sites (in the given order) by their labels."""
    by_pair: dict[tuple[str, str], list[int]] = {}
    by_key: dict[str, list[int]] = {}
    for number, labels in enumerate(site_labels):
        for key, value in labels.items():
            by_pair.setdefault((key, value), []).append(number)
            by_key.setdefault(key, []).append(number)
    return LabelIndex(
        len(site_labels),
        {pair: tuple(sites) for pair, sites in by_pair.items()},
        {key: tuple(sites) for key, sites in by_key.items()},
        dict(cluster_sets or {}),
    )


def mask_of(sites: Iterable[int], size: int) -> Mask:
    """The mask of some site numbers, built in linear time through a byte array."""
    raw = bytearray((size + 7) // 8)
    for number in sites:
        raw[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(raw, "little")


def members(mask: Mask) -> list[int]:
    """The site numbers in a mask, ascending."""
    digits = bin(mask)[:1:-1]  # least significant bit first, without '0b'
    return list(compress(range(len(digits)), digits.encode().translate(_DIGIT_BYTES)))


def count(mask: Mask) -> int:
    return mask.bit_count()


# --- indexed evaluation ---------------------------------------------------------------------


def requirement_mask(index: LabelIndex, req: Requirement) -> Mask:
    if req.operator == "Exists":
        return index.key_mask(req.key)
    if req.operator == "DoesNotExist":
        return index.everything & ~index.key_mask(req.key)
    having = 0
    for value in req.values:
        having |= index.pair_mask(req.key, value)
    if req.operator == "In":
        return having
    return index.everything & ~having  # NotIn: an absent key matches


def selector_mask(index: LabelIndex, selector: Selector) -> Mask:
    """The sites a label selector matches."""
    mask = index.everything
    for req in selector.requirements():
        mask &= requirement_mask(index, req)
        if not mask:
            break
    return mask


def cluster_set_mask(index: LabelIndex, cluster_sets: Iterable[str]) -> Mask:
    """The member sites of some cluster sets."""
    mask = 0
    known = index.cluster_sets
    for name in cluster_sets:
        if known and name not in known:
            continue  # no such set on the hub: a Placement selects nothing through it
        selector = known.get(name)
        if selector is not None:
            mask |= selector_mask(index, selector)
            continue
        if name == GLOBAL_CLUSTER_SET and not known:
            return index.everything
        mask |= index.pair_mask(CLUSTER_SET_LABEL, name)
        if name == DEFAULT_CLUSTER_SET:
            mask |= index.everything & ~index.key_mask(CLUSTER_SET_LABEL)
    return mask


def placement_mask(
    index: LabelIndex, predicates: Sequence[Selector], cluster_sets: Sequence[str] | None = None
) -> Mask:
    """The sites a Placement selects: predicates ORed, then restricted to the cluster sets.

    `cluster_sets=None` means no restriction (a PlacementRule, or a Placement that names no
    set and so sees every set bound to its namespace).
    """
    if predicates:
        mask = 0
        for selector in predicates:
            mask |= selector_mask(index, selector)
    else:
        mask = index.everything
    if cluster_sets is not None:
        mask &= cluster_set_mask(index, cluster_sets)
    return mask


# --- reference evaluation, one site at a time ------------------------------------------------


def requirement_matches(req: Requirement, labels: Mapping[str, str]) -> bool:
    present = req.key in labels
    if req.operator == "Exists":
        return present
    if req.operator == "DoesNotExist":
        return not present
    inside = present and labels[req.key] in req.values
    return inside if req.operator == "In" else not inside


def selector_matches(selector: Selector, labels: Mapping[str, str]) -> bool:
    """Whether one site's labels satisfy a selector (the reference the index must agree with)."""
    return all(requirement_matches(req, labels) for req in selector.requirements())


def in_cluster_sets(
    labels: Mapping[str, str], cluster_sets: Sequence[str], known: Mapping[str, Selector | None]
) -> bool:
    """Whether one site is in one of the sets (the reference cluster_set_mask agrees with)."""
    own = labels.get(CLUSTER_SET_LABEL, DEFAULT_CLUSTER_SET)
    for name in cluster_sets:
        if known and name not in known:
            continue
        selector = known.get(name)
        if selector is not None:
            if selector_matches(selector, labels):
                return True
        elif name == own or (name == GLOBAL_CLUSTER_SET and not known):
            return True
    return False


def placement_matches(
    predicates: Sequence[Selector],
    labels: Mapping[str, str],
    cluster_sets: Sequence[str] | None = None,
    known_sets: Mapping[str, Selector | None] | None = None,
) -> bool:
    if cluster_sets is not None and not in_cluster_sets(labels, cluster_sets, known_sets or {}):
        return False
    if not predicates:
        return True
    return any(selector_matches(selector, labels) for selector in predicates)
