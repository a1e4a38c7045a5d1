"""The screen (one CEL call per object) gives exactly the findings of each rule on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic
from edgemodels.policy import engine
from edgemodels.policy.cel_import import cel
from edgemodels.policy.screen import rewrite_selections, rule_screen, screen_program

from .helpers import default_policies, manifest
from .test_manifest_rules import BANNER, CASES, DEPLOYMENT, JOB, PLACEMENT

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - {name: a, securityContext: {readOnlyRootFilesystem: true}}
  initContainers:
    - {name: b}
"""
CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: c, annotations: {edgemodels.io/run-as-root: "yes"}}
spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: x}]}}}}}
"""
# Objects a rule cannot evaluate (each must stay an error finding of that rule).
BROKEN = [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken}\nspec: {replicas: 1}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n"
    "spec: {template: {spec: {containers: not-a-list}}}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, labels: [x]}\n"
    "spec: {template: {spec: {containers: [{name: m}]}}}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n"
    "spec: {template: {spec: {containers: [{name: m, securityContext: {runAsNonRoot: yes-ish}}]}}}\n",
    "apiVersion: cluster.open-cluster-management.io/v1beta1\nkind: Placement\n"
    "metadata: {name: p}\nspec: {tolerations: [{key: 3}]}\n",
    "apiVersion: cluster.open-cluster-management.io/v1beta1\nkind: Placement\n"
    "metadata: {name: p}\nspec: {tolerations: {key: x}}\n",
    "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
    "apiVersion: v1\nkind: Secret\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {API_KEY: s3cr3t-value}\n",
    "apiVersion: v1\nkind: ConfigMap\ndata: {API_KEY: s3cr3t-value}\n",
    POD,
    CRONJOB,
]
OBJECTS = [BANNER + c[1] for c in CASES] + [BANNER + t for t in BROKEN]


def _findings(tmp_path: Path, texts: list[str]) -> list[Diagnostic]:
    items = [manifest(tmp_path, text, f"o{i}.yaml") for i, text in enumerate(texts)]
    return engine.check_manifests(default_policies(tmp_path), items)


def test_screened_findings_equal_rule_by_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screened = _findings(tmp_path, OBJECTS)
    monkeypatch.setattr(engine, "passing", lambda program, ctx, count: [False] * count)
    one_by_one = _findings(tmp_path, OBJECTS)
    assert screened == one_by_one
    # Not vacuous: every rule breaks somewhere, and some breaks are evaluation errors.
    assert {d.code for d in one_by_one} >= {"P120", "P121", "P122", "P123", "P124", "P125"}
    assert sum("could not be evaluated" in d.message for d in one_by_one) >= 5


@pytest.mark.parametrize("text", [DEPLOYMENT, PLACEMENT, JOB])
def test_clean_objects_pass_the_screen_without_running_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    def refuse(*_: object) -> list[Diagnostic]:
        raise AssertionError("a rule ran on a clean object")

    monkeypatch.setattr(engine, "run_rule", refuse)
    assert _findings(tmp_path, [BANNER + text]) == []


def test_every_default_manifest_rule_is_screened(tmp_path: Path) -> None:
    rules = default_policies(tmp_path).active("manifests")
    screens = {r.code: rule_screen(r) for r in rules}
    assert screens["P121"] == "((false\n) ? true : false)"  # always fails: always runs
    # Selections are indexes, except the one has() tests.
    assert not [s for s in screens.values() if re.search(r"(?<!has\()object\.", s)]
    assert screen_program(rules) is not None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("object.spec.x == 1", "object['spec']['x'] == 1"),
        ("has(object.spec.x)", "has(object['spec'].x)"),
        ("has( object . spec . x )", "has( object ['spec'] . x )"),
        ("has(f(a.b))", "has(f(a['b']))"),
        ("a.b.size() > 0 && a.c.all(x, x.d)", "a['b'].size() > 0 && a['c'].all(x, x['d'])"),
        ("sets.contains(a.b, [1.5, .5])", "sets.contains(a['b'], [1.5, .5])"),
        ("a.b == 'x.y' + \"p.q\" // c.d\n", "a['b'] == 'x.y' + \"p.q\" // c.d\n"),
        ("r'a\\' + a.b + 'c\\'d.e'", "r'a\\' + a['b'] + 'c\\'d.e'"),
        ("a['k.l'].m", "a['k.l']['m']"),
        ("'''a.b\n''' + a.b", "'''a.b\n''' + a['b']"),
        ("a.`b-c`", None),
    ],
)
def test_rewrite_selections(source: str, expected: str | None) -> None:
    assert rewrite_selections(source) == expected


VALUES = {
    "hit": {"f": {"g": 1}},
    "miss": {"x": 1},
    "list": [1, 2],
    "string": "abc",
    "int": 3,
    "float": 1.5,
    "bool": True,
    "null": None,
    "bytes": b"ab",
    "int-keys": {1: "a"},
}


@pytest.mark.parametrize("name", VALUES)
def test_selection_and_index_agree_on_every_value(name: str) -> None:
    """The rewrite rests on this: `v.f` and `v['f']` give the same value or both fail."""
    ctx = cel.Context()
    ctx.add_variable("v", VALUES[name])

    def run(source: str) -> object:
        try:
            return cel.compile(source).execute(ctx)
        except Exception as exc:  # the same kind of failure is what counts
            return type(exc)

    assert run("v.f") == run("v['f']")
    assert run("v.f.g") == run("v['f']['g']")
    assert run("has(v.f)") == run("has(v.f)")
