"""Policy files (kind PolicySet) -> rules with compiled expressions, or findings.

Read through `edgemodels.yamlio.load_positioned`, so every finding on a policy file (bad
shape, broken CEL, unknown function) names the file:line:col of the offending text.
"""

from __future__ import annotations

from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.policy.model import SEVERITIES, Rule
from edgemodels.policy.reader import Reader
from edgemodels.policy.rulereader import RuleReader
from edgemodels.yamlio import load_positioned
from edgemodels.yamltree import PosMap

API_VERSION = "edgemodels.io/v1alpha1"
KIND = "PolicySet"
CODE_RE = r"P[1-9][0-9]{2}"  # P000-P099 are the engine's own findings
NAME_RE = r"[a-z0-9]+(-[a-z0-9]+)*"
RULE_KEYS = (
    "code", "name", "severity", "severityExpression", "appliesTo", "matchConditions",
    "variables", "validations", "documentation",
)  # fmt: skip


def read_rule(r: Reader, node: PosMap, loc: Location, origin: str) -> Rule | None:
    """One rule, or None (with findings) when any part of it is not usable as written.

    A misspelt field, a bad reason or fieldPath is an error too: running the rule without
    it would give findings at the wrong severity, place or reason.
    """
    before = len(r.diagnostics)
    r.keys(node, RULE_KEYS, "a rule")
    rr = RuleReader(r, origin, rule_variables=_declared_names(node))
    code = r.string(node, "code", required=True, pattern=CODE_RE)
    name = r.string(node, "name", required=True, pattern=NAME_RE)
    severity = r.string(node, "severity") or "error"
    if severity not in SEVERITIES:
        r.error(r.where(node, "severity", True), f"severity must be one of {', '.join(SEVERITIES)}")
    catalogue, manifests = rr.applies_to(node)
    conditions = rr.named(node, "matchConditions", variables=False)
    variables = rr.named(node, "variables", variables=True)
    validations = rr.validations(node)
    severity_expr = rr.expression(node, "severityExpression")
    doc = rr.documentation(node)
    if code is None or name is None or conditions is None or variables is None:
        return None
    if not validations or not (catalogue or manifests) or severity not in SEVERITIES:
        return None
    if "severityExpression" in node and severity_expr is None:
        return None
    if any(d.severity == "error" for d in r.diagnostics[before:]):
        return None
    return Rule(
        code, name, severity, catalogue, manifests, conditions, variables, validations,
        severity_expr, doc, loc, origin,
    )  # fmt: skip


def _declared_names(node: PosMap) -> tuple[str, ...]:
    seq = node.get("variables")
    items = seq if isinstance(seq, list) else []
    return tuple(str(i["name"]) for i in items if isinstance(i, PosMap) and "name" in i)


def load_policy_file(path: Path, shown: str, origin: str) -> tuple[list[Rule], list[Diagnostic]]:
    """Rules of one PolicySet file. A broken rule is left out and reported; the rest load."""
    yf, diags = load_positioned(path, shown)
    r = Reader(yf)
    if yf.data is None:
        return [], [_as_policy_finding(d) for d in diags]
    root = yf.data
    if not isinstance(root, PosMap):
        r.error(Location(yf.path, 1, 1), "a policy file must be a mapping (kind: PolicySet)")
        return [], r.diagnostics
    r.keys(root, ("apiVersion", "kind", "metadata", "rules"), "a PolicySet")
    if root.get("apiVersion") != API_VERSION or root.get("kind") != KIND:
        r.error(r.where(root), f"expected apiVersion: {API_VERSION} and kind: {KIND}")
        return [], r.diagnostics
    rules = []
    for item, loc in r.items(r.sequence(root, "rules", required=True), "rules"):
        rule = read_rule(r, item, loc, origin)
        if rule is not None:
            rules.append(rule)
    return rules, r.diagnostics


def _as_policy_finding(d: Diagnostic) -> Diagnostic:
    """A YAML-level problem in a policy file is reported as a policy-file finding."""
    return Diagnostic(
        d.location, "P002", f"{d.message} ({d.code})", d.severity, "policy-file-invalid"
    )
