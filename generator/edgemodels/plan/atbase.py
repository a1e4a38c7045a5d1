"""Which findings of a plan the base already had, so a report can lead with the new ones.

A finding is the same at the base when its code, message and file are: not its line, which
moves with every edit above it. A finding about sites is also the same when the base had it
on at least the same sites, its message alike but for the sites it names and the numbers
(`placed on 104 sites ...` where the base said `on 351 sites ...`): a change that shrinks a
problem did not make it. The base's files are read in a temporary folder, so their
findings are renamed to the working copy's names of the same files before comparing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from edgemodels.diagnostics import Diagnostic

FindingKey = tuple[str, str, str]


def finding_key(d: Diagnostic) -> FindingKey:
    return (d.code, d.message, d.path)


# A word of a message (a site's name among them) and a number standing alone: a count,
# a share, a time's parts; not a version (1.2.3) nor the digits of a name (m00014-scorer).
_WORD = re.compile(r"[^\s,;:()]+")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def _shape(d: Diagnostic) -> FindingKey:
    """The finding's key with the sites it names and its numbers left out."""
    names = set(d.sites)
    words = _WORD.sub(lambda m: "*" if m.group() in names else m.group(), d.message)
    return (d.code, _NUMBER.sub("#", words), d.path)


def split_new(
    findings: Sequence[Diagnostic], at_base: Iterable[Diagnostic] | None
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(new, already at the base); every finding is new when there is no base."""
    if at_base is None:
        return list(findings), []
    seen: set[FindingKey] = set()
    sites_at_base: dict[FindingKey, set[str]] = {}
    for d in at_base:
        seen.add(finding_key(d))
        if d.sites:
            sites_at_base.setdefault(_shape(d), set()).update(d.sites)
    new: list[Diagnostic] = []
    old: list[Diagnostic] = []
    for d in findings:
        known = finding_key(d) in seen or (
            bool(d.sites) and set(d.sites) <= sites_at_base.get(_shape(d), set())
        )
        (old if known else new).append(d)
    return new, old


@dataclass(frozen=True)
class BaseFiles:
    """Where the base catalogue was read (`snapshot`, as its findings name it) and where
    the working copy's catalogue is (`working`, a real path)."""

    snapshot: str
    working: str

    def real_path(self, shown: str) -> str:
        """The working copy's real path of the base file its findings name `shown`."""
        inside = os.path.relpath(shown, self.snapshot)
        return os.path.normpath(os.path.join(self.working, inside))


def as_working(
    base: Iterable[Diagnostic], files: BaseFiles, working: Iterable[Diagnostic], cwd: Path
) -> list[Diagnostic]:
    """The base's findings with the working copy's names for the same files (a file the
    working copy has no finding in keeps its base name: nothing can match it)."""
    real_cwd = os.path.realpath(cwd)
    names: dict[str, str] = {}
    for path in {d.path for d in working}:
        names.setdefault(os.path.realpath(os.path.join(real_cwd, path)), path)
    renamed = []
    for d in base:
        name = names.get(files.real_path(d.path))
        renamed.append(d if name is None else replace(d, location=replace(d.location, path=name)))
    return renamed
