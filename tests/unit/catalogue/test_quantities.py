"""Quantities in the catalogue, as the API server takes them: every shape the schema takes
or refuses (and says why), and the text the model and the generated objects carry."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from jsonschema_rs import validator_for

from edgemodels.catalogue import load
from edgemodels.catalogue.fullvalidator import full_validator
from edgemodels.data import catalogue_schema
from edgemodels.kubequantity import QUANTITY, parse_quantity, trimmed

from .helpers import findings, messages, sub


def _with_cpu(value: str, kind: str = "limits") -> str:
    return sub(
        "      targets: [lrt]\n",
        f"      targets: [lrt]\n      resources: {{{kind}: {{cpu: {value}}}}}\n",
    )


def _with_size(value: str) -> str:
    text = sub("      wrapper: http\n", "      wrapper: container\n")
    return sub(
        "      http: {port: 8080, healthPath: /health, ingressPath: /api}\n",
        f"      container: {{size: {value}}}\n",
        text,
    )


TAKEN = [
    "1",  # YAML int: `cpu: 1`, the usual way in Kubernetes YAML
    "0",
    "0.5",  # YAML float
    ".5",
    "1.0e+3",  # a float to YAML 1.1
    "1e3",  # text to YAML 1.1 (a float to YAML 1.2): taken either way
    "1E3",
    "+1",
    "'+1'",
    "100u",
    "1n",
    "5.",
    "'1.5Gi'",
    "129e6",
    "1e-3",
    "99999999999999999999999999",  # kept exactly (not capped: that is for Ki..Ei only)
    "'1e2147483647'",  # the widest exponent every API server takes as written, at once
    "'1e002147483647'",
    "'1e-29999990'",  # rounded with 10^29999981: below SLOW_ROUNDING
    "'1234567890123456789e249990'",  # 249999 factors of ten: below SLOW_ZEROS
    "' 1'",  # the API server trims spaces (UnmarshalJSON's TrimSpace)
    "'1Gi  '",
    '"\\u00a0500m\\u3000"',  # no-break and ideographic spaces too: kubectl sends them as is
    "0x10",  # 16 to YAML 1.1 and to Go's YAML alike
    "1_000",  # 1000 to YAML 1.1
    "'-0'",  # zero to the API server (ParseQuantity), which it takes where 0 is taken
    "-0m",
    "'-0.0'",
    "-.0",
    "-0Gi",
    "-0e3",
    "-0.0",  # a YAML float, -0.0: not below the schema's minimum of 0
]
REFUSED = [
    ("-1", "S004", "(Kubernetes refuses a negative amount)"),
    ("-0.5", "S004", "(Kubernetes refuses a negative amount)"),
    ("'-1'", "S004", "; Kubernetes refuses a negative amount"),
    ("-0.0001n", "S004", "; Kubernetes refuses a negative amount"),  # rounded to -1n, not 0
    ("true", "S003", "(got boolean)"),
    ("null", "S003", "(got null)"),
    ("[1]", "S003", "(got list)"),
    (".inf", "S003", "(YAML reads .inf as an infinity, which no quantity is)"),
    ("-.inf", "S003", "(YAML reads -.inf as an infinity, which no quantity is)"),
    (".nan", "S003", "(YAML reads .nan as not a number, which no quantity is)"),
    ("2GB", "S004", "; did you mean '2Gi'? (Ki, Mi, Gi are powers of 1024; no 'B')"),
    ("lots", "S004", ""),
    ("'1 Gi'", "S004", ""),
    ("'1Gi\\n'", "S004", ""),  # `$` is the end of the value, not before a line break
    (
        '"\\t1"',
        "S004",
        "; the API server trims spaces around it but not a tab or line break (JSON sends "
        "those escaped, as \\t): write '1'",
    ),  # JSON sends a tab as `\t`, which TrimSpace leaves: refused
    ('"1\\u2028"', "S004", ""),  # so is U+2028, which Go's JSON escapes
    ("' -1'", "S004", "; Kubernetes refuses a negative amount"),
    ("'.'", "S004", ""),
    ("1e99999999999999999999", "S004", "; an exponent is at most ±2147483647"),  # int64
    (  # within int64: what kubectl 1.27-1.33 make of it (`create quota --dry-run`: 10)
        "'1e4294967297'",
        "S004",
        "; it has an exponent beyond ±2147483647: newer API servers refuse it, and older "
        "ones cut the exponent to 32 bits and read it as 10",
    ),
    # kubectl 1.33 was still parsing these after 2 minutes (1e-2147483648: -MinInt32 wraps)
    (
        "'1e2147483648'",
        "S004",
        "read it as 1e2147483648, after a long time spent writing out its digits",
    ),
    (
        "'1e-2147483648'",
        "S004",
        "read it as 1e2147483648, after a long time spent writing out its digits",
    ),
    ("'1.5e-2147483648'", "S004", "read it as 15e2147483647"),  # 150e2147483646, at once
]


SLOW = [  # the work kubequantity.SLOW_ROUNDING and SLOW_ZEROS count, as in its messages
    ("'1e-30000000'", "it rounds it to nanos with a power of ten of 29999991 digits"),
    ("'1.5e-30000000'", "it rounds it to nanos with a power of ten of 29999992 digits"),
    ("'1e-2147483647'", "it rounds it to nanos with a power of ten of 2147483638 digits"),
    (
        "'1234567890123456789e250000'",
        "to write it out, as it does to store it, it strips 250009 factors of ten one "
        "division at a time",
    ),
    (  # its own trailing zeros count too
        "'1000000000000000000e249982'",
        "to write it out, as it does to store it, it strips 250009 factors of ten one "
        "division at a time",
    ),
]


@pytest.mark.parametrize(("value", "why"), SLOW)
def test_a_quantity_that_takes_the_api_server_long_to_parse_is_refused(
    tmp_path: Path, value: str, why: str
) -> None:
    """kubectl 1.32 and 1.33 take 9-11 s to parse and print 1e-30000000 and
    1234567890123456789e250000 (kubequantity); the schema's exponent bound cannot tell it."""
    (shown,) = messages(tmp_path, _with_cpu(value))
    assert shown == (
        f"catalogue.yaml:23:33: S004 spec.models[0].resources.limits.cpu: {value} takes the "
        f"API server a long time to parse ({why})"
    )
    if "e-" not in value:  # a size above 0 too
        (shown,) = messages(tmp_path, _with_size(value))
        assert f"S004 spec.models[0].container.size: {value} takes the API server" in shown


@pytest.mark.parametrize(
    "value",
    [
        r'"1e-3\x300000000"',  # 1e-30000000 with one digit escaped
        r'"1234567890123456789e25\u00300000"',  # 1234567890123456789e250000
    ],
)
def test_a_slow_quantity_spelt_with_escapes_is_refused_too(tmp_path: Path, value: str) -> None:
    """The value as YAML reads it is what the API server gets, not the text as written."""
    (shown,) = messages(tmp_path, _with_cpu(value))
    assert "S004 spec.models[0].resources.limits.cpu: '1" in shown
    assert "takes the API server a long time to parse" in shown


def test_check_answers_at_once_on_quantities_the_api_server_is_slow_on(tmp_path: Path) -> None:
    """The API server's work on these grows with the exponent; edgemodels' does not."""
    values = [v for v, _ in SLOW] + ["'1e2147483647'", "'1e2147483648'", "'1e-2147483648'"]
    limits = ", ".join(f"r{i}.example.com/x: {v}" for i, v in enumerate(values))
    requests = ", ".join(f"r{i}.example.com/x: {v}" for i, v in enumerate(reversed(values)))
    resources = f"{{requests: {{{requests}}}, limits: {{{limits}}}}}"
    text = sub("      targets: [lrt]\n", f"      targets: [lrt]\n      resources: {resources}\n")
    started = time.perf_counter()
    found = findings(tmp_path, text)
    assert time.perf_counter() - started < 5  # a guard against writing out digits, not a speed bar
    assert [code for _, _, code in found].count("S004") == 2 * (
        len(values) - 1
    )  # 1e2147483647 is no work


@pytest.mark.parametrize("value", TAKEN)
def test_a_quantity_the_api_server_takes_is_taken(tmp_path: Path, value: str) -> None:
    assert findings(tmp_path, _with_cpu(value)) == []
    assert findings(tmp_path, _with_cpu(value, "requests")) == []


@pytest.mark.parametrize(("value", "code", "why"), REFUSED)
def test_what_the_api_server_refuses_is_refused_and_said_so(
    tmp_path: Path, value: str, code: str, why: str
) -> None:
    (shown,) = messages(tmp_path, _with_cpu(value))
    assert shown.startswith(f"catalogue.yaml:23:33: {code} spec.models[0].resources.limits.cpu: ")
    assert "is not a Kubernetes quantity such as 500m, 2, 256Mi" in shown
    assert shown.endswith(why)


@pytest.mark.parametrize("value", ["4Gi", "4e9", "1", "0.5", "'00.01'", "1n", ".5Ki"])
def test_a_copy_volume_of_any_size_above_0_is_taken(tmp_path: Path, value: str) -> None:
    assert findings(tmp_path, _with_size(value)) == []


@pytest.mark.parametrize(
    "value", ["0", "0.0", "'0'", "'0Gi'", "'.0'", "'0e9'", "-1", "'-1Gi'", "'-0'", "-0Gi", "-0.0"]
)
def test_a_copy_volume_of_0_or_less_is_refused(tmp_path: Path, value: str) -> None:
    """The API server refuses a claim whose storage request is not above 0."""
    (shown,) = messages(tmp_path, _with_size(value))
    assert "S004 spec.models[0].container.size: " in shown
    assert "is not a Kubernetes quantity above 0 such as 4Gi" in shown


@pytest.mark.parametrize(
    ("value", "shown"), [("'-0'", "'-0'"), ("-0Gi", "'-0Gi'"), ("-0.0", "-0.0")]
)
def test_a_copy_volume_of_minus_0_is_said_to_be_0_not_negative(
    tmp_path: Path, value: str, shown: str
) -> None:
    """`-0Gi` is zero to the API server: not above 0, but no negative amount either."""
    (said,) = messages(tmp_path, _with_size(value))
    assert said.endswith(
        f"S004 spec.models[0].container.size: {shown} is not a Kubernetes quantity above 0 "
        "such as 4Gi"
    )


SAMPLES = [
    "0", "00", "1", "+1", "-1", ".5", "5.", ".", "+.5", "1.5Gi", "1Ki", "1ki", "1KI", "1K",
    "1k", "1m", "1M", "1u", "1n", "1Mb", "1e3", "1E3", "1e+3", "1e-3", "1E", "1e", "1e1.5",
    "1e+", "1.e3", ".e3", "e3", "Gi", "0Gi", "0.0", "00.01", "1Gi\n", "1\t", "1,5", "--1",
    "+-1", "0x10", "1_000", "1e" + "9" * 18, "1e" + "9" * 19, "1e0000000000000000000001",
    "1e999999999", "1e1000000000", "1e1999999999", "1e2099999999", "1e2139999999",
    "1e2146999999", "1e2147399999", "1e2147479999", "1e2147482999", "1e2147483599",
    "1e2147483639", "1e2147483647", "1e2147483648", "1e2147483650", "1e2147483700",
    "1e2147484000", "1e2147490000", "1e2147500000", "1e2148000000", "1e2150000000",
    "1e2200000000", "1e3000000000", "1e10000000000", "1e-2147483647", "1e-2147483648",
    "1E+002147483647", "1E+002147483648", "1e4294967296", "-0e2147483648",
    "-0", "-00", "-0.", "-.0", "-0.0", "-0m", "-0Gi", "-0e3", "-0E-3", "-0.0e+3", "-.", "-",
    "-0.0001n", "-0.1", "-.5", "-1e-20", "-0e" + "9" * 19, "+-0", "-+0", "--0",
    " 1", "1 ", "  1Gi  ", " -1", " -0", " 0", "\u00a01", "1\u3000", "\u20001\u200a", "\u0085.5",
    " ", "\t1", "1\n", "\r1", "1\x0b", "\x0c1", "\u20281", "1\u2029", "\x1c1", "\u200b1",
    "1 Gi", " 1 Gi", "1\u00a0Gi", "+ 1", "- 1",
]  # fmt: skip


@pytest.mark.parametrize("text", SAMPLES)
def test_the_schema_patterns_are_the_api_servers_grammar(text: str) -> None:
    """A quantity takes what resource.ParseQuantity parses (kubequantity), not negative (`-0`
    is zero), with an exponent newer API servers take too (within ±2147483647), and the
    spaces around it UnmarshalJSON trims (not a tab: JSON sends it as `\\t`);
    positiveQuantity takes those above 0."""
    defs = catalogue_schema()["$defs"]
    found = parse_quantity(text) if QUANTITY.fullmatch(trimmed(text)) else None
    parsed = found.value if found is not None else None
    taken = found is not None and found.value >= 0 and abs(found.exponent) <= 2147483647
    assert bool(_whole(defs["quantity"]["pattern"], text)) == taken
    positive = taken and parsed is not None and parsed > 0
    assert bool(_whole(defs["positiveQuantity"]["pattern"], text)) == positive


@pytest.mark.parametrize("text", SAMPLES)
def test_both_validators_agree_on_each_quantity(text: str) -> None:
    """jsonschema-rs decides, the full validator explains: a sample one refuses and the
    other takes would be a refused file without a finding."""
    defs = catalogue_schema()["$defs"]
    for name in ("quantity", "positiveQuantity"):
        schema = defs[name]
        assert full_validator(schema).is_valid(text) == validator_for(schema).is_valid(text)


def _whole(pattern: str, text: str) -> bool:
    assert pattern.startswith("^") and pattern.endswith("$")
    return re.fullmatch(pattern[1:-1], text) is not None


@pytest.mark.parametrize(
    ("value", "text"),
    [("1", "1"), ("0.5", "0.5"), (".1", "0.1"), ("1e3", "1e3"), ("1.0e+3", "1000.0"),
     ("'500m'", "500m"), ("99999999999999999999999999", "99999999999999999999999999"),
     ("0x10", "16"), ("' 1.5 '", "1.5"), ('"\\u00a0500m"', "500m")],
)  # fmt: skip
def test_the_model_holds_each_quantity_as_text(tmp_path: Path, value: str, text: str) -> None:
    """As the manifests carry it: a float as its shortest digits (0.1, not
    0.1000000000000000055), an int exactly, text without the spaces the API server trims
    (so no reader of the generated tree meets them)."""
    path = tmp_path / "catalogue.yaml"
    resources = f"{{requests: {{cpu: {value}}}, limits: {{memory: {value}}}}}"
    path.write_text(
        sub("      targets: [lrt]\n", f"      targets: [lrt]\n      resources: {resources}\n")
    )
    model = load(path, base=tmp_path).catalogue.models[0]
    assert model.resources.requests == (("cpu", text),)
    assert model.resources.limits == (("memory", text),)


def test_a_copy_volume_size_is_held_as_text(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(_with_size("4e9").replace("size: 4e9", "size: 4000000000"))
    container = load(path, base=tmp_path).catalogue.models[0].container
    assert container is not None and container.size == "4000000000"


@pytest.mark.parametrize(
    ("request_", "limit", "refused"),
    [("1.5", "1", True), ("1", "1.5", False), ("0.5", "500m", False), ("1e3", "1k", False),
     ("1001", "1e3", True), ("100u", "0.0001", False), ("'-0'", "0", False),
     ("1m", "'-0'", True), ("-0m", "-0.0", False),
     ("2e19", "1e19", True),  # exact beyond 2^63-1, where the API server refuses the pod
     ("'30Ei'", "'20Ei'", False),  # a binary suffix is capped at 2^63-1: equal
     ("'2e2147483647'", "'1e2147483647'", True), ("'1e2147483647'", "'2e2147483647'", False)],
)  # fmt: skip
def test_r221_compares_numbers_and_every_grammar_exactly(
    tmp_path: Path, request_: str, limit: str, refused: bool
) -> None:
    resources = f"{{requests: {{cpu: {request_}}}, limits: {{cpu: {limit}}}}}"
    text = sub("      targets: [lrt]\n", f"      targets: [lrt]\n      resources: {resources}\n")
    codes = [code for _, _, code in findings(tmp_path, text)]
    assert codes == (["R221"] if refused else [])
