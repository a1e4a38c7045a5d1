"""The credential detector shared by policies (P110, P122) and publish."""

from __future__ import annotations

import pytest

from edgemodels.secrets_scan import CredentialHit, TextHit, is_secret_key, scan_text, scan_value

# Assembled at run time so this file itself holds no token-shaped literal.
GITHUB = "ghp_" + "a1B2c3D4e5" * 4
GITLAB = "glpat-" + "x9Y8z7W6v5U4t3S2r1Q0"
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
