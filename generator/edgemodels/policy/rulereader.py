"""One rule of a policy file read field by field (its expressions compiled, its variables,
validations, appliesTo and documentation), each problem a finding at its place; apart from
files.py, which reads the file and each rule's code, name and severity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.policy.cel_env import (
    CelProblem,
    compile_expression,
    inline_variables,
    new_context,
)
from edgemodels.policy.evaluate import EvaluationError, execute
from edgemodels.policy.fieldpath import parse_field_target
from edgemodels.policy.model import (
    ENTRY_KINDS,
    ITEM,
    REASONS,
    Documentation,
    EntryKind,
    Expression,
    NamedExpression,
    ResourceMatch,
    Validation,
)
from edgemodels.policy.reader import Reader, offset_location
from edgemodels.policy.screen import whole_list
from edgemodels.yamltree import PosMap

IDENT_RE = r"[A-Za-z_][A-Za-z0-9_]*"
VALIDATION_KEYS = (
    "expression", "message", "messageExpression", "reason", "fieldPath", "fieldPathExpression",
    "forEach",
)  # fmt: skip
CATALOGUE_ROOTS = ("object", "variables", "params", "catalogue", "targets")
MANIFEST_ROOTS = ("object", "variables", "params")


@dataclass
class RuleReader:
    """Reads one rule; collects findings in the file's Reader."""

    r: Reader
    origin: str
    roots: tuple[str, ...] = CATALOGUE_ROOTS
    declared: list[str] = field(default_factory=list)
    expanded: dict[str, str] = field(default_factory=dict)  # variable -> source, written in
    rule_variables: tuple[str, ...] = ()  # every variable the rule declares
    in_conditions: bool = False  # reading matchConditions

    def expression(self, node: PosMap, key: str, required: bool = False) -> Expression | None:
        source = self.r.string(node, key, required)
        if source is None:
            return None
        pos = node.value_pos[key]
        try:
            compiled = compile_expression(source, self.roots, self.expanded)
        except CelProblem as problem:
            loc = offset_location(self.r.file, pos, source, problem.offset)
            name = "cel-syntax-error" if problem.code == "P003" else "cel-unknown-name"
            self.r.diagnostics.append(Diagnostic(loc, problem.code, problem.message, "error", name))
            return None
        loc = offset_location(self.r.file, pos, source, (1, 1))
        unknown = sorted(compiled.variable_names - set(self.declared))
        if unknown:
            at = offset_location(self.r.file, pos, source, variable_use(source, unknown[0]))
            message = self.variable_problem(unknown[0])
            self.r.diagnostics.append(Diagnostic(at, "P004", message, "error", "cel-unknown-name"))
            return None
        return Expression(source, loc, compiled)

    def variable_problem(self, name: str) -> str:
        if self.in_conditions:  # Kubernetes' rule too: they run before the rest of the policy
            return (
                f"matchConditions cannot read variables ('variables.{name}'): they are "
                "evaluated before the rule's variables"
            )
        if name in self.rule_variables:
            return (
                f"variable 'variables.{name}' is not declared before this expression "
                "(a variable can read only the variables declared above it)"
            )
        declared = ", ".join(self.declared) or "none"
        return f"unknown variable 'variables.{name}' (declared here: {declared})"

    def named(self, node: PosMap, key: str, variables: bool) -> tuple[NamedExpression, ...] | None:
        seq = self.r.sequence(node, key)
        if seq is None:
            return () if key not in node else None
        out, ok = [], True
        first: dict[str, Location] = {}
        for item, _ in self.r.items(seq, key):
            self.r.keys(item, ("name", "expression"), f"an entry of {key}")
            name = self.r.string(
                item, "name", required=True, pattern=IDENT_RE if variables else None
            )
            if name is not None and name in first:  # Kubernetes refuses it: "Duplicate value"
                where = self.r.where(item, "name", value=True)
                message = (
                    f"{key}: name '{name}' is declared twice (first at line {first[name].line})"
                )
                self.r.error(where, message)
                ok = False
            elif name is not None:
                first[name] = self.r.where(item, "name", value=True)
            self.in_conditions = not variables
            expr = self.expression(item, "expression", required=True)
            self.in_conditions = False
            if variables and name is not None:  # declared even if broken: no follow-on errors
                self.declared = [*self.declared, name]
            if name is None or expr is None:
                ok = False
                continue
            if variables:
                self.expanded[name] = inline_variables(expr.source, self.expanded)
            out.append(NamedExpression(name, expr))
        return tuple(out) if ok else None

    def validations(self, node: PosMap) -> tuple[Validation, ...] | None:
        seq = self.r.sequence(node, "validations", required=True)
        if seq is None:
            return None
        if not seq:
            self.r.error(self.r.where(node, "validations"), "a rule needs at least one validation")
        out = []
        for item, _ in self.r.items(seq, "validations"):
            self.r.keys(item, VALIDATION_KEYS, "a validation")
            v = self.validation(item)
            if v is None:
                return None
            out.append(v)
        return tuple(out)

    def validation(self, item: PosMap) -> Validation | None:
        for_each = self.for_each(item)
        roots = self.roots
        if "forEach" in item:  # its element is `item` in the validation's expressions
            self.roots = (*roots, ITEM)
        expr = self.expression(item, "expression", required=True)
        message_expr = self.expression(item, "messageExpression")
        path_expr = self.expression(item, "fieldPathExpression")
        self.roots = roots
        reason = self.r.string(item, "reason") or "Invalid"
        if reason not in REASONS:
            self.r.error(self.r.where(item, "reason", True), f"reason must be one of {REASONS}")
        path = self.r.string(item, "fieldPath") or ""
        try:
            parse_field_target(path)
        except ValueError as exc:
            self.r.error(self.r.where(item, "fieldPath", True), str(exc))
        if expr is None or ("messageExpression" in item and message_expr is None):
            return None
        if "fieldPathExpression" in item and path_expr is None:
            return None
        if "forEach" in item and for_each is None:
            return None
        message = self.r.string(item, "message") or ""
        v = Validation(expr, message, message_expr, reason, path, path_expr, for_each)
        return whole_list(v)

    def for_each(self, item: PosMap) -> Expression | None:
        """The forEach expression; one that reads nothing is evaluated now, and must be a list."""
        for_each = self.expression(item, "forEach")
        if for_each is None or for_each.compiled.roots:
            return for_each
        try:
            value = execute(for_each, new_context(for_each.compiled.functions))
        except EvaluationError as err:
            self.r.error(for_each.location, f"forEach cannot be evaluated: {err.detail}")
            return None
        if not isinstance(value, list):
            self.r.error(for_each.location, f"forEach must give a list, got {type(value).__name__}")
            return None
        return for_each

    def applies_to(self, node: PosMap) -> tuple[tuple[EntryKind, ...], tuple[ResourceMatch, ...]]:
        applies = self.r.mapping(node, "appliesTo", required=True)
        if applies is None:
            return (), ()
        self.r.keys(applies, ("catalogue", "manifests"), "appliesTo")
        if ("catalogue" in applies) == ("manifests" in applies):
            self.r.error(
                self.r.where(node, "appliesTo"),
                "appliesTo needs exactly one of 'catalogue' (entry kinds) "
                "or 'manifests' (apiVersions/kinds)",
            )
            return (), ()
        if "catalogue" in applies:
            kinds = self.r.strings(applies, "catalogue") or []
            bad = [k for k in kinds if k not in ENTRY_KINDS]
            if bad or not kinds:
                self.r.error(
                    self.r.where(applies, "catalogue", True),
                    f"catalogue entry kinds must be among {', '.join(ENTRY_KINDS)}",
                )
                return (), ()
            return tuple(k for k in ENTRY_KINDS if k in kinds), ()
        self.roots = MANIFEST_ROOTS
        return (), self.resource_matches(applies)

    def resource_matches(self, applies: PosMap) -> tuple[ResourceMatch, ...]:
        seq = self.r.sequence(applies, "manifests")
        out = []
        for item, loc in self.r.items(seq, "manifests"):
            self.r.keys(item, ("apiVersions", "kinds"), "a manifests selector")
            versions, kinds = self.r.strings(item, "apiVersions"), self.r.strings(item, "kinds")
            if not versions or not kinds:
                self.r.error(loc, "a manifests selector needs apiVersions and kinds (or '*')")
                continue
            out.append(ResourceMatch(tuple(versions), tuple(kinds)))
        return tuple(out)

    def documentation(self, node: PosMap) -> Documentation:
        doc = self.r.mapping(node, "documentation")
        if doc is None:
            return Documentation()
        self.r.keys(doc, ("what", "why", "fail", "pass"), "documentation")
        texts = [self.r.string(doc, k) or "" for k in ("what", "why", "fail", "pass")]
        return Documentation(*texts)


def variable_use(source: str, name: str) -> tuple[int, int]:
    """1-based (line, col) of the first `variables.<name>` in `source`, for the finding."""
    match = re.search(rf"\bvariables\s*\.\s*{re.escape(name)}\b", source)
    if match is None:
        return 1, 1
    before = source[: match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1
