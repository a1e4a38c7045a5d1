"""Engine behaviour that rules rely on: Kubernetes-like evaluation order and fallbacks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from edgemodels.diagnostics import Location
from edgemodels.policy import (
    CatalogueEntry,
    PolicySet,
    check_catalogue,
    check_manifests,
    engine,
    load_policies,
)
from edgemodels.policy.model import Rule
from edgemodels.policy.reads import Screen

POLICY = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: t}
rules:
  - code: P501
    name: small-models
    severity: warning
    severityExpression: "object.name == 'big' ? 'error' : 'loud'"
    appliesTo: {catalogue: [model]}
    matchConditions:
      - {name: has-size, expression: "has(object.size)"}
    variables:
      - {name: size, expression: "quantity(object.size)"}
      - {name: limit, expression: "variables.size.isLessThan(quantity('1Gi'))"}
    validations:
      - expression: variables.limit
        fieldPath: .size
        messageExpression: "'too big: ' + object.missing"
        message: model is too big
  - code: P502
    name: configmaps-named
    appliesTo: {manifests: [{apiVersions: [v1], kinds: [ConfigMap]}]}
    validations:
      - expression: object.metadata.name.startsWith('cm-')
"""


def policies(tmp_path: Path) -> PolicySet:
    (tmp_path / "p.yaml").write_text(POLICY, encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text("extends: none\npolicyFiles: [p.yaml]\n", encoding="utf-8")
    loaded = load_policies(config, tmp_path)
    assert loaded.diagnostics == ()
    return loaded


def entry(obj: dict[str, object]) -> CatalogueEntry:
    def locate(path: tuple[str | int, ...], key: bool = False) -> Location:
        return Location("c.yaml", 10 + len(path), 3)

    return CatalogueEntry("model", str(obj["name"]), obj, Location("c.yaml", 10, 3), locate)


def test_conditions_variables_and_fallbacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    found = check_catalogue(
        policies(tmp_path),
        [
            entry({"name": "ok", "size": "500Mi"}),
            entry({"name": "nosize"}),  # matchCondition false: rule does not apply
            entry(
                {"name": "big", "size": "2Gi", "built": dt.date(2024, 1, 1)}
            ),  # a date: bound as text
            entry({"name": "large", "size": "3Gi"}),
        ],
    )
    got = [(d.location, d.severity, d.message) for d in found]
    assert got == [
        # messageExpression fails (no field `missing`) -> message; bad severity -> the rule's,
        # and a finding that says so
        (Location("c.yaml", 11, 3), "error", "model is too big"),
        (Location("c.yaml", 11, 3), "warning", "model is too big"),
        (
            Location("c.yaml", 10, 3),
            "warning",
            "severityExpression of P501 small-models gave 'loud', not one of error, warning, "
            "info; its findings here are reported at the rule's severity, warning "
            "(expression at p.yaml:8:26)",
        ),
    ]


def test_a_failing_severity_expression_is_reported_once_per_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    policy = POLICY.replace(
        "\"object.name == 'big' ? 'error' : 'loud'\"", "object.level"
    ).replace("validations:\n      - expression: variables.limit", "validations:\n"
        "      - forEach: '[1, 2]'\n        expression: variables.limit")  # fmt: skip
    (tmp_path / "p.yaml").write_text(policy, encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text("extends: none\npolicyFiles: [p.yaml]\n", encoding="utf-8")
    found = check_catalogue(load_policies(config, tmp_path), [entry({"name": "a", "size": "2Gi"})])
    assert [(d.location.line, d.severity, d.message) for d in found] == [
        (11, "warning", "model is too big"),
        (11, "warning", "model is too big"),  # one per element
        (
            10,
            "warning",
            "severityExpression of P501 small-models could not be evaluated: "
            "no such key: 'level'; its findings here are reported at the rule's severity, "
            "warning (expression at p.yaml:8:25)",
        ),
    ]


def test_manifests_as_plain_tuples_and_files_that_are_gone(tmp_path: Path) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    other = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}  # not selected
    found = check_manifests(
        policies(tmp_path), [("gone/cm.yaml", 3, obj), ("gone/s.yaml", 1, other)]
    )
    assert [(d.location, d.code, d.message) for d in found] == [
        (
            Location("gone/cm.yaml", 3, 1),
            "P502",
            "failed expression: object.metadata.name.startsWith('cm-')",
        )
    ]


def test_screens_are_compiled_once_per_policy_set_and_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = policies(tmp_path)
    compiled: list[tuple[str, ...]] = []
    real = engine.build_screen

    def counting(rules: Sequence[Rule]) -> Screen:
        compiled.append(tuple(r.code for r in rules))
        return real(rules)

    monkeypatch.setattr(engine, "build_screen", counting)
    bad = ("m.yaml", 1, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    first = check_manifests(loaded, [bad])
    assert [d.code for d in first] == ["P502"]
    assert check_manifests(loaded, [bad, bad]) == first * 2
    assert compiled == [("P502",)]
    # A policy set made from it (other rules, other settings) compiles its own screens.
    other = replace(loaded, rules=tuple(r for r in loaded.rules if r.code != "P501"))
    assert check_manifests(other, [bad]) == first
    assert compiled == [("P502",), ("P502",)]
