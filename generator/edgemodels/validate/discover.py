"""Which files of a generated tree are manifests, charts, or kustomize builds.

- A folder with `Chart.yaml` (or with `templates/` and `values.yaml`) is a chart: rendered,
  never read file by file (templates are Go templates, `values.yaml` is not a manifest).
- A folder with a kustomization is built with kustomize. A kustomization that only lists
  files of its own folder and that nothing else includes (the hub's) is a *listing*: its
  files are plain manifests and the build is only checked to succeed. Any other
  kustomization that nothing includes (an overlay) is a *build*: its output is validated,
  and the files under it (bases, patches) are kustomize inputs, not manifests.
- Every other `*.yaml`, `*.yml`, `*.json` is a plain manifest, except edgemodels' own
  bookkeeping (`.edgemodels/`) and VCS folders.

kustomize has no limit on YAML aliases: a file of a few lines that expands to hundreds of
millions of nodes (an alias bomb) kept `kubectl kustomize` busy for minutes and gigabytes.
So a kustomization or kustomize input that this program's reader refuses (streamload.py:
too deep, or aliases that expand too far) is reported where it is (K108), and the builds
that could read it (through their kustomizations' entries) are not made. Only files with
an anchor and an alias are parsed for it (refusedinputs.py). So are inputs of
SCANNED_BYTES or more: one holding an object too large to store (K334) is left out the
same way, and one with a mapping of many keys, which kustomize takes minutes to read, is
named before the builds start (K335, inputscan.py); so is one in the folder of a listing
that does more than list (a patch, a generator added by hand), which is built, and its
files read by kustomize.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from edgemodels.diagnostics import Diagnostic
from edgemodels.fsnames import os_form
from edgemodels.validate.refusedinputs import reader_refusal, scan_inputs
from edgemodels.validate.streamload import Loaded, load_stream

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# The keys of a listing checked without kustomize (listings.py); one with any other key
# (a patch, a configMapGenerator) is built, and reads its listed files with kustomize
LISTING_KEYS = frozenset({"apiVersion", "kind", "resources"})
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
    # Kustomize files refused as YAML (K108), whose builds are left out (above)
    refused: tuple[Diagnostic, ...] = ()
    # Keys a kustomization holds twice (K109): kustomize keeps the last value without a
    # word (a second `patches:` drops the first one's patches); the build goes on
    duplicates: tuple[Diagnostic, ...] = ()
    # Each kustomize folder's kustomization as read: its one document, or None (resultcache.py)
    kustomizations: Mapping[str, object] = field(default_factory=dict, compare=False)
    # Kustomize inputs that hold no object, only comments (or nothing): K209 when listed
    objectless: tuple[str, ...] = ()
    # Kustomize inputs with a mapping kustomize reads slowly (K335), said before the builds
    slow: tuple[Diagnostic, ...] = ()


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

    Read as manifests are (streamload.load_stream: 0.03 s for the 1,314 kustomizations of
    the benchmark fleet, against 0.08 s with PyYAML's constructor); one that does not
    parse, or holds several documents, has none here: the build reports what is wrong."""
    return _entries(_read(os.fspath(path), os.fspath(path)))


def _read(path: str, rel: str) -> Loaded | None:
    try:
        with open(path, encoding="utf-8") as file:
            return load_stream(rel, file.read())
    except (OSError, UnicodeDecodeError):
        return None


def _document(loaded: Loaded | None) -> object:
    """A kustomization's one document, or None (none, several, or refused)."""
    if loaded is None or len(loaded.documents) != 1:
        return None
    if any(d.code == "K108" for d in loaded.diagnostics):
        return None
    return loaded.documents[0][0]


def _entries(loaded: Loaded | None) -> list[str]:
    data = _document(loaded)
    if not isinstance(data, dict):
        return []
    found: list[str] = []
    for key in ("resources", "bases", "components"):
        entries = data.get(key)
        if isinstance(entries, list):
            # As the walk's paths are: under an ASCII locale an entry `café` read from the
            # file is another string than the folder `café` found on disk.
            found.extend(os_form(e) for e in entries if isinstance(e, str))
    return found


def _duplicates(loaded: Loaded | None) -> list[Diagnostic]:
    """A kustomization's K109s, saying what kustomize does with them."""
    note = ": kustomize keeps only the last value, and drops the other without a word"
    return [
        replace(d, message=d.message.replace(": the last value wins here", note))
        for d in (loaded.diagnostics if loaded is not None else ())
        if d.code == "K109"
    ]


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
        # A folder with templates/ and values.yaml is a chart even without its Chart.yaml
        # (deleted by hand): Helm says what is missing, where reading its Go templates as
        # manifests gave a YAML error per template.
        if "Chart.yaml" in names or ("values.yaml" in names and "templates" in dirs):
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
    root: Path, kustomize: Mapping[str, str], files: Sequence[str], duplicates: list[Diagnostic]
) -> tuple[set[str], set[str], dict[str, list[str]], list[Diagnostic], dict[str, object]]:
    """(folders some kustomization includes, folders that list only their own files,
    the entries of each kustomization, the kustomizations refused as YAML, each one's
    document). `files` and
    the folders of `kustomize` are what the walk found: an entry naming one of them needs
    no look at the disk (the hub's listing names 3,000 files on the benchmark fleet)."""
    top = os.fspath(root)
    walked = set(files)
    included: set[str] = set()
    listing: set[str] = set()
    read: dict[str, list[str]] = {}
    refused: list[Diagnostic] = []
    documents: dict[str, object] = {}
    for folder, name in kustomize.items():
        rel = posixpath.join(folder, name)
        loaded = _read(os.path.join(top, folder, name), rel)
        if (refusal := reader_refusal(loaded)) is not None:
            refused.append(refusal)
        duplicates += _duplicates(loaded)
        documents[folder] = _document(loaded)
        entries = read[folder] = _entries(loaded)
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
    return included, listing, read, refused, documents


def _left_out(
    refused: Sequence[Diagnostic], builds: set[str], read: Mapping[str, Sequence[str]]
) -> set[str]:
    """The builds that could read a refused file: it lies in a kustomize folder the build
    reaches through the entries of its kustomizations (kustomize reads files from the
    folder of the kustomization that names them), or is an entry itself."""
    out = set()
    for build in builds:
        seen, named, stack = {build}, set(), [build]
        while stack:
            folder = stack.pop()
            for entry in read.get(folder, ()):
                target = posixpath.normpath(posixpath.join(folder, entry))
                named.add(target)
                if target in read and target not in seen:
                    seen.add(target)
                    stack.append(target)
        if any(d.path in named or any(_inside(d.path, f) for f in seen) for d in refused):
            out.add(build)
    return out


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
    duplicates: list[Diagnostic] = []
    included, listing, entries, refused, documents = _included(root, kustomize, files, duplicates)
    listings = {k for k in kustomize if k in listing and k not in included}
    builds = {k for k in kustomize if k not in included and k not in listings}
    plain, inputs, built_listed = [], [], []
    for path in files:
        if posixpath.basename(path) in KUSTOMIZATION_NAMES:
            continue
        owner = _owner(path, kustomize)
        if owner is None or owner in listings:
            plain.append(path)
            if owner is not None and not _only_lists(documents.get(owner)):
                built_listed.append(path)
        else:
            inputs.append(path)
    scan = scan_inputs(root, inputs)
    # A listing that does more than list is built: its files are plain manifests (checked,
    # and refused, where they are), but kustomize reads them too, as slowly (K335)
    slow = scan.slow + scan_inputs(root, built_listed).slow
    refused += scan.refused
    note = "; the kustomize builds that could read it are not made"
    refused = [replace(d, message=d.message + note) for d in refused]
    if refused:
        builds -= _left_out(refused, builds, entries)
    # A listing reads only its own folder's files: plain manifests, refused where they are
    # read (and a listing holding one is not built, listings.py); its kustomization here.
    listings -= {k for k in listings if any(_inside(d.path, k) for d in refused)}
    return TreeLayout(
        tuple(plain),
        tuple(sorted(charts)),
        tuple(sorted(builds)),
        tuple(sorted(listings)),
        entries,
        tuple(refused),
        tuple(duplicates),
        documents,
        tuple(scan.objectless),
        tuple(slow),
    )


def _only_lists(document: object) -> bool:
    """Whether a listing's kustomization only lists files: checked without kustomize."""
    return isinstance(document, dict) and set(document) <= LISTING_KEYS
