"""The catalogue at a revision loaded by the working copy's loader (catalogue.load).

The walk finds its files in the snapshot's folder (gitrev.py), where each is a stand-in;
their bytes, read from git already, are parsed from memory by yamlio's own code, so each
file gives what `load_positioned` gives for the file itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from edgemodels.catalogue import LoadResult, load
from edgemodels.catalogue.schema import validate_file
from edgemodels.catalogue.sources import Discovered, discover
from edgemodels.diagnostics import Diagnostic
from edgemodels.plan.gitrev import Snapshot
from edgemodels.recall import NOTHING, Recall
from edgemodels.yamlio import ParseMemo, YamlFile, load_bytes, load_positioned


def load_snapshot(snapshot: Snapshot, path: Path) -> LoadResult:
    """`load(path, snapshot.root)`, the files' bytes taken from the snapshot."""
    return load(path, snapshot.root, known=_FromGit(snapshot))


@dataclass(frozen=True)
class _FromGit:
    """catalogue.Known with the plain functions, but the files' bytes from git."""

    snapshot: Snapshot

    def read(
        self, path: Path, shown: str, memo: ParseMemo | None
    ) -> tuple[YamlFile, list[Diagnostic]]:
        raw = self.snapshot.bytes_of(path)
        return load_positioned(path, shown, memo) if raw is None else load_bytes(raw, shown, memo)

    def schema(self, yf: YamlFile) -> list[Diagnostic]:
        return validate_file(yf)

    def discover(self, path: Path) -> Discovered:
        return discover(path)

    def shown(self, path: Path, name: Callable[[], str]) -> str:
        return name()

    @property
    def recall(self) -> Recall:
        return NOTHING
