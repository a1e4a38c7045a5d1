"""Why a placement selects no site (D106), in terms of the inventory: the requirement no
site meets, with the values the sites do have for its key (a misspelt `paitn` is then one
look away from `paint`), or the cluster sets that leave its sites out.

Only computed for a placement that selects nothing, so walking the index's labels is fine.
"""

from __future__ import annotations

import difflib

from edgemodels.catalogue.model import Requirement, Selector
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.selectors import (
    CLUSTER_SET_LABEL,
    LabelIndex,
    Mask,
    cluster_set_mask,
    requirement_mask,
)

MAX_VALUES = 5  # values of a key named in one message


def why_unmatched(
    index: LabelIndex, predicates: tuple[Selector, ...], sets: tuple[str, ...] | None
) -> str:
    """The reason, to follow 'selects no site of the inventory' (starts with ': ')."""
    if not predicates:
        return ": no workload uses the model"
    reasons = list(dict.fromkeys(_why_selector(index, s, sets) for s in predicates))
    return ": " + "; ".join(reasons)


def _why_selector(index: LabelIndex, selector: Selector, sets: tuple[str, ...] | None) -> str:
    mask = index.everything
    for req in selector.requirements():
        alone = requirement_mask(index, req)
        if not alone:
            return _why_requirement(index, req)
        mask &= alone
    if not mask:
        return "each of its requirements matches some site, but no site matches them all"
    if sets is not None and not mask & cluster_set_mask(index, sets):
        return f"{_matched(mask)} outside spec.hub.clusterSets [{', '.join(sets)}] " + membership(
            index, sets
        )
    return "no site matches it"  # not reached: the placement would select these sites


def _why_requirement(index: LabelIndex, req: Requirement) -> str:
    values = sorted({v for (k, v) in index.by_pair if k == req.key})
    if req.operator in ("In", "Exists") and not values:
        keys = _keys(index)
        hint = (
            _swapped(index, req)
            or _did_you_mean(req.key, keys)
            or f" (the sites' labels: {_values(keys, ', ')})"
        )
        return f"no site has the label {req.key}{hint}"
    if req.operator == "In":
        wanted = " or ".join(f"{req.key}={v}" for v in req.values)
        hint = "".join(_did_you_mean(v, values) for v in req.values[:1])
        return f"no site has {wanted} ({req.key} is {_values(values)} on the sites){hint}"
    if req.operator == "DoesNotExist":
        return f"every site has the label {req.key}"
    return f"every site has {req.key} in [{', '.join(req.values)}]"  # NotIn


def _swapped(index: LabelIndex, req: Requirement) -> str:
    """`{edge: env}` for `{env: edge}`: the sites have the pair the other way round."""
    if req.operator != "In" or len(req.values) != 1:
        return ""
    key, value = req.values[0], req.key
    if (key, value) not in index.by_pair:
        return ""
    return (
        f"; key and value the wrong way round? the sites have {key}={value}: "
        f"write {{{key}: {value}}}"
    )


def _keys(index: LabelIndex) -> list[str]:
    return sorted(index.by_key)


def _values(values: list[str], joint: str = " or ") -> str:
    shown = joint.join(values[:MAX_VALUES])
    more = len(values) - MAX_VALUES
    return shown + (f" (and {more} more)" if more > 0 else "")


def _did_you_mean(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def _matched(mask: Mask) -> str:
    number = mask.bit_count()
    return "the site it matches is" if number == 1 else f"the {number} sites it matches are"


def membership(index: LabelIndex, sets: tuple[str, ...]) -> str:
    """How the plan tells the sites of `sets`, in parentheses."""
    known = index.cluster_sets
    if not known:
        return f"(label {CLUSTER_SET_LABEL})"
    by_selector = [name for name in sets if known.get(name) is not None]
    by_label = [name for name in sets if name in known and known[name] is None]
    parts = [f"the label selector of {', '.join(by_selector)}"] if by_selector else []
    parts += [f"label {CLUSTER_SET_LABEL}"] if by_label else []
    missing = [name for name in sets if name not in known]
    parts += [f"{', '.join(missing)} not among the inventory's cluster sets"] if missing else []
    return f"({'; '.join(parts)})"


def unknown_set_findings(
    index: LabelIndex, sets: tuple[str, ...] | None, where: Location
) -> list[Diagnostic]:
    """D127: a set hub.clusterSets names that the inventory's ManagedClusterSets lack (known
    only when the inventory lists them). OCM's Placement selects nothing through it."""
    known = index.cluster_sets
    if sets is None or not known:
        return []
    missing = [name for name in sets if name not in known]
    if not missing:
        return []
    message = (
        f"spec.hub.clusterSets names {', '.join(missing)}, not among the ManagedClusterSets "
        f"of the inventory ({', '.join(sorted(known))}): the Placements select no site "
        "through it (create the set on the hub, or name one that exists)"
    )
    return [finding(where, "D127", "unknown-cluster-set", message, "warning")]
