"""Checks of the listing kustomizations (the hub's), made without kustomize.

A kustomization that only lists resources fails `kubectl apply -k` on a listed file that
is not there, and leaves out a file it does not list: both are read from the listing and
the folder. kustomize needs ~1 minute for a hub of 3,000 files, which a listing does not
need, so such a listing is checked here while the overlays build (kustomize.py), and only
a listing that does more is built.
"""

from __future__ import annotations

import os
import posixpath
import threading
from collections.abc import Sequence
from pathlib import Path

import yaml

from edgemodels.diagnostics import Location
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.discover import (
    KUSTOMIZATION_NAMES,
    LISTING_KEYS,
    MANIFEST_SUFFIXES,
    kustomization_file,
)
from edgemodels.validate.refusedinputs import refused_files
from edgemodels.validate.report import Finding


def simple_listing(root: Path, folder: str) -> bool:
    """A kustomization that only lists resources: checkable without kustomize."""
    path = kustomization_file(root / folder)
    try:
        data = (
            yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=yaml.CSafeLoader)
            if path
            else None
        )
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and set(data) <= LISTING_KEYS


def check_listing(root: Path, folder: str) -> list[Finding]:
    """Every listed file exists (else `kubectl apply -k` fails) and every file is listed.

    kustomize needs ~1 minute for a hub of 3,000 files, which a listing does not need.
    """
    path = kustomization_file(root / folder)
    if path is None:
        return []
    top = os.fspath(root)
    rel = path.relative_to(root).as_posix()
    listed: set[str] = set()
    found: list[Finding] = []
    home = os.path.realpath(os.path.join(top, folder))
    for number, line in enumerate(
        path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
    ):
        entry = line.strip().removeprefix("- ").strip("'\" ") if line.startswith("- ") else ""
        if not entry:
            continue
        target = os.path.normpath(os.path.join(folder, entry)).replace(os.sep, "/")
        listed.add(target)
        full = os.path.join(top, target)
        message = None
        if not os.path.isfile(full):
            message = f"kustomize build failed: resource '{entry}' does not exist"
        elif not _within(os.path.realpath(full), home):
            # kustomize's own refusal, a symlink followed: RHACM's build fails the same way
            message = (
                f"kustomize build failed: resource '{entry}' (at {os.path.realpath(full)}) "
                f"is not in or below {folder or '.'}: kustomize refuses a file outside its "
                "kustomization's folder"
            )
        if message is not None:
            found.append((diagnostic("K206", Location(rel, number, 3), message), ""))
    # os.walk and strings, not rglob and Paths: 3,000 hub files cost 0.1 s of Path objects
    names: list[str] = []
    start = os.path.join(top, folder)
    for current, dirs, files in os.walk(start):
        if current != start and any(k in files for k in KUSTOMIZATION_NAMES):
            dirs[:] = []  # a kustomize folder of its own (hub/synced/): its listing's files
            continue
        here = os.path.relpath(current, top).replace(os.sep, "/")
        prefix = "" if here == "." else f"{here}/"
        names += (prefix + n for n in (*dirs, *files))
    for name in sorted(names):
        suffix = os.path.splitext(name)[1]
        if suffix in (".yaml", ".yml", ".json") and name != rel and name not in listed:
            message = f"{name} is not listed in {rel}: `kubectl apply -k {folder}` leaves it out"
            found.append(
                (diagnostic("K208", Location(name, 1, 1), message, severity="warning"), "")
            )
    return found


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def holds_refused(root: Path, folder: str) -> bool:
    """Whether a listing's folder holds a manifest the reader refuses (an alias bomb, which
    kustomize would expand: discover.py); the manifest's own check reports it."""
    try:
        names = sorted(os.listdir(root / folder))
    except OSError:
        return False
    files = [posixpath.join(folder, n) for n in names if n.endswith(MANIFEST_SUFFIXES)]
    return bool(refused_files(root, files))


def check_listings(root: Path, static: Sequence[str], started: threading.Event) -> list[Finding]:
    started.wait()
    return [f for folder in static for f in check_listing(root, folder)]
