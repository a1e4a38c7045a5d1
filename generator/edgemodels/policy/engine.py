"""Load the rules once per run, then check catalogue entries and generated manifests.

```python
policies = load_policies(None, Path("catalogue"))      # default pack + repo files + config
diags = [*policies.diagnostics, *check_catalogue(policies, entries)]
diags += check_manifests(policies, [Manifest(path, line, obj), ...])
```
Inline `# edgemodels: ignore[P101]` comments are applied by the command, once over all of
its findings (`diagnostics.apply_suppressions`); per-path ignores from the config are
applied here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatch
from functools import partial
from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.origins import SOURCE_ANNOTATION, parse_source
from edgemodels.policy.cel_env import new_context
from edgemodels.policy.cel_import import cel
from edgemodels.policy.evaluate import Subject, bind, run_rule
from edgemodels.policy.fieldpath import Step
from edgemodels.policy.model import (
    ENTRY_KINDS,
    CatalogueEntry,
    FieldLocator,
    Manifest,
    PolicySet,
    Rule,
)
from edgemodels.policy.reads import Screen, build_screen, project
from edgemodels.policy.screen import passing
from edgemodels.recall import NOTHING, Recall, Same
from edgemodels.secrets_scan import might_hold_credential
from edgemodels.yamlio import load_positioned, locate
from edgemodels.yamltree import PosMap

ENTRY_SECTIONS = ("targets", "models", "workloads")


def _context(policies: PolicySet, rules: Sequence[Rule]) -> cel.Context:
    ctx = new_context(f for r in rules for f in r.functions())
    bind(ctx, "params", dict(policies.params))
    return ctx


def check_catalogue(
    policies: PolicySet, entries: Iterable[CatalogueEntry], recall: Recall = NOTHING
) -> list[Diagnostic]:
    """Findings of the catalogue rules on every entry (model, target, workload, catalogue).
    An entry other than the catalogue's reads itself, its targets, the catalogue's settings
    and the rules: `recall` (a resident server's) gives back its findings while all of
    those are the very objects they were."""
    rules = policies.active("catalogue")
    entries = list(entries)
    if not rules or not entries:
        return []
    ctx = _context(policies, rules)
    whole = next((e for e in entries if e.kind == "catalogue"), None)
    bind(ctx, "catalogue", _without_entries(whole.object) if whole else {})
    targets = {e.name: e.object for e in entries if e.kind == "target"}
    helper = _helper_targets(entries, targets)
    by_kind = {kind: [r for r in rules if kind in r.catalogue] for kind in ENTRY_KINDS}
    context = (Same(policies), Same(whole), tuple((n, Same(o)) for n, o in targets.items()))
    known = recall.table("catalogue rules", context)
    found: list[Diagnostic] = []
    for entry in entries:
        applicable = by_kind[entry.kind]
        if not applicable:
            continue
        if entry.kind == "catalogue":  # its `targets` are those of every model
            found += _evaluate(ctx, entry, applicable, helper)
        else:
            evaluate = partial(_evaluate, ctx, entry, applicable, _targets_of(entry, targets))
            found += known.get(entry, evaluate)
    return apply_ignores(policies, found)


def _evaluate(
    ctx: cel.Context,
    entry: CatalogueEntry,
    rules: Sequence[Rule],
    targets: Mapping[str, object],
) -> list[Diagnostic]:
    obj = _without_entries(entry.object) if entry.kind == "catalogue" else entry.object
    bind(ctx, "object", obj)
    bind(ctx, "targets", targets)
    subject = Subject(entry.location, entry.locate)
    found: list[Diagnostic] = []
    for rule in rules:
        found += run_rule(ctx, rule, subject)
    return found


def _without_entries(document: Mapping[str, object]) -> dict[str, object]:
    """The catalogue document without its targets/models/workloads (entries of their own,
    and large: handing them to CEL with every object would cost seconds per thousand)."""
    spec = document.get("spec")
    if not isinstance(spec, Mapping):
        return dict(document)
    return {**document, "spec": {k: v for k, v in spec.items() if k not in ENTRY_SECTIONS}}


def _helper_targets(
    entries: list[CatalogueEntry], targets: Mapping[str, object]
) -> dict[str, object]:
    """`targets` for the catalogue itself: where its helper image runs, i.e. the placements
    of its container models (the copy Job and the image-volume prefetch use it): their
    targets, and `follow-<model>` for one that follows its workloads. That placement is no
    target of the catalogue, so it stands as an empty object (no `production`): a container
    model placed only by `followWorkloads` still runs the helper on the sites."""
    names: set[str] = set()
    follow: dict[str, object] = {}
    for e in entries:
        if e.kind != "model" or e.object.get("wrapper") != "container":
            continue
        listed = e.object.get("targets")
        if isinstance(listed, list):
            names.update(n for n in listed if isinstance(n, str))
        if e.object.get("followWorkloads") is True:
            follow[f"follow-{e.name}"] = {}
    return {**{n: targets[n] for n in sorted(names) if n in targets}, **follow}


def _targets_of(entry: CatalogueEntry, targets: Mapping[str, object]) -> dict[str, object]:
    """`targets` in CEL: the targets a model lists, or the target itself."""
    if entry.kind == "target":
        return {entry.name: entry.object}
    names = entry.object.get("targets") if entry.kind == "model" else None
    if not isinstance(names, list):
        return {}
    return {n: targets[n] for n in names if isinstance(n, str) and n in targets}


def check_manifests(
    policies: PolicySet, manifests: Iterable[Manifest | tuple[str, int, Mapping[str, object]]]
) -> list[Diagnostic]:
    """Findings of the manifest rules on generated objects, pointing back at the catalogue."""
    rules = policies.active("manifests")
    if not rules:
        return []
    ctx = _context(policies, rules)
    selected = policies.screens
    files: dict[str, PosMap | None] = {}
    found: list[Diagnostic] = []
    for item in manifests:
        m = Manifest(*item)
        api_version, kind = m.object.get("apiVersion"), m.object.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            continue
        key = (api_version, kind)
        if key not in selected:
            chosen = tuple(r for r in rules if any(s.matches(*key) for s in r.manifests))
            selected[key] = (chosen, build_screen(chosen))
        chosen, screen = selected[key]
        if not chosen:
            continue
        # One call says which rules certainly pass; the others run on their own.
        bound_whole, passed = _screen(ctx, screen, m.object, len(chosen))
        checked = [r for r, ok in zip(chosen, passed, strict=True) if not ok]
        if not checked:
            continue
        if not bound_whole:  # rules run on the whole object, as they always have
            bind(ctx, "object", m.object)
        subject = Subject(Location(m.path, m.line, 1), _locator(m, files), source_of(m.object))
        for rule in checked:
            found += run_rule(ctx, rule, subject)
    return apply_ignores(policies, found)


def _screen(
    ctx: cel.Context, screen: Screen, obj: Mapping[str, object], count: int
) -> tuple[bool, list[bool]]:
    """(is the whole object bound now, per rule: does the screen show it passes).

    On objects the credential pre-filter clears, `credentials(object)` is `[]`: the call
    would get the object back from CEL (the same strings under the same keys, in mappings
    and lists), and `scan_value` finds nothing where `might_hold_credential` clears."""
    partial = screen.partial
    if partial is not None and not (screen.clearance and might_hold_credential(obj)):
        part = project(obj, screen.reads) if screen.reads is not None else None
        bind(ctx, "object", obj if part is None else part)
        return part is None, passing(partial, ctx, count)
    bind(ctx, "object", obj)
    return True, passing(screen.program, ctx, count)


def source_of(obj: Mapping[str, object]) -> Location | None:
    """The catalogue entry from the `edgemodels.io/source` annotation (origins.py)."""
    metadata = obj.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    return (
        parse_source(annotations.get(SOURCE_ANNOTATION))
        if isinstance(annotations, Mapping)
        else None
    )


def _locator(m: Manifest, files: dict[str, PosMap | None]) -> FieldLocator:
    def locate_field(path: tuple[Step, ...], key: bool = False) -> Location:
        # a field an overlay sets is at its line in the patch, key or value alike
        found = m.locate(path) if m.locate is not None else None
        if found is not None:
            return found
        if m.path not in files:
            files[m.path] = _positioned(m.path)
        root = files[m.path]
        if root is None or getattr(root, "pos", (0, 0))[0] > m.line + 2:
            return Location(m.path, m.line, 1)  # not the file we think: stay on the object
        line, col = locate(root, path, key=key)
        return Location(m.path, line, col)

    return locate_field


def _positioned(path: str) -> PosMap | None:
    """A generated file with positions, read only when a finding needs a field's line."""
    yf, _ = load_positioned(Path(path))
    return yf.data if isinstance(yf.data, PosMap) else None


def apply_ignores(policies: PolicySet, diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Drop findings of rules the config ignores for the file (or catalogue file) they are on."""
    if not policies.ignores:
        return list(diags)
    kept = []
    for d in diags:
        # An origin names its entry (`file.yaml#models/x`) until resolve_origins runs.
        paths = [d.location.path] + ([d.origin.path.partition("#")[0]] if d.origin else [])
        if not any(
            (d.code in ig.rules or d.name in ig.rules)
            and any(
                _matches(p, pattern, policies.base_dir) for p in paths for pattern in ig.patterns
            )
            for ig in policies.ignores
        ):
            kept.append(d)
    return kept


def _matches(path: str, pattern: str, base: Path) -> bool:
    """`path` (as findings name it: through the links the catalogue was read by, relative
    to the working folder) against a pattern relative to the config's folder: by the path
    as named (a link's own finding, Y017, names the link, which resolving would leave),
    then by the real paths."""
    if fnmatch(path, pattern):
        return True
    named = Path(os.path.abspath(path)), Path(os.path.abspath(base))
    return _under(*named, pattern) or _under(Path(path).resolve(), base.resolve(), pattern)


def _under(full: Path, folder: Path, pattern: str) -> bool:
    return full.is_relative_to(folder) and fnmatch(full.relative_to(folder).as_posix(), pattern)
