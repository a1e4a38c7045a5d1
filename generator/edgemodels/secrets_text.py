"""Credential-looking values in raw text, line by line: any file of the generated tree,
before publish commits it.

A line holding a credential's shape is a hit where the shape starts. Otherwise a key named
like a credential counts with a literal value on its line (`token: abc123...`), in the
block below it (`password: |`), or as an env entry's name (`- name: API_TOKEN` with its
`value:` among the entry's keys). The shapes and key words are secrets_scan's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from edgemodels.secrets_scan import (
    KEY_HINTS,
    SHAPES,
    is_secret_key,
    looks_literal,
    may_hold_shape,
    shape_of,
)


@dataclass(frozen=True)
class TextHit:
    """One credential-looking value in raw text, 1-based line and column."""

    line: int
    col: int
    kind: str


# A `key: value`, `key=value` or `"key": "value"` pair anywhere on a line: the key starts the
# line or follows a space, `{`, `,` or `[` (a JSON object or a flow mapping on one line).
_KEY_VALUE_RE = re.compile(
    r"(?<![^\s{,\[])(?:-\s+)?[\"']?([A-Za-z0-9_.-]+)[\"']?\s*[:=]\s*[\"']?([^\"'#\s]+)"
)
# A key whose value starts on the next line: `password: |`, `token: >-`, or `password:` alone.
_KEY_ALONE_RE = re.compile(
    r"^(\s*(?:-\s+)?)[\"']?([A-Za-z0-9_.-]+)[\"']?\s*:(?:\s+([|>][0-9+-]{0,2}))?\s*(?:#.*)?$"
)


def scan_text(text: str) -> list[TextHit]:
    """Credential-looking values in raw text (any file of the generated tree), by line."""
    # The text, then each line, is searched for the fixed parts of the shapes and of the
    # keys first, at C speed: the regular expressions on every line of a 1,000-model
    # publish's tree (13 MB, 360,000 lines) took 4.6 s, at 0.3 us a character.
    if not (may_hold_shape(text) or _may_hold_key(text)):
        return []
    lines = text.splitlines()
    hits: list[TextHit] = []
    below: list[TextHit] = []
    for lineno, line in enumerate(lines, start=1):
        kind = shape_of(line) if may_hold_shape(line) else None
        if kind is not None:
            hits.append(TextHit(lineno, _first_shape_col(line), kind))
        elif _may_hold_key(line):
            hits += key_hits(line, lineno)
            below += value_below_hits(lines, lineno)
            below += env_entry_hits(lines, lineno)
    return merge_hits(hits, below)


def key_hits(line: str, lineno: int) -> list[TextHit]:
    """A hit for every secret key on `line` whose value on the same line looks literal."""
    hits = []
    match = _KEY_VALUE_RE.search(line)
    while match is not None:
        key, value = match.group(1), match.group(2)
        # A flow mapping's `{password: <token>}` ends the value with the mapping.
        if is_secret_key(key) and looks_literal(value.rstrip(",]}")):
            hits.append(TextHit(lineno, match.start(2) + 1, f"literal value of '{key}'"))
        # Go on after the key, not the value: `args: --token=...` holds a second pair.
        match = _KEY_VALUE_RE.search(line, match.end(1))
    return hits


def value_below_hits(lines: Sequence[str], lineno: int) -> list[TextHit]:
    """A hit when line `lineno` is a secret key with nothing after it but a block scalar
    indicator (`password: |`, `token: >-`) or nothing at all, and the value starting on the
    next non-blank line, indented deeper than the key, looks literal."""
    match = _KEY_ALONE_RE.match(lines[lineno - 1])
    if match is None or not is_secret_key(match.group(2)):
        return []
    below = next((n for n in range(lineno, len(lines)) if lines[n].strip()), None)
    if below is None:
        return []
    value_line = lines[below]
    value = value_line.strip()
    if len(value_line) - len(value_line.lstrip()) <= len(match.group(1)):
        return []  # not indented under the key: the key's value is empty (null)
    # Without `|` or `>` the key may hold a mapping or a list instead of a folded scalar.
    plain = match.group(3) is None
    if plain and (value.startswith(("-", "#", "{", "[")) or ": " in value or value[-1] == ":"):
        return []
    if not looks_literal(value.strip("\"'")):
        return []
    col = len(value_line) - len(value_line.lstrip()) + 1
    return [TextHit(below + 1, col, f"literal value of '{match.group(2)}'")]


# An entry `name: <NAME>` alone on its line (in a list item or not), and its sibling
# `value: <value>`: a container's environment variable, whose name says it holds a credential
# (`- name: HF_TOKEN` / `  value: ...`), as scan_value reads `{name: ..., value: ...}`.
_ENTRY_NAME_RE = re.compile(
    r"^(\s*)(-\s+)?[\"']?name[\"']?\s*:\s*[\"']?([A-Za-z0-9_.-]+)[\"']?\s*$"
)
_ENTRY_VALUE_RE = re.compile(r"^[\"']?value[\"']?\s*:\s*(.*?)\s*(?:#.*)?$")
# The same on one line: `- {name: HF_TOKEN, value: ...}`, `{"name": "HF_TOKEN", "value": ...}`.
_FLOW_ENTRY_RE = re.compile(
    r"[\"']?name[\"']?\s*:\s*[\"']?([A-Za-z0-9_.-]+)[\"']?\s*,\s*"
    r"[\"']?value[\"']?\s*:\s*[\"']?([^\"',}\s]+)"
)


def env_entry_hits(lines: Sequence[str], lineno: int) -> list[TextHit]:
    """A hit for the literal `value` of an entry whose `name` on line `lineno` is a secret
    key: an environment variable of a generated Deployment holds the catalogue's `env`
    this way, where no key on a line says `token` or `password`."""
    line = lines[lineno - 1]
    flow = _FLOW_ENTRY_RE.search(line)
    if flow is not None:
        if is_secret_key(flow.group(1)) and looks_literal(flow.group(2)):
            return [TextHit(lineno, flow.start(2) + 1, f"literal value of '{flow.group(1)}'")]
        return []
    match = _ENTRY_NAME_RE.match(line)
    if match is None or not is_secret_key(match.group(3)):
        return []
    indent = len(match.group(1)) + len(match.group(2) or "")
    for at in _siblings(lines, lineno - 1, indent, bool(match.group(2))):
        found = _ENTRY_VALUE_RE.match(lines[at][indent:])
        if found is not None:
            value = found.group(1).strip("\"'")
            if not looks_literal(value):
                return []
            col = indent + len(lines[at][indent:]) - len(lines[at][indent:].lstrip()) + 1
            return [TextHit(at + 1, col + found.start(1), f"literal value of '{match.group(3)}'")]
    return []


def _siblings(lines: Sequence[str], at: int, indent: int, item_starts: bool) -> Iterator[int]:
    """The lines (0-based) of the keys beside line `at`'s in its mapping, `indent` deep:
    after it, and before it too unless it starts the list item."""
    yield from _keys_at(lines, range(at + 1, len(lines)), indent)
    if not item_starts:
        yield from _keys_at(lines, range(at - 1, -1, -1), indent, back=True)


def _keys_at(lines: Sequence[str], span: range, indent: int, back: bool = False) -> Iterator[int]:
    for n in span:
        text = lines[n]
        stripped = text.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        deep = len(text) - len(stripped)
        if back and stripped.startswith("- ") and deep + 2 == indent:
            yield n  # the item's first key, after its `- `
            return
        if deep < indent:
            return
        if deep == indent:
            yield n


def merge_hits(hits: list[TextHit], below: list[TextHit]) -> list[TextHit]:
    """The hits by line, with a value found below its key left out where that line has a
    hit of its own already."""
    taken = {hit.line for hit in hits}
    return sorted(
        [*hits, *(hit for hit in below if hit.line not in taken)],
        key=lambda hit: (hit.line, hit.col),
    )


def _may_hold_key(text: str) -> bool:
    """False when no key in `text` is one `is_secret_key` accepts."""
    lower = text.lower()
    return any(hint in lower for hint in KEY_HINTS)


def _first_shape_col(line: str) -> int:
    starts = [m.start() for _, p in SHAPES if (m := p.search(line)) is not None]
    return min(starts) + 1 if starts else 1
