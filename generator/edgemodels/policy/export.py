"""Manifest rules as Kubernetes ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding.

The same CEL runs at admission on the hub or on the sites. edgemodels-only extensions are
dropped (fieldPath, fieldPathExpression, severityExpression, documentation); a rule that calls an
edgemodels-only function (or min/max/sum other than as list members) or reads `params`
cannot be evaluated by Kubernetes and is skipped with a reason. Severity maps to the
binding's validationActions. A validation with `forEach` (one finding per element here) is
written as its whole-list form, `<forEach>.all(item, ...)`, which admission policies can run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from edgemodels.policy.cel_env import NOT_IN_KUBERNETES
from edgemodels.policy.model import ITEM, Expression, PolicySet, ResourceMatch, Rule, Validation

API_VERSION = "admissionregistration.k8s.io/v1"
MANAGED_BY = {"app.kubernetes.io/managed-by": "edgemodels"}
ACTIONS = {"error": ["Deny"], "warning": ["Warn", "Audit"], "info": ["Audit"]}
# Resource names of kinds whose plural is not simply lower-case + "s".
PLURALS = {"Ingress": "ingresses", "NetworkPolicy": "networkpolicies", "Endpoints": "endpoints"}

Obj = dict[str, Any]


@dataclass(frozen=True)
class ExportOptions:
    codes: tuple[str, ...] = ()  # empty: every enabled rule (catalogue ones are skipped)
    managed_only: bool = True  # bind only objects labelled managed-by: edgemodels
    failure_policy: str = "Fail"


def export_objects(policies: PolicySet, options: ExportOptions) -> tuple[list[Obj], list[str]]:
    """(policy and binding objects, reasons for rules left out). The enabled catalogue
    rules share one reason, so that a user who expected them hears why they are missing
    without a line for each."""
    objects: list[Obj] = []
    skipped: list[str] = []
    selected = _selected(policies, options.codes)
    for rule in selected:
        reason = export_blocker(rule)
        if reason and rule.scope == "manifests":
            skipped.append(f"{rule.code} {rule.name}: {reason}")
        elif not reason:
            objects += [policy_object(rule, options), binding_object(rule, options)]
    catalogue = [r.code for r in selected if r.scope != "manifests"]
    if catalogue:
        codes = ", ".join(catalogue)
        skipped.insert(
            0, f"catalogue rules {codes}: they check the catalogue, not Kubernetes objects"
        )
    return objects, skipped


def _selected(policies: PolicySet, codes: Iterable[str]) -> list[Rule]:
    wanted = set(codes)
    if wanted:
        upper = {c.upper() for c in wanted}  # a code in any case, as `rule` takes it
        return [r for r in policies.rules if r.code in upper or r.name in wanted]
    return [r for r in policies.rules if r.enabled]


def export_blocker(rule: Rule) -> str:
    """Why Kubernetes could not run this rule, or "" when it can be exported."""
    if rule.scope != "manifests":
        return "a catalogue rule (it checks the catalogue, not Kubernetes objects)"
    kept = [e for e in rule.expressions() if e is not rule.severity_expression]
    kept = [e for e in kept if all(e is not v.field_path_expression for v in rule.validations)]
    own = sorted({f for e in kept for f in e.compiled.functions} & NOT_IN_KUBERNETES)
    forms = sorted({f for e in kept for f in e.compiled.not_members})
    own += [f"{f}(...)" for f in forms]
    if own:
        hint = "; it has min, max and sum only as list members, [a, b].max()" if forms else ""
        return f"uses functions Kubernetes does not have ({', '.join(own)}){hint}"
    if any("params" in e.compiled.roots for e in kept):
        return "reads params (the policy config), which a binding does not provide"
    return ""


def object_name(rule: Rule) -> str:
    return f"edgemodels-{rule.code.lower()}-{rule.name}"[:253]


def policy_object(rule: Rule, options: ExportOptions) -> Obj:
    spec: Obj = {
        "failurePolicy": options.failure_policy,
        "matchConstraints": {"resourceRules": [_resource_rule(m) for m in rule.manifests]},
    }
    if rule.match_conditions:
        spec["matchConditions"] = [
            {"name": c.name, "expression": c.expression.source} for c in rule.match_conditions
        ]
    if rule.variables:
        spec["variables"] = [
            {"name": v.name, "expression": v.expression.source} for v in rule.variables
        ]
    spec["validations"] = [_validation(v) for v in rule.validations]
    annotations = {"edgemodels.io/rule": f"{rule.code} {rule.name}"}
    if rule.documentation.what:
        annotations["edgemodels.io/description"] = " ".join(rule.documentation.what.split())
    return {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {
            "name": object_name(rule),
            "labels": dict(MANAGED_BY),
            "annotations": annotations,
        },
        "spec": spec,
    }


def _validation(v: Validation) -> Obj:
    out: Obj = {"expression": _whole_list(v, v.expression.source)}
    if v.message:
        out["message"] = " ".join(v.message.split())  # Kubernetes refuses line breaks here
    if v.message_expression is not None:
        out["messageExpression"] = _first_failing(v, v.message_expression)
    out["reason"] = v.reason
    return out  # fieldPath is an edgemodels extension (CRD rules have it, admission policies not)


def _grouped(source: str) -> str:
    # A newline keeps a trailing `//` comment from swallowing the closing parenthesis.
    end = "\n)" if "//" in source else ")"
    return f"({source.strip()}{end}"


def _whole_list(v: Validation, expression: str) -> str:
    """A forEach validation (an edgemodels extension) as one expression on the whole list:
    it holds when every element passes, so Kubernetes admits exactly what edgemodels passes."""
    if v.for_each is None:
        return expression
    return f"{_grouped(v.for_each.source)}.all({ITEM}, {_grouped(expression)})"


def _first_failing(v: Validation, message: Expression) -> str:
    """The message of the first failing element (Kubernetes gives one message per object)."""
    if v.for_each is None or ITEM not in message.compiled.roots:
        return message.source
    failing = f"{_grouped(v.for_each.source)}.filter({ITEM}, !{_grouped(v.expression.source)})"
    return f"{failing}.map({ITEM}, {_grouped(message.source)})[0]"


def _resource_rule(match: ResourceMatch) -> Obj:
    groups, versions = set(), set()
    for api_version in match.api_versions:
        if api_version == "*":
            groups.add("*")
            versions.add("*")
            continue
        group, _, version = api_version.rpartition("/")
        groups.add(group)
        versions.add(version)
    resources = ["*"] if "*" in match.kinds else [plural(k) for k in match.kinds]
    return {
        "apiGroups": sorted(groups),
        "apiVersions": sorted(versions),
        "operations": ["CREATE", "UPDATE"],
        "resources": resources,
    }


def plural(kind: str) -> str:
    """The resource name of a kind (Deployment -> deployments, Policy -> policies)."""
    if kind in PLURALS:
        return PLURALS[kind]
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    return lower + "s"


def binding_object(rule: Rule, options: ExportOptions) -> Obj:
    spec: Obj = {
        "policyName": object_name(rule),
        "validationActions": ACTIONS[rule.severity],
    }
    if options.managed_only:
        spec["matchResources"] = {"objectSelector": {"matchLabels": dict(MANAGED_BY)}}
    return {
        "apiVersion": API_VERSION,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": object_name(rule), "labels": dict(MANAGED_BY)},
        "spec": spec,
    }
