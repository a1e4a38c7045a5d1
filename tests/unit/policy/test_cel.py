"""The CEL environment: Kubernetes library shims, edgemodels helpers, load-time name checks."""

from __future__ import annotations

from typing import Any

import pytest

from edgemodels.policy.cel_env import (
    CelProblem,
    compile_expression,
    inline_variables,
    new_context,
    non_member_calls,
)

ROOTS = ("object", "variables", "params")


def evaluate(source: str, **variables: Any) -> Any:
    compiled = compile_expression(source, (*ROOTS, *variables))
    ctx = new_context(compiled.functions)
    for name, value in variables.items():
        ctx.add_variable(name, value)
    return compiled.program.execute(ctx)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("quantity('1Gi').isLessThan(quantity('2Gi'))", True),
        ("quantity('1Gi') == quantity('1024Mi')", True),
        ("quantity('500m').compareTo(quantity('0.5'))", 0),
        ("quantity('1.5G').isGreaterThan(quantity('1Gi'))", True),
        ("quantity('2Gi').asInteger()", 2147483648),
        ("quantity('1.5').isInteger()", False),
        ("quantity('250m').asApproximateFloat()", 0.25),
        ("quantity('1Gi').add(quantity('512Mi')) == quantity('1.5Gi')", True),
        ("quantity('1').sub(2).sign()", -1),
        ("isQuantity('12Ki') && !isQuantity('12 Ki')", True),
        # ParseQuantity as Kubernetes' CEL calls it, without UnmarshalJSON's TrimSpace
        ("isQuantity(' 12Ki') || isQuantity('12Ki ')", False),
        ("url('https://gitlab.com:8443/i4q/LRT.git?x=1&x=2').getHost()", "gitlab.com:8443"),
        ("url('https://gitlab.com:8443/i4q/LRT.git').getPort()", "8443"),
        ("url('https://[::1]/x').getHostname()", "::1"),
        ("url('https://a.example/x?y=1&y=2').getQuery()", {"y": ["1", "2"]}),
        ("url('https://a.example/p%20q').getEscapedPath()", "/p%20q"),
        ("isURL('/health') && !isURL('health')", True),
        ("'model-v12.3'.find('[0-9]+')", "12"),
        ("'a1b22c333'.findAll('[0-9]+', 2)", ["1", "22"]),
        ("[1, 2, 2].isSorted() && !['b', 'a'].isSorted()", True),
        ("[1, 2, 3].indexOf(3)", 2),
        ("'hello'.indexOf('l') + 'hello'.lastIndexOf('l')", 5),
        ("[1, 2].sum() + [4, 1].max() + [4, 1].min()", 8),
        ("'A,b'.lowerAscii().split(',').join('-')", "a-b"),
        ("sets.contains(['a', 'b'], ['a']) && 'abc'.contains('b')", True),
        (
            "imageRegistry('nginx') + ' ' + imageName('nginx:1')",
            "docker.io docker.io/library/nginx",
        ),
        (
            "imageRegistry('localhost:5000/x/y:1') + ' ' + imageTag('localhost:5000/x/y:1')",
            "localhost:5000 1",
        ),
        ("imageTag('registry:5000/x') + '|' + imageDigest('r.io/x:1@sha256:ab')", "|sha256:ab"),
    ],
)
def test_functions(source: str, expected: Any) -> None:
    assert evaluate(source) == expected


def test_image_refs_and_credentials_walk_the_object() -> None:
    model = {
        "image": "r.io/a:1",
        "images": {"arm64": "r.io/a:1-arm"},
        "overrides": {"lrt": {"image": "r.io/a:2"}, "x": {"replicas": 2}},
        "env": {"API_KEY": "sk-" + "Q" * 40},
    }
    paths = evaluate("imageRefs(object).map(i, i.path)", object=model)
    assert paths == [".image", ".images.arm64", ".overrides.lrt.image"]
    found = evaluate("credentials(object)", object=model)
    assert found == [{"path": ".env.API_KEY", "kind": "API secret key"}]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("quantity(object.cpu) == quantity('1')", True),  # cpu: 1 in YAML
        ("quantity(object.half) == quantity('500m')", True),  # cpu: 0.5
        ("quantity(object.big) == quantity('1e30')", True),  # exact, not capped at 2^63-1
        ("quantity('20Ei').asInteger()", 2**63 - 1),  # a binary suffix is capped
        ("quantity('20Ei') == quantity('30Ei')", True),
        ("quantity('1e19').add(quantity('1e19')).isGreaterThan(quantity('1e19'))", True),
        ("quantity('1e19').add(quantity('1e19')) == quantity('2e19')", True),
        ("quantity('1e30').add(1).sub(quantity('1e30')) == quantity('1')", True),  # not 28 digits
        ("quantity('2e2147483647').isGreaterThan(quantity('1e2147483647'))", True),
        ("quantity('1e2147483647').compareTo(quantity('10e2147483646'))", 0),
        ("quantity('1e4294967297') == quantity('10')", True),  # wrapped as kubectl 1.27-1.33 do
        ("quantity('-1e2147483647').isLessThan(quantity('1e-2147483647'))", True),
        ("isQuantity(object.cpu) && isQuantity(object.half) && !isQuantity(object.flag)", True),
        ("quantity('1e3') == quantity('1k') && quantity('1E3') == quantity('+1k')", True),
        ("quantity('.5') == quantity('500m') && quantity('100u') == quantity('100000n')", True),
        ("quantity('0.1n').isGreaterThan(quantity('0'))", True),  # rounded up to 1n
        ("quantity('-0') == quantity('0') && quantity('-0m').sign() == 0", True),  # zero
        ("isQuantity('-0.0') && quantity('-0.1n').sign() == -1", True),  # -1n: negative
    ],
)
def test_quantity_takes_what_the_api_server_parses(source: str, expected: Any) -> None:
    shapes = {"cpu": 1, "half": 0.5, "big": 10**30, "flag": True}
    assert evaluate(source, object=shapes) == expected


def test_quantity_errors_are_evaluation_errors() -> None:
    with pytest.raises(RuntimeError, match="quantities must match"):
        evaluate("quantity('lots') == quantity('1')")
    with pytest.raises(RuntimeError, match="cannot convert value to integer"):
        evaluate("quantity('1e30').asInteger() > 0")  # beyond int64 since it is not capped


def test_a_sum_too_long_to_write_out_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match="too large to compute exactly"):
        evaluate("quantity('1e2147483647').add(1).sign() == 1")


@pytest.mark.parametrize(
    ("source", "code", "offset", "message"),
    [
        ("object.x ==", "P003", (1, 12), "CEL syntax error"),
        ("ip(object.x).family() == 4", "P004", (1, 1), "unknown function 'ip'"),
        ("object.all(i, v, true)", "P004", (1, 8), "unknown function 'all'"),  # no 2-variable form
        ("oldObject.x == 1", "P004", (1, 1), "unknown variable 'oldObject'"),
        ("object.a &&\n  object.b.y(1)", "P004", (2, 12), "unknown function 'y'"),
    ],
)
def test_problems_found_at_compile_time(
    source: str, code: str, offset: tuple[int, int], message: str
) -> None:
    with pytest.raises(CelProblem) as info:
        compile_expression(source, ROOTS)
    assert (info.value.code, info.value.offset) == (code, offset)
    assert message in info.value.message


def test_only_used_functions_are_registered() -> None:
    compiled = compile_expression(
        "quantity(object.m).isLessThan(quantity('1Gi')) && sets.contains([1], [1])", ROOTS
    )
    assert compiled.functions == {"quantity", "isLessThan", "sets.contains"}
    assert compiled.roots == {"object"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("variables.a + variables.b", "(1) + (object.b)"),
        ("variables.a + 'variables.a'", "(1) + 'variables.a'"),
        ('"say \\"variables.a\\"" + variables.a', '"say \\"variables.a\\"" + (1)'),
        ("r'\\' + variables.a", "r'\\' + (1)"),
        ("'''it's variables.a''' + variables.a", "'''it's variables.a''' + (1)"),
        ("object.variables.a + variables.c", "object.variables.a + variables.c"),
    ],
)
def test_inline_variables_leaves_strings_alone(source: str, expected: str) -> None:
    assert inline_variables(source, {"a": "1", "b": "object.b"}) == expected


def test_variables_are_evaluated_only_where_used() -> None:
    # Like Kubernetes: a variable that would fail does not matter while nothing reads it.
    compiled = compile_expression(
        "has(object.x) ? variables.x > 1 : true", ROOTS, {"x": "object.x.size()"}
    )
    ctx = new_context(compiled.functions)
    ctx.add_variable("object", {"y": 1})
    assert compiled.program.execute(ctx) is True
    ctx.add_variable("object", {"x": [1, 2]})
    assert compiled.program.execute(ctx) is True


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("max(1, 0) + min([1]) + sum([2])", {"max", "min", "sum"}),
        ("[1].max(2)", {"max"}),  # Kubernetes has no overload with an argument
        ("[1, 0].max() + l . min ( ) + object.x.sum()", set()),
        ("'max(1)' + r\"sum(2)\" // min(3)\n", set()),
        ("object.maxSurge + object.min + summary(x)", set()),
    ],
)
def test_list_functions_called_other_than_as_members(source: str, expected: set[str]) -> None:
    assert non_member_calls(source) == expected
