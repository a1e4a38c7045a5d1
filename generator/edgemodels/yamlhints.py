"""Plain words for the YAML syntax errors people make by hand.

libyaml names its parser's states ("did not find expected '-' indicator while parsing a
block collection", "mapping values are not allowed in this context"); an author needs to
hear which line is off and what to do. Most of these come from indentation, a missing
space after ':', or a ': ' inside an unquoted value, and the text around the position tells
which. No ruamel here (yamlfindings is its only importer): positions are 0-based (line, column)
as libyaml's marks give them. None means no better words than libyaml's own.
"""

from __future__ import annotations

import re

Pos = tuple[int, int]

_KEY_NO_SPACE = re.compile(r"^\s*(?:-\s+)?([\w./-]+):(?=[^\s:/])")
_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?[\w./-]+:\s+\S")
_UNCLOSED = re.compile(r"did not find expected ',' or '([\]}])'")
_OPENERS = {"]": ("list", "["), "}": ("mapping", "{")}
_COLON = "mapping values are not allowed in this context"
_NO_COLON = "could not find expected ':'"
_DASH = "did not find expected '-' indicator"


def placed(problem: str, at: Pos, lines: list[str], started: Pos | None = None) -> Pos:
    """Where explain's words for `problem` stand: at libyaml's mark, but for a line indented
    too deep, whose mark is the ':' of its key far to the right, at the line's first
    character, where the other findings on a line's indentation stand; and for a key
    without its space (`version:1.0.0`), which libyaml finds out on a later line, just
    after its ':'."""
    line, _ = at
    if _tag(problem, at, started, lines) and started is not None:
        return started  # the '!', not the '}' after the tag where libyaml stopped
    no_space = _no_space_line(problem, at, started, lines)
    if no_space is not None:
        m = _KEY_NO_SPACE.match(lines[no_space])
        assert m is not None
        return no_space, m.end(1) + 1
    if problem == _COLON and indented_deeper(at, lines):
        return line, _indent(lines[line])
    return at


TAG_WORDS = "a value starting with '!' is a YAML tag, not text: put the value in quotes"
_UNKNOWN_TAG = re.compile(r"could not determine a constructor for the tag '![^!]")


def _tag(problem: str, at: Pos, started: Pos | None, lines: list[str]) -> bool:
    """A plain value that starts with '!' (`!paint`, meant as "not paint"): a local tag to
    YAML, which has no constructor for it, or in a flow collection a tag ended by ',' or
    '}' instead of a space."""
    if _UNKNOWN_TAG.match(problem):
        return _char(at, lines) == "!"
    if problem == "did not find expected whitespace or line break" and started is not None:
        return _char(started, lines) == "!"
    return False


def _no_space_line(problem: str, at: Pos, started: Pos | None, lines: list[str]) -> int | None:
    """The line whose key has no space after its ':', when that is what libyaml found."""
    if problem == _NO_COLON and started is not None and started[0] < len(lines):
        return started[0] if _KEY_NO_SPACE.match(lines[started[0]]) else None
    if problem in (_COLON, _DASH):  # `- name:a # a comment`, the next line indented
        before = _previous(at[0], lines)
        return before if before is not None and _KEY_NO_SPACE.match(lines[before]) else None
    return None


def _no_space(text: str) -> str:
    m = _KEY_NO_SPACE.match(text)
    assert m is not None
    value = text[m.end(1) + 1 :].split(" #", 1)[0].strip() or "..."
    return (
        f"no space after '{m.group(1)}:', so YAML reads the line as text, not a key: "
        f"write '{m.group(1)}: {value}'"
    )


def explain(problem: str, at: Pos, started: Pos | None, lines: list[str]) -> str | None:
    if _tag(problem, at, started, lines):
        return TAG_WORDS
    no_space = _no_space_line(problem, at, started, lines)
    if no_space is not None:
        return _no_space(lines[no_space])
    if problem == _COLON:
        return _colon(at, lines)
    if problem == _DASH:
        where = f" (the list starts at {_shown(started)})" if started else ""
        return (
            f"this line is not indented like the items of the list above it{where}: indent "
            "it as far as the first key after its item's '- ', or start a new item with '- '"
        )
    if problem == "did not find expected key":
        item = _item_pulled_back(at, lines)
        if item is not None:
            return (
                f"this list item is indented less than the item on line {item + 1} above it: "
                f"start its '- ' at column {_indent(lines[item]) + 1}, as that one's"
            )
        # Not where the mapping started: libyaml names the outer one, which misleads.
        return (
            "this line's indentation lines up with no key above it: indent it exactly as "
            "far as the other keys of the mapping it belongs to"
        )
    if (m := _UNCLOSED.fullmatch(problem)) and started:
        what, opener = _OPENERS[m.group(1)]
        return (
            f"the {what} opened with '{opener}' at {_shown(started)} is not closed: expected "
            f"',' or '{m.group(1)}' here"
        )
    if problem == "found unexpected end of stream" and started:
        return f"the quote opened at {_shown(started)} is never closed"
    if problem == "found character that cannot start any token":
        char = _char(at, lines)
        return f"a value cannot start with '{char}': put the value in quotes" if char else None
    if problem == "found undefined alias":
        return (
            "a value starting with '*' is a reference to an anchor (&name), and there is "
            "none of that name: put the value in quotes"
        )
    return None


BOM = "\ufeff"
STRAY_BOM = (
    "a stray byte-order mark (U+FEFF, invisible in most editors) here: remove it; YAML "
    "allows one only at the very start of a file"
)


def stray_bom(at: Pos, lines: list[str]) -> Pos | None:
    """Where a byte-order mark stands on the error's line before the error, or on the line
    above: one pasted in the middle of a file reads as a character before a key or after a
    ':', and libyaml's complaint is about the indentation or the key it then does not find.
    """
    line, col = at
    for n in range(min(line, len(lines) - 1), max(line - 1, 0) - 1, -1):
        text = lines[n][: col + 1] if n == line else lines[n]
        if (found := text.rfind(BOM)) >= 0:
            return n, found
    return None


def _colon(at: Pos, lines: list[str]) -> str:
    line, col = at
    text = lines[line] if line < len(lines) else ""
    before = _previous(line, lines)
    if _KEY_VALUE.match(text[:col]):
        return (
            "a second ': ' on this line: a value that contains ': ' must be in quotes, "
            "or a key belongs on a line of its own"
        )
    if indented_deeper(at, lines):
        assert before is not None
        return (
            f"this line is indented deeper than line {before + 1}, so YAML reads it as the "
            f"rest of that line's value: indent it as far as the key on line {before + 1}"
        )
    return (
        "unexpected ':' here: check this line's indentation against the lines above, "
        "and put a value that contains ': ' in quotes"
    )


def indented_deeper(at: Pos, lines: list[str]) -> bool:
    """Is libyaml's unexpected ':' at `at` a key on a line indented deeper than the line of
    content above it (and not a second ': ' on its line)?"""
    line, col = at
    text = lines[line] if line < len(lines) else ""
    before = _previous(line, lines)
    if before is None or _KEY_NO_SPACE.match(lines[before]) or _KEY_VALUE.match(text[:col]):
        return False
    return _indent(text) > _indent(lines[before])


def _item_pulled_back(at: Pos, lines: list[str]) -> int | None:
    """The line of the item above whose list the line at `at`, an item pulled back left of
    it, belongs to: the last item directly under the nearest line left of this one (the
    list's key), when those items start right of this one."""
    line, _ = at
    text = lines[line] if line < len(lines) else ""
    if not text.lstrip(" ").startswith("- "):
        return None
    indent, under = _indent(text), []
    for n in range(line - 1, -1, -1):
        stripped = lines[n].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _indent(lines[n]) < indent:
            break
        under.append(n)
    if not under:
        return None
    level = min(_indent(lines[n]) for n in under)
    items = [n for n in under if _indent(lines[n]) == level]
    if level <= indent or not lines[items[0]].lstrip(" ").startswith("- "):
        return None
    return items[0]  # the nearest: `under` runs upwards


def _previous(line: int, lines: list[str]) -> int | None:
    for i in range(min(line, len(lines)) - 1, -1, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _char(at: Pos, lines: list[str]) -> str:
    line, col = at
    text = lines[line] if line < len(lines) else ""
    return text[col] if col < len(text) and not text[col].isspace() else ""


def _shown(pos: Pos) -> str:
    return f"{pos[0] + 1}:{pos[1] + 1}"
