"""What to write instead of a key and value in another syntax than YAML's `key: value`.

Labels are often written as kubectl and the hub's console show them: `env=lrt`,
`env=lrt,line=assembly`, `kubernetes.io/arch in (arm64)`; and `env:lrt`, without the space,
is a plain scalar to YAML, not a pair. The schema then sees a key without a value, or text
where a mapping goes, and its words ("expected string, got null") do not say what to write.
"""

from __future__ import annotations

import re
from typing import Any

# A label's key and value as Kubernetes spells them: `https://host` is no pair.
_PAIR = re.compile(r"^\s*([A-Za-z0-9][\w./-]*)\s*(==?|:)\s*([A-Za-z0-9][\w.-]*)\s*$")
_SET = re.compile(r"^\s*([A-Za-z0-9][\w./-]*)\s+(in|notin)\s+\(([^()]*)\)\s*$", re.IGNORECASE)
_OPERATORS = {"in": "In", "notin": "NotIn"}


def pair_in_key(path: tuple[str | int, ...], value: Any) -> bool:
    """A key that holds a whole pair (`{env=lrt}`, `{env:lrt}`), read with no value."""
    key = path[-1] if path else None
    return value is None and isinstance(key, str) and _pair(key) is not None


def pair_hint(expected: Any, value: Any, path: tuple[str | int, ...]) -> str:
    """The hint for a type error, or "" when the value is no pair in another syntax."""
    if expected == "string" and pair_in_key(path, value):
        return key_hint(str(path[-1]))
    if expected != "object":
        return ""
    if isinstance(value, str):
        return _text_hint(value)
    if isinstance(value, list) and value and all(_pair(str(v)) for v in value):
        return f" ({_advice([str(v) for v in value])})"  # [env=lrt, line=assembly]
    if isinstance(value, list) and value and all(_one_entry(v) for v in value):
        pairs = ", ".join(f"{k}: {v}" for item in value for k, v in item.items())
        return f" (one mapping, not a list of them: {{{pairs}}})"
    return ""


def key_hint(key: str) -> str:
    """The hint for a key that holds a whole pair, or ""."""
    if _pair(key) is None:
        return ""
    return f" (YAML read {key!r} as a key without a value: {_advice([key])})"


def _text_hint(text: str) -> str:
    found = _SET.match(text)
    if found:
        key, op, values = found.groups()
        listed = ", ".join(v.strip() for v in values.split(",") if v.strip())
        return (
            " (a selector expression is a mapping: "
            f"{{key: {key}, operator: {_OPERATORS[op.lower()]}, values: [{listed}]}})"
        )
    parts = text.split(",")
    if all(_pair(p) is not None for p in parts):
        return f" ({_advice(parts)})"
    return ""


def _advice(parts: list[str]) -> str:
    """`env=lrt` or `env:lrt` (one or several) written as YAML wants them."""
    pairs = [_pair(p) for p in parts]
    written = ", ".join(f"{k}: {v}" for k, _, v in (p for p in pairs if p))
    if all(p and p[1] == ":" for p in pairs):
        return f"a space must follow the ':' of a key; write {{{written}}}"
    return f"YAML pairs a key and its value with ': ', not '='; write {{{written}}}"


def _pair(text: str) -> tuple[str, str, str] | None:
    found = _PAIR.match(text)
    return (found[1], found[2], found[3]) if found else None


def _one_entry(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and len(item) == 1
        and all(not isinstance(v, dict | list) for v in item.values())
    )
