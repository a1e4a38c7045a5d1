"""Helm's chart lint, once per distinct set of templates rather than once per chart.

`helm lint` costs ~9 ms a chart, nearly all in its template rule (render the templates,
check every rendered document); its Chart.yaml and values rules cost under 1 ms. The
charts edgemodels generates share one template set per wrapper (one more for models that
set http.runAsUser) and differ only in `Chart.yaml`, `values.yaml` and
`values.schema.json`, so on a 600-chart tree lint was ~30% of validate.
Charts whose other files (templates, helpers, .helmignore) are byte for byte the same
share one full lint, of the first of them; each of the others gets:

- the Chart.yaml and values rules on its own files (lint of a copy of Chart.yaml and
  values.yaml without templates; not of values.schema.json: every release render checks
  the values against it and reports what breaks it as K202, which lint findings leave
  out, and it cost 40% of the light lint), and
- when the shared lint's template rule found nothing, nothing more; when it found
  anything, a full lint of its own (the same template can say different things with
  another chart's name and values, e.g. an object name only one model makes invalid).

("Byte for byte" except whole-line template comments, such as the generator's banner.)

Every release of every chart is still rendered with its own values (helm.py), so a
template that fails for one chart's values is still a K201 there, and every rendered
object's name is checked (K328, K329: objectnames.py), so an object name only that
model makes invalid is found too; lint's own naming message is left out for every chart
alike. What a clean shared lint does not see is another template-rule check that fails
only with another chart's name or values (a deprecated apiVersion only its values
select; one the API server no longer serves is a K106). A chart with subcharts, CRDs, a lock file,
a symlink or any other file is linted on its own, as before.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import helm_python

from edgemodels.fsnames import text_form
from edgemodels.validate.helmlog import call as helm_call

PER_CHART = ("Chart.yaml", "values.yaml", "values.schema.json")  # not shared between charts
_LIGHT = ("Chart.yaml", "values.yaml")  # the light lint's copy
_SHAREABLE = {*PER_CHART, ".helmignore"}  # top-level files
# A whole line that is one template comment renders to nothing whatever it says: the
# generator's banner names each model's catalogue file, the only bytes its charts'
# templates do not share. The line stays (as an empty comment) so line numbers hold.
_COMMENT_LINE = re.compile(rb"^\{\{/\*(?:(?!\*/)[^\n])*\*/\}\}$", re.MULTILINE)


@dataclass(frozen=True)
class LintMessage:
    severity: int  # Helm's: 1 info, 2 warning, 3 error
    path: str  # chart-relative, as lint names it ("templates/", "Chart.yaml")
    error: str

    @property
    def per_chart(self) -> bool:
        """A message of the Chart.yaml or values rules, which the light lint repeats."""
        return self.path.split("/")[0] in PER_CHART


def template_key(chart: Path, whole: dict[str, str | None] | None = None) -> str | None:
    """A hash of every file lint reads except PER_CHART, or None when not shareable.
    `whole` is given a hash of every name and byte of the chart (resultcache.py), from the
    same reads, when it can be had on the way (else it is left for the caller)."""
    top = _entries(str(chart))
    if top is None:
        return None
    dirs = {e.name for e in top if e.is_dir()}
    if dirs - {"templates"} or {e.name for e in top if not e.is_dir()} - _SHAREABLE:
        return None
    h = hashlib.sha256()
    every = hashlib.sha256() if whole is not None else None
    for entry in top:
        if entry.name not in dirs and (entry.name not in PER_CHART or every is not None):
            data = _read(entry.path)
            if entry.name not in PER_CHART:
                _add(h, entry.name, data)
            if every is not None:
                _add(every, entry.name, data)
    templates = next((e for e in top if e.name == "templates"), None)
    if templates is not None:  # lint warns of a chart without it, not of an empty one
        h.update(b"d9:templates")
        if every is not None:
            every.update(b"d9:templates")
    if templates is not None and not _add_tree(h, templates, "templates", every):
        return None
    if whole is not None and every is not None:
        whole[str(chart)] = every.hexdigest()
    return h.hexdigest()


def _entries(folder: str) -> list[os.DirEntry[str]] | None:
    """The entries of `folder` by name; None when one is a symlink (it may point anywhere)."""
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    return None if any(e.is_symlink() for e in entries) else entries


def _add_tree(
    h: hashlib._Hash, folder: os.DirEntry[str], rel: str, every: hashlib._Hash | None = None
) -> bool:
    """Hash every file below `folder` (template comments blanked; as they are into
    `every`); False on a symlink."""
    entries = _entries(folder.path)
    if entries is None:
        return False
    for entry in entries:
        name = f"{rel}/{entry.name}"
        if entry.is_dir():
            if every is not None:
                raw = os.fsencode(name)  # surrogates under an ASCII locale
                every.update(b"d%d:" % len(raw) + raw)
            if not _add_tree(h, entry, name, every):
                return False
        else:
            data = _read(entry.path)
            _add(h, name, _COMMENT_LINE.sub(b"{{/**/}}", data))
            if every is not None:
                _add(every, name, data)
    return True


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _add(h: hashlib._Hash, rel: str, data: bytes) -> None:
    raw = os.fsencode(rel)  # the name's bytes, whatever the locale
    h.update(b"%d:%s:%d:" % (len(raw), raw, len(data)))
    h.update(data)


def shared_lints(
    root: Path, charts: Sequence[str], whole: dict[str, str | None] | None = None
) -> dict[str, str]:
    """{chart: the earlier chart whose full lint it shares} for charts with equal keys.
    `whole`: see template_key (keyed by tree-relative chart folder here)."""
    first: dict[str, str] = {}
    found: dict[str, str] = {}
    for chart in charts:
        hashes: dict[str, str | None] | None = {} if whole is not None else None
        try:
            key = template_key(root / chart, hashes)
        except OSError:
            key = None
        if whole is not None and hashes:
            whole[chart] = next(iter(hashes.values()))
        if key is None:
            continue
        if key in first:
            found[chart] = first[key]
        else:
            first[key] = chart
    return found


def run_lint(
    folder: Path,
    values: Mapping[str, object],
    namespace: str,
    kube_version: str,
    heard: list[str] | None = None,
) -> list[LintMessage]:
    """Helm's lint of `folder`; what Helm logs on stderr meanwhile goes to `heard`
    (helmlog.py), dropped without it."""
    given = dict(values)
    # helm_python hands Helm a path as UTF-8: `café` in the form Python's file calls take
    # under an ASCII locale (surrogates) is no UTF-8 at all.
    report = helm_call(
        lambda: helm_python.lint(
            text_form(str(folder)),
            given,
            namespace=namespace,
            kube_version=f"v{kube_version}",
            quiet=True,
        ),
        [] if heard is None else heard,
    )
    return [
        LintMessage(int(m.get("severity") or 0), str(m.get("path", "")), str(m.get("error", "")))
        for m in report.get("messages", [])
    ]


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for the light lint's copies, in memory where there is a tmpfs,
    unless TMPDIR says where temporary files go.

    Rewriting 1,800 small files on this VM's disk cost 1-2 s of a 6 s validate (each
    truncating open waits on the file system's journal); on /dev/shm it costs nothing
    worth measuring. The copies are a few KiB a thread.
    """
    memory = Path("/dev/shm")
    parent = None
    if not os.environ.get("TMPDIR") and memory.is_dir() and os.access(memory, os.W_OK):
        parent = str(memory)
    return tempfile.TemporaryDirectory(prefix="edgemodels-lint-", dir=parent)


def light_lint(
    chart: Path,
    values: Mapping[str, object],
    namespace: str,
    kube_version: str,
    scratch: Path | None = None,
    heard: list[str] | None = None,
) -> list[LintMessage]:
    """The Chart.yaml and values rules on `chart`'s own files (a copy without templates).

    The copy goes in `scratch`, one folder per thread rewritten for each chart: a folder
    of copies made and removed per chart cost more than the lint itself (0.6 s of 1.2 s
    for the 600 charts of the benchmark fleet).
    """
    if scratch is None:
        with tempfile.TemporaryDirectory(prefix="edgemodels-lint-") as tmp:
            return light_lint(chart, values, namespace, kube_version, Path(tmp), heard)
    # os calls, not Path methods: their overhead was a third of this copy's cost
    copy = os.path.join(scratch, f"t{threading.get_ident()}", chart.name)  # lint may compare names
    os.makedirs(copy, exist_ok=True)
    for name in _LIGHT:
        target = os.path.join(copy, name)
        try:
            data = _read(os.path.join(chart, name))
        except OSError:  # missing (or not a file): lint says so
            if os.path.lexists(target):
                os.unlink(target)
            continue
        with open(target, "wb") as file:
            file.write(data)
    messages = run_lint(Path(copy), values, namespace, kube_version, heard)
    return [
        LintMessage(m.severity, m.path, m.error.replace(copy, str(chart)))
        for m in messages
        if m.per_chart
    ]


def template_clean(messages: Sequence[LintMessage]) -> bool:
    """No warning or error beyond the Chart.yaml and values rules."""
    return all(m.per_chart or m.severity < 2 for m in messages)
