"""SARIF 2.1.0, for code-scanning views (GitHub, GitLab, IDEs): the largest of the reporters,
kept apart from output.py, which picks it by name. With the findings' fingerprint, which the
GitLab report uses too."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from urllib.parse import quote

from edgemodels import __version__
from edgemodels.diagnostics import Diagnostic
from edgemodels.display import shown_in

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _artifact_uri(path: str) -> str:
    """A URI reference for a path: relative paths stay relative (resolved against the
    checkout by the viewer), absolute ones become file URIs."""
    if path.startswith("/"):
        return "file://" + quote(path, errors="surrogateescape")
    return quote(path, errors="surrogateescape")  # a file name's bytes, whatever the locale


def _sarif_location(path: str, line: int, col: int) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": {"uri": _artifact_uri(path)}}
    if line > 0:
        physical["region"] = {"startLine": line, "startColumn": max(col, 1)}
    return {"physicalLocation": physical}


def _sarif_rules(diags: Sequence[Diagnostic]) -> list[dict[str, object]]:
    names: dict[str, str] = {}
    for d in diags:
        names.setdefault(d.code, d.name)
    rules = []
    for code in sorted(names):
        rule: dict[str, object] = {"id": code}
        if names[code]:
            rule["name"] = names[code]
            rule["shortDescription"] = {"text": names[code].replace("-", " ")}
        rules.append(rule)
    return rules


def _sarif_result(
    d: Diagnostic, index: dict[str, int], new: Callable[[Diagnostic], bool] | None
) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": _SARIF_LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [_sarif_location(d.path, d.line, d.col)],
        "partialFingerprints": {"edgemodels/v1": fingerprint(d, 0)},
    }
    if d.origin is not None and d.origin != d.location:
        related = _sarif_location(d.origin.path, d.origin.line, d.origin.col)
        related["id"] = 1
        related["message"] = {"text": "catalogue entry that produced this object"}
        result["relatedLocations"] = [related]
    if d.sites:  # the message names ten at most; a result's property bag holds them all
        result["properties"] = {"sites": list(d.sites)}
    if new is not None:  # against a base run: this change's finding, or one it had already
        result["baselineState"] = "new" if new(d) else "unchanged"
    return result


def render_sarif(
    diags: Sequence[Diagnostic],
    subject: str,
    properties: dict[str, object] | None = None,
    new: Callable[[Diagnostic], bool] | None = None,
) -> str:
    """`properties`: the run's property bag (plan's summary); `new`: with a base to compare
    with, whether a finding is new (each result's baselineState)."""
    rules = _sarif_rules(diags)
    index = {str(rule["id"]): i for i, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "edgemodels",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"description": {"text": subject}},
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(d, index, new) for d in diags],
    }
    if properties:
        run["properties"] = properties
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(shown_in(doc), indent=2) + "\n"


def fingerprint(d: Diagnostic, occurrence: int) -> str:
    """Stable across runs and across unrelated edits: the line number is left out on
    purpose, so a finding that only moved is not reported as new. Identical findings in
    one file are told apart by their order."""
    import hashlib  # here: a check that writes no SARIF need not load OpenSSL

    key = "\x00".join((d.code, d.path, d.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
