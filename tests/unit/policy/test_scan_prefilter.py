"""`might_hold_credential` (the JSON-text pre-filter of `scan_value`) never hides a hit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgemodels import secrets_text
from edgemodels.secrets_scan import (
    SHAPES,
    CredentialHit,
    _walk,
    might_hold_credential,
    scan_value,
    shape_of,
)
from edgemodels.secrets_text import (
    TextHit,
    _first_shape_col,
    env_entry_hits,
    key_hits,
    merge_hits,
    scan_text,
    value_below_hits,
)

from .test_secrets_scan import AWS, AZURE, BASE64_KEY, DOCKER_HUB, GITHUB, GITLAB, HF, KEY, SLACK

# Fragments that make up credentials, keys named like one, and what JSON escapes.
FRAGMENTS = [
    GITHUB, GITLAB, AWS, HF, KEY, "https://u:pw1234@h/x", '{"auths": {"r": {"auth": "dXNlcjpwYXNzd29yZA=="}}}',
    "xoxb-" + "1234567890ab", "AIza" + "S" * 35, "sk-" + "a" * 40, "eyJ" + "a" * 9 + ".eyJ" + "b" * 9 + ".c" * 9,
    BASE64_KEY, AZURE, SLACK, "Basic " + "Y2l1c2VyOmdscGF0LXNl", "sk_live_" + "a1" * 12,
    "npm_" + "a1B2" * 9, DOCKER_HUB, "github_pat_" + "A1b2" * 11, "\u017f", "PGPASSWORD=", "Client_Secret =", "=hunter22",
    "password", "Token", "api_key", "clientSecret", "PASSWD", "name", "value", "key",
    '"', "\\", "\n", "\x01", "é", "\u2028", " ", ":", "-", "_", "/", "@", "hunter22", "x",
]  # fmt: skip
texts = st.lists(st.sampled_from(FRAGMENTS), max_size=4).map("".join)
keys = st.one_of(texts, st.sampled_from([1, True, None, 2.5]))
values = st.recursive(
    st.one_of(texts, st.integers(), st.booleans(), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(keys, inner, max_size=3),
        st.fixed_dictionaries({"name": texts, "value": texts}),
    ),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_a_value_with_a_hit_is_never_cleared(value: object) -> None:
    if list(_walk(value, (), key=None)):
        assert might_hold_credential(value)


@pytest.mark.parametrize(
    "value",
    [
        {"a": ["\n" + GITHUB]},  # the escape `\n` ends in a letter before the token
        {"a": "\x01" + AWS},
        {'db"password': "hunter22"},
        {"é-password": "hunter22"},
        {"x": [{"name": 'db\\"token', "value": "hunter22"}]},
        {"apiKey": ["hunter22"]},
        {"config": '{"auth": "dXNlcjpwYXNzd29yZA=="}'},
    ],
)
def test_escaped_and_unusual_places_are_still_found(value: object) -> None:
    assert might_hold_credential(value)
    assert scan_value(value) == list(_walk(value, (), key=None)) != []


@pytest.mark.parametrize(
    "value",
    [
        {"metadata": {"name": "x"}, "spec": {"tolerations": [{"key": "k", "operator": "Exists"}]}},
        {"spec": {"automountServiceAccountToken": False, "imagePullSecrets": [{"name": "r"}]}},
    ],
)
def test_ordinary_objects_skip_the_walk(value: object) -> None:
    assert not might_hold_credential(value)


def test_data_json_cannot_write_goes_to_the_walk() -> None:
    value = {"password": dt.date(2024, 1, 1), "x": {b"k": 1}}
    assert might_hold_credential(value)
    assert scan_value({"token": "hunter22", "when": dt.date(2024, 1, 1)}) == [
        CredentialHit(("token",), "literal value of 'token'")
    ]


def _scan_text_every_line(text: str) -> list[TextHit]:
    """scan_text without its pre-filters: every line through the regular expressions."""
    lines = text.splitlines()
    hits, below = [], []
    for lineno, line in enumerate(lines, start=1):
        kind = shape_of(line)
        if kind is not None:
            hits.append(TextHit(lineno, _first_shape_col(line), kind))
        else:
            hits += key_hits(line, lineno)
            below += value_below_hits(lines, lineno)
            below += env_entry_hits(lines, lineno)
    return merge_hits(hits, below)


LINE_FRAGMENTS = [
    *FRAGMENTS, "password: ", "apiKey: ", "  - ", "token=", "# ", "'", "key: k", "\r\n", "\u0130",
    '{"', '": "', '", "', ", ", "{", "}", "[", ": |", ": >-", "\n  ", "\n    ", "password:",
    "HF_TOKEN:", "\u212aey", "\u0131", "- name: ", "name: HF_TOKEN", "value: ", "\n  value: ",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINE_FRAGMENTS), max_size=12).map("".join))
def test_scan_text_finds_what_every_line_through_the_expressions_finds(text: str) -> None:
    assert scan_text(text) == _scan_text_every_line(text)


def test_scan_text_runs_the_expressions_only_on_lines_with_a_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A publish scans every generated file (13 MB for 1,000 models); the expressions cost
    0.3 us a character, so lines without a shape's fixed part skip them."""
    scanned: list[str] = []
    real = secrets_text.shape_of

    def counting(line: str) -> str | None:
        scanned.append(line)
        return real(line)

    monkeypatch.setattr(secrets_text, "shape_of", counting)
    chart = "\n".join(f"  replicas{n}: 1\n  image: registry.example.com/m:{n}" for n in range(500))
    assert scan_text(chart) == [] and scanned == []
    schema = '{\n  "$schema": "https://json-schema.org/draft/2020-12/schema",\n' + chart
    assert scan_text(schema) == [] and len(scanned) == 1
    assert scan_text(f"x: 1\nurl: https://u:{'pw' * 4}@h/x\n") == [TextHit(2, 6, "password in URL")]


# One credential of every shape, written as a generated file would hold it.
SHAPE_SAMPLES = {
    "private key": KEY,
    "password in URL": "https://u:pw1234@h/x",
    "GitHub token": "github_pat_" + "A1b2" * 11,
    "GitLab token": GITLAB,
    "AWS access key": AWS,
    "Slack token": "xoxb-" + "1234567890ab",
    "Google API key": "AIza" + "S" * 35,
    "Hugging Face token": HF,
    "API secret key": "sk-" + "a" * 40,
    "JSON web token": "eyJ" + "a" * 9 + ".eyJ" + "b" * 9 + "." + "c" * 9,
    "registry auth": '{"auth": "dXNlcjpwYXNzd29yZA=="}',
    "private key (base64)": BASE64_KEY,
    "connection-string key": AZURE,
    "credential assignment": "PA\u017f\u017fWORD=hunter22xx",  # re folds the long s to s
    "Slack webhook": SLACK,
    "basic auth": "Basic " + "Y2l1c2VyOmdscGF0LXNl",
    "Stripe key": "sk_live_" + "a1" * 12,
    "npm token": "npm_" + "a1B2" * 9,
    "Docker Hub token": DOCKER_HUB,
    "JFrog token": "AKCp" + "a1B2c3" * 11 + "d4e",
}


def test_every_shape_has_a_sample() -> None:
    assert set(SHAPE_SAMPLES) == {kind for kind, _ in SHAPES}


@pytest.mark.parametrize(("kind", "sample"), SHAPE_SAMPLES.items())
def test_the_prefilters_pass_every_shape(kind: str, sample: str) -> None:
    """The hints are each shape's fixed parts; a shape without one (`github_pat_` has no
    `gh`) would be skipped by publish's scan and by P110/P122."""
    assert shape_of(sample) == kind
    text = f"a: 1\nx: {sample}\n"
    assert scan_text(text) == _scan_text_every_line(text) != []
    assert scan_value({"env": [{"name": "X", "value": sample}]}) != []


@pytest.mark.parametrize(
    "line",
    [
        "db_pa\u017f\u017fword=hunter22",
        "secret_access_\u212aey=hunter22",
        "cl\u0131ent_secret=hunter22",
    ],  # values without a hint of their own ("abcdefgh" holds "gh")
)
def test_letters_that_match_in_any_case_only_are_still_scanned(line: str) -> None:
    assert scan_text(line) == _scan_text_every_line(line) != []
    assert scan_value({"a": line}) == list(_walk({"a": line}, (), key=None)) != []


@pytest.mark.parametrize(
    "text",
    [
        'a: 1\n{"name": "m", "password": "hunter22xx"}\n',
        'x: {"port": 80, "apiToken": "abcdefgh12"}\n',
        "a: 1\npassword: |\n  hunter22xx\n",
        "a: 1\n  HF_TOKEN: >-\n\n    abcdefgh12\n",
    ],
)
def test_the_prefilters_pass_keys_within_a_line_and_values_below_a_key(text: str) -> None:
    assert scan_text(text) == _scan_text_every_line(text) != []


@pytest.mark.parametrize(("kind", "sample"), SHAPE_SAMPLES.items())
def test_messages_are_redacted_for_every_shape(kind: str, sample: str) -> None:
    """redact_text checks the hints before its expression (every finding's message passes
    there): a message quoting any shape still loses the value."""
    from edgemodels.redaction import redact_text

    quoted = f"value '{sample}' is not allowed here"
    redacted = redact_text(quoted)
    assert redacted != quoted and "***" in redacted
    assert redact_text("site s1: model m is placed there twice") == (
        "site s1: model m is placed there twice"
    )
