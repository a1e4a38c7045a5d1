"""The model catalogue: load (positions) -> schema -> checks -> typed model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from edgemodels.catalogue.build import build_catalogue
from edgemodels.catalogue.checks import check_merged
from edgemodels.catalogue.links import link_findings
from edgemodels.catalogue.model import Catalogue
from edgemodels.catalogue.schema import validate_file
from edgemodels.catalogue.sources import (
    Discovered,
    Merged,
    discover,
    merge,
    read_files,
    shown_entry,
)
from edgemodels.diagnostics import (
    Diagnostic,
    Location,
    apply_suppressions,
    find_suppressions,
    has_failures,
)
from edgemodels.errors import NoCatalogueFiles
from edgemodels.recall import NOTHING, Recall
from edgemodels.yamlio import ParseMemo, YamlFile, load_positioned
from edgemodels.yamltree import PosMap, collector_paused

__all__ = ["Catalogue", "Known", "LoadResult", "load", "load_catalogue", "suppressions_of"]


class Known(Protocol):
    """What a resident server remembers of earlier loads (resident.py): each answer is
    what the plain function would give for the same input."""

    def read(
        self, path: Path, shown: str, memo: ParseMemo | None
    ) -> tuple[YamlFile, list[Diagnostic]]:
        """`yamlio.load_positioned`."""
        ...

    def schema(self, yf: YamlFile) -> list[Diagnostic]:
        """`schema.validate_file`."""
        ...

    def discover(self, path: Path) -> Discovered:
        """`sources.discover`."""
        ...

    def shown(self, path: Path, name: Callable[[], str]) -> str:
        """`name()`, how `path` is named in findings."""
        ...

    @property
    def recall(self) -> Recall:
        """Results remembered for the catalogue's unchanged parts (recall.py)."""
        ...


@dataclass
class LoadResult:
    """Everything a command needs from loading: the model (when clean), findings, sources."""

    catalogue: Catalogue | None
    diagnostics: list[Diagnostic]
    merged: Merged = field(default_factory=Merged)


def load(
    path: Path,
    base: Path | None = None,
    memo: ParseMemo | None = None,
    known: Known | None = None,
) -> LoadResult:
    """Load and check a catalogue file or folder. Raises InputError when `path` is absent,
    NoCatalogueFiles when it holds no catalogue file.
    `memo` holds trees parsed by an earlier run (generate's cache); `known`, what a
    resident server remembers."""
    with collector_paused():  # the merge and the model are built under it too
        return _load(path, base or Path.cwd(), memo, known)


def _load(path: Path, base: Path, memo: ParseMemo | None, known: Known | None) -> LoadResult:
    found = known.discover(path) if known else discover(path)
    read, shown = (known.read, known.shown) if known else (load_positioned, None)
    files, diags = read_files(found.files, base, memo, read, shown, path)
    if not files and not diags:
        # Nothing to check is an input problem (exit 2), as a missing path is, not a finding.
        also = "; skipped (generated trees): " + ", ".join(map(str, found.generated))
        unread = "; not read (symlinks to no file, or to a folder holding them): "
        raise NoCatalogueFiles(
            other_kind(path, found.files)
            or f"{path}: no catalogue files (*.yaml) found (Y014)"
            + (also if found.generated else "")
            + (unread + ", ".join(map(str, found.unread)) if found.unread else "")
        )
    diags.extend(skipped_findings(found.generated, base, path))
    diags.extend(link_findings(path, found, base))
    schema = known.schema if known else validate_file
    for yf in files:
        diags.extend(schema(yf))
    if has_failures(diags):
        # Not merged (its values may be of any type), but what the well-formed names
        # say is said now: one round of fixes, not one for the schema and one for them.
        # (Imported here: a valid catalogue, every commit's, has no use for it.)
        from edgemodels.catalogue.partial import reference_findings

        return LoadResult(None, diags + reference_findings(files, diags))
    merged, merge_diags = merge(files)
    diags.extend(merge_diags)
    diags.extend(check_merged(merged, known.recall if known else NOTHING))
    if has_failures(diags):
        return LoadResult(None, diags, merged)
    return LoadResult(build_catalogue(merged, known.recall if known else NOTHING), diags, merged)


def other_kind(path: Path, files: list[Path]) -> str:
    """For a file given as the catalogue that holds another edgemodels kind (the inventory
    beside it, `check sites.yaml`), the message saying so: it is YAML, so "no catalogue
    files (*.yaml)" would send the user looking for the wrong thing."""
    if path.is_dir() or len(files) != 1:
        return ""
    data = load_positioned(files[0])[0].data
    kind = data.get("kind") if isinstance(data, PosMap) else None
    if not isinstance(kind, str):
        return ""
    return f"{path}: a {kind} file, not a catalogue (kind: ModelCatalogue) (Y014)"


def skipped_findings(
    folders: list[Path], base: Path, catalogue: Path | None = None
) -> list[Diagnostic]:
    """Y015: a generated tree inside the catalogue folder is left out, and said so."""
    return [
        Diagnostic(
            Location(shown_entry(folder, base, catalogue), 1, 1),
            "Y015",
            "holds a tree edgemodels generated (.edgemodels/manifest.json): its files are not "
            "read as catalogue files; move the generated tree out of the catalogue folder",
            "warning",
            "generated-tree-in-catalogue",
        )
        for folder in folders
    ]


def load_catalogue(
    path: Path, base: Path | None = None
) -> tuple[Catalogue | None, list[Diagnostic]]:
    result = load(path, base)
    return result.catalogue, result.diagnostics


def suppressions_of(
    result: LoadResult,
    diags: list[Diagnostic] | None = None,
    owned: Callable[[str], bool] = lambda code: True,
) -> list[Diagnostic]:
    """Findings after inline `# edgemodels: ignore[CODE]` comments in the catalogue files."""
    sups = [s for yf in result.merged.files for s in find_suppressions(yf.path, yf.text)]
    return apply_suppressions(result.diagnostics if diags is None else diags, sups, owned)
