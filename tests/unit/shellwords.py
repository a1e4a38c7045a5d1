"""Shell text as the documentation writes it, split into simple commands and their words.

Enough of the shell for command lines in docs, CI files and hooks, not a shell: quotes,
`\\` and line continuations, comments, `&&` `||` `|` `;` `&` and newlines between
commands, redirections (dropped with their target), `$VAR`, `${...}` (GitHub's `${{ }}`
too), `$(...)` and backquotes. A command substitution's body is split as a script of its
own, after the command it is part of."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# What may stand before the command itself on a line: `if x; then edgemodels ...`.
RESERVED = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "time", "exec"})
ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
SIMPLE_EXPANSION = re.compile(r"\$(?:\w+|[?@*#$!-])")
REDIRECTION = re.compile(r"\d*(?:&>>?|>>?|<<?)(?:&\d+-?)?")
PLACEHOLDER = re.compile(
    r"<[^<>\s][^<>\n]*(?<=\S)>"
)  # `<path>`: a word the reader fills in, no redirection


@dataclass(frozen=True)
class Command:
    offset: int  # where it starts in the script (a substitution: where the substitution is)
    words: list[Word]


@dataclass(frozen=True)
class Word:
    text: str  # quotes and escapes removed; expansions kept as written (`$CATALOGUE`)
    spreads: bool = False  # an unquoted expansion: the shell makes any number of words of it


def simple_commands(script: str) -> Iterator[Command]:
    """Each simple command of `script`, leading assignments and reserved words dropped."""
    lexer = _Lexer(script)
    for offset, words in lexer.commands():
        while words and (words[0].text in RESERVED or ASSIGNMENT.match(words[0].text)):
            words = words[1:]
        if words:
            yield Command(offset, words)
    for offset, body in lexer.substituted:
        for inner in simple_commands(body):
            yield Command(offset, inner.words)


class _Lexer:
    def __init__(self, script: str) -> None:
        self.s = script
        self.i = 0
        self.substituted: list[tuple[int, str]] = []

    def commands(self) -> Iterator[tuple[int, list[Word]]]:
        words: list[Word] = []
        start = 0
        drop_next = False
        while True:
            self._skip_blanks()
            if self.i >= len(self.s):
                break
            c = self.s[self.i]
            if c == "#":
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
            elif not PLACEHOLDER.match(self.s, self.i) and (
                redirect := REDIRECTION.match(self.s, self.i)
            ):
                self.i = redirect.end()
                drop_next = not redirect[0].rstrip("-")[-1].isdigit()  # `2>&1` has no target
            elif c in "\n;&|()":
                self.i += 1
                while self.i < len(self.s) and self.s[self.i] in "&|;":
                    self.i += 1
                if words:
                    yield start, words
                words = []
            else:
                if not words:
                    start = self.i
                word = self._word()
                if not drop_next:
                    words.append(word)
                drop_next = False
        if words:
            yield start, words

    def _skip_blanks(self) -> None:
        while self.i < len(self.s):
            if self.s.startswith("\\\n", self.i):
                self.i += 2
            elif self.s[self.i] in " \t\r":
                self.i += 1
            else:
                break

    def _word(self) -> Word:
        text: list[str] = []
        spreads = False
        s = self.s
        while self.i < len(s) and s[self.i] not in " \t\r\n;&|()>":
            c = s[self.i]
            if placeholder := PLACEHOLDER.match(s, self.i):
                text.append(placeholder[0])
                self.i = placeholder.end()
            elif c == "<":
                break
            elif s.startswith("\\\n", self.i):
                self.i += 2
            elif c == "\\":
                text.append(s[self.i + 1 : self.i + 2])
                self.i += 2
            elif c == "'":
                end = _find(s, "'", self.i + 1)
                text.append(s[self.i + 1 : end])
                self.i = end + 1
            elif c == '"':
                text.append(self._double_quoted())
            elif c in "$`":
                text.append(self._expansion())
                spreads = True
            else:
                text.append(c)
                self.i += 1
        return Word("".join(text), spreads)

    def _double_quoted(self) -> str:
        self.i += 1
        text: list[str] = []
        s = self.s
        while self.i < len(s) and s[self.i] != '"':
            if s[self.i] == "\\" and s[self.i + 1 : self.i + 2] in ('"', "\\", "$", "`", "\n"):
                text.append(s[self.i + 1].replace("\n", ""))
                self.i += 2
            elif s[self.i] in "$`":
                text.append(self._expansion())
            else:
                text.append(s[self.i])
                self.i += 1
        self.i += 1
        return "".join(text)

    def _expansion(self) -> str:
        """`$NAME`, `${...}`, `$(...)` or a backquoted command, as written."""
        s, start = self.s, self.i
        if s[start] == "`":
            self.i = _find(s, "`", start + 1) + 1
            self.substituted.append((start, s[start + 1 : self.i - 1]))
        elif s.startswith(("$(", "${"), start):
            self.i = _closing(s, start + 1)
            if s[start + 1] == "(":
                self.substituted.append((start, s[start + 2 : self.i - 1]))
        elif simple := SIMPLE_EXPANSION.match(s, start):
            self.i = simple.end()
        else:
            self.i += 1
        return s[start : self.i]


def _find(s: str, char: str, start: int) -> int:
    end = s.find(char, start)
    return len(s) if end < 0 else end


def _closing(s: str, start: int) -> int:
    """The index after the bracket that closes the one at `start` (nesting counted)."""
    opening = s[start]
    closing = ")" if opening == "(" else "}"
    depth = 0
    for i in range(start, len(s)):
        if s[i] == opening:
            depth += 1
        elif s[i] == closing:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(s)
