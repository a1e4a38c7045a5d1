"""Where validate's findings meet files outside the tree: the `# edgemodels: ignore[CODE]`
comments of the catalogue files the objects came from, which silence findings on those
objects, and the paths of findings on files outside the tree (policy files, their config,
the catalogue), made absolute.

Apart from pipeline.py, which gathers the findings: this is the one part of validate that
reads the catalogue, found from the working folder where the generator named it. Like
pipeline.py, it is imported only once the builds are under way (run.py).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from edgemodels.diagnostics import Diagnostic, apply_suppressions, find_suppressions
from edgemodels.fsnames import os_form
from edgemodels.origins import catalogue_folder, from_folder, in_overrides, resolve_origins
from edgemodels.policy import PolicySet, source_of
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.policies import validate_owns


def outside_tree(in_tree: list[Diagnostic], diags: list[Diagnostic]) -> list[Diagnostic]:
    """`diags` with the findings that are not on tree files (policy files, the config, unused
    suppressions in the catalogue: named from the working folder) given absolute paths, so
    the tree-relative paths of the others are not mistaken for theirs."""
    tree = set(in_tree)
    return [
        d
        if d in tree or Path(d.location.path).is_absolute()
        else replace(
            d, location=replace(d.location, path=Path(d.location.path).absolute().as_posix())
        )
        for d in diags
    ]


def catalogue_suppressions(
    diags: list[Diagnostic], files: set[str], policies: PolicySet | None, root: Path
) -> list[Diagnostic]:
    """`# edgemodels: ignore[CODE]` on the catalogue entry an object came from silences
    findings on that object. The catalogue `files` (those the objects came from) are
    named from the catalogue's parent folder, found from the working folder or the tree
    `root` (origins.catalogue_folder); files that are not there are not consulted. A
    finding in a per-target overlay names the model's overrides for the target
    (origins.py); its model's entry line suppresses it too, as it did before overlays'
    findings named the overrides."""
    origins = {d.origin.path.partition("#")[0] for d in diags if d.origin is not None}
    folder = catalogue_folder(files | origins, root)
    diags = [from_folder(d, folder) for d in diags]
    files = {posixpath.join(folder, f) if folder != "." else f for f in files}
    read: dict[str, Any] = {}
    entries = resolve_origins(diags, read)
    diags = resolve_origins((in_overrides(d) for d in diags), read)
    model_entry = {
        id(d): e.origin for d, e in zip(diags, entries, strict=True) if d.origin != e.origin
    }
    paths = files | {d.origin.path for d in diags if d.origin is not None}
    sups = []
    for path in sorted(paths):
        try:
            text = Path(os_form(path)).read_text(encoding="utf-8")  # `café/` under LC_ALL=C
        except (OSError, UnicodeDecodeError):
            continue
        sups += find_suppressions(path, text)
    if not sups:
        return diags
    return apply_suppressions(
        diags, sups, owned=validate_owns(policies), also=lambda d: model_entry.get(id(d))
    )


def catalogue_files(manifests: Iterable[Manifest]) -> set[str]:
    """The catalogue files the objects came from (`edgemodels.io/source`), so that an
    unused suppression is reported in a file no finding points at too."""
    found = set()
    for m in manifests:
        source = source_of(m.data)
        if source is not None:
            found.add(source.path.partition("#")[0])
    return found
