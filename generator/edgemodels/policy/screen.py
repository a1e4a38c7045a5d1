"""One CEL call per object that tells which rules certainly find nothing on it.

Almost every generated object passes every rule, so `check_manifests` first runs one
program per (apiVersion, kind): a list with, per rule, `true` when the rule would give no
finding (its match conditions are false, or all of its validations are true) and `false`
otherwise. Only the rules that are not `true` then run the usual way (`run_rule`), and so
do all of them when the program fails, so findings, messages and evaluation errors are
exactly those of running each rule on its own. The screen may answer `false` or fail where
a rule passes; it must never answer `true` where the rule would give a finding.

The screen is also faster per rule: `common-expression-language` copies the whole value a
field selection `a.b` returns (so `object.spec.template.spec` costs the size of the object,
three times), while the index `a['b']` does not, and both give the same value and the same
errors. The screen writes selections as indexes (`rewrite_selections`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from edgemodels.policy.cel_import import cel
from edgemodels.policy.model import ITEM, Expression, Rule, Validation

TOKEN_RE = re.compile(
    r"""
      (?P<comment>//[^\n]*)
    | (?P<string>[rRbB]{0,2}(?:'''|\"\"\"|'|"))
    | (?P<number>0[xX][0-9a-fA-F]+[uU]?|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[uU]?)
    | (?P<select>\.\s*(?P<field>[A-Za-z_]\w*))
    | (?P<ident>[A-Za-z_]\w*)
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CALL_RE = re.compile(r"\s*\(")
_CLOSE_RE = re.compile(r"\s*\)")


def rewrite_selections(source: str) -> str | None:
    """`source` with each field selection `x.f` written `x['f']`; None if unsure.

    Kept as they are: method and macro calls (`x.size()`, `x.all(...)`, `sets.contains(`),
    the selection `has()` tests (`has(x.f)` must stay a selection), and everything inside
    string literals and comments.
    """
    if "`" in source:  # quoted field names: not worth the risk
        return None
    out: list[str] = []
    parens: list[bool] = []  # per open parenthesis: is it has()'s?
    after_has = False
    pos = 0
    while pos < len(source):
        match = TOKEN_RE.match(source, pos)
        assert match is not None  # `other` matches any character
        kind, text, end = match.lastgroup, match.group(0), match.end()
        if kind == "string":
            end = string_end(source, match)
            if end < 0:
                return None
            text = source[pos:end]
        elif kind == "select" and not _kept(source, end, parens):
            text = f"['{match.group('field')}']"
        elif text == "(":
            parens.append(after_has)
        elif text == ")" and parens:
            parens.pop()
        if kind != "space":
            after_has = kind == "ident" and text == "has"
        out.append(text)
        pos = end
    return "".join(out)


def _kept(source: str, end: int, parens: list[bool]) -> bool:
    if _CALL_RE.match(source, end):
        return True
    return bool(parens) and parens[-1] and _CLOSE_RE.match(source, end) is not None


def string_end(source: str, match: re.Match[str]) -> int:
    """End of the string literal `match` starts, or -1 if it does not end."""
    quote = match.group(0).lstrip("rRbB")
    raw = "r" in match.group(0)[: -len(quote)].lower()
    i = match.end()
    while i < len(source):
        if source.startswith(quote, i):
            return i + len(quote)
        if source[i] == "\n" and len(quote) == 1:
            return -1
        i += 2 if (source[i] == "\\" and not raw) else 1
    return -1


def rule_screen(rule: Rule) -> str:
    """CEL that is `true` only if `rule` gives no finding: `false` when unsure."""
    conditions = [_screened(c.expression) for c in rule.match_conditions]
    validations = [_screened_validation(v) for v in rule.validations]
    if None in conditions or None in validations or not validations:
        return "false"
    body = "true"
    for v in reversed(validations):
        body = f"({v} ? {body} : false)"
    for c in reversed(conditions):
        body = f"({c} ? {body} : true)"
    return body


def whole_list(v: Validation) -> Validation:
    """`v` with its whole-list program, when it has forEach."""
    if v.for_each is None:
        return v
    return replace(v, whole=compile_screen(_screened_validation(v)))


def _screened_validation(v: Validation) -> str | None:
    """A forEach validation passes when forEach gives a list whose every element passes (a
    map would go through its keys, where the rule reports that forEach is not a list)."""
    expression = _screened(v.expression)
    if v.for_each is None or expression is None:
        return expression
    items = _screened(v.for_each)
    if items is None:
        return None
    return f"[{items}].all(_each, type(_each) == list && _each.all({ITEM}, {expression}))"


def _screened(expression: Expression) -> str | None:
    # The program's source has the rule's variables written in; the newline keeps a
    # trailing `//` comment from swallowing the closing parenthesis.
    rewritten = rewrite_selections(expression.compiled.program.source)
    return None if rewritten is None else f"({rewritten}\n)"


def screen_source(rules: Sequence[Rule]) -> str | None:
    """The list expression for `rules` (in order), or None if there is nothing to gain."""
    parts = [rule_screen(r) for r in rules]
    if all(p == "false" for p in parts):
        return None
    return "[" + ",\n".join(parts) + "]"


def compile_screen(source: str | None) -> cel.Program | None:
    if source is None:
        return None
    try:
        return cel.compile(source)
    except ValueError:  # a rewrite the parser refuses: run every rule on its own
        return None


def screen_program(rules: Sequence[Rule]) -> cel.Program | None:
    """The list program for `rules` (in order), or None if there is nothing to gain."""
    return compile_screen(screen_source(rules))


def passing(program: cel.Program | None, ctx: cel.Context, count: int) -> list[bool]:
    """Per rule, True when the screen shows it gives no finding on the bound object."""
    if program is None:
        return [False] * count
    try:
        result = program.execute(ctx)
    except Exception:  # any failure: let each rule report for itself
        return [False] * count
    if not isinstance(result, list) or len(result) != count:
        return [False] * count
    return [r is True for r in result]
