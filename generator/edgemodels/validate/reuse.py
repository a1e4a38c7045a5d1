"""One validate run's use of the result cache (resultcache.py): which units it takes from
the cache, and, at the end, which units it made go in.

The families are decided before the builds start (run.py): a family taken from the cache is
not built. The charts are decided once the hub objects are loaded, since their renders use
the values those give (pipeline.py). The checks of the objects made this run, and of the
units taken whose checks' key changed, are handed to `record`; each of their findings goes
to the unit whose folder holds the file it names. One that no unit of the run holds means
the reasoning in resultcache.py missed a case: then no unit made this run goes in.

The hub's plain files are kept too, each on its own (its objects as parsed, their checks'
findings), so that a run after one model changed parses and checks only the hub files that
changed; the checks across them (hub_findings) run every time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from edgemodels.diagnostics import Diagnostic
from edgemodels.validate import resultcache as rc
from edgemodels.validate import resultstore as rs
from edgemodels.validate import unitbounds as ub
from edgemodels.validate.discover import TreeLayout
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.owners import contained, family
from edgemodels.validate.report import Finding
from edgemodels.validate.unitgroups import by_file, by_unit, families_of

_ChartArgs = tuple[
    Sequence[str], Callable[[], Mapping[str, str]], Mapping[str, str], Mapping[str, str | None]
]


@dataclass
class Reuse:
    """The result cache of one run; `Reuse.off()` when it is not used."""

    store: rs.Store
    root: Path
    started_ns: int = 0  # when the run started: what changed since does not go in
    layout: TreeLayout | None = None
    program_key: str = ""
    keys: dict[str, str | None] = field(default_factory=dict)  # unit folder: key or None
    hits: dict[str, rs.Entry] = field(default_factory=dict)  # unit folder: entry taken
    checks: str | None = None  # the checks' key of this run (None: nothing goes in)
    made: dict[str, tuple[object, tuple[Manifest, ...]]] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # families whose build failed
    found: list[Finding] = field(default_factory=list)  # the checks of unit objects
    diags: list[Diagnostic] = field(default_factory=list)
    families_keyed: bool = False
    charts: _ChartArgs | None = None
    below: dict[str, dict[str, object]] | None = None  # each family's kustomizations
    files: dict[str, tuple[str, rs.Entry | None]] = field(default_factory=dict)  # plain files
    files_made: dict[str, tuple[tuple[Finding, ...], tuple[Manifest, ...]]] = field(
        default_factory=dict
    )
    files_found: list[Finding] = field(default_factory=list)  # the checks of their objects
    files_diags: list[Diagnostic] = field(default_factory=list)

    @classmethod
    def off(cls) -> Reuse:
        return cls(rs.Store(None), Path("."))

    @classmethod
    def start(cls, root: Path, cache_dir: Path, layout: TreeLayout, started_ns: int) -> Reuse:
        """Open the tree's cache and take the families whose key it holds."""
        reuse = cls(rs.Store.open(cache_dir, root), root, started_ns, layout)
        if reuse.store.old:  # else nothing can be taken: the keys are made at the end
            reuse._key_families()
            for home, key in reuse.keys.items():
                entry = reuse.store.get(key)
                if entry is not None:
                    reuse.hits[home] = entry
        return reuse

    @property
    def on(self) -> bool:
        return self.store.path is not None

    @property
    def program(self) -> str:
        """resultcache.program_key, made once and only when a key is needed (it reads the
        stat of each file of the program: not before the builds of a run that takes nothing
        start)."""
        if not self.program_key and self.on:
            try:
                self.program_key = rc.program_key(self.root)
            except OSError:  # a file of the program is gone (a reinstall under way?)
                self.store = rs.Store(None)  # so no unit is taken or kept
        return self.program_key

    def _key_families(self) -> None:
        if self.families_keyed or self.layout is None:
            return
        self.families_keyed = True
        builds = self.layout.builds
        inside = contained(self.root, builds, self.layout.entries)
        self.keys.update(rc.family_keys(self.program, self.root, builds, inside))

    def to_build(self, layout: TreeLayout) -> TreeLayout:
        """`layout` without the overlays of the families taken from the cache."""
        if not self.hits:
            return layout
        return replace(layout, builds=tuple(b for b in layout.builds if family(b) not in self.hits))

    def take_charts(
        self,
        charts: Sequence[str],
        inputs: Callable[[], Mapping[str, str]],
        sharing: Mapping[str, str],
        content: Mapping[str, str | None],
    ) -> dict[str, Any]:
        """{chart: its Rendered} of the charts the cache holds. `inputs` gives each chart's
        release inputs (resultcache.release_inputs); `sharing`: the charts whose lint is
        shared and `content` the hashes of chart folders that chartlint.shared_lints made.
        Without a cache to take from, the keys are made at the end, not before the first
        render."""
        self.charts = (charts, inputs, sharing, content)
        if not self.store.old:
            return {}
        self._key_charts()
        taken = {}
        for chart in charts:
            entry = self.store.get(self.keys[chart])
            if entry is not None:
                self.hits[chart] = entry
                taken[chart] = entry.made
        return taken

    def _key_charts(self) -> None:
        if self.charts is None:
            return
        charts, inputs, sharing, content = self.charts
        self.charts = None
        given = inputs()
        for chart in charts:
            self.keys[chart] = rc.chart_key(
                self.program, self.root, chart, chart in sharing, given[chart], content.get(chart)
            )

    def take_file(self, rel: str, text: str) -> rs.Entry | None:
        """The entry of the plain file `rel` holding `text`, when the cache has it."""
        if not self.on or not self.program:
            return None
        # surrogateescape: a file name not decoded as UTF-8 (an ASCII locale) keys by its bytes
        named = f"{self.program}\0file\0{rel}\0{text}".encode("utf-8", "surrogateescape")
        key = hashlib.sha256(named).hexdigest()
        entry = self.store.get(key) if self.store.old else None
        self.files[rel] = (key, entry)
        return entry

    def made_file(self, rel: str, manifests: Sequence[Manifest], found: Sequence[Finding]) -> None:
        if rel in self.files:
            self.files_made[rel] = (tuple(found), tuple(manifests))

    def unchecked_files(self) -> set[str]:
        """The plain files whose objects are checked this run: not taken, or taken with
        another checks' key."""
        return {
            rel
            for rel, (_, entry) in self.files.items()
            if entry is None or entry.checked.key != self.checks
        }

    def record_files(self, findings: Iterable[Finding], diags: Iterable[Diagnostic]) -> None:
        """Findings of the checks of plain files' objects."""
        self.files_found += findings
        self.files_diags += diags

    def files_taken(self) -> tuple[list[Finding], list[Diagnostic]]:
        found: list[Finding] = []
        diags: list[Diagnostic] = []
        for _, entry in self.files.values():
            if entry is not None and entry.checked.key == self.checks:
                found += entry.checked.findings
                diags += entry.checked.diags
        return found, diags

    def unchecked(self) -> list[list[Manifest]]:
        """The objects of each unit taken whose checks' key is not this run's."""
        return [list(e.manifests) for e in self.hits.values() if e.checked.key != self.checks]

    def taken(self) -> tuple[list[Manifest], list[Finding], list[Diagnostic]]:
        """The objects of the units taken, and their checks' findings where still true."""
        manifests: list[Manifest] = []
        found: list[Finding] = []
        diags: list[Diagnostic] = []
        for entry in self.hits.values():
            manifests += entry.manifests
            if entry.checked.key == self.checks:
                found += entry.checked.findings
                diags += entry.checked.diags
        return manifests, found, diags

    def record(self, findings: Iterable[Finding], diags: Iterable[Diagnostic] = ()) -> None:
        """Findings of the checks of unit objects (made this run, or taken and checked):
        the run's, kept here with the cache off too."""
        self.found += findings
        self.diags += diags

    def made_chart(self, chart: str, rendered: object, manifests: Sequence[Manifest]) -> None:
        if self.on:
            self.made[chart] = (rendered, tuple(manifests))

    def made_builds(self, manifests: Iterable[Manifest], findings: Iterable[Finding]) -> None:
        """The objects the builds of this run made, and the builds' findings: a family with
        one is not kept (its build may have failed for reasons beyond its files)."""
        if not self.on:
            return
        for home, made in families_of(manifests).items():
            self.made[home] = (None, tuple(made))
        self._key_families()
        for f in findings:
            unit = ub.under(f[0].location.path, self.keys)
            if unit is not None:
                self.failed.add(unit)

    def save(self) -> None:
        """Put this run's units in the cache, keep the ones taken, and write it."""
        if not self.on:
            return
        self._key_families()
        self._key_charts()
        checked = by_unit(self.found, self.diags, self.keys)
        for unit, key in self.keys.items():
            made = self.made.get(unit) if unit in self.made and self._may_keep(unit) else None
            self._keep(key, self.hits.get(unit), made, checked, unit)
        checked = by_file(self.files_found, self.files_diags, self.files)
        for rel, (key, entry) in self.files.items():
            path = os.path.join(self.root, rel)
            settled = rel in self.files_made and ub.settled(path, self.started_ns)
            self._keep(key, entry, self.files_made.get(rel) if settled else None, checked, rel)
        self.store.save()

    def _keep(
        self,
        key: str | None,
        entry: rs.Entry | None,
        made: tuple[object, tuple[Manifest, ...]] | None,
        checked: Mapping[str, tuple[list[Finding], list[Diagnostic]]] | None,
        name: str,
    ) -> None:
        """Keep the entry of a unit or file: taken and still true, taken and checked again,
        or `made` this run (None: it may not go in). `checked`: this run's checks by unit
        or file; None when one landed outside them all (then nothing new goes in)."""
        if key is None:
            return
        if entry is not None and entry.checked.key == self.checks:
            self.store.keep(key)
            return
        if self.checks is None or checked is None:
            return  # nothing new goes in
        checks = _checked(self.checks, *checked.get(name, ([], [])))
        if entry is not None:
            self.store.keep(key, replace(entry, checked=checks))
        elif made is not None:
            self.store.keep(key, rs.Entry(made[0], made[1], checks))

    def _may_keep(self, unit: str) -> bool:
        if unit in self.failed or not ub.settled(os.path.join(self.root, unit), self.started_ns):
            return False
        made, _ = self.made[unit]
        if made is not None:
            return True  # a chart
        found = self.layout.kustomizations if self.layout is not None else {}
        if self.below is None:
            self.below = ub.by_home(found, [u for u, (m, _) in self.made.items() if m is None])
        return ub.stays_inside(self.root, unit, self.below.get(unit, {}), found)


def _checked(key: str, found: Sequence[Finding], diags: Sequence[Diagnostic]) -> rs.Checked:
    return rs.Checked(key, tuple(found), tuple(diags))


def start(
    root: Path, layout: TreeLayout, enabled: bool, cache_dir: Path | None, started_ns: int
) -> Reuse:
    """The result cache of a run that started at `started_ns`: off when not `enabled`
    (--no-cache)."""
    if not enabled:
        return Reuse.off()
    from edgemodels.validate.k8s_schemas import default_cache_dir

    return Reuse.start(root, cache_dir or default_cache_dir(), layout, started_ns)
