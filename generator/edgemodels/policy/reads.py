"""What a screen program reads of `object`, so only that part is handed to CEL.

Handing an object to `common-expression-language` converts all of it (about 60 µs for a
generated Deployment), while most kinds are screened on `object.kind` alone. `object_reads`
finds, in a screen's source (selections already written as indexes), every chain of
literal field steps that starts at `object`; `project` copies just those chains. A read that
is not such a chain (`object` on its own, a computed index, a method call) needs the whole
object, and the answer is then None.

Equivalence: CEL evaluates a chain step by step, so a projection that keeps, along every
chain, the same keys the object has (and the whole value where a chain ends) gives every
chain the same value, the same missing key and the same type error. `bind` would convert
the whole object with `_plain` (every key made a string, dates and sets made JSON-like)
if CEL refused some part of it; `project` is only trusted where that cannot change what the
chains read: mappings along a chain have only `str` keys (which `_plain` keeps), and chains
end on a scalar (which `_plain` makes the same alone or inside the whole).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from edgemodels.policy.cel_import import cel
from edgemodels.policy.model import Rule
from edgemodels.policy.screen import TOKEN_RE, compile_screen, screen_source, string_end

Path = tuple[str, ...]
_PLAIN_STRING_RE = re.compile(r"'([A-Za-z0-9_./-]*)'|\"([A-Za-z0-9_./-]*)\"")


def _tokens(source: str, keep_spaces: bool = False) -> list[tuple[str, str]] | None:
    """(kind, text) of each token (but spaces and comments unless kept); None if a string
    literal never ends."""
    out, pos = [], 0
    while pos < len(source):
        match = TOKEN_RE.match(source, pos)
        assert match is not None  # `other` matches any character
        kind, end = match.lastgroup or "other", match.end()
        if kind == "string":
            end = string_end(source, match)
            if end < 0:
                return None
        if keep_spaces or kind not in ("space", "comment"):
            out.append((kind, source[pos:end]))
        pos = end
    return out


def object_reads(source: str) -> frozenset[Path] | None:
    """The chains of field steps `source` reads from `object`; None if it may read more."""
    tokens = _tokens(source)
    if tokens is None:
        return None
    reads: set[Path] = set()
    for i, (kind, text) in enumerate(tokens):
        if kind != "ident" or text != "object":
            continue
        path = _chain(tokens, i + 1)
        if not path or not all(_stable(step) for step in path):
            return None
        reads.add(path)
    # A chain that another one extends is read whole: keep the shorter.
    return frozenset(p for p in reads if not any(p[: len(q)] == q for q in reads if q != p))


def _chain(tokens: list[tuple[str, str]], i: int) -> Path:
    path: list[str] = []
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "select":
            if i + 1 < len(tokens) and tokens[i + 1][1] == "(":
                break  # a method call on the value: it is read whole
            path.append(text.lstrip(". \t\r\n"))
            i += 1
        elif text == "[" and i + 2 < len(tokens) and tokens[i + 2][1] == "]":
            match = _PLAIN_STRING_RE.fullmatch(tokens[i + 1][1])
            if match is None:
                break  # a computed index: the value is read whole
            path.append(match.group(1) if match.group(1) is not None else match.group(2))
            i += 3
        else:
            break
    return tuple(path)


def _stable(step: str) -> bool:
    """No key `_plain` rewrites (None, a float, a bool, an int) can become this step."""
    if step in ("None", "True", "False"):
        return False
    try:
        float(step)
    except ValueError:
        return True
    return False


def project(value: Mapping[str, object], reads: frozenset[Path]) -> dict[str, object] | None:
    """`value` with only the chains `reads`; None when a chain ends on a list or mapping
    (whose keys `bind` might have rewritten: the caller binds the whole object)."""
    if not all(type(k) is str for k in value):
        return None  # a key `_plain` would rewrite might become one of the steps
    out: dict[str, object] = {}
    for first in {p[0] for p in reads}:
        if first not in value:
            continue
        rest = frozenset(p[1:] for p in reads if p[0] == first)
        item = value[first]
        if rest == {()}:
            if isinstance(item, Mapping | list | tuple):
                return None
            out[first] = item
        elif isinstance(item, Mapping):
            inner = project(item, rest)
            if inner is None:
                return None
            out[first] = inner
        else:
            return None  # not a mapping: the next step fails or reads it whole
    return out


def without_credentials(source: str) -> str | None:
    """`source` with each call `credentials(object)` written `[]`, for objects the credential
    pre-filter clears; None if there is none or `object` may be a macro's own variable."""
    tokens = _tokens(source, keep_spaces=True)
    if tokens is None:
        return None
    code = [(i, t) for i, t in enumerate(tokens) if t[0] not in ("space", "comment")]
    calls: list[tuple[int, int]] = []
    for n, (i, (kind, text)) in enumerate(code):
        if kind == "ident" and text == "object" and n + 1 < len(code) and code[n + 1][1][1] == ",":
            return None  # `.map(object, ...)`: a call there would not see the bound object
        window = [t[1] for _, t in code[n : n + 4]]
        if kind == "ident" and window == ["credentials", "(", "object", ")"]:
            calls.append((i, code[n + 3][0]))
    if not calls:
        return None
    out, pos = [], 0
    for first, last in calls:
        out += [t[1] for t in tokens[pos:first]] + ["[]"]
        pos = last + 1
    return "".join(out + [t[1] for t in tokens[pos:]])


@dataclass(frozen=True)
class Screen:
    """The screen of one (apiVersion, kind). `program` runs on the whole object. `partial`
    runs on the projection `reads` of it (whole if None), but only on objects the credential
    pre-filter clears when `clearance` (its `credentials(object)` calls are written `[]`)."""

    program: cel.Program | None
    partial: cel.Program | None = None
    reads: frozenset[Path] | None = None
    clearance: bool = False


def build_screen(rules: Sequence[Rule]) -> Screen:
    source = screen_source(rules)
    program = compile_screen(source)
    if source is None or program is None:
        return Screen(program)
    cleared = without_credentials(source)
    partial = compile_screen(cleared) if cleared is not None else program
    if partial is None:
        return Screen(program)
    return Screen(program, partial, object_reads(cleared or source), cleared is not None)
