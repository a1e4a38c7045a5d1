"""Typed reading of positioned YAML (policy files and the policy config) with findings.

Each accessor returns a typed value or None and records a finding that points at the
offending key or value, so one broken field does not hide the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.yamlio import YamlFile
from edgemodels.yamltree import PosMap, PosSeq

FILE_INVALID = ("P002", "policy-file-invalid")


@dataclass
class Reader:
    file: YamlFile
    code: tuple[str, str] = FILE_INVALID
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def at(self, pos: tuple[int, int]) -> Location:
        return Location(self.file.path, pos[0], pos[1])

    def where(self, node: Any, key: str | None = None, value: bool = False) -> Location:
        if key is not None and isinstance(node, PosMap) and key in node:
            return self.at(node.value_pos[key] if value else node.key_pos[key])
        return self.at(getattr(node, "pos", (1, 1)))

    def error(self, loc: Location, message: str, severity: str = "error") -> None:
        self.diagnostics.append(
            Diagnostic(loc, self.code[0], message, severity, self.code[1])  # type: ignore[arg-type]
        )

    def keys(self, node: PosMap, allowed: Iterable[str], what: str) -> None:
        known = list(allowed)
        for key in node:
            if key not in known:
                import difflib  # only for a finding

                close = difflib.get_close_matches(key, known, n=1)
                hint = (
                    f"; did you mean '{close[0]}'?" if close else f" (allowed: {', '.join(known)})"
                )
                self.error(self.where(node, key), f"unknown field '{key}' in {what}{hint}")

    def mapping(self, node: PosMap, key: str, required: bool = False) -> PosMap | None:
        value = node.get(key)
        if value is None:
            if required:
                self.error(self.where(node), f"missing required field '{key}'")
            return None
        if not isinstance(value, PosMap):
            self.error(self.where(node, key, value=True), f"'{key}' must be a mapping")
            return None
        return value

    def sequence(self, node: PosMap, key: str, required: bool = False) -> PosSeq | None:
        value = node.get(key)
        if value is None:
            if required:
                self.error(self.where(node), f"missing required field '{key}'")
            return None
        if not isinstance(value, PosSeq):
            self.error(self.where(node, key, value=True), f"'{key}' must be a list")
            return None
        return value

    def string(
        self, node: PosMap, key: str, required: bool = False, pattern: str | None = None
    ) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.error(self.where(node), f"missing required field '{key}'")
            return None
        if not isinstance(value, str) or isinstance(value, bool):
            self.error(self.where(node, key, value=True), f"'{key}' must be a string")
            return None
        if pattern is not None and not re.fullmatch(pattern, value):
            self.error(self.where(node, key, value=True), f"'{key}' {value!r} must match {pattern}")
            return None
        return value

    def strings(self, node: PosMap, key: str) -> list[str] | None:
        """A list of strings; a single string is accepted as a list of one."""
        value = node.get(key)
        if isinstance(value, str):
            return [value]
        seq = self.sequence(node, key)
        if seq is None:
            return None
        if not all(isinstance(v, str) for v in seq):
            self.error(self.where(node, key, value=True), f"'{key}' must be a list of strings")
            return None
        return [str(v) for v in seq]

    def items(self, seq: PosSeq | None, what: str) -> list[tuple[PosMap, Location]]:
        """The mapping items of a list (None: no list), each with its position."""
        out: list[tuple[PosMap, Location]] = []
        if seq is None:
            return out
        for item, pos in zip(seq, seq.item_pos, strict=True):
            if isinstance(item, PosMap):
                out.append((item, self.at(pos)))
            else:
                self.error(self.at(pos), f"each entry of {what} must be a mapping")
        return out


def value_start(text: str, pos: tuple[int, int]) -> tuple[int, int, str]:
    """Where a scalar's text begins, and its style: '|', '>', quote char, or '' (plain).

    For a block scalar (`expression: |`) the text starts on the next line, at its indent.
    """
    lines = text.splitlines()
    line, col = pos
    if not 0 < line <= len(lines):
        return line, col, ""
    char = lines[line - 1][col - 1 : col]
    if char in ("|", ">"):
        following = lines[line] if line < len(lines) else ""
        return line + 1, len(following) - len(following.lstrip(" ")) + 1, char
    if char in ("'", '"'):
        return line, col + 1, char
    return line, col, ""


def offset_location(
    file: YamlFile, pos: tuple[int, int], value: str, offset: tuple[int, int]
) -> Location:
    """file:line:col of a (line, col) offset inside the scalar `value` that starts at `pos`.

    YAML folds `>`, plain and quoted scalars into fewer lines and unescapes quoted ones, so
    the value's lines are not the file's. The value's characters are matched, in order, to
    the file's text from where the scalar begins, which works for every scalar style.
    """
    line, col, _ = value_start(file.text, pos)
    # Each source line of the scalar gives the value at least one character (a folded
    # line break counts): no more lines than that can hold it, not the rest of the file.
    lines = file.text.splitlines()[: line + len(value) + 1]
    source = _Source(_chars_from(lines, line, col))
    if source.at(0) is None:
        return Location(file.path, line, col)
    found = _align(source, value, _value_index(value, offset))
    return Location(file.path, found[0], found[1])


def _value_index(value: str, offset: tuple[int, int]) -> int:
    lines = value.split("\n")
    d_line = min(max(offset[0], 1), len(lines))
    return sum(len(text) + 1 for text in lines[: d_line - 1]) + max(offset[1], 1) - 1


def _chars_from(lines: list[str], line: int, col: int) -> Iterable[tuple[int, int, str]]:
    """(line, col, char) of the text from (line, col) on; each line ends in a newline."""
    for n in range(line, len(lines) + 1):
        text = lines[n - 1]
        for c in range(col if n == line else 1, len(text) + 1):
            yield n, c, text[c - 1]
        yield n, len(text) + 1, "\n"


# An escape (`\u00e9`, `''`) puts at most this many source characters before its value's.
_MAX_SKIP = 10


class _Source:
    """The (line, col, char) of the text from where a scalar begins, read only as far as
    asked: most offsets are near the start of their value (reading on to the end of a long
    expression was 0.05 s of loading the policy pack, for every command)."""

    def __init__(self, chars: Iterable[tuple[int, int, str]]) -> None:
        self.read: list[tuple[int, int, str]] = []
        self.rest = iter(chars)

    def at(self, i: int) -> tuple[int, int, str] | None:
        while len(self.read) <= i:
            nxt = next(self.rest, None)
            if nxt is None:
                return None
            self.read.append(nxt)
        return self.read[i]

    def near(self, i: int) -> tuple[int, int, str]:
        """The character at i, or the last one (there is one: at(0) was asked first)."""
        found = self.at(i)
        return found if found is not None else self.read[-1]


def _align(source: _Source, value: str, index: int) -> tuple[int, int]:
    """Source (line, col) of value[index]; one past the last character for index == len."""
    p, last = 0, None
    for i, char in enumerate(value[: index + 1]):
        q = _match(source, p, char)
        if i == index:
            return source.near(q if q is not None else p)[:2]
        if q is not None:
            last, p = source.near(q), q + 1
    return source.near(0)[:2] if last is None else (last[0], last[1] + 1)


def _match(source: _Source, p: int, char: str) -> int | None:
    """Where `char` of the value is in the source from p: folding only drops whitespace,
    unescaping only drops a few characters."""
    if char.isspace():
        here = source.at(p)
        return p if here is not None and here[2].isspace() else None
    skipped, q = 0, p
    while (here := source.at(q)) is not None:
        if here[2] == char:
            return q
        if not here[2].isspace():
            skipped += 1
            if skipped > _MAX_SKIP:
                return None
        q += 1
    return None
    return None
