"""Finding and reading the files of a catalogue, and merging them into one view.

A catalogue is one file or a folder of `*.yaml`/`*.yml` files. Each file is a
`ModelCatalogue` document holding some sections; `git`, `hub` and `defaults` are defined
once, targets/models/workloads are gathered from every file. Every piece keeps the file
it came from, so findings name the right file and line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.errors import InputError
from edgemodels.yamlio import ParseMemo, PosMap, YamlFile, load_positioned, locate

KIND = "ModelCatalogue"
API_VERSION = "edgemodels.io/v1alpha1"
# Other edgemodels documents that may sit in a catalogue folder and are not part of it.
OTHER_KINDS = frozenset({"SiteInventory", "WorkloadPlacement", "PolicySet", "PolicyConfig"})
SINGLE_SECTIONS = ("git", "hub", "defaults")
MAX_FILES = 100_000
GENERATED_MARK = (".edgemodels", "manifest.json")  # what `generate` leaves in its tree


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


class Discovered(NamedTuple):
    """What `discover` found in a catalogue folder."""

    files: list[Path]  # the catalogue files, in a stable order
    generated: list[Path]  # folders skipped: they hold a tree edgemodels generated
    unread: list[Path]  # symlinks not read: to a folder, or to no file (dangling, a loop)
    linked: list[Path]  # the files among `files` that are symlinks


def discover(path: Path, links: list[str] | None = None) -> Discovered:
    """The files of a catalogue, in a stable order, and the folders skipped because they
    hold a tree edgemodels generated (`.edgemodels/manifest.json`): its YAML is Kubernetes
    objects, not catalogue files, and reading it would bury the catalogue in findings.

    Hidden files and folders (a name starting with '.') are not catalogue files, and hidden
    folders are not walked at all (a `.git` folder holds thousands of files). A link to a
    file counts as the file; a link to a folder is not followed (it may lead out of the
    catalogue or the repository, whose clones hold the link and not the files, or in a
    loop), and neither is a link named like a catalogue file that leads to no file: both
    are `unread`, for the loader to report. Files are ordered by their path's parts, as
    pathlib orders paths: the first definition of a section wins (sources.merge). `links`
    gets each link met, its target there or not: its target's edits, and its coming or
    going, happen elsewhere."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_file():
        return Discovered([path], [], [], [])
    if not path.is_dir():
        raise InputError(f"{path}: not a file or directory")
    found: list[tuple[tuple[str, ...], str]] = []
    walk = _Walk(path, found, [], [], [], links)
    walk.folder(os.fspath(path), ())
    found.sort()
    return Discovered(
        [path.joinpath(*parts) for parts, _ in found],
        [path.joinpath(*g) for g in sorted(walk.generated)],
        [path.joinpath(*u) for u in sorted(walk.unread)],
        [path.joinpath(*k) for k in sorted(walk.linked)],
    )


@dataclass
class _Walk:
    root: Path
    found: list[tuple[tuple[str, ...], str]]
    generated: list[tuple[str, ...]]
    unread: list[tuple[str, ...]]
    linked: list[tuple[str, ...]]
    links: list[str] | None

    def folder(self, folder: str, parts: tuple[str, ...]) -> None:
        """Add the catalogue files below `folder` (named by `parts` from the catalogue's
        root); a folder holding a generated tree, the root too, adds itself to `generated`
        instead."""
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            return  # unreadable: as pathlib's walk, which skips what it cannot list
        if any(e.name == GENERATED_MARK[0] and _marks(e) for e in entries):
            self.generated.append(parts)
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    self.folder(entry.path, (*parts, entry.name))
                elif entry.is_symlink():
                    self.link(entry, (*parts, entry.name))
                elif entry.name.endswith((".yaml", ".yml")) and entry.is_file():
                    self.file(entry, (*parts, entry.name))
            except OSError:
                continue

    def link(self, entry: os.DirEntry[str], parts: tuple[str, ...]) -> None:
        yaml = entry.name.endswith((".yaml", ".yml"))
        if _leads_to(entry.is_dir):
            if self.links is not None:
                self.links.append(entry.path)
            if os.path.isfile(os.path.join(entry.path, *GENERATED_MARK)):
                self.generated.append(parts)  # a generated tree's files are not read anyway
            else:
                self.unread.append(parts)
        elif yaml:
            if self.links is not None:
                self.links.append(entry.path)
            if _leads_to(entry.is_file):
                self.linked.append(parts)
                self.file(entry, parts)
            else:
                self.unread.append(parts)

    def file(self, entry: os.DirEntry[str], parts: tuple[str, ...]) -> None:
        self.found.append((parts, entry.path))
        if len(self.found) > MAX_FILES:
            raise InputError(f"{self.root}: more than {MAX_FILES} YAML files")


def _leads_to(kind: Callable[[], bool]) -> bool:
    """Whether a link leads to a folder (`entry.is_dir`) or a file (`entry.is_file`): not
    when it leads nowhere, or in a loop (ELOOP)."""
    try:
        return kind()
    except OSError:
        return False


def _marks(entry: os.DirEntry[str]) -> bool:
    """`entry` is the state folder of a generated tree (holds manifest.json)."""
    try:
        return entry.is_dir(follow_symlinks=False) and os.path.isfile(
            os.path.join(entry.path, GENERATED_MARK[1])
        )
    except OSError:
        return False


def shown_entry(path: Path, base: Path) -> str:
    """How a folder entry is named in findings, the entry itself when it is a symlink
    (shown_name names where a link leads)."""
    folder = shown_name(path.parent, base)
    return path.name if folder == "." else f"{folder}/{path.name}"


def shown_name(path: Path, base: Path) -> str:
    """How a file is named in findings: relative to the working directory when inside it."""
    return _shown(path, os.path.realpath(base), {})


def _shown(path: Path, root: str, parents: dict[str, str]) -> str:
    real = _realpath(path, parents)
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
) -> tuple[list[YamlFile], list[Diagnostic]]:
    """The catalogue files, and findings on those that cannot be read. `shown` may give a
    file's name in findings without working it out (a resident server's)."""
    files, diags = [], []
    root, parents = os.path.realpath(base), dict[str, str]()
    for p in paths:
        name = partial(_shown, p, root, parents)
        yf, found = read(p, shown(p, name) if shown else name(), memo)
        diags.extend(found)
        if yf.data is None:
            continue
        if not isinstance(yf.data, PosMap):
            diags.append(
                _err(
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


def _err(loc: Location, code: str, name: str, message: str) -> Diagnostic:
    return Diagnostic(loc, code, message, "error", name)


def merge(files: list[YamlFile]) -> tuple[Merged, list[Diagnostic]]:
    """Gather sections from schema-valid files; report what is defined twice."""
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
            _err(
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
    message = f"{what} is defined twice; first at {first.path_key()}"
    return [_err(node.path_key(), code, name, message)]
