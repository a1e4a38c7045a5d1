"""Find credential-looking values: in a loaded document (policies), in raw text (publish,
secrets_text.py) and in what edgemodels says (redaction.py).

One small detector shared by the policy rules (P110, P122), publish and every message, so
"what counts as a credential" is decided in one place: here. It looks for things that are
credentials by their shape (private keys, known token formats, passwords inside URLs) and
for long literal values under keys named like a credential. Values that only *name* a
Secret (`credentialsSecret: lrt-git`, `imagePullSecrets: [...]`) and placeholders
(`${TOKEN}`, `{{ .Values.x }}`) are not credentials, so the catalogue's normal fields
never trip it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

PathStep = str | int


@dataclass(frozen=True)
class CredentialHit:
    """One credential-looking value. `path` leads to it inside the scanned value."""

    path: tuple[PathStep, ...]
    kind: str


# Shapes that are credentials wherever they appear.
SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")),
    ("password in URL", re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("GitLab token", re.compile(r"\bgl(pat|dt|rt|ptt|cbt)-[A-Za-z0-9_-]{20,}")),
    ("AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("API secret key", re.compile(r"\bsk-(proj-|ant-)?[A-Za-z0-9_-]{32,}")),
    (
        "JSON web token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
    ("registry auth", re.compile(r'"auth"\s*:\s*"[A-Za-z0-9+/=]{12,}"')),
    # "-----BEGIN" in base64, at each of the three alignments: keys are often put in env
    # base64-encoded.
    ("private key (base64)", re.compile(r"LS0tLS1CRUdJTi|LS0tLUJFR0lO|tLS0tQkVHSU4")),
    (
        "connection-string key",
        re.compile(r"\b(AccountKey|SharedAccessKey|SharedAccessSignature)=[A-Za-z0-9+/%]{16,}"),
    ),
    (
        "credential assignment",
        re.compile(
            r"(?<![A-Za-z0-9])(?i:[a-z0-9_]*(password|passwd|secret_access_key|client_secret)"
            r"[a-z0-9_]*)\s*=\s*(?![$<{*/])[^\s;&,\"']{6,}"
        ),
    ),
    ("Slack webhook", re.compile(r"\bhooks\.slack\.com/(services|workflows)/[A-Za-z0-9/_-]{20,}")),
    ("basic auth", re.compile(r"\bBasic [A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")),
    ("Stripe key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{20,}")),
    ("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    # Registry credentials, which a pull secret or `docker login` in a model's env holds:
    # Docker Hub personal and organization access tokens, JFrog API keys and reference tokens
    # (base64 of "reftkn:01:").
    ("Docker Hub token", re.compile(r"\bdckr_(pat|oat)_[A-Za-z0-9_-]{20,}")),
    ("JFrog token", re.compile(r"\b(AKCp[A-Za-z0-9]{69}\b|cmVmdGtuOjAxOj[A-Za-z0-9+/=]{40,})")),
)


@cache
def any_shape() -> re.Pattern[str]:
    """One pass over a string for every shape; most strings match none, so this is the
    fast path. Compiled when first needed, as are the redaction's expressions below: most
    runs never get that far, and compiling them took 2-5 ms of every command's start."""
    return re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in SHAPES))


# Key names whose literal value is a credential (compared on lower-cased words).
_SECRET_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase", "token", "apikey"})
# A last word that runs a credential word on without a break (PGPASSWORD, MYSQLPASSWD).
_SECRET_ENDINGS = ("password", "passwd", "passphrase")
_SECRET_PAIRS = frozenset(
    {
        ("api", "key"),
        ("access", "key"),
        ("secret", "key"),
        ("private", "key"),
        ("client", "secret"),
        ("auth", "token"),
        ("access", "token"),
    }
)
_WORD_RE = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
PLACEHOLDER_RE = re.compile(r"^(\$\{.*\}|\$\(.*\)|\{\{.*\}\}|<[^>]*>|\*+|x+|changeme)$", re.I)
_MIN_SECRET_LEN = 6


def _key_words(key: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(key)]


@lru_cache(maxsize=4096)  # the same few keys come back in every object
def is_secret_key(key: str) -> bool:
    """True for `password`, `HF_TOKEN`, `apiKey`, `client_secret`; not `credentialsSecret`."""
    words = _key_words(key)
    if not words:
        return False
    if words[-1] in _SECRET_WORDS or words[-1].endswith(_SECRET_ENDINGS):
        return True
    return len(words) > 1 and (words[-2], words[-1]) in _SECRET_PAIRS


def looks_literal(value: str) -> bool:
    """A value that is the secret itself, not a placeholder, a path or a reference."""
    v = value.strip()
    if len(v) < _MIN_SECRET_LEN or " " in v or PLACEHOLDER_RE.match(v):
        return False
    return not v.startswith(("/", "$", "secretKeyRef", "file:"))


def shape_of(text: str) -> str | None:
    """The kind of credential whose shape appears in `text`, if any."""
    if any_shape().search(text) is None:
        return None
    for kind, pattern in SHAPES:
        match = pattern.search(text)
        if match is None:
            continue
        if kind == "password in URL" and PLACEHOLDER_RE.match(match.group(1)):
            continue
        return kind
    return None


def scan_value(value: object, path: tuple[PathStep, ...] = ()) -> list[CredentialHit]:
    """Every credential-looking string in a JSON-like value, with its path."""
    if not might_hold_credential(value):
        return []
    return list(_walk(value, path, key=None))


# A string with a credential shape contains one of these. Each is a part every match of a
# `SHAPES` pattern must contain, made of characters JSON writes as themselves, so it is
# also in the JSON text of any value holding that string: escaping replaces a `"`, `\\`,
# control or non-ASCII character on its own, never the characters around it (registry
# auth's `"auth"` becomes `\\"auth\\"`, which still holds `"auth`).
_SHAPE_HINTS = (
    "PRIVATE KEY",
    "://",
    "gh",
    "github_pat_",
    "gl",
    "xox",
    "AIza",
    "AKIA",
    "ASIA",
    "hf_",
    "sk-",
    "eyJ",
    '"auth',
    "LS0t",
    "AccountKey=",
    "SharedAccess",
    "hooks.slack.com",
    "Basic ",
    "k_live_",
    "npm_",
    "dckr_",
    "AKCp",
    "cmVmdGtu",
)  # fmt: skip  (few and short: each one is a search of the whole text)
# The same for the shapes matched in any case, searched in the lower-cased text. Matching in
# any case also folds a few non-ASCII letters that `str.lower()` keeps (the long s is an `s`, the
# Kelvin sign a `k`, the dotless i an `i`), and JSON writes them as `\uXXXX`: text with non-ASCII
# letters goes to the expressions.
_LOWER_SHAPE_HINTS = ("password", "passwd", "secret_access_key", "client_secret")
# A key `is_secret_key` accepts holds one of these (lower-cased): its last word is one of
# `_SECRET_WORDS` or the `key` / `secret` / `token` ending a `_SECRET_PAIRS` entry. Outside
# strings JSON text has only punctuation, numbers, true, false, null, NaN and Infinity: a
# hint found in the lower-cased text is inside a string.
KEY_HINTS = ("pass", "pwd", "token", "key", "secret")
# json.dumps' text (separators ", " and ": "), without the check for cycles: a cycle
# raises RecursionError instead of ValueError, and either answers True.
_JSON = json.JSONEncoder(check_circular=False)


def might_hold_credential(value: object) -> bool:
    """False only when `scan_value(value)` is certainly empty, decided on the JSON text of
    `value` (written and searched at C speed) instead of a walk over every string.

    Data JSON cannot write exactly (dates, bytes, sets, other mappings) answers True: the
    walk decides. Keys JSON writes differently from `str(key)` (int, float, bool, None)
    are digits, true/false/null or True/False/None, which `is_secret_key` never accepts.
    """
    try:
        text = _JSON.encode(value)
    except (TypeError, ValueError, RecursionError):
        return True
    if any(hint in text for hint in _SHAPE_HINTS):
        return True
    lower = text.lower()
    if "=" in text and ("\\u" in text or any(hint in lower for hint in _LOWER_SHAPE_HINTS)):
        return True
    for hint in KEY_HINTS:
        at = lower.find(hint)
        while at >= 0:
            start, end = _string_around(text, at)
            if _tested_as_key(text, start, end) and is_secret_key(json.loads(text[start:end])):
                return True
            at = lower.find(hint, end)
    return False


def _string_around(text: str, at: int) -> tuple[int, int]:
    """(start, end) of the JSON string token holding position `at`, quotes included:
    inside a token every `"` is escaped but the closing one."""
    start = text.rfind('"', 0, at)
    while _escaped(text, start):
        start = text.rfind('"', 0, start)
    end = text.find('"', at)
    while _escaped(text, end):
        end = text.find('"', end + 1)
    return start, end + 1


def _escaped(text: str, quote: int) -> bool:
    backslashes = 0
    while quote > backslashes and text[quote - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _tested_as_key(text: str, start: int, end: int) -> bool:
    """The string is a key `_walk` tests values against: a key whose value is a string or
    a list, or the value of a `name` key (an env entry's name is the key of its value)."""
    return text.startswith((': "', ": ["), end) or text.endswith('"name": ', 0, start)


def _walk(value: object, path: tuple[PathStep, ...], key: str | None) -> Iterator[CredentialHit]:
    if isinstance(value, str):
        kind = shape_of(value)
        if kind is None and key is not None and is_secret_key(key) and looks_literal(value):
            kind = f"literal value of '{key}'"
        if kind is not None:
            yield CredentialHit(path, kind)
    elif isinstance(value, Mapping):
        env_name = str(value["name"]) if _is_env_entry(value) else None
        for k, v in value.items():
            # In `{name: TOKEN, value: ...}` the entry's name is the key that tells.
            named = env_name if (k == "value" and env_name is not None) else str(k)
            yield from _walk(v, (*path, str(k)), key=named)
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i), key=key)


def _is_env_entry(value: Mapping[object, object]) -> bool:
    return isinstance(value.get("name"), str) and isinstance(value.get("value"), str)


def may_hold_shape(text: str) -> bool:
    """False when `shape_of(text)` is certainly None."""
    if any(hint in text for hint in _SHAPE_HINTS):
        return True
    if "=" not in text:
        return False
    return not text.isascii() or any(hint in text.lower() for hint in _LOWER_SHAPE_HINTS)


def field_path(path: Sequence[PathStep]) -> str:
    """A Kubernetes-style field path: `.spec.containers[0].env['HF_TOKEN']`."""
    out = []
    for step in path:
        if isinstance(step, int):
            out.append(f"[{step}]")
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", step):
            out.append(f".{step}")
        else:
            out.append("['" + step.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(out) or "."
