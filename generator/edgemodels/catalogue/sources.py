"""Finding and reading the files of a catalogue, and merging them into one view.

A catalogue is one file or a folder of `*.yaml`/`*.yml` files. Each file is a
`ModelCatalogue` document holding some sections; `git`, `hub` and `defaults` are defined
once, targets/models/workloads are gathered from every file. Every piece keeps the file
it came from, so findings name the right file and line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from edgemodels.catalogue.walk import GENERATED_MARK as GENERATED_MARK
from edgemodels.catalogue.walk import MAX_FILES as MAX_FILES
from edgemodels.catalogue.walk import Discovered as Discovered
from edgemodels.catalogue.walk import discover as discover
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.yamlio import ParseMemo, YamlFile, load_positioned, locate
from edgemodels.yamltree import PosMap

KIND = "ModelCatalogue"
API_VERSION = "edgemodels.io/v1alpha1"
# Other edgemodels documents that may sit in a catalogue folder and are not part of it.
OTHER_KINDS = frozenset({"SiteInventory", "WorkloadPlacement", "PolicySet", "PolicyConfig"})
SINGLE_SECTIONS = ("git", "hub", "defaults")


@dataclass(frozen=True)
class Node:
    """A piece of a catalogue file: its data and the file's root, for positions."""

    data: Any
    file: YamlFile
    path: tuple[str | int, ...]

    def at(self, *steps: str | int, key: bool = False) -> Location:
        line, col = locate(self.file.data, self.path + steps, key=key)
        return Location(self.file.path, line, col)

    def child(self, *steps: str | int) -> Node:
        data = self.data
        for s in steps:
            data = data[s]
        return Node(data, self.file, self.path + steps)

    def path_key(self) -> Location:
        """Where this node's key stands (for a mapping entry), else the node itself."""
        return self.at(key=True) if self.path and isinstance(self.path[-1], str) else self.at()

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default) if isinstance(self.data, dict) else default


@dataclass
class Merged:
    """The catalogue gathered from all its files, before building the typed model."""

    files: list[YamlFile] = field(default_factory=list)
    name: Node | None = None
    sections: dict[str, Node] = field(default_factory=dict)
    targets: dict[str, Node] = field(default_factory=dict)
    models: list[Node] = field(default_factory=list)
    workloads: list[Node] = field(default_factory=list)


def setting_locations(merged: Merged) -> dict[str, Location]:
    """Where the catalogue-wide settings stand in the files that define them
    (`metadata.name`, `spec.hub`, `spec.hub.delivery`, `spec.hub.argocd.pullModel`, ...):
    plan's findings about a changed setting point at it. Kept out of the typed catalogue,
    whose repr keys every model's render (a moved line would re-render them all)."""
    found = {"metadata.name": merged.name.at()} if merged.name is not None else {}
    for section in ("git", "hub"):
        if section in merged.sections:
            _add_settings(found, merged.sections[section], f"spec.{section}")
    return found


def _add_settings(found: dict[str, Location], node: Node, prefix: str) -> None:
    found[prefix] = node.path_key()
    data = node.data if isinstance(node.data, dict) else {}
    for key, value in data.items():
        if isinstance(value, dict):
            _add_settings(found, node.child(key), f"{prefix}.{key}")
        else:
            found[f"{prefix}.{key}"] = node.at(key)


def shown_entry(path: Path, base: Path, catalogue: Path | None = None) -> str:
    """How a folder entry is named in findings, the entry itself when it is a symlink
    (shown_name names where a link leads); below `catalogue`, by the path walked."""
    walked = walked_folders([path], catalogue) if catalogue is not None else {}
    real = walked.get(os.path.dirname(os.fspath(path)))
    if real is None:
        folder = shown_name(path.parent, base)
    else:
        folder = _relative(real, os.path.realpath(base), path.parent)
    return path.name if folder == "." else f"{folder}/{path.name}"


def shown_name(path: Path, base: Path) -> str:
    """How a file is named in findings: relative to the working directory when inside it."""
    return _shown(path, os.path.realpath(base), {})


def walked_folders(paths: Iterable[Path], catalogue: Path) -> dict[str, str]:
    """The folder of each path below the folder `catalogue`, as the catalogue's walk named
    it (walk.py): the catalogue's real path, then the names walked, a symlink to a folder
    kept as it stands (a file in a linked folder is named where the user sees it, by the
    link). For a path not below `catalogue` nothing."""
    found: dict[str, str] = {}
    real = ""
    for p in paths:
        folder = os.path.dirname(os.fspath(p))
        if folder in found:
            continue
        try:
            rel = Path(folder or ".").relative_to(catalogue)
        except ValueError:
            continue
        real = real or os.path.realpath(catalogue)
        found[folder] = os.path.join(real, *rel.parts)
    return found


def _shown(path: Path, root: str, parents: dict[str, str]) -> str:
    return _relative(_realpath(path, parents), root, path)


def _relative(real: str, root: str, path: Path) -> str:
    if real == root:
        return "."
    prefix = root if root.endswith("/") else root + "/"
    return real[len(prefix) :] if real.startswith(prefix) else path.as_posix()


def _realpath(path: Path, parents: dict[str, str]) -> str:
    """os.path.realpath, resolving each folder once: the files of a catalogue share a few
    folders, and resolving every path component by component was a fifth of a load."""
    parent, name = os.path.split(os.fspath(path))
    if name in ("", ".", ".."):
        return os.path.realpath(path)
    real_parent = parents.get(parent)
    if real_parent is None:
        real_parent = parents[parent] = os.path.realpath(parent or ".")
    joined = os.path.join(real_parent, name)
    return os.path.realpath(joined) if os.path.islink(joined) else joined


Reader = Callable[[Path, str, ParseMemo | None], tuple[YamlFile, list[Diagnostic]]]


def read_files(
    paths: list[Path],
    base: Path,
    memo: ParseMemo | None = None,
    read: Reader = load_positioned,
    shown: Callable[[Path, Callable[[], str]], str] | None = None,
    catalogue: Path | None = None,
) -> tuple[list[YamlFile], list[Diagnostic]]:
    """The catalogue files, and findings on those that cannot be read. `shown` may give a
    file's name in findings without working it out (a resident server's). A file below the
    folder `catalogue` is named by the path walked to it (walked_folders)."""
    files: list[YamlFile] = []
    diags: list[Diagnostic] = []
    root = os.path.realpath(base)
    parents = walked_folders(paths, catalogue) if catalogue is not None else {}
    for p in paths:
        name = partial(_shown, p, root, parents)
        yf, found = read(p, shown(p, name) if shown else name(), memo)
        in_folder = catalogue is not None and catalogue.is_dir()
        diags.extend(_set_aside(d) if in_folder and d.code == "Y005" else d for d in found)
        if yf.data is None:
            continue
        if not isinstance(yf.data, PosMap):
            diags.append(
                finding(
                    Location(yf.path, *yf.data.pos)
                    if hasattr(yf.data, "pos")
                    else Location(yf.path, 1, 1),
                    "Y010",
                    "not-a-mapping",
                    "a catalogue file must be a mapping with apiVersion, kind and spec",
                )
            )
            continue
        kind = yf.data.get("kind")
        if isinstance(kind, str) and kind in OTHER_KINDS:
            continue
        files.append(yf)
    return files, diags


def _set_aside(empty: Diagnostic) -> Diagnostic:
    """A model file emptied by commenting it out: say how a file leaves the catalogue."""
    name = Path(empty.location.path).name
    hint = f"; delete it, or name it .{name}: files whose name starts with a dot are not read"
    return replace(empty, message=empty.message + hint)


def merge(files: list[YamlFile]) -> tuple[Merged, list[Diagnostic]]:
    """Gather sections from schema-valid files; report what is defined twice. (Files with
    schema errors are not merged: partial.py reads what it can of them.)"""
    merged, diags = Merged(files=files), []
    for yf in files:
        root = Node(yf.data, yf, ())
        name = (
            root.get("metadata", {}).get("name") if isinstance(root.get("metadata"), dict) else None
        )
        if name is not None:
            diags.extend(_merge_name(merged, root.child("metadata", "name")))
        spec = root.get("spec")
        if not isinstance(spec, dict):
            continue
        for section in SINGLE_SECTIONS:
            if section in spec:
                node = root.child("spec", section)
                diags.extend(
                    _merge_once(
                        merged.sections,
                        section,
                        node,
                        "R109",
                        "duplicate-section",
                        f"spec.{section}",
                    )
                )
        for tname in spec.get("targets") or {}:
            node = root.child("spec", "targets", tname)
            diags.extend(
                _merge_once(
                    merged.targets, tname, node, "R102", "duplicate-target", f"target '{tname}'"
                )
            )
        merged.models.extend(
            root.child("spec", "models", i) for i in range(len(spec.get("models") or []))
        )
        merged.workloads.extend(
            root.child("spec", "workloads", i) for i in range(len(spec.get("workloads") or []))
        )
    return merged, diags


def _merge_name(merged: Merged, node: Node) -> list[Diagnostic]:
    if merged.name is None:
        merged.name = node
        return []
    if merged.name.data != node.data:
        return [
            finding(
                node.at(),
                "R110",
                "catalogue-name-mismatch",
                f"metadata.name '{node.data}' differs from '{merged.name.data}' "
                f"at {merged.name.at()}",
            )
        ]
    return []


def _merge_once(
    store: dict[str, Node], key: str, node: Node, code: str, name: str, what: str
) -> list[Diagnostic]:
    """Keep the first definition of `key`; a second one is a finding naming both places."""
    first = store.get(key)
    if first is None:
        store[key] = node
        return []
    return [defined_twice(node, first, code, name, what)]


def defined_twice(node: Node, first: Node, code: str, name: str, what: str) -> Diagnostic:
    """`what` (a section, a target) defined at `node` again, first at `first`."""
    message = f"{what} is defined twice; first at {first.path_key()}"
    return finding(node.path_key(), code, name, message)
