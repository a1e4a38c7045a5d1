"""The manifest rules of the policy pack on validated objects, in either validate process."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from edgemodels.codes import entry_codes
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.policy import PolicySet, check_manifests
from edgemodels.policy.model import Manifest as PolicyManifest
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.overlays import Locate, Overlays, Step
from edgemodels.validate.report import locate
from edgemodels.validate.twins import moved


def policy_findings(
    root: Path, manifests: Sequence[Manifest], policies: PolicySet | None
) -> list[Diagnostic]:
    """The manifest rules on `manifests`, named by tree-relative path like other findings."""
    if policies is None:
        return []
    # The same object at the same place (a twin overlay's, a render repeated for equal
    # values) gives the same findings: checked once (sort_diagnostics drops repeats).
    # A finding in the overlay's own files is copied to each twin's (twins.py).
    unique: dict[tuple[str, int, int], list[Manifest]] = {}
    for m in manifests:
        unique.setdefault((m.source.path, m.line, id(m.data)), []).append(m)
    overlays = Overlays(root)
    items = [
        PolicyManifest(str(root / m.source.path), m.line, m.data, _locator(root, m, overlays))
        for m, *_ in unique.values()
    ]
    found = [relative_to(d, root) for d in check_manifests(policies, items)]
    twins = {
        m.overlay: [t.overlay for t in rest if t.overlay not in ("", m.overlay)]
        for m, *rest in unique.values()
        if m.overlay and rest
    }
    return found + [copy for d in found for copy in _in_twins(d, twins)]


def _locator(root: Path, m: Manifest, overlays: Overlays) -> Locate | None:
    """Where a field of `m` is when the engine cannot read it in `m`'s file: set by an
    overlay (overlays.py), or rendered by Helm, placed on its template's line as schema
    findings are (report.locate; the template itself is no YAML the engine could read)."""
    if m.overlay:
        return overlays.locator(m.overlay, m.source.path, m.data)
    if m.source.template is None:
        return None

    def on_template(steps: tuple[Step, ...]) -> Location:
        where = locate(m, steps)[0]
        return replace(where, path=str(root / where.path))

    return on_template


def _in_twins(d: Diagnostic, twins: dict[str, list[str]]) -> list[Diagnostic]:
    path = d.location.path
    original = next((o for o in twins if path.startswith(o + "/")), None)
    if original is None:
        return []
    return [
        replace(d, location=replace(d.location, path=moved(path, original, twin)))
        for twin in twins[original]
    ]


def relative_to(d: Diagnostic, root: Path) -> Diagnostic:
    path = Path(d.location.path)
    if root != Path(".") and path.is_relative_to(root):
        return replace(d, location=replace(d.location, path=path.relative_to(root).as_posix()))
    return d


def validate_owns(policies: PolicySet | None) -> Callable[[str], bool]:
    """The `ignore[...]` entries `validate` can call unused: K codes and the manifest rules
    (by code or name). Catalogue rules, Y, S, R and names nothing has are `check`'s, and
    a name shared with one of those (`unknown-field` is S001 there and K101 here) is
    called unused by neither command: each sees only its own findings."""
    rules = policies.rules if policies is not None else ()
    manifest_rules = {r.code for r in rules if r.scope == "manifests"}
    codes_of = entry_codes((r.code, r.name) for r in rules)

    def owns(entry: str) -> bool:
        codes = codes_of(entry)
        return bool(codes) and all(c[:1] == "K" or c in manifest_rules for c in codes)

    return owns
