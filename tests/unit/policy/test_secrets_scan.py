"""The credential detector shared by policies (P110, P122) and publish."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.secrets_scan import CredentialHit, is_secret_key, scan_value
from edgemodels.secrets_text import TextHit, scan_text

# Assembled at run time so this file itself holds no token-shaped literal.
GITHUB = "ghp_" + "a1B2c3D4e5" * 4
GITLAB = "glpat-" + "x9Y8z7W6v5U4t3S2r1Q0"
DOCKER_HUB = "dckr_pat_" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9"
AWS = "AKIA" + "ABCDEFGHIJKLMNOP"
HF = "hf_" + "AbCdEfGhIj" * 3 + "kl"
BASE64_KEY = "LS0tLS1CRUdJTi" + "BSU0EgUFJJVkFURSBLRVktLS0tLQo="
AZURE = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + "c2VjcmV0a2V5" * 3 + ";"
SLACK = "https://hooks.slack.com/services/" + "T0123ABCD/B0123ABCD/" + "aBcDeFgH" * 3
KEY = (
    "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (GITHUB, "GitHub token"),
        (f"token {GITLAB} here", "GitLab token"),
        (AWS, "AWS access key"),
        (HF, "Hugging Face token"),
        (KEY, "private key"),
        ("https://deploy:s3cret@gitlab.com/i4q/LRT.git", "password in URL"),
        ("postgres://app:hunter2@db:5432/x", "password in URL"),
        (BASE64_KEY, "private key (base64)"),
        (AZURE, "connection-string key"),
        ("aws_secret_access_key=" + "wJalrXUtnFEMI" * 2, "credential assignment"),
        ("host=db password=" + "hunter2hunter2", "credential assignment"),
        (SLACK, "Slack webhook"),
        ("Basic " + "Y2l1c2VyOmdscGF0LXNlY3JldA==", "basic auth"),
        ("sk_live_" + "51H8abcdEFGH" * 2, "Stripe key"),
        ("npm_" + "a1B2c3D4e5" * 3 + "F6g7H8", "npm token"),
        ("docker login -p " + DOCKER_HUB + " -u ops", "Docker Hub token"),
        ("AKCp" + "8k7J6h5G4f3D2s1A0q9W" * 3 + "e8R7t6Y5u", "JFrog token"),
        ("cmVmdGtuOjAxOj" + "E3NjM0NTU0MjM6UkF3aDhmS1RxWHdNeEJVUTZxY3R0c0Jm", "JFrog token"),
    ],
)
def test_shapes_are_found_anywhere(value: str, kind: str) -> None:
    assert scan_value({"spec": {"anything": [value]}}) == [
        CredentialHit(("spec", "anything", 0), kind)
    ]


@pytest.mark.parametrize(
    "doc",
    [
        {"git": {"url": "https://gitlab.com/i4q/LRT.git", "credentialsSecret": "lrt-git"}},
        {"defaults": {"imagePullSecrets": ["i4qregistry"]}},
        {"env": {"TOKEN_FILE": "/run/secrets/token", "PASSWORD": "${DB_PASSWORD}"}},
        {"env": {"API_KEY": "{{ .Values.key }}", "pwd": "<set me>", "token": "short"}},
        {"url": "https://${USER}:${PASS}@example.com/x"},
        {"image": "registry.gitlab.com/i4q/models/defect@sha256:" + "f" * 64},
        {"env": [{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf", "key": "t"}}}]},
        {"description": "set the password in the hub's Secret lrt-git"},
        {"env": {"DB_URL": "host=db password=${DB_PASSWORD}", "AUTH": "Basic realm"}},
        {"env": {"PASSWORD_FILE": "/run/secrets/pw", "SKIP_PASS": "true"}},
    ],
)
def test_references_and_placeholders_are_not_credentials(doc: dict[str, object]) -> None:
    assert scan_value(doc) == []


def test_literal_values_under_credential_keys() -> None:
    doc = {
        "env": {"HF_TOKEN": "abcdef123456", "DB_PASSWORD": "hunter22", "MODE": "abcdef123456"},
        "containers": [{"env": [{"name": "client_secret", "value": "Zm9vYmFyYmF6"}]}],
        "apiKey": "k-1234567",
    }
    kinds = {hit.path: hit.kind for hit in scan_value(doc)}
    assert kinds == {
        ("env", "HF_TOKEN"): "literal value of 'HF_TOKEN'",
        ("env", "DB_PASSWORD"): "literal value of 'DB_PASSWORD'",
        ("containers", 0, "env", 0, "value"): "literal value of 'client_secret'",
        ("apiKey",): "literal value of 'apiKey'",
    }


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password", True), ("HF_TOKEN", True), ("apiKey", True), ("client_secret", True),
        ("accessToken", True), ("AWS_SECRET_ACCESS_KEY", True), ("secretKey", True),
        ("credentialsSecret", False), ("imagePullSecrets", False), ("tokenFile", False),
        ("TOKEN_URL", False), ("passwordRef", False),
        ("PGPASSWORD", True), ("REDIS_PASS", True), ("MYSQLPASSWD", True), ("bypass", False),
    ],
)  # fmt: skip
def test_secret_key_names(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


def test_scan_text_gives_line_and_column() -> None:
    text = f"a: 1\nurl: https://u:pw1234@h.example/x\npassword: hunter22\nrepo: {GITLAB}\n"
    assert scan_text(text) == [
        TextHit(2, 6, "password in URL"),
        TextHit(3, 11, "literal value of 'password'"),
        TextHit(4, 7, "GitLab token"),
    ]


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ('{"password": "hunter22xx"}', [(1, 15, "password")]),
        ('  {"name": "m", "port": 80, "apiToken": "abcdefgh12"},', [(1, 42, "apiToken")]),
        ("x: {user: u, password: hunter22xx}", [(1, 24, "password")]),
        ('{"token": "abcdefgh12", "pwd": "qwerty123"}', [(1, 12, "token"), (1, 33, "pwd")]),
        ("args: --token=abcdef123", [(1, 15, "--token")]),
        ("password: |\n  hunter22xx\n", [(2, 3, "password")]),
        ("a:\n  - HF_TOKEN: >-\n\n      abcdefgh12\n  b: 1\n", [(4, 7, "HF_TOKEN")]),
        ("db:\n  password:\n    hunter22xx\n", [(3, 5, "password")]),
        ('apiKey: |2-\n  "abcdefgh12"\n', [(2, 3, "apiKey")]),
        ("env:\n- name: HF_TOKEN\n  value: abcdefgh12\n", [(3, 10, "HF_TOKEN")]),
        (
            "  - name: X\n    value: a\n  - name: DB_PASSWORD\n    value: hunter22xx\n",
            [(4, 12, "DB_PASSWORD")],
        ),
        ("- value: 'abcdefgh12'\n  name: apiKey\n", [(1, 10, "apiKey")]),
        ("- name: TOKEN\n  args:\n  - x\n  value: abcdefgh12 # set\n", [(4, 10, "TOKEN")]),
        ("env: [{name: API_TOKEN, value: abcdefgh12}]", [(1, 32, "API_TOKEN")]),
        ('{"name": "API_TOKEN", "value": "abcdefgh12"}', [(1, 33, "API_TOKEN")]),
    ],
)
def test_scan_text_finds_keys_anywhere_on_a_line_and_values_below_their_key(
    text: str, hits: list[tuple[int, int, str]]
) -> None:
    expected = [TextHit(line, col, f"literal value of '{key}'") for line, col, key in hits]
    assert scan_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"password": "${DB_PASSWORD}", "token": "<token>"}',
        "x: {password: <token>, apiKey: '{{ .Values.apiKey }}'}",
        "password:\n  secretKeyRef:\n    name: db\n    key: password\n",
        "env:\n- name: TOKEN\n  valueFrom:\n    secretKeyRef: {name: hf, key: token}\n",
        "password:\n  - a\ntoken:\nnext: 1\n",
        "password: |\n  {{ .Values.password | quote }}\n",
        "token: >\n  see the vault entry\n",
        "password:\n# comment\n",
        '{"tokenFile": "/var/run/token", "passwordRef": "abcdefgh12"}',
        "url: https://example.com/?key=abcdefgh12",
        "env:\n- name: TOKEN\n  value: ${TOKEN}\n- name: API_KEY_FILE\n  value: /run/key\n",
        "env:\n- name: TOKEN\n- name: OTHER\n  value: abcdefgh12\n",
        "ports:\n- name: api-key\n  containerPort: 8080\n",
        "- name: TOKEN\n  x:\n    value: abcdefgh12\n",
    ],
)
def test_scan_text_leaves_references_placeholders_and_structure_alone(text: str) -> None:
    assert scan_text(text) == []


def test_the_generated_golden_trees_hold_no_credential() -> None:
    """publish refuses a tree with a hit: the trees edgemodels writes must have none."""
    root = Path(__file__).parents[2] / "cases"
    files = [p for p in root.glob("*/expected/**/*") if p.is_file()]
    assert len(files) > 50
    assert [(p, hit) for p in files for hit in scan_text(p.read_text("utf-8"))] == []
