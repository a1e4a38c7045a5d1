"""One result model for both schema backends, so they give the same findings.

jsonschema-rs gives structured errors; kubeconform gives santhosh-tekuri/jsonschema message
strings. Both are turned into a `Violation` (pointer, code, message) whose text is built
here, from the same parts, in kubeconform's wording where one exists ("got string, want
integer", "value must be one of 'a', 'b'"). Forms we cannot parse keep the backend's text
under K110.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from edgemodels.validate.manifests import json_type
from edgemodels.validate.pointers import Pointer, pointer_text


@dataclass(frozen=True)
class Violation:
    pointer: Pointer
    code: str
    message: str
    at_key: bool = False  # place the finding on the key (unknown or missing field)


def unknown_field(parent: Pointer, name: str) -> Violation:
    where = pointer_text(parent)
    return Violation((*parent, name), "K101", f"unknown field '{name}' in {where}", at_key=True)


def missing_field(parent: Pointer, name: str) -> Violation:
    return Violation(parent, "K103", f"{pointer_text(parent)}: missing required field '{name}'")


def wrong_type(pointer: Pointer, value: object, want: Sequence[str]) -> Violation:
    wanted = sorted(w for w in want if w != "null") or list(want)
    got = json_type(value)
    return Violation(
        pointer, "K102", f"{pointer_text(pointer)}: got {got}, want {' or '.join(wanted)}"
    )


def invalid_value(pointer: Pointer, options: Sequence[object]) -> Violation:
    return Violation(pointer, "K104", f"{pointer_text(pointer)}: {enum_text(options)}")


def constraint(pointer: Pointer, text: str) -> Violation:
    return Violation(pointer, "K105", f"{pointer_text(pointer)}: {text}")


def pattern_text(value: object, pattern: str) -> str:
    shown = value if isinstance(value, str) else json.dumps(value)
    return f"{go_quote(shown)} does not match pattern {go_quote(pattern)}"


def other(pointer: Pointer, text: str) -> Violation:
    return Violation(pointer, "K110", f"{pointer_text(pointer)}: {text}")


def enum_text(options: Sequence[object]) -> str:
    if any(isinstance(o, (list, dict)) for o in options):
        return "enum failed"
    shown = [display(o) for o in options]
    if len(shown) == 1:
        return f"value must be {shown[0]}"
    return f"value must be one of {', '.join(shown)}"


def display(value: object) -> str:
    """A primitive as Go's `display` prints it ('text', true, 3, <nil>)."""
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def go_quote(text: str) -> str:
    """Single-quoted with Go %q escapes, as santhosh-tekuri/jsonschema quotes values."""
    body = json.dumps(text, ensure_ascii=False)[1:-1].replace('\\"', '"')
    return "'" + body.replace("'", "\\'") + "'"


def go_unquote(text: str) -> str:
    """Inverse of go_quote for the quoted parts of kubeconform messages."""
    inner = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text
    inner = inner.replace("\\'", "'").replace('"', '\\"')
    try:
        value = json.loads(f'"{inner}"')
    except json.JSONDecodeError:
        return inner
    return value if isinstance(value, str) else inner
