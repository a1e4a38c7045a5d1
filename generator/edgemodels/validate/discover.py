"""Which files of a generated tree are manifests, charts, or kustomize builds.

- A folder with `Chart.yaml` is a chart: rendered, never read file by file (templates are
  Go templates, `values.yaml` is not a manifest).
- A folder with a kustomization is built with kustomize. A kustomization that only lists
  files of its own folder and that nothing else includes (the hub's) is a *listing*: its
  files are plain manifests and the build is only checked to succeed. Any other
  kustomization that nothing includes (an overlay) is a *build*: its output is validated,
  and the files under it (bases, patches) are kustomize inputs, not manifests.
- Every other `*.yaml`, `*.yml`, `*.json` is a plain manifest, except edgemodels' own
  bookkeeping (`.edgemodels/`) and VCS folders.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edgemodels.validate.manifests import load_stream

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_SKIPPED_DIRS = {".git", ".edgemodels", ".hg", ".svn"}


@dataclass(frozen=True)
class TreeLayout:
    plain_files: tuple[str, ...]  # tree-relative posix paths
    charts: tuple[str, ...]  # chart folders
    builds: tuple[str, ...]  # kustomize folders whose output is validated
    listings: tuple[str, ...]  # kustomize folders that are only build-checked
    # The entries of every kustomize folder's kustomization, as read (owners.py reuses them)
    entries: Mapping[str, Sequence[str]] = field(default_factory=dict, compare=False)


def kustomization_path(folder: str) -> str | None:
    """The kustomization file in `folder`, as a string (for walks where `Path`s cost)."""
    for name in KUSTOMIZATION_NAMES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def kustomization_file(folder: Path) -> Path | None:
    path = kustomization_path(os.fspath(folder))
    return None if path is None else Path(path)


def kustomization_entries(path: Path | str) -> list[str]:
    """The `resources` (and legacy `bases`/`components`) entries of a kustomization.

    Read as manifests are (manifests.load_stream: 0.03 s for the 1,314 kustomizations of
    the benchmark fleet, against 0.08 s with PyYAML's constructor); one that does not
    parse, or holds several documents, has none here: the build reports what is wrong."""
    try:
        with open(path, encoding="utf-8") as file:
            loaded = load_stream(os.fspath(path), file.read())
    except (OSError, UnicodeDecodeError):
        return []
    if len(loaded.documents) != 1 or any(d.code == "K108" for d in loaded.diagnostics):
        return []
    data = loaded.documents[0][0]
    if not isinstance(data, dict):
        return []
    found: list[str] = []
    for key in ("resources", "bases", "components"):
        entries = data.get(key)
        if isinstance(entries, list):
            found.extend(e for e in entries if isinstance(e, str))
    return found


# Paths are strings here, not `Path`s: on the 1,000-model benchmark fleet (9,828 files)
# making a `Path` per file and folder was half of the walk's time.


def _walk(root: Path) -> tuple[list[str], set[str], dict[str, str]]:
    """(manifest-like files, chart folders, {kustomize folder: its kustomization's file
    name}), all tree-relative."""
    files: list[str] = []
    charts: set[str] = set()
    kustomize: dict[str, str] = {}
    top = os.fspath(root)
    cut = len(top) + 1
    sep = os.sep
    for current, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        rel = current[cut:].replace(sep, "/") if current != top else ""
        if "Chart.yaml" in names:
            charts.add(rel)
            dirs[:] = []  # templates, values and subcharts belong to the chart
            continue
        name = next((n for n in KUSTOMIZATION_NAMES if n in names), None)
        if name is not None:
            kustomize[rel] = name
        prefix = f"{rel}/" if rel else ""
        files.extend(prefix + n for n in sorted(names) if n.endswith(MANIFEST_SUFFIXES))
    return files, charts, kustomize


def _included(
    root: Path, kustomize: Mapping[str, str], files: Sequence[str]
) -> tuple[set[str], set[str], dict[str, list[str]]]:
    """(folders some kustomization includes, folders that list only their own files,
    the entries of each kustomization). `files` and the folders of `kustomize` are what the
    walk found: an entry naming one of them needs no look at the disk (the hub's listing
    names 3,000 files on the benchmark fleet)."""
    top = os.fspath(root)
    walked = set(files)
    included: set[str] = set()
    listing: set[str] = set()
    read: dict[str, list[str]] = {}
    for folder, name in kustomize.items():
        entries = read[folder] = kustomization_entries(os.path.join(top, folder, name))
        only_files = True
        for entry in entries:
            target = posixpath.normpath(posixpath.join(folder, entry))
            # The walk's own files and kustomize folders need no look at the disk.
            if target not in walked and (
                target in kustomize or os.path.isdir(os.path.join(top, target))
            ):
                included.add(target)
                only_files = False
            elif target.startswith("../") or not _inside(target, folder):
                only_files = False
        if only_files:
            listing.add(folder)
    return included, listing, read


def _inside(path: str, folder: str) -> bool:
    return folder == "" or path == folder or path.startswith(folder + "/")


def _owner(path: str, folders: Mapping[str, object]) -> str | None:
    """The deepest folder of `folders` that contains `path`."""
    parent = posixpath.dirname(path)
    while parent not in folders:
        if not parent:
            return None
        parent = posixpath.dirname(parent)
    return parent


def discover(root: Path) -> TreeLayout:
    files, charts, kustomize = _walk(root)
    included, listing, entries = _included(root, kustomize, files)
    listings = {k for k in kustomize if k in listing and k not in included}
    builds = {k for k in kustomize if k not in included and k not in listings}
    plain = []
    for path in files:
        if posixpath.basename(path) in KUSTOMIZATION_NAMES:
            continue
        owner = _owner(path, kustomize)
        if owner is None or owner in listings:
            plain.append(path)
    return TreeLayout(
        tuple(plain),
        tuple(sorted(charts)),
        tuple(sorted(builds)),
        tuple(sorted(listings)),
        entries,
    )
