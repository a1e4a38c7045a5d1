"""The shipped pack: loads clean, every rule is documented, and its documented examples
behave as documented (the failing one fails with the rule's code, the passing one passes)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from edgemodels.catalogue.entries import catalogue_entries
from edgemodels.catalogue.sources import merge
from edgemodels.policy import Rule, check_catalogue, check_manifests, load_policies
from edgemodels.policy.loader import default_pack_files
from edgemodels.yamlio import YamlFile
from edgemodels.yamltree import parse_text

from .helpers import default_policies, manifest

DEFAULT_SECTIONS = {
    "git": "git: {url: https://gitlab.com/i4q/LRT.git, branch: acm-dev}",
    "hub": "hub: {namespace: i4q-lrt}",
    "defaults": "defaults: {namespace: i4q-lrt, imagePullSecrets: [i4qregistry]}",
}
DOC_CONFIG = "registries: {allow: [registry.gitlab.com/i4q]}\n"  # the P103 examples assume it
RULES = load_policies(None, None).rules


def test_default_pack_loads_without_findings() -> None:
    policies = load_policies(None, None)
    assert policies.diagnostics == ()
    assert len(default_pack_files()) >= 5
    codes = [r.code for r in policies.rules]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"P1[0-9]{2}", c) for c in codes)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_every_rule_is_documented(rule: Rule) -> None:
    doc = rule.documentation
    assert doc.what and doc.why and doc.fail and doc.passing, rule.code
    assert rule.origin == "default"


def catalogue_text(fragment: str) -> str:
    sections = [
        line for key, line in DEFAULT_SECTIONS.items() if not re.search(rf"^{key}:", fragment, re.M)
    ]
    body = "\n".join(sections) + "\n" + fragment
    return (
        "apiVersion: edgemodels.io/v1alpha1\nkind: ModelCatalogue\nmetadata: {name: doc}\nspec:\n"
        + (textwrap.indent(body, "  "))
    )


def findings_of_example(tmp_path: Path, rule: Rule, example: str) -> list[tuple[str, str]]:
    policies = default_policies(tmp_path, DOC_CONFIG)
    if rule.scope == "manifests":
        diags = check_manifests(policies, [manifest(tmp_path, example)])
    else:
        text = catalogue_text(example)
        data, problems = parse_text(text, "doc.yaml")
        assert not problems, problems
        merged, _ = merge([YamlFile("doc.yaml", text, data)])
        diags = check_catalogue(policies, catalogue_entries(merged))
    return [(d.code, d.severity) for d in diags if d.code == rule.code]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_documented_examples_behave(tmp_path: Path, rule: Rule) -> None:
    failing = findings_of_example(tmp_path, rule, rule.documentation.fail)
    assert failing == [(rule.code, rule.severity)], f"{rule.code} fail example: {failing}"
    assert findings_of_example(tmp_path, rule, rule.documentation.passing) == []
