"""Run one rule against the object bound in a CEL Context, the way Kubernetes does.

matchConditions first (all must be true, else the rule does not apply), then each
validation, with the rule's variables written into the expressions that use them (so, as
in Kubernetes, a variable is evaluated only when it is used). A validation that is false is
a finding; one that cannot be evaluated (a missing field read without has(), a type error)
is a finding too, since Kubernetes would reject the object (failurePolicy: Fail).

A validation with `forEach` (an edgemodels extension) runs once per element of that list,
bound as `item` in its expression, messageExpression and fieldPathExpression, and gives one
finding per element that fails, so each credential or image is reported (and can be
suppressed) on its own line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.policy.cel_import import cel
from edgemodels.policy.fieldpath import parse_field_target
from edgemodels.policy.model import ITEM, SEVERITIES, Expression, FieldLocator, Rule, Validation


@dataclass(frozen=True)
class Subject:
    """Where the object under evaluation is, and how to point at one of its fields."""

    location: Location
    locate: FieldLocator
    origin: Location | None = None


class EvaluationError(Exception):
    def __init__(self, expression: Expression, detail: str) -> None:
        super().__init__(detail)
        self.expression, self.detail = expression, detail


def bind(ctx: cel.Context, name: str, value: object) -> None:
    """Set a variable; data CEL cannot take (dates, sets) is made JSON-like first."""
    try:
        ctx.add_variable(name, value)
    except ValueError:
        ctx.add_variable(name, _plain(value))


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def execute(expression: Expression, ctx: cel.Context) -> Any:
    try:
        return expression.compiled.program.execute(ctx)
    except KeyError as exc:
        raise EvaluationError(expression, f"no such key: {exc}") from None
    except Exception as exc:  # cel raises many types (TypeError, RuntimeError, ...)
        detail = str(exc).split(". Check that")[0]
        raise EvaluationError(expression, f"{type(exc).__name__}: {detail}") from None


def _is_true(expression: Expression, ctx: cel.Context) -> bool:
    result = execute(expression, ctx)
    if not isinstance(result, bool):
        raise EvaluationError(expression, f"expected a bool, got {type(result).__name__}")
    return result


def run_rule(ctx: cel.Context, rule: Rule, subject: Subject) -> list[Diagnostic]:
    """Findings of `rule` on the object bound as `object` in `ctx`.

    Each validation stands on its own, as in Kubernetes (one that cannot be evaluated is
    a decision next to the others' denials): its error is one finding, and what the other
    validations find is still reported. A matchCondition that fails decides for all."""
    try:
        for condition in rule.match_conditions:
            if not _is_true(condition.expression, ctx):
                return []
    except EvaluationError as err:
        return [_not_evaluated(rule, subject, err)]
    found: list[Diagnostic] = []
    errors: list[Diagnostic] = []
    for v in rule.validations:
        try:
            found += _validate(ctx, rule, v, subject)
        except EvaluationError as err:
            error = _not_evaluated(rule, subject, err)
            if error not in errors:  # a variable two validations read fails once
                errors.append(error)
    return (_with_severity(ctx, rule, subject, found) if found else found) + errors


def _not_evaluated(rule: Rule, subject: Subject, err: EvaluationError) -> Diagnostic:
    message = (
        f"rule could not be evaluated on this object: {err.detail} "
        f"(expression at {err.expression.location})"
    )
    return Diagnostic(
        subject.location, rule.code, message, rule.severity, rule.name, subject.origin
    )


def _validate(ctx: cel.Context, rule: Rule, v: Validation, subject: Subject) -> list[Diagnostic]:
    """The findings of one validation: at most one, or one per failing forEach element."""
    if v.for_each is None:
        return [] if _is_true(v.expression, ctx) else [_finding(ctx, rule, v, subject)]
    if _no_element_fails(v, ctx):  # the usual case: one call rather than one per element
        return []
    items = execute(v.for_each, ctx)
    if not isinstance(items, list):
        raise EvaluationError(v.for_each, f"forEach must give a list, got {type(items).__name__}")
    found = []
    for item in items:
        bind(ctx, ITEM, item)
        if not _is_true(v.expression, ctx):
            found.append(_finding(ctx, rule, v, subject))
    return found


def _no_element_fails(v: Validation, ctx: cel.Context) -> bool:
    """The whole-list program (screen.py) is true only when forEach gives a list and every
    element passes; when it is false or fails, the elements run one by one and report."""
    if v.whole is None:
        return False
    try:
        return v.whole.execute(ctx) is True
    except Exception:  # cel raises many types; the per-element run reports the error
        return False


def _finding(ctx: cel.Context, rule: Rule, v: Validation, subject: Subject) -> Diagnostic:
    message = _optional_string(v.message_expression, ctx) or v.message
    message = message or f"failed expression: {v.expression.source.strip()}"
    return Diagnostic(
        _where(ctx, v, subject), rule.code, message, rule.severity, rule.name, subject.origin
    )


def _with_severity(
    ctx: cel.Context, rule: Rule, subject: Subject, found: list[Diagnostic]
) -> list[Diagnostic]:
    """The findings at the severity of the rule's severityExpression (it reads the object,
    not `item`, so it is evaluated once), plus a finding when it did not give one."""
    severity, problem = _severity(ctx, rule)
    if severity != rule.severity:
        found = [dataclasses.replace(d, severity=severity) for d in found]
    if problem is not None:
        found.append(
            Diagnostic(subject.location, rule.code, problem, severity, rule.name, subject.origin)
        )
    return found


def _optional_string(expression: Expression | None, ctx: cel.Context) -> str | None:
    """A message or field path expression; like Kubernetes, fall back when it fails."""
    if expression is None:
        return None
    try:
        result = execute(expression, ctx)
    except EvaluationError:
        return None
    return result if isinstance(result, str) and result.strip() else None


def _severity(ctx: cel.Context, rule: Rule) -> tuple[Severity, str | None]:
    """The finding's severity, and what went wrong when the severityExpression did not give
    one: the rule's declared severity is used then, and the rule's author is told."""
    expression = rule.severity_expression
    if rule.severity_overridden or expression is None:
        return rule.severity, None
    try:
        value = execute(expression, ctx)
    except EvaluationError as err:
        problem = f"could not be evaluated: {err.detail}"
    else:
        severity = next((s for s in SEVERITIES if s == value), None)
        if severity is not None:
            return severity, None
        problem = f"gave {value!r}, not one of {', '.join(SEVERITIES)}"
    return rule.severity, (
        f"severityExpression of {rule.code} {rule.name} {problem}; its findings here are "
        f"reported at the rule's severity, {rule.severity} (expression at {expression.location})"
    )


def _where(ctx: cel.Context, v: Validation, subject: Subject) -> Location:
    path = _optional_string(v.field_path_expression, ctx) or v.field_path
    if not path:
        return subject.location
    try:
        steps, key = parse_field_target(path)
        return subject.locate(steps, key=key)
    except ValueError:
        return subject.location
