"""`edgemodels.io/source`: which catalogue entry a generated object came from.

The annotation (and the banner of every generated file) names the catalogue file and the
entry, never a line: `lrt/models/sktime.yaml#models/sktime`, `lrt/catalogue.yaml#targets/lrt`,
`lrt/catalogue.yaml#metadata`. A comment added above an entry then rewrites no generated
file. The line is looked up only for a finding that needs it (`resolve_origins`), in the
catalogue file as it is now. Trees written before carry `<file>:<line>`, still understood.

A finding in a model's per-target overlay (`models/<m>/overlays/<target>/`, what the
target's overrides made of the base) comes from the model's `overrides` for that target
when it has them: its origin is that entry (`...#models/<m>/overrides/<target>`), else the
model's (`in_overrides`).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.fsnames import os_form
from edgemodels.repofolders import up_to_repository_root
from edgemodels.yamlio import load_positioned, locate
from edgemodels.yamltree import PosMap

SOURCE_ANNOTATION = "edgemodels.io/source"
CATALOGUE_ENTRY = "metadata"
_LINE_FORM = re.compile(r"^(?P<path>.+?):(?P<line>[0-9]+)(?::(?P<col>[0-9]+))?$")
_OVERLAY = re.compile(r"(?:^|/)models/(?P<model>[^/]+)/overlays/(?P<target>[^/]+)/")
OVERRIDES = "/overrides/"


def source_value(path: str, section: str = CATALOGUE_ENTRY, name: str = "") -> str:
    """`<file>#<section>/<name>`, or `<file>#metadata` for the catalogue as a whole."""
    return f"{path}#{section}/{name}" if name else f"{path}#{section}"


def parse_source(value: object) -> Location | None:
    """The annotation as an origin. An entry form keeps `#entry` in the path, line 0, until
    `resolve_origins` finds its line (only findings need it, and few objects have any)."""
    if not isinstance(value, str) or not value:
        return None
    if "#" in value:
        return Location(value)
    match = _LINE_FORM.match(value)
    if match is None:
        return None
    return Location(match["path"], int(match["line"]), int(match["col"] or 1))


def in_overrides(d: Diagnostic) -> Diagnostic:
    """A finding on a file of a model's per-target overlay with the origin its model entry
    names narrowed to the model's overrides for that target (found or not: see `_steps`)."""
    origin = d.origin
    match = _OVERLAY.search(d.location.path)
    if origin is None or match is None or origin.line > 0:
        return d
    if origin.path.partition("#")[2] != f"models/{match['model']}":
        return d
    return replace(d, origin=Location(f"{origin.path}{OVERRIDES}{match['target']}"))


def resolve_origins(
    diags: Iterable[Diagnostic], files: dict[str, Any] | None = None
) -> list[Diagnostic]:
    """Findings whose origin names an entry get that entry's line in the catalogue file
    (named from the working folder: catalogue_folder, from_folder); each file is read
    once (per `files`, a cache that calls may share). An entry that cannot be found keeps
    its name, without a line."""
    files = {} if files is None else files
    out = []
    for d in diags:
        origin = d.origin
        if origin is not None and origin.line <= 0 and "#" in origin.path:
            d = replace(d, origin=_locate_entry(origin.path, files))
        out.append(d)
    return out


def catalogue_folder(files: Iterable[str], tree: Path) -> str:
    """The folder, named from the working folder, that the objects' catalogue file names
    start from. The generator names them from the catalogue's parent folder: the working
    folder when validate runs where generate ran, else (init's layout keeps the tree beside
    the catalogue) the tree's parent folder or one above it, up to the repository's root.
    The first that holds one of `files`; "." when none does."""
    names = [os_form(f) for f in sorted(files) if not posixpath.isabs(f)]
    for folder in _folders_up(tree):
        if any(os.path.isfile(os.path.join(folder, name)) for name in names):
            return folder
    return "."


def _folders_up(tree: Path) -> Iterator[str]:
    """The working folder, then those above `tree` up to the repository's root."""
    yield "."
    for shown, _ in islice(up_to_repository_root(tree), 1, None):
        yield os.fspath(shown)


def from_folder(d: Diagnostic, folder: str) -> Diagnostic:
    """`d` with its origin's relative file name taken from `folder` (catalogue_folder)."""
    origin = d.origin
    if folder == "." or origin is None or posixpath.isabs(origin.path):
        return d
    return replace(d, origin=replace(origin, path=posixpath.join(folder, origin.path)))


def _locate_entry(value: str, files: dict[str, Any]) -> Location:
    path, _, entry = value.partition("#")
    if path not in files:
        # The annotation's text (`café/...`, read from a file) as the system takes it.
        yf, _ = load_positioned(Path(os_form(path)))
        files[path] = yf.data if isinstance(yf.data, PosMap) else None
    root = files[path]
    steps = _steps(root, entry) if root is not None else None
    if steps is None:
        return Location(value)
    # A named key (a target, a model's overrides for one) at its name; a list item or a
    # value (the metadata name) where it starts.
    line, col = locate(root, steps, key=len(steps) > 2 and isinstance(steps[-1], str))
    return Location(path, line, col)


def _steps(root: PosMap, entry: str) -> tuple[str | int, ...] | None:
    section, _, name = entry.partition("/")
    spec = root.get("spec")
    if section == CATALOGUE_ENTRY:
        meta = root.get("metadata")
        return ("metadata", "name") if isinstance(meta, dict) and "name" in meta else ()
    if not isinstance(spec, dict):
        return None
    if section == "targets":
        targets = spec.get("targets")
        return ("spec", "targets", name) if isinstance(targets, dict) and name in targets else None
    name, _, target = name.partition(OVERRIDES)
    items = spec.get(section)
    if not isinstance(items, list):
        return None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == name:
            overrides = item.get("overrides")
            if target and isinstance(overrides, dict) and target in overrides:
                return ("spec", section, i, "overrides", target)
            return ("spec", section, i)  # no overrides for the target: the model's entry
    return None
