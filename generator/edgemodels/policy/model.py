"""Policies as typed, frozen data: rules with compiled expressions, and what they apply to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.policy.cel_env import Compiled
from edgemodels.policy.cel_import import cel
from edgemodels.policy.fieldpath import Step

if TYPE_CHECKING:
    from edgemodels.policy.reads import Screen

EntryKind = Literal["model", "target", "workload", "catalogue"]
ENTRY_KINDS: tuple[EntryKind, ...] = ("model", "target", "workload", "catalogue")
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
ITEM = "item"  # the CEL variable a validation's forEach binds to each element
REASONS = ("Invalid", "Forbidden", "Unauthorized", "RequestEntityTooLarge")

NOWHERE = Location("<none>")


class FieldLocator(Protocol):
    """Where a field path points in an object's file (fieldpath.py): at the field's value,
    or with `key` at its key."""

    def __call__(self, path: tuple[Step, ...], key: bool = False) -> Location: ...


JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True)
class CatalogueEntry:
    """One catalogue entry as the user wrote it (camelCase keys), for catalogue rules.

    `object` is plain JSON-like data; a target gets its `name` added. For kind "catalogue"
    it is the document (apiVersion, kind, metadata, spec); spec.targets/models/workloads
    may be present and are ignored (they are entries of their own). `locate` maps a field
    path inside `object` to the file:line:col where it is written.
    """

    kind: EntryKind
    name: str
    object: Mapping[str, object]
    location: Location
    locate: FieldLocator


class Manifest(NamedTuple):
    """One generated object: the file it is in, the line it starts on, and its content.

    `locate`, when given, places a field the file does not hold as the object has it (one
    an overlay set); None from it: the field is located in the file."""

    path: str
    line: int
    object: Mapping[str, object]
    locate: Callable[[tuple[Step, ...]], Location | None] | None = None


@dataclass(frozen=True)
class Expression:
    source: str
    location: Location  # where the expression text starts in its policy file
    compiled: Compiled = field(compare=False, repr=False)


@dataclass(frozen=True)
class NamedExpression:
    name: str
    expression: Expression


@dataclass(frozen=True)
class Validation:
    expression: Expression
    message: str = ""
    message_expression: Expression | None = None
    reason: str = "Invalid"
    field_path: str = ""
    field_path_expression: Expression | None = None
    # A list: the validation runs once per element (bound as `item`), a finding per failure.
    for_each: Expression | None = None
    # With for_each: one program that is true only when no element fails (screen.py), so the
    # usual case costs one call rather than one per element.
    whole: cel.Program | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ResourceMatch:
    """apiVersions ('apps/v1', 'v1', 'apps/*', '*') and kinds ('Deployment', '*')."""

    api_versions: tuple[str, ...]
    kinds: tuple[str, ...]

    def matches(self, api_version: str, kind: str) -> bool:
        group = api_version.rpartition("/")[0]
        version_ok = any(
            v in ("*", api_version) or (v.endswith("/*") and v[:-2] == group)
            for v in self.api_versions
        )
        return version_ok and any(k in ("*", kind) for k in self.kinds)


@dataclass(frozen=True)
class Documentation:
    what: str = ""
    why: str = ""
    fail: str = ""
    passing: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    catalogue: tuple[EntryKind, ...] = ()  # entry kinds, for a catalogue rule
    manifests: tuple[ResourceMatch, ...] = ()  # selected objects, for a manifest rule
    match_conditions: tuple[NamedExpression, ...] = ()
    variables: tuple[NamedExpression, ...] = ()
    validations: tuple[Validation, ...] = ()
    severity_expression: Expression | None = None
    documentation: Documentation = field(default_factory=Documentation)
    location: Location = NOWHERE
    origin: str = "default"  # "default" (shipped pack) or the policy file that defines it
    enabled: bool = True
    severity_overridden: bool = False

    @property
    def scope(self) -> str:
        return "catalogue" if self.catalogue else "manifests"

    def expressions(self) -> list[Expression]:
        found = [c.expression for c in (*self.match_conditions, *self.variables)]
        for v in self.validations:
            found += [v.for_each] if v.for_each else []
            found += [e for e in (v.expression, v.message_expression) if e is not None]
            found += [v.field_path_expression] if v.field_path_expression else []
        return found + ([self.severity_expression] if self.severity_expression else [])

    def functions(self) -> frozenset[str]:
        return frozenset(f for e in self.expressions() for f in e.compiled.functions)


@dataclass(frozen=True)
class Ignore:
    """Config entry: these rule codes (or names) do not apply to files matching `patterns`."""

    rules: frozenset[str]
    patterns: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class PolicySet:
    rules: tuple[Rule, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    params: Mapping[str, JsonValue] = field(default_factory=dict)
    ignores: tuple[Ignore, ...] = ()
    base_dir: Path = Path(".")  # ignore patterns are relative to this (the config's folder)
    config_path: str | None = None
    # (apiVersion, kind) -> the manifest rules for it and their compiled screen (engine.py):
    # compiling a kind's screen costs ~6 ms, once per run rather than once per call.
    screens: dict[tuple[str, str], tuple[tuple[Rule, ...], Screen]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def rule(self, code_or_name: str) -> Rule:
        """By code, in any case as other codes are taken (`p101`), or by name."""
        for r in self.rules:
            if code_or_name.upper() == r.code or code_or_name == r.name:
                return r
        raise KeyError(code_or_name)

    def active(self, scope: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled and r.scope == scope)
