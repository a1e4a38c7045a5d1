"""Policy files: broken ones give findings that name the file and line of the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.policy import load_policies
from edgemodels.policy.files import load_policy_file

HEAD = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: team}
rules:
"""  # rules start on line 5

GOOD = """\
  - code: P502
    name: has-description
    severity: warning
    appliesTo: {catalogue: [model]}
    validations:
      - expression: has(object.description)
"""


def load(tmp_path: Path, rules: str) -> tuple[list[str], list[tuple[int, int, str, str]]]:
    path = tmp_path / "team.yaml"
    path.write_text(HEAD + rules, encoding="utf-8")
    loaded, diags = load_policy_file(path, "policies/team.yaml", "policies/team.yaml")
    assert all(d.path == "policies/team.yaml" for d in diags)
    return [r.code for r in loaded], [(d.line, d.col, d.code, d.message) for d in diags]


def rule(expression: str, extra: str = "") -> str:
    return f"""\
  - code: P501
    name: broken
    appliesTo: {{catalogue: [model]}}
{extra}    validations:
      - expression: {expression}
"""


def test_broken_cel_names_file_line_and_column(tmp_path: Path) -> None:
    codes, diags = load(tmp_path, rule("object.image.startsWith('x' &&") + GOOD)
    assert codes == ["P502"]  # the other rule still loads
    ((line, col, code, message),) = diags
    assert (line, col, code) == (9, 51, "P003")  # just past the end: `&&` lacks an operand
    assert message.startswith("CEL syntax error:")


def test_broken_cel_inside_a_block_scalar(tmp_path: Path) -> None:
    expression = "|-\n          has(object.image)\n            && object.image.size() >"
    _, diags = load(tmp_path, rule(expression))
    assert [d[:3] for d in diags] == [(11, 37, "P003")]


SECOND = "\n          && fooo(object.version)"  # the unknown function is at column 14


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("|\n          object.name == 'a'\n            && fooo(object.version)", (11, 16)),
        ("|-\n          object.name == 'a'\n            && fooo(object.version)", (11, 16)),
        (">\n          object.name == 'a'" + SECOND, (11, 14)),
        (">-\n          object.name == 'a'" + SECOND, (11, 14)),
        (">-\n          object.name == 'a'\n" + SECOND, (12, 14)),  # a blank line
        ("object.name == 'a'" + SECOND, (10, 14)),  # plain
        ("object.name == 'a'\n" + SECOND, (11, 14)),
        ('"object.name == \'a\'' + SECOND + '"', (10, 14)),
        ('"object.name == \\"a\\"' + SECOND + '"', (10, 14)),  # escapes before it
        ('"object.name == \'a\' \\' + SECOND + '"', (10, 14)),  # an escaped line break
        ("'object.name == ''a''" + SECOND + "'", (10, 14)),  # single-quoted
    ],
    ids=["literal", "literal-strip", "folded", "folded-strip", "folded-blank", "plain",
         "plain-blank", "double", "double-escapes", "double-continued", "single"],
)  # fmt: skip
def test_cel_error_on_a_later_line_of_each_scalar_style(
    tmp_path: Path, expression: str, expected: tuple[int, int]
) -> None:
    _, diags = load(tmp_path, rule(expression))
    assert [d[:3] for d in diags] == [(*expected, "P004")]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (">-\n          object.name == 'a'\n          &&", (11, 13)),
        ("object.name == 'a'\n          &&", (10, 13)),
        ("\"object.name == 'a'\n          &&\"", (10, 13)),
        ("'object.name == ''a''\n          &&'", (10, 13)),
    ],
    ids=["folded", "plain", "double", "single"],
)
def test_syntax_error_past_the_end_of_a_folded_expression(
    tmp_path: Path, expression: str, expected: tuple[int, int]
) -> None:
    _, diags = load(tmp_path, rule(expression))
    assert [d[:3] for d in diags] == [(*expected, "P003")]


def test_optional_syntax_gets_a_hint(tmp_path: Path) -> None:
    _, diags = load(tmp_path, rule("object.?image.orValue('') != ''"))
    ((line, _, code, message),) = diags
    assert (line, code) == (9, "P003")
    assert "no optional `.?` syntax" in message


def test_unknown_function_is_caught_at_load_time(tmp_path: Path) -> None:
    codes, diags = load(tmp_path, rule("object.image.isSemver()"))
    assert codes == []
    assert diags == [
        (
            9,
            34,
            "P004",
            "unknown function 'isSemver' (not available in edgemodels' CEL; "
            'see edgemodels\' docs/policies.md, "What expressions read")',
        )
    ]
    _, diags = load(tmp_path, rule("object.image.startWith('r')"))
    assert diags == [(9, 34, "P004", "unknown function 'startWith'; did you mean 'startsWith'?")]


def test_unknown_variable_is_caught_at_load_time(tmp_path: Path) -> None:
    _, diags = load(tmp_path, rule("request.userInfo.username != ''"))
    ((line, col, code, message),) = diags
    assert (line, col, code) == (9, 21, "P004")
    assert message.startswith("unknown variable 'request' (available here: catalogue, object,")


def test_catalogue_variable_is_not_available_to_manifest_rules(tmp_path: Path) -> None:
    manifest_rule = rule("size(catalogue.spec) > 0").replace(
        "{catalogue: [model]}", "{manifests: [{apiVersions: [v1], kinds: [ConfigMap]}]}"
    )
    _, diags = load(tmp_path, manifest_rule)
    assert [d[2] for d in diags] == ["P004"]
    assert "unknown variable 'catalogue'" in diags[0][3]


def test_undeclared_rule_variable(tmp_path: Path) -> None:
    extra = "    variables:\n      - {name: image, expression: object.image}\n"
    _, diags = load(tmp_path, rule("variables.images != ''", extra))
    assert diags == [(11, 21, "P004", "unknown variable 'variables.images' (declared here: image)")]


def test_match_conditions_cannot_read_variables(tmp_path: Path) -> None:
    extra = (
        "    matchConditions: [{name: c, expression: \"variables.v != ''\"}]\n"
        "    variables: [{name: v, expression: object.image}]\n"
    )
    codes, diags = load(tmp_path, rule("variables.v != ''", extra))
    assert codes == []
    assert diags == [
        (
            8, 46, "P004",
            "matchConditions cannot read variables ('variables.v'): "
            "they are evaluated before the rule's variables",
        )
    ]  # fmt: skip


def test_a_broken_variable_gives_one_finding(tmp_path: Path) -> None:
    extra = (
        "    variables:\n"
        "      - {name: a, expression: \"variables.b + 'x'\"}\n"
        "      - {name: b, expression: object.image}\n"
    )
    codes, diags = load(tmp_path, rule("variables.a != '' && variables.b != ''", extra))
    assert codes == []
    assert diags == [
        (
            9, 32, "P004",
            "variable 'variables.b' is not declared before this expression "
            "(a variable can read only the variables declared above it)",
        )
    ]  # fmt: skip


def test_a_name_declared_twice_is_refused(tmp_path: Path) -> None:
    """Kubernetes refuses a ValidatingAdmissionPolicy whose variables (or matchConditions)
    repeat a name; here the second silently replaced the first."""
    extra = (
        "    variables:\n"
        "      - {name: a, expression: '1'}\n"
        "      - {name: a, expression: object.image}\n"
        "    matchConditions:\n"
        "      - {name: m, expression: 'true'}\n"
        "      - {name: m, expression: 'true'}\n"
    )
    codes, diags = load(tmp_path, rule("variables.a == 1", extra))
    assert codes == []
    assert diags == [
        (13, 16, "P002", "matchConditions: name 'm' is declared twice (first at line 12)"),
        (10, 16, "P002", "variables: name 'a' is declared twice (first at line 9)"),
    ]


def test_macro_variables_are_not_unknown(tmp_path: Path) -> None:
    codes, diags = load(
        tmp_path, rule("object.targets.all(t, t.size() > 0) && sets.contains(['a'], ['a'])")
    )
    assert (codes, diags) == (["P501"], [])


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (GOOD.replace("code: P502", "code: P05"), (5, 11, "P002")),
        (GOOD.replace("code: P502", "code: P042"), (5, 11, "P002")),  # P0xx is the engine's
        (GOOD.replace("name: has-description", "name: HasDescription"), (6, 11, "P002")),
        (GOOD.replace("severity: warning", "severity: fatal"), (7, 15, "P002")),
        (GOOD.replace("{catalogue: [model]}", "{catalogue: [site]}"), (8, 28, "P002")),
        (GOOD.replace("validations:", "validation:"), (9, 5, "P002")),
        (GOOD + "    documentation: {what: x, example: y}\n", (11, 30, "P002")),
        (GOOD.replace("severity:", "severty:"), (7, 5, "P002")),  # would run as an error
        (GOOD + "        reason: Teapot\n", (11, 17, "P002")),
        (GOOD + "        fieldPath: spec..x\n", (11, 20, "P002")),
    ],
)
def test_bad_rule_shape(tmp_path: Path, rules: str, expected: tuple[int, int, str]) -> None:
    codes, diags = load(tmp_path, rules)
    assert expected in [d[:3] for d in diags]
    assert codes == []  # a rule that cannot be used as written is left out


def test_not_a_policy_set(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\n", encoding="utf-8")
    _, diags = load_policy_file(path, "x.yaml", "x.yaml")
    assert [(d.line, d.code) for d in diags] == [(1, "P002")]
    path.write_text("rules: [\n", encoding="utf-8")
    _, diags = load_policy_file(path, "x.yaml", "x.yaml")
    assert [d.code for d in diags] == ["P002"]


def test_duplicate_code_and_name(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text(
        HEAD + GOOD.replace("P502", "P101") + GOOD.replace("P502", "P503").replace(
            "has-description", "image-tag-not-latest"), encoding="utf-8")  # fmt: skip
    config = tmp_path / ".edgemodels-policy.yaml"
    config.write_text("policyFiles: [team.yaml]\n", encoding="utf-8")
    policies = load_policies(config, tmp_path)
    dups = sorted((d.line, d.code, d.message.split(" is already")[0]) for d in policies.diagnostics)
    assert dups == [
        (5, "P005", "rule code 'P101'"),
        (11, "P005", "rule name 'image-tag-not-latest'"),
    ]
    assert policies.rule("P101").origin == "default"  # the shipped rule stays
