"""Policies: CEL rules over catalogue entries and generated manifests (see docs/policies.md).

The public surface used by the commands; everything else in this package is internal.
"""

from __future__ import annotations

from edgemodels.policy.engine import apply_ignores, check_catalogue, check_manifests, source_of
from edgemodels.policy.loader import load_policies
from edgemodels.policy.model import CatalogueEntry, EntryKind, Manifest, PolicySet, Rule

__all__ = [
    "CatalogueEntry",
    "EntryKind",
    "Manifest",
    "PolicySet",
    "Rule",
    "apply_ignores",
    "check_catalogue",
    "check_manifests",
    "load_policies",
    "source_of",
]
