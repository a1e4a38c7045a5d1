"""The partial screen: only what a screen reads of `object` is bound, and `credentials(object)`
is `[]` on objects the credential pre-filter clears; findings stay exactly those of each rule
run on the whole object (user rules that read more, errors, odd keys included)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic
from edgemodels.policy import Manifest, engine
from edgemodels.policy.reads import build_screen, object_reads, project, without_credentials

from .helpers import default_policies, manifest
from .test_manifest_rules import BANNER
from .test_screen import OBJECTS

# User rules: some read only scalars (projected), some more than the screen can project.
TEAM = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: team}
rules:
  - code: P601
    name: name-prefix
    appliesTo: {manifests: [{apiVersions: ["*"], kinds: [Service, ConfigMap, Ingress]}]}
    validations:
      - expression: object.metadata.name.startsWith('ok')
        messageExpression: "'type ' + object.spec.type + ' of ' + object.metadata.name"
        fieldPath: .spec.type
  - code: P602
    name: ports
    appliesTo: {manifests: [{apiVersions: [v1], kinds: [Service]}]}
    validations:
      - expression: has(object.spec.ports) && object.spec.ports.all(p, p.port > 0)
  - code: P603
    name: small
    appliesTo: {manifests: [{apiVersions: [v1], kinds: [ConfigMap]}]}
    validations:
      - expression: size(object) <= 4 && object.metadata['labels'][object.kind] != 'x'
  - code: P604
    name: odd-keys
    appliesTo: {manifests: [{apiVersions: [v1], kinds: [ConfigMap]}]}
    matchConditions:
      - {name: has-data, expression: "has(object.data)"}
    validations:
      - expression: "!('1' in object.data) && object.apiVersion == 'v1'"
  - code: P605
    name: shadowed
    appliesTo: {manifests: [{apiVersions: [v1], kinds: [Service]}]}
    validations:
      - expression: "[object.metadata].all(object, size(credentials(object)) == 0)"
  - code: P606
    name: missing-field
    appliesTo: {manifests: [{apiVersions: [v1], kinds: [Service]}]}
    validations:
      - expression: object.spec.type != 'NodePort'
"""
EXTRA = [
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ok-1}\nspec: {type: x}\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad-1}\nspec: {type: x}\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad-2}\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: ok-3\nspec: {type: x}\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: [ok]}\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: 3}\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nspec: {type: x}\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ok-4}\n"
    "spec: {rules: [{host: 'https://u:pw12345@h/x'}]}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: ok-a}\nspec: {type: ClusterIP, ports: [{port: 80}]}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {type: NodePort, ports: [{port: 0}]}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: ok-b}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: ok-c, labels: {password: hunter2-pw}}\n"
    "spec: {type: ClusterIP, ports: [{port: 80}]}\n",
    "apiVersion: v1\nkind: Service\nmetadata: ok-d\nspec: {type: ClusterIP}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: [ok]}\nspec: {type: ClusterIP}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok-e, labels: {ConfigMap: x}}\ndata: {a: b}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok-i}\ndata: {url: 'https://u:pw12345@h/x'}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
    "      securityContext: {runAsNonRoot: true}\n      containers:\n        - name: m\n"
    "          env: [{name: DB_PASSWORD, value: Pa55-word-2024}]\n",
]
TEXTS = OBJECTS + [BANNER + t for t in EXTRA]
# Keys and values YAML files of the tree do not hold but a caller may hand over: `bind`
# gives CEL the whole object with every key made a string when it has a None or float key.
ODD: list[dict[str, object]] = [
    {"data": {1: "a", 2.5: "b"}},
    {"data": {1: "a"}, "metadata": {"name": "ok-g", "labels": {1: "b"}}},
    {"data": {None: "a"}, "metadata": {"name": "ok-h", "labels": {"a": "b"}}},
    {"data": {"1": "a"}, "metadata": {"name": "ok-i"}, "extra": {2.5: 1}},
    {"data": {"a": dt.date(2024, 1, 2)}, "metadata": {"name": "ok-j"}},
    {"data": {"a": {1, 2}}, "metadata": {"name": "no"}},
]


def _findings(tmp_path: Path, texts: list[str]) -> list[Diagnostic]:
    (tmp_path / "policies").mkdir(exist_ok=True)
    (tmp_path / "policies" / "team.yaml").write_text(TEAM, encoding="utf-8")
    policies = default_policies(tmp_path, "policyFiles: [policies/*.yaml]\n")
    items = [manifest(tmp_path, text, f"o{i}.yaml") for i, text in enumerate(texts)]
    odd = [
        Manifest(str(tmp_path / "o0.yaml"), 2, {"apiVersion": api, "kind": kind, **o})
        for o in ODD
        for api, kind in (("v1", "ConfigMap"), ("networking.k8s.io/v1", "Ingress"))
    ]
    return engine.check_manifests(policies, [*items, *odd])


def _unscreened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    with monkeypatch.context() as patch:
        patch.setattr(engine, "passing", lambda program, ctx, count: [False] * count)
        return _findings(tmp_path, TEXTS)


def test_partial_screen_gives_the_findings_of_every_rule_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one = _unscreened(tmp_path, monkeypatch)
    parts: list[object] = []

    def spy(value: Mapping[str, object], reads: frozenset[tuple[str, ...]]) -> object:
        parts.append(project(value, reads))
        return parts[-1]

    monkeypatch.setattr(engine, "project", spy)
    assert _findings(tmp_path, TEXTS) == one_by_one
    # Not vacuous: objects were screened on a part, and some could not be.
    assert {"kind": "Ingress", "metadata": {"name": "bad-1"}} in parts and None in parts
    codes = {d.code for d in one_by_one}
    assert codes >= {"P120", "P121", "P122", "P123", "P124", "P125"}
    assert codes >= {"P601", "P602", "P603", "P604", "P605", "P606"}
    # The message and field path read what the screen's projection leaves out.
    assert any(d.message == "type NodePort of bad" for d in one_by_one)


def test_a_wrong_projection_would_be_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The equality above can fail: a projection that lies hides P601 findings."""
    one_by_one = _unscreened(tmp_path, monkeypatch)
    monkeypatch.setattr(engine, "project", lambda v, r: {**v, "metadata": {"name": "ok"}})
    assert _findings(tmp_path, TEXTS) != one_by_one


def test_clearing_an_object_with_a_credential_would_be_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one = _unscreened(tmp_path, monkeypatch)
    monkeypatch.setattr(engine, "might_hold_credential", lambda value: False)
    assert _findings(tmp_path, TEXTS) != one_by_one


def test_default_screens_bind_little(tmp_path: Path) -> None:
    rules = default_policies(tmp_path).active("manifests")

    def screen(api_version: str, kind: str) -> tuple[object, bool]:
        s = build_screen(
            [r for r in rules if any(m.matches(api_version, kind) for m in r.manifests)]
        )
        return s.reads, s.clearance

    assert screen("v1", "Service") == (frozenset({("kind",)}), True)
    reads, clearance = screen("apps/v1", "Deployment")
    assert clearance and reads is not None and ("spec",) in reads


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("object['kind'] != 'S' && has(object['metadata'].x)", {("kind",), ("metadata", "x")}),
        ("object['a']['b'] == object['a']", {("a",)}),
        ("object . a .b", {("a", "b")}),
        ("object['a'].size() > 0", {("a",)}),
        ("object['a'][x]", {("a",)}),
        ("object[\"a\"]['b-c/d.e']", {("a", "b-c/d.e")}),
        ("'object.x' + object['y'] // object\n", {("y",)}),
        ("size(object)", None),
        ("object['a'] + object[1]", None),
        ("object['1'] == 2", None),
        ("object['None']", None),
        ("object['a\\'b']", None),
        ("l.all(object, object['a'])", None),
        ("'unterminated", None),
    ],
)
def test_object_reads(source: str, expected: set[tuple[str, ...]] | None) -> None:
    assert object_reads(source) == (None if expected is None else frozenset(expected))


def test_project_keeps_chains_and_refuses_containers() -> None:
    obj = {"kind": "K", "metadata": {"name": "n", "labels": {"a": "b"}}, "spec": [1]}
    reads = frozenset({("kind",), ("metadata", "name"), ("missing", "x")})
    assert project(obj, reads) == {"kind": "K", "metadata": {"name": "n"}}
    assert project(obj, frozenset({("metadata", "labels")})) is None
    assert project(obj, frozenset({("spec", "x")})) is None
    assert project(obj, frozenset({("kind", "x")})) is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("size(credentials(object)) == 0", "size([]) == 0"),
        ("credentials( object )[0] + credentials(object.spec)", "[][0] + credentials(object.spec)"),
        ("'credentials(object)' == credentials(object)", "'credentials(object)' == []"),
        ("credentials(x)", None),
        ("l.map(object, credentials(object))", None),
    ],
)
def test_without_credentials(source: str, expected: str | None) -> None:
    assert without_credentials(source) == expected


class Named:
    def __str__(self) -> str:
        return "kind"


def test_project_refuses_keys_plain_would_rewrite() -> None:
    assert project({"kind": "K", Named(): "x"}, frozenset({("kind",)})) is None
    assert project({"kind": "K", 1: "x"}, frozenset({("kind",)})) is None
    assert project({"kind": "K", "spec": {1: "x"}}, frozenset({("kind",)})) == {"kind": "K"}
