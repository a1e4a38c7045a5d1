"""`might_hold_credential` (the JSON-text pre-filter of `scan_value`) never hides a hit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgemodels.secrets_scan import CredentialHit, _walk, might_hold_credential, scan_value

from .test_secrets_scan import AWS, AZURE, BASE64_KEY, GITHUB, GITLAB, HF, KEY, SLACK

# Fragments that make up credentials, keys named like one, and what JSON escapes.
FRAGMENTS = [
    GITHUB, GITLAB, AWS, HF, KEY, "https://u:pw1234@h/x", '{"auths": {"r": {"auth": "dXNlcjpwYXNzd29yZA=="}}}',
    "xoxb-" + "1234567890ab", "AIza" + "S" * 35, "sk-" + "a" * 40, "eyJ" + "a" * 9 + ".eyJ" + "b" * 9 + ".c" * 9,
    BASE64_KEY, AZURE, SLACK, "Basic " + "Y2l1c2VyOmdscGF0LXNl", "sk_live_" + "a1" * 12,
    "npm_" + "a1B2" * 9, "PGPASSWORD=", "Client_Secret =", "=hunter22",
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
