"""forEach: a validation that runs once per element of a list, one finding per failing element."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from edgemodels.diagnostics import Location
from edgemodels.policy import (
    CatalogueEntry,
    PolicySet,
    check_catalogue,
    engine,
    evaluate,
    load_policies,
)
from edgemodels.policy.cel_import import cel
from edgemodels.policy.evaluate import bind
from edgemodels.policy.export import ExportOptions, export_objects
from edgemodels.policy.files import load_policy_file
from edgemodels.policy.model import Rule
from edgemodels.policy.screen import passing, screen_program

from .helpers import manifest

HEAD = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: t}
rules:
"""  # rules start on line 5


def rule(for_each: str, expression: str = "item.port > 1024", extra: str = "") -> str:
    return f"""\
  - code: P501
    name: high-ports
    appliesTo: {{catalogue: [model]}}
    variables: [{{name: ports, expression: "has(object.ports) ? object.ports : []"}}]
    validations:
      - forEach: {for_each}
        expression: {expression}
{extra}"""


MESSAGES = """\
        messageExpression: "'port ' + string(item.port) + ' of ' + object.name + ' is privileged'"
        fieldPathExpression: "'.ports[' + string(item.index) + ']'"
"""


def policies(tmp_path: Path, rules: str) -> PolicySet:
    (tmp_path / "p.yaml").write_text(HEAD + rules, encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text("extends: none\npolicyFiles: [p.yaml]\n", encoding="utf-8")
    loaded = load_policies(config, tmp_path)
    assert [d.render() for d in loaded.diagnostics] == []
    return loaded


def model(obj: dict[str, object]) -> CatalogueEntry:
    def locate(path: tuple[str | int, ...], key: bool = False) -> Location:  # .ports[i]: 20 + i
        return Location("c.yaml", 20 + int(path[-1]) if path[-1] != "ports" else 19, 7)

    return CatalogueEntry("model", "m", {"name": "m", **obj}, Location("c.yaml", 10, 3), locate)


def ports(*numbers: int) -> dict[str, object]:
    return {"ports": [{"index": i, "port": p} for i, p in enumerate(numbers)]}


def findings(tmp_path: Path, rules: str, obj: dict[str, object]) -> list[tuple[int, str]]:
    found = check_catalogue(policies(tmp_path, rules), [model(obj)])
    assert all(d.code == "P501" for d in found)
    return [(d.location.line, d.message) for d in found]


def test_one_finding_per_failing_element_with_item_in_message_and_field_path(
    tmp_path: Path,
) -> None:
    got = findings(tmp_path, rule("variables.ports", extra=MESSAGES), ports(80, 8080, 443))
    assert got == [(20, "port 80 of m is privileged"), (22, "port 443 of m is privileged")]


def test_empty_list_and_passing_elements_give_no_finding(tmp_path: Path) -> None:
    assert findings(tmp_path, rule("variables.ports", extra=MESSAGES), {}) == []
    assert findings(tmp_path, rule("variables.ports", extra=MESSAGES), ports(8080)) == []


def test_when_every_element_passes_one_call_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = policies(tmp_path, rule("variables.ports", extra=MESSAGES))

    def refuse(ctx: object, name: str, value: object) -> None:
        raise AssertionError(f"{name} bound: elements ran one by one")

    monkeypatch.setattr(evaluate, "bind", refuse)
    assert check_catalogue(loaded, [model(ports(8080, 9000))]) == []
    with pytest.raises(AssertionError, match="item bound"):
        check_catalogue(loaded, [model(ports(8080, 80))])


def test_without_messages_the_finding_is_on_the_object(tmp_path: Path) -> None:
    got = findings(tmp_path, rule("variables.ports"), ports(80, 22))
    assert got == [(10, "failed expression: item.port > 1024")] * 2


@pytest.mark.parametrize(
    ("for_each", "obj", "detail"),
    [
        ("object.missing", {}, "no such key"),  # Kubernetes would reject the object
        ("object.name", {}, "forEach must give a list, got str"),
        ("variables.ports", {"ports": [{"port": "80"}]}, "TypeError"),  # item's expression
    ],
)
def test_a_forEach_that_cannot_be_evaluated_is_one_finding(
    tmp_path: Path, for_each: str, obj: dict[str, object], detail: str
) -> None:
    ((line, message),) = findings(tmp_path, rule(for_each, extra=MESSAGES), obj)
    assert line == 10
    assert message.startswith("rule could not be evaluated on this object: ")
    assert detail in message


def test_a_validation_that_cannot_be_evaluated_keeps_the_others_findings(
    tmp_path: Path,
) -> None:
    """As Kubernetes evaluates each validation of a policy on its own (an error is a
    decision of its own, next to the other validations' denials), a validation that fails
    to evaluate does not hide what another one finds."""
    failing = rule("variables.ports", extra=MESSAGES) + (
        "      - expression: object.missing == 1\n        message: never shown\n"
    )
    got = findings(tmp_path, failing, ports(80))
    assert got[0] == (20, "port 80 of m is privileged")
    assert [line for line, _ in got[1:]] == [10]
    assert got[1][1].startswith("rule could not be evaluated on this object: no such key")


def load_errors(tmp_path: Path, rules: str) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    path = tmp_path / "team.yaml"
    path.write_text(HEAD + rules, encoding="utf-8")
    loaded, diags = load_policy_file(path, "team.yaml", "team.yaml")
    return [r.code for r in loaded], [(d.line, d.col, d.code, d.message) for d in diags]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (rule("\"'80,443'\""), (10, 19, "P002", "forEach must give a list, got str")),
        (rule("'{\"a\": 1}'"), (10, 19, "P002", "forEach must give a list, got dict")),
        (rule("'[1][2]'"), (10, 19, "P002", "forEach cannot be evaluated: ")),
        (rule("[variables.ports]"), (10, 18, "P002", "'forEach' must be a string")),
        (rule("variables.ports.map(p,"), (10, 40, "P003", "CEL syntax error: ")),
        (rule("item.ports"), (10, 18, "P004", "unknown variable 'item' (available here: ")),
        (rule("ports"), (10, 18, "P004", "unknown variable 'ports' (available here: ")),
        (
            rule("variables.ports", extra="        forEch: variables.ports\n"),
            (12, 9, "P002", "unknown field 'forEch' in a validation; did you mean 'forEach'?"),
        ),
    ],
)
def test_a_broken_forEach_is_refused_at_load(
    tmp_path: Path, rules: str, expected: tuple[int, int, str, str]
) -> None:
    codes, diags = load_errors(tmp_path, rules)
    assert "forEch" in rules or codes == []
    assert [d[:3] for d in diags] == [expected[:3]], diags
    assert diags[0][3].startswith(expected[3])


def test_item_is_only_known_in_a_forEach_validation(tmp_path: Path) -> None:
    codes, diags = load_errors(
        tmp_path, rule("variables.ports").replace("      - forEach: variables.ports\n", "      -")
    )
    assert codes == []
    assert [d[:3] for d in diags] == [(10, 28, "P004")]
    assert "unknown variable 'item'" in diags[0][3]


def test_a_constant_list_is_accepted(tmp_path: Path) -> None:
    assert load_errors(tmp_path, rule("'[1, 2].map(x, {\"port\": x * 2000})'")) == (["P501"], [])


MANIFEST_RULE = """\
  - code: P502
    name: containers-limited
    appliesTo: {manifests: [{apiVersions: [apps/v1], kinds: [Deployment]}]}
    validations:
      - forEach: object.spec.template.spec.containers
        expression: has(item.resources)
        messageExpression: "'container ' + item.name + ' of ' + object.metadata.name + ' has no resources'"
        fieldPathExpression: "'.spec.template.spec.containers[' + string(item.slot) + ']'"
        reason: Forbidden
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:  # each knows its index (slot), for the field path
        - {name: a, slot: 0}
        - {name: b, slot: 1, resources: {}}
        - {name: c, slot: 2}
"""


def texts_all_limited() -> str:
    return DEPLOYMENT.replace(", resources: {}}", "}").replace("slot:", "resources: {}, slot:")


def test_manifest_rule_findings_are_per_element_with_and_without_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = policies(tmp_path, MANIFEST_RULE)
    texts = [DEPLOYMENT, texts_all_limited()]
    items = [manifest(tmp_path, t, f"o{i}.yaml") for i, t in enumerate(texts)]
    screened = engine.check_manifests(loaded, items)
    assert [(Path(d.path).name, d.line, d.message) for d in screened] == [
        ("o0.yaml", 8, "container a of d has no resources"),
        ("o0.yaml", 10, "container c of d has no resources"),
    ]
    monkeypatch.setattr(engine, "passing", lambda program, ctx, count: [False] * count)
    assert engine.check_manifests(replace(loaded), items) == screened


@pytest.mark.parametrize(
    ("containers", "passes"),
    [
        ("[]", True),
        ("[{name: a, resources: {}}]", True),
        ("[{name: a, resources: {}}, {name: b}]", False),
        ("{}", False),  # a map (even empty): the rule reports that it is not a list
    ],
)
def test_screen_passes_only_where_every_element_passes(containers: str, passes: bool) -> None:
    (rule,) = load_policy_file_text(MANIFEST_RULE)
    program = screen_program([rule])
    ctx = cel.Context()
    obj = yaml.safe_load(DEPLOYMENT)
    obj["spec"]["template"]["spec"]["containers"] = yaml.safe_load(containers)
    bind(ctx, "object", obj)
    assert passing(program, ctx, 1) == [passes]


def load_policy_file_text(rules: str, tmp: Path | None = None) -> list[Rule]:
    path = (tmp or Path(tempfile.mkdtemp())) / "p.yaml"
    path.write_text(HEAD + rules, encoding="utf-8")
    loaded, diags = load_policy_file(path, "p.yaml", "p.yaml")
    assert diags == []
    return loaded


def test_export_writes_the_whole_list_form_that_kubernetes_accepts() -> None:
    (rule,) = load_policy_file_text(MANIFEST_RULE)
    policy, _ = export_objects(PolicySet((rule,)), ExportOptions(("P502",)))[0]
    kubernetes_validate.validate(policy, "1.33.0", strict=True)
    (validation,) = policy["spec"]["validations"]
    assert validation["expression"] == (
        "(object.spec.template.spec.containers).all(item, (has(item.resources)))"
    )
    # Kubernetes evaluates the message only when the expression is false: the first failure's.
    ctx = cel.Context()
    bind(ctx, "object", yaml.safe_load(DEPLOYMENT))
    assert cel.compile(validation["expression"]).execute(ctx) is False
    message = cel.compile(validation["messageExpression"]).execute(ctx)
    assert message == "container a of d has no resources"
    bind(ctx, "object", yaml.safe_load(texts_all_limited()))
    assert cel.compile(validation["expression"]).execute(ctx) is True
