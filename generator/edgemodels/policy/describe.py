"""What `edgemodels rules` and `edgemodels rule CODE` print: plain data and text."""

from __future__ import annotations

import textwrap

from edgemodels.policy.export import export_blocker
from edgemodels.policy.model import PolicySet, ResourceMatch, Rule

COLUMNS = ("code", "name", "severity", "enabled", "scope", "source")


def severity_text(rule: Rule) -> str:
    if rule.severity_expression is not None and not rule.severity_overridden:
        return f"{rule.severity}*"  # depends on the object; see the rule's documentation
    return rule.severity


def applies_text(rule: Rule) -> str:
    if rule.catalogue:
        return "catalogue: " + ", ".join(rule.catalogue)
    return "manifests: " + "; ".join(_match_text(m) for m in rule.manifests)


def _match_text(m: ResourceMatch) -> str:
    return f"{','.join(m.api_versions)} {','.join(m.kinds)}"


def rule_row(rule: Rule) -> dict[str, str]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": severity_text(rule),
        "enabled": "yes" if rule.enabled else "no",
        "scope": rule.scope,
        "source": rule.origin,
    }


def rule_json(rule: Rule) -> dict[str, object]:
    """A rule as `edgemodels rules --format json` gives it: the table's row, but with the
    plain severity (error, warning or info) and a field saying whether a severityExpression
    changes it per object, where the table has a `*` and a footnote."""
    row: dict[str, object] = dict(rule_row(rule))
    row["severity"] = rule.severity
    row["severityDependsOnObject"] = (
        rule.severity_expression is not None and not rule.severity_overridden
    )
    return row


def rules_table(policies: PolicySet) -> str:
    rows = [dict(zip(COLUMNS, COLUMNS, strict=True))] + [rule_row(r) for r in policies.rules]
    widths = {c: max(len(row[c]) for row in rows) for c in COLUMNS}
    lines = ["  ".join(row[c].ljust(widths[c]) for c in COLUMNS).rstrip() for row in rows]
    if any(r.severity_expression is not None for r in policies.rules):
        lines.append("* severity depends on the object (see `edgemodels rule CODE`)")
    return "\n".join(lines) + "\n"


def _findings_lines(rule: Rule) -> list[str]:
    """How many findings each validation gives (where to look, and what to suppress): said
    only for a rule with a forEach validation, and per validation when it has others too."""
    counts = [
        "one per object"
        if v.for_each is None
        else "one per failing element of " + " ".join(v.for_each.source.split())
        for v in rule.validations
    ]
    if all(text == "one per object" for text in counts):
        return []
    if len(counts) == 1 or "one per object" not in counts:
        return [f"  findings:  {text}" for text in counts]
    numbered = (f"{text} (validation {n})" for n, text in enumerate(counts, start=1))
    return ["  findings:  " + "; ".join(numbered)]


def rule_document(rule: Rule) -> str:
    """The documentation of one rule, as printed by `edgemodels rule CODE`."""
    doc = rule.documentation
    head = [
        f"{rule.code} {rule.name}",
        f"  severity:  {severity_text(rule)}" + ("" if rule.enabled else " (turned off)"),
        f"  applies:   {applies_text(rule)}",
        f"  defined:   {rule.location}",
    ]
    if rule.severity_expression is not None:
        head.append(f"  severity expression: {rule.severity_expression.source.strip()}")
    head += _findings_lines(rule)
    if rule.scope == "manifests":
        blocker = export_blocker(rule)
        head.append(
            f"  export:    {'no, ' + blocker if blocker else 'yes (edgemodels policy export)'}"
        )
    parts = ["\n".join(head)]
    for title, text in (("What", doc.what), ("Why", doc.why)):
        if text:
            parts.append(
                f"{title}:\n"
                + textwrap.fill(
                    " ".join(text.split()), 88, initial_indent="  ", subsequent_indent="  "
                )
            )
    for title, text in (("Fails", doc.fail), ("Passes", doc.passing)):
        if text:
            parts.append(f"{title}:\n" + textwrap.indent(text.rstrip("\n"), "    "))
    parts.append(f"Suppress on one line: # edgemodels: ignore[{rule.code}]")
    return "\n\n".join(parts) + "\n"
