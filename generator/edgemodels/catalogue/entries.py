"""The catalogue as entries for catalogue policies: plain data as the user wrote it, plus a
way to map a field path inside an entry back to its file:line:col."""

from __future__ import annotations

from functools import partial
from typing import Any

from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Location
from edgemodels.policy.model import CatalogueEntry, EntryKind, FieldLocator
from edgemodels.recall import NOTHING, ONCE, Recall, Same
from edgemodels.yamlio import to_plain


def _locator(node: Node) -> FieldLocator:
    def locate(path: tuple[str | int, ...], key: bool = False) -> Location:
        return node.at(*path, key=key)

    return locate


def _entry(kind: EntryKind, name: str, node: Node, obj: dict[str, Any]) -> CatalogueEntry:
    # A target is a mapping entry: its own location is the line of its name (the key).
    where = node.path_key() if kind == "target" else node.at()
    return CatalogueEntry(kind, name, obj, where, _locator(node))


def _catalogue_document(merged: Merged) -> dict[str, Any]:
    spec = {name: to_plain(node.data) for name, node in merged.sections.items()}
    name = merged.name.data if merged.name else ""
    return {
        "apiVersion": "edgemodels.io/v1alpha1",
        "kind": "ModelCatalogue",
        "metadata": {"name": name},
        "spec": spec,
    }


def _catalogue_locator(merged: Merged) -> FieldLocator:
    """spec.<section>... resolves in the file that defines that section. A key (`key`) of a
    section no file defines is the `spec:` key of the file that names the catalogue (where
    it would go); anything else no file holds is that file's start."""
    first = merged.name or next(iter(merged.sections.values()))

    def locate(path: tuple[str | int, ...], key: bool = False) -> Location:
        if len(path) >= 2 and path[0] == "spec" and path[1] in merged.sections:
            return merged.sections[str(path[1])].at(*path[2:], key=key)
        if path[:2] == ("metadata", "name") and merged.name is not None:
            return merged.name.at(key=key)
        if key and path[:1] == ("spec",):
            return Node(None, first.file, ()).at("spec", key=True)
        return Location(first.file.path, 1, 1)

    return locate


def catalogue_entries(merged: Merged, recall: Recall = NOTHING) -> list[CatalogueEntry]:
    """One entry per model, target and workload, and one for the catalogue as a whole.
    `recall` gives back the entry of a node whose data is the very object it was made of
    (a resident server's), so an unchanged entry is the same object run after run."""
    entries: list[CatalogueEntry] = []
    if merged.name is not None or merged.sections:
        parts = (merged.name, *merged.sections.values())
        made = recall.table("catalogue entry", tuple(Same(n.file) for n in parts if n))
        entries.append(made.get(ONCE, partial(_whole_entry, merged)))
    made = recall.table("entries", None)
    for name, node in merged.targets.items():
        entries.append(made.get(node.data, partial(_target_entry, name, node)))
    for node in merged.models:
        entries.append(made.get(node.data, partial(_named_entry, "model", node)))
    for node in merged.workloads:
        entries.append(made.get(node.data, partial(_named_entry, "workload", node)))
    return entries


def _whole_entry(merged: Merged) -> CatalogueEntry:
    locate = _catalogue_locator(merged)
    name = merged.name.data if merged.name else ""
    return CatalogueEntry("catalogue", name, _catalogue_document(merged), locate(()), locate)


def _target_entry(name: str, node: Node) -> CatalogueEntry:
    return _entry("target", name, node, {"name": name, **to_plain(node.data)})


def _named_entry(kind: EntryKind, node: Node) -> CatalogueEntry:
    return _entry(kind, node.data["name"], node, to_plain(node.data))
