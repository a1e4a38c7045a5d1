"""The CEL environment of policies: compile once, check names at load, evaluate in a Context.

Built on `common-expression-language` (Rust core). It has no type checker, so an unknown
function or variable would only fail when a rule first runs on an object that reaches it;
`compile_expression` reads `Program.references()` at load time and refuses any name outside
the allow-list below. Functions are grouped by where they exist: core CEL (native), the
Kubernetes CEL libraries (our shims, so a rule stays valid in a ValidatingAdmissionPolicy),
and edgemodels-only helpers (catalogue rules; a rule using them cannot be exported).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from edgemodels.policy import cel_helpers, cel_k8s
from edgemodels.policy.cel_import import cel, stdlib

# cel reports a failing Python function through the `cel` logger before raising; the error
# reaches the user as a finding, so the duplicate line on stderr is noise.
_cel_log = logging.getLogger("cel")
_cel_log.addHandler(logging.NullHandler())
_cel_log.propagate = False

# Operators and functions cel-rust implements natively (names as `references()` gives them).
NATIVE = frozenset(
    {
        "!_", "-_", "@in", "@not_strictly_false", "_!=_", "_%_", "_&&_", "_*_", "_+_", "_-_",
        "_/_", "_<=_", "_<_", "_==_", "_>=_", "_>_", "_?_:_", "_[_]", "_||_",
        "size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double",
        "string", "bytes", "type", "dyn", "duration", "timestamp", "getFullYear", "getMonth",
        "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours", "getMinutes",
        "getSeconds", "getMilliseconds", "of", "none", "ofNonZeroValue", "hasValue", "value",
        "orValue", "or",
    }
)  # fmt: skip

# cel-go extension functions Kubernetes enables (strings, sets), from cel's stdlib module;
# min, max and sum only as list members (see LIST_MEMBERS).
_KUBERNETES_STDLIB = (
    "charAt", "lastIndexOf", "lowerAscii", "upperAscii", "replace", "split", "substring",
    "trim", "join", "strings.quote", "sets.contains", "sets.equivalent", "sets.intersects",
    "min", "max", "sum",
)  # fmt: skip
# Available here but not in every Kubernetes version: allowed, but not exportable.
_EXTRA_STDLIB = (
    "reverse", "base64.encode", "base64.decode", "math.greatest", "math.least", "math.abs",
    "math.ceil", "math.floor", "math.round", "math.sign", "distinct", "flatten", "slice",
    "sort", "lists.range",
)  # fmt: skip


def _function_tables() -> tuple[dict[str, Callable[..., Any]], frozenset[str]]:
    """All registrable functions, and the names that also exist in Kubernetes."""
    std = stdlib.STDLIB_FUNCTIONS
    functions = {name: std[name] for name in (*_KUBERNETES_STDLIB, *_EXTRA_STDLIB)}
    functions.update(cel_k8s.KUBERNETES_SHIMS)
    kubernetes = frozenset(_KUBERNETES_STDLIB) | frozenset(cel_k8s.KUBERNETES_SHIMS)
    functions.update(cel_helpers.EDGEMODELS_FUNCTIONS)
    return functions, kubernetes


FUNCTIONS, KUBERNETES_FUNCTIONS = _function_tables()
NOT_IN_KUBERNETES = frozenset(FUNCTIONS) - KUBERNETES_FUNCTIONS
NAMESPACES = frozenset(name.split(".")[0] for name in FUNCTIONS if "." in name) | {"optional"}

# Kubernetes has these only as argument-less list members, `[a, b].max()`
# (k8s.io/apiserver/pkg/cel/library/lists.go); cel's global forms, `max(a, b)` or
# `max([a, b])`, work here, but the API server refuses a policy that calls them.
LIST_MEMBERS = frozenset({"min", "max", "sum"})
_LIST_CALL_RE = re.compile(rf"(\.\s*)?\b({'|'.join(sorted(LIST_MEMBERS))})\s*\((\s*\))?")
_COMMENT_RE = re.compile(r"//[^\n]*")

_MACRO_VAR_RE = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")
_VARIABLES_RE = re.compile(r"\bvariables\s*\.\s*([A-Za-z_]\w*)")


MAX_EXPANDED = 50_000  # characters of an expression once its variables are written in


@dataclass(frozen=True)
class Compiled:
    """A compiled expression and the names it uses (for contexts and export).

    `program` runs the expression with the rule's variables written in (see
    `inline_variables`); the names are those of the expression as written.
    """

    program: cel.Program
    functions: frozenset[str]  # registrable functions (full dotted names)
    not_members: frozenset[str]  # LIST_MEMBERS called in another form than `list.max()`
    roots: frozenset[str]  # top-level variables: object, variables, params, ...
    variable_names: frozenset[str]  # the `variables.<name>` it reads


class CelProblem(Exception):
    """An expression that cannot be used. `offset` is (line, col) inside the expression."""

    def __init__(self, code: str, message: str, offset: tuple[int, int] = (1, 1)) -> None:
        super().__init__(message)
        self.code, self.message, self.offset = code, message, offset


_CEL_ERROR_RE = re.compile(r"ERROR: <input>:(\d+):(\d+): (.*)")


def compile_expression(
    source: str, allowed_roots: Iterable[str], variables: Mapping[str, str] | None = None
) -> Compiled:
    """Compile and check an expression; raise CelProblem (P003 syntax, P004 names).

    `variables` maps the rule's variables declared so far to their (expanded) source.
    """
    program = _compile(source)
    refs = program.references()
    functions = _resolve_functions(source, refs["functions"], set(refs["variables"]))
    roots = _check_variables(source, set(refs["variables"]), set(allowed_roots))
    used = frozenset(_VARIABLES_RE.findall(source))
    if used and variables:
        expanded = inline_variables(source, variables)
        if len(expanded) > MAX_EXPANDED:
            size = f"{len(expanded)} characters; the limit is {MAX_EXPANDED}"
            raise CelProblem(
                "P003", f"expression too large once its variables are written in ({size})"
            )
        program = _compile(expanded)
    return Compiled(program, functions, non_member_calls(source), roots, used)


def non_member_calls(source: str) -> frozenset[str]:
    """The LIST_MEMBERS that `source` calls other than as `<list>.name()` (strings and
    comments left out)."""
    code, pos = [], 0
    for start, end in _string_spans(source):
        code += [source[pos:start], "''"]
        pos = end
    code.append(source[pos:])
    text = _COMMENT_RE.sub("", "".join(code))
    return frozenset(
        m.group(2) for m in _LIST_CALL_RE.finditer(text) if not (m.group(1) and m.group(3))
    )


def _compile(source: str) -> cel.Program:
    try:
        return cel.compile(source)
    except ValueError as exc:
        match = _CEL_ERROR_RE.search(str(exc))
        if match is None:
            raise CelProblem("P003", f"CEL syntax error: {exc}") from None
        hint = " (edgemodels' CEL has no optional `.?` syntax; use has())" if ".?" in source else ""
        offset = (int(match.group(1)), int(match.group(2)))  # cel's columns are 1-based
        raise CelProblem("P003", f"CEL syntax error: {match.group(3)}{hint}", offset) from None


_STRING_START_RE = re.compile(r"""(?<![A-Za-z0-9_])([rRbB]{0,2})('\'\'|\"\"\"|'|")""")
_VARIABLE_USE_RE = re.compile(r"(?<![\w.])variables\s*\.\s*([A-Za-z_]\w*)")


def inline_variables(source: str, variables: Mapping[str, str]) -> str:
    """`variables.x` replaced by `(<source of x>)` outside string literals.

    Kubernetes evaluates a variable lazily, once per object. Binding a computed value into
    the cel Context instead would convert it (and the whole object) again for every rule,
    which costs far more than evaluating the variable's expression where it is used.
    """
    out, pos = [], 0
    for start, end in _string_spans(source):
        out.append(_replace_uses(source[pos:start], variables))
        out.append(source[start:end])
        pos = end
    out.append(_replace_uses(source[pos:], variables))
    return "".join(out)


def _replace_uses(code: str, variables: Mapping[str, str]) -> str:
    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"({variables[name]})" if name in variables else match.group(0)

    return _VARIABLE_USE_RE.sub(expand, code)


def _string_spans(source: str) -> list[tuple[int, int]]:
    """(start, end) of each string or bytes literal, prefixes and quotes included."""
    spans, pos = [], 0
    while (match := _STRING_START_RE.search(source, pos)) is not None:
        quote, raw = match.group(2), "r" in match.group(1).lower()
        i = match.end()
        while i < len(source) and not source.startswith(quote, i):
            i += 2 if (source[i] == "\\" and not raw) else 1
        end = min(i + len(quote), len(source))
        spans.append((match.start(), end))
        pos = end
    return spans


def _resolve_functions(source: str, names: list[str], variables: set[str]) -> frozenset[str]:
    used, unknown = set(), []
    for name in names:
        # `sets.contains(...)` comes back as function `contains` plus variable `sets`.
        dotted = [f"{ns}.{name}" for ns in variables & NAMESPACES if f"{ns}.{name}" in FUNCTIONS]
        if dotted:
            used.update(dotted)
        elif name in FUNCTIONS:
            used.add(name)
        elif name not in NATIVE:
            unknown.append(name)
    if unknown:
        first = min(unknown, key=lambda n: _find(source, n))  # report the leftmost
        raise CelProblem(
            "P004", f"unknown function '{first}'{_suggest(first)}", _find(source, first)
        )
    return frozenset(used)


def _check_variables(source: str, names: set[str], allowed: set[str]) -> frozenset[str]:
    bound = set(_MACRO_VAR_RE.findall(source))
    unknown = sorted(names - bound - NAMESPACES - allowed, key=lambda n: _find(source, n))
    if unknown:
        choices = ", ".join(sorted(allowed))
        message = f"unknown variable '{unknown[0]}' (available here: {choices})"
        raise CelProblem("P004", message, _find(source, unknown[0]))
    return frozenset(names & allowed)


def _suggest(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, [*FUNCTIONS, *NATIVE], n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return (
        " (not available in edgemodels' CEL; see edgemodels' docs/policies.md,"
        ' "What expressions read")'
    )


def _find(source: str, word: str) -> tuple[int, int]:
    """1-based (line, col) of the first use of `word` in `source`, for the finding."""
    match = re.search(rf"\b{re.escape(word)}\b", source)
    if match is None:
        return 1, 1
    before = source[: match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1


def new_context(functions: Iterable[str]) -> cel.Context:
    """A Context with only the functions the loaded rules use (fewer = faster rebuilds)."""
    ctx = cel.Context()
    for name in sorted(set(functions)):
        ctx.add_function(name, FUNCTIONS[name])
    return ctx
