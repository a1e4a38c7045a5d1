"""Findings: one type for every check, with a location, a code and a severity."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from edgemodels.redaction import redact_text

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a file (line 0 means "the file as a whole")."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding. `origin` is the catalogue line that produced a generated object;
    `sites`, every site a plan finding is about, where its message names only the first ten
    (the JSON and SARIF reports list them, and JUnit's text: summaries are for people;
    plan/sitelist.py sets it)."""

    location: Location
    code: str
    message: str
    severity: Severity = "error"
    name: str = ""
    origin: Location | None = field(default=None, compare=False)
    sites: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # A message may quote a value of the input: a credential there is never repeated.
        object.__setattr__(self, "message", redact_text(self.message))
        if self.location.line <= 0:  # about a whole file or folder: its start, so every
            # finding reads path:line:col (editors, SARIF and Code Quality need a line)
            object.__setattr__(self, "location", Location(self.location.path, 1, 1))

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def col(self) -> int:
        return self.location.col

    def render(self) -> str:
        text = f"{self.location}: {self.code} {self.message}"
        if self.severity != "error":
            text = f"{self.location}: {self.code} [{self.severity}] {self.message}"
        if self.origin is not None and self.origin != self.location:
            text += f" (from {self.origin})"
        return text


def finding(
    location: Location, code: str, name: str, message: str, severity: Severity = "error"
) -> Diagnostic:
    """A Diagnostic, its arguments in the order a check's table reads: where, code, name,
    message."""
    return Diagnostic(location, code, message, severity, name)


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Stable order: by file, line, column, then code."""
    return sorted(set(diags), key=lambda d: (d.location, d.code, d.message))


def count_by_severity(diags: Iterable[Diagnostic]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in diags:
        counts[d.severity] += 1
    return counts


def has_failures(diags: Iterable[Diagnostic], strict: bool = False) -> bool:
    """Errors fail a run; with `strict`, warnings do too."""
    failing = {"error", "warning"} if strict else {"error"}
    return any(d.severity in failing for d in diags)


# --- inline suppressions -------------------------------------------------------------------

SUPPRESSION_RE = re.compile(r"#\s*edgemodels:\s*ignore\[([A-Za-z0-9_,\s-]+)\]")


@dataclass(frozen=True)
class Suppression:
    location: Location
    codes: frozenset[str]


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """Every `# edgemodels: ignore[CODE,...]` comment in a file, by line."""
    found = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if "edgemodels" not in line:
            continue
        match = SUPPRESSION_RE.search(line)
        if match:
            codes = frozenset(c.strip() for c in match.group(1).split(",") if c.strip())
            found.append(Suppression(Location(path, lineno, match.start() + 1), codes))
    return found


def suppressible(d: Diagnostic) -> bool:
    """Errors in the catalogue's structure (YAML, schema, references) cannot be silenced:
    no command could build a catalogue past them, so `check` must not pass one either."""
    return not (d.severity == "error" and d.code[:1] in ("Y", "S", "R"))


def suppresses(entry: str, d: Diagnostic) -> bool:
    """An entry of `ignore[...]` names a finding by its code, in any case, or its name
    (a rule's, as the config's `rules:` and `ignore:` take it, or a code's)."""
    return entry.upper() == d.code or (bool(d.name) and entry.lower() == d.name)


def apply_suppressions(
    diags: Iterable[Diagnostic],
    suppressions: Iterable[Suppression],
    owned: Callable[[str], bool] = lambda entry: True,
    also: Callable[[Diagnostic], Location | None] = lambda d: None,
) -> list[Diagnostic]:
    """Drop findings matched by a suppression on their line; report unused suppressions.

    A finding on a generated object is matched against the catalogue line it came from,
    and the line `also` gives (a per-target overlay's finding: its model's entry too).
    A suppression entry is reported as unused only if the running command `owned` it: a
    catalogue line may carry an ignore for a finding that only `validate` can produce.
    """
    by_line: dict[tuple[str, int], Suppression] = {
        (s.location.path, s.location.line): s for s in suppressions
    }
    used: set[tuple[tuple[str, int], str]] = set()
    kept = []
    for d in diags:
        hits = _suppression_of(d, by_line, also(d)) if suppressible(d) else []
        if hits:
            used.update(hits)
        else:
            kept.append(d)
    for key, sup in by_line.items():
        for entry in sorted(sup.codes):
            if (key, entry) not in used and owned(entry):
                kept.append(_unused(sup, entry))
    return kept


def _suppression_of(
    d: Diagnostic, by_line: dict[tuple[str, int], Suppression], other: Location | None = None
) -> list[tuple[tuple[str, int], str]]:
    """(the line, the entry) of the suppression that drops `d`, if any: every entry of that
    line that names `d` (by code and by name, say), so none of them is reported unused."""
    for loc in (d.location, d.origin, other):
        if loc is None:
            continue
        sup = by_line.get((loc.path, loc.line))
        entries = [e for e in sorted(sup.codes) if suppresses(e, d)] if sup else []
        if entries:
            return [((loc.path, loc.line), entry) for entry in entries]
    return []


def _unused(sup: Suppression, entry: str) -> Diagnostic:
    why = ""
    if re.fullmatch(r"[YSRysr][0-9]{3}", entry):
        why = " (errors in YAML, schema and references cannot be suppressed)"
    elif re.search(r"\s", entry):  # `ignore[R107 unused-target]` is one entry, not two
        why = " (entries of ignore[...] are separated by commas)"
    return Diagnostic(
        sup.location,
        "P001",
        f"suppression of {entry} matches no finding on this line{why}",
        "warning",
        "unused-suppression",
    )
