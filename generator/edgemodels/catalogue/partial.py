"""The reference findings that hold in a catalogue with schema errors.

A catalogue with schema errors is not merged and checked whole: its values may be of any
type, and most checks read the whole of it. But the names that define targets, models and
workloads, and the names that refer to them, can be read where they are well-formed, and
what they say does not depend on the errors elsewhere: a model that names an undefined
target still names it once a quantity is fixed. So `check` reports, next to the schema
errors, the findings below, and only those that no fix of a schema error in place (a value
or key corrected where it stands) can take away or change:

- R101, R103 a model or workload name defined twice (R102 a target); "first at" names the
  first definition only when no unreadable entry before it could turn out to be the first;
- R104 a model naming an undefined target, R120 a model's override for one, R105 a
  workload using an undefined model: only when every definition of that kind in the
  catalogue is readable (a target name that breaks the schema, a misspelt `targets:` or
  `spec:`, a file of another kind or apiVersion could each define the name), and only for
  an entry whose own name is valid and whose list is a list of distinct strings.

Findings that need the whole catalogue valid (unused targets, placements, overlaps,
generated names, resources, policies) wait until the schema errors are fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema_rs

from edgemodels.catalogue.references import (
    duplicate_name,
    unknown_models,
    unknown_override,
    unknown_targets,
)
from edgemodels.catalogue.sources import API_VERSION, KIND, Node, defined_twice
from edgemodels.data import catalogue_schema
from edgemodels.diagnostics import Diagnostic
from edgemodels.yamlio import YamlFile

KINDS = ("targets", "models", "workloads")


@dataclass
class _Kind:
    """The definitions of one kind in the order `merge` meets them: a node, or None where
    an entry's name cannot be read (a fix could give it any name)."""

    entries: list[Node | None] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(e is not None for e in self.entries)


@dataclass
class _Gathered:
    kinds: dict[str, _Kind] = field(default_factory=lambda: {k: _Kind() for k in KINDS})
    # Keys a target's entry does not know (a target indented one level too deep), and
    # keys holding a mapping further down (one indented deeper still).
    nested_targets: set[str] = field(default_factory=set)

    def unreadable(self) -> None:
        """A part of a file that could define anything."""
        for kind in self.kinds.values():
            kind.entries.append(None)


def reference_findings(files: list[YamlFile], diags: list[Diagnostic]) -> list[Diagnostic]:
    """The sound reference findings of `files`, whose schema findings are among `diags`.
    None when an error other than a schema error (YAML, a link) may have left a file out."""
    if any(d.severity == "error" and not d.code.startswith("S") for d in diags):
        return []
    gathered = _Gathered()
    for yf in files:
        _gather(gathered, yf)
    return list(_findings(gathered))


def _gather(gathered: _Gathered, yf: YamlFile) -> None:
    data, rules = yf.data, _rules()
    spec = data.get("spec", {})  # `spec: null` is no spec, but an error a fix may fill
    readable = (
        data.get("kind") == KIND
        and data.get("apiVersion") == API_VERSION
        and set(data) <= rules.root_keys
        and isinstance(spec, dict)
        and set(spec) <= rules.spec_keys
    )
    if not readable:
        gathered.unreadable()
        return
    root = Node(spec, yf, ("spec",))
    if "targets" in spec:
        _gather_targets(gathered, root, spec["targets"])
    for kind in ("models", "workloads"):
        _gather_entries(gathered.kinds[kind], root, spec, kind, rules.names[kind])


def _gather_targets(gathered: _Gathered, spec: Node, targets: Any) -> None:
    found = gathered.kinds["targets"]
    if not isinstance(targets, dict):
        found.entries.append(None)
        return
    rules = _rules()
    for name, body in targets.items():
        valid = rules.names["targets"](name)
        found.entries.append(spec.child("targets", name) if valid else None)
        if isinstance(body, dict):
            gathered.nested_targets.update(k for k in body if k not in rules.target_keys)
            gathered.nested_targets.update(_deeper_targets(body))


def _deeper_targets(body: dict[Any, Any]) -> Iterator[str]:
    """Keys further down a target's entry that hold a mapping: a target indented two
    levels or more too deep (into a selector's labels, S003) could be any of them."""
    for value in body.values():
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, dict) and isinstance(key, str):
                    yield key
            yield from _deeper_targets(value)


def _gather_entries(
    found: _Kind, spec: Node, data: dict[str, Any], kind: str, valid: Callable[[object], bool]
) -> None:
    if kind not in data:
        return
    entries = data[kind]
    if not isinstance(entries, list):
        found.entries.append(None)
        return
    for i, entry in enumerate(entries):
        ok = isinstance(entry, dict) and valid(entry.get("name"))
        found.entries.append(spec.child(kind, i) if ok else None)


def _findings(gathered: _Gathered) -> Iterator[Diagnostic]:
    targets, models, workloads = (gathered.kinds[k] for k in KINDS)
    yield from _twice(
        targets,
        lambda node, first: defined_twice(
            node, first, "R102", "duplicate-target", f"target '{_name(node)}'"
        ),
    )
    yield from _twice(models, lambda node, first: duplicate_name("model", "R101", node, first))
    yield from _twice(
        workloads, lambda node, first: duplicate_name("workload", "R103", node, first)
    )
    if targets.complete:
        defined = {_name(t): t for t in targets.entries if t is not None}
        for m in models.entries:
            if m is not None:
                yield from _model_targets(m, defined, gathered.nested_targets)
    if models.complete:
        names = {_name(m) for m in models.entries if m is not None}
        for w in workloads.entries:
            if w is not None and _distinct_strings(w.get("uses")):
                yield from unknown_models(w, names)


def _name(node: Node) -> str:
    """A target's name is its key; a model's or workload's, its `name`."""
    key = node.path[-1]
    return key if isinstance(key, str) else str(node.data["name"])


def _twice(kind: _Kind, finding: Callable[[Node, Node], Diagnostic]) -> Iterator[Diagnostic]:
    """Names defined twice. Once an unreadable entry is met, a name first defined after it
    is left out: that entry could be the first definition, and "first at" would move."""
    first: dict[str, tuple[Node, bool]] = {}
    unsure = False
    for node in kind.entries:
        if node is None:
            unsure = True
            continue
        name = _name(node)
        if name not in first:
            first[name] = (node, unsure)
        elif not first[name][1]:
            yield finding(node, first[name][0])


def _model_targets(m: Node, defined: dict[str, Node], nested: set[str]) -> Iterator[Diagnostic]:
    """R104 and R120 of one model whose name is valid, against every target defined."""
    if _distinct_strings(m.get("targets")):
        yield from unknown_targets(m, defined, nested)
    overrides = m.get("overrides")
    if isinstance(overrides, dict):
        for t in overrides:
            if t not in defined and t not in nested:
                yield unknown_override(m, t, defined)


def _distinct_strings(value: Any) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(v, str) for v in value)
        and len(set(value)) == len(value)
    )


@dataclass(frozen=True)
class _Rules:
    """What the catalogue schema says of the names read here."""

    root_keys: frozenset[str]
    spec_keys: frozenset[str]
    target_keys: frozenset[str]
    names: dict[str, Callable[[object], bool]]


@cache
def _rules() -> _Rules:
    schema = catalogue_schema()
    spec = schema["properties"]["spec"]["properties"]
    name_schemas = {
        "targets": spec["targets"]["propertyNames"],
        "models": spec["models"]["items"]["properties"]["name"],
        "workloads": spec["workloads"]["items"]["properties"]["name"],
    }
    return _Rules(
        frozenset(schema["properties"]),
        frozenset(spec),
        frozenset(spec["targets"]["additionalProperties"]["properties"]),
        {kind: _valid_name(schema, sub) for kind, sub in name_schemas.items()},
    )


def _valid_name(schema: dict[str, Any], sub: dict[str, Any]) -> Callable[[object], bool]:
    validator = jsonschema_rs.validator_for(
        {"$schema": schema["$schema"], "$defs": schema["$defs"], **sub}
    )
    return lambda value: isinstance(value, str) and bool(validator.is_valid(value))
