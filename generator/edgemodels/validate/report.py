"""Findings on manifests: place a JSON pointer on a file line, name the object and its origin.

A rendered Helm document has no file of its own: the finding goes on the template, on the
line that wrote the offending key (found by its text, nearest the rendered line), and says
which rendered line it was. Findings that only differ by the placement that produced them
are merged into one, listing the placements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.manifests import Manifest, origin_of
from edgemodels.validate.pointers import Pointer, position
from edgemodels.validate.violations import Violation

Finding = tuple[Diagnostic, str]  # (diagnostic, context: which render/build produced it)


def template_position(template: str, rendered: str, line: int, col: int) -> tuple[int, int]:
    """The template line that most likely wrote rendered `line` (same key, nearest line);
    without one, the template's line of that number."""
    found = template_line(template, rendered, line, col)
    if found is None:
        return max(1, min(line, len(template.splitlines()))), 1
    return found


def template_line(template: str, rendered: str, line: int, col: int) -> tuple[int, int] | None:
    """The template line that wrote rendered `line`, found by its text (the same line, or
    the same key) nearest to it; None when no template line has it (a helper wrote it)."""
    rendered_lines = rendered.splitlines()
    lines = template.splitlines()
    target = rendered_lines[line - 1] if 0 < line <= len(rendered_lines) else ""
    stripped = target.strip()
    key = stripped.split(":", 1)[0] + ":" if ":" in stripped else stripped
    exact = [i for i, t in enumerate(lines) if stripped and t.strip() == stripped]
    keyed = [i for i, t in enumerate(lines) if key and t.strip().startswith(key)]
    candidates = exact or keyed
    if not candidates:
        return None
    best = min(candidates, key=lambda i: (abs(i + 1 - line), i))
    indent = len(lines[best]) - len(lines[best].lstrip())
    offset = col - (len(target) - len(target.lstrip()))
    return best + 1, max(1, min(indent + offset, len(lines[best]) or 1))


def locate(manifest: Manifest, pointer: Pointer, at_key: bool = False) -> tuple[Location, int]:
    """(location on the file findings name, rendered line or 0).

    A field of a rendered object whose line the template does not hold (an `include`d
    helper wrote it) is placed on the nearest field above it that the template writes
    (`securityContext:` for the `readOnlyRootFilesystem` a helper wrote under it)."""
    source = manifest.source
    if not source.text:
        return Location(source.path, max(manifest.line, 1), 1), 0
    line, col = position(source.text, source.index, pointer, at_key)
    if source.template is None:
        return Location(source.path, line, col), 0
    template = source.template.text
    found = template_line(template, source.text, line, col)
    above = pointer
    while found is None and above:
        above = above[:-1]
        found = template_line(template, source.text, *position(source.text, source.index, above))
    t_line, t_col = found or template_position(template, source.text, line, col)
    return Location(source.path, t_line, t_col), line


def subject(manifest: Manifest) -> str:
    return f"{manifest.kind} {manifest.name}".strip()


def finding(
    manifest: Manifest,
    pointer: Pointer,
    code: str,
    message: str,
    at_key: bool = False,
    severity: Severity = "error",
) -> Finding:
    location, rendered_line = locate(manifest, pointer, at_key)
    name = subject(manifest)
    text = f"{name}: {message}" if name else message
    context = manifest.context
    if rendered_line:
        context = (
            f"{context}, rendered line {rendered_line}"
            if context
            else f"rendered line {rendered_line}"
        )
    return diagnostic(code, location, text, origin_of(manifest), severity), context


def at_pointer(manifest: Manifest, pointer: Pointer, code: str, message: str) -> Diagnostic:
    """A finding whose producer needs no context (hub objects are not rendered)."""
    return finding(manifest, pointer, code, message)[0]


def from_violation(manifest: Manifest, violation: Violation) -> Finding:
    return finding(manifest, violation.pointer, violation.code, violation.message, violation.at_key)


def merge(findings: Iterable[Finding]) -> list[Diagnostic]:
    """One diagnostic per distinct finding, naming every context that produced it."""
    contexts: dict[Diagnostic, list[str]] = {}
    for diag, context in findings:
        seen = contexts.setdefault(diag, [])
        if context and context not in seen:
            seen.append(context)
    merged = []
    for diag, seen in contexts.items():
        if seen:
            diag = replace(diag, message=f"{diag.message} [{'; '.join(sorted(seen))}]")
        merged.append(diag)
    return merged
