"""Parse a YAML stream with yaml-rs when nothing in it can read differently from PyYAML.

A validate run parses every rendered chart and built overlay (the 1,000-model benchmark
fleet: 7.4 MB over 4,800 streams), and PyYAML, even with its C parser and fastload.py's
constructor, spent about a second of CPU on it. yaml-rs, a Rust parser, reads the same
text about ten times faster, but it follows YAML 1.2, where PyYAML (and the rest of
edgemodels) follows YAML 1.1: a plain `yes`, `on`, `0777`, `1:30` or `1e3` are different
values in the two. Both agree on quoted scalars, on block scalars with content and on every
plain scalar of the shapes a Kubernetes object holds (`8080`, `0.5`, `true`, `null`, `500m`,
`1.2.3`).

So `documents` takes yaml-rs's answer only for a stream in which nothing could differ,
and answers None otherwise, for the caller to parse the stream PyYAML's way:

- a plain token (a word after `: `, `- `, a flow indicator or an indentation) whose YAML
  1.1 and YAML 1.2 readings may differ, or a plain key that is not a string (PyYAML's
  duplicate-key check compares key text: `1:` and `"1":` are K109 there, not in yaml-rs);
  lines inside block scalars are not looked at, as nothing in them is resolved;
- anchors, aliases, tags, directives, complex keys, merge keys, `...` markers, carriage
  returns, YAML 1.1's other line breaks, a byte-order mark and characters YAML does not
  allow: the limit checks and the K108/K109 wording live on PyYAML's path;
- a block scalar that is empty, ends the stream without a line break, gives its
  indentation as a number or holds a tab in its indentation (the parsers were found to
  differ on each), and a line ending in `|` or `>` that is not plainly a block scalar's
  header;
- what YAML 1.1 refuses in flow collections and yaml-rs takes (`[:x]`, `{k:?x}`,
  `[x, | y]`), and a flow collection that goes on past its line;
- a document that could nest deeper than MAX_DEPTH (bounded from its indentation and the
  number of flow brackets, without building anything);
- any error of yaml-rs (a duplicate key is one): PyYAML then says where and why.

A token that merely looks risky (`143` inside a quoted string, `on` in a comment) only
costs the fast path. That a stream the guard lets through is read the same by both
parsers is what the property tests in tests/unit/validate/test_quickyaml.py check, on
generated and odd input; fuzzing with millions of random short streams over YAML's
indicators and with structural mutations of real manifests found the shapes listed here,
and none since.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

import yaml_rs

from edgemodels.validate.blockscalars import block_spans

# The end of a plain token: end of line, a comment, a flow indicator or a key's colon.
_END = r"(?=[ \t]*(?:$|#|[,\]}]|:(?:[ \t]|$)))"
_KEY_END = r"(?=[ \t]*:(?:[ \t]|$))"
# Numeric-looking plain scalars both parsers read alike: decimal integers and decimals
# with a point (no exponent, no leading zero; a sign only before a digit), lower-case
# hexadecimal, words of two points or more (`1.2.3`, `10.0.0.1`) and words holding a
# character no number of either version has (`500m`, `1.5Gi`, `25%`).
_SAFE_NUMBER = (
    r"(?:[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?"
    r"|\.[0-9]+"
    r"|0x[0-9a-fA-F]+"
    r"|[0-9]+(?:\.[0-9]+){2,}[^\s,\[\]{}#]*"
    # Kubernetes quantities of a binary suffix no number has (`2Ti`, `1Ei`) and UUIDs
    # (`0b6d2652-6618-...`, which start like a binary number)
    r"|[0-9]+(?:\.[0-9]+)?[KMGTPE]i"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[-+._0-9][^\s,\[\]{}#]*[^0-9_.+\-a-fA-FiInNoOxXtTzZ:\s,\[\]{}#][^\s,\[\]{}#]*"
    # hexadecimal digests (`checksum/config: 3a5f...`): a letter a-d or f is in no number
    # without a 0x, 0b or 0o first, nor in one without `inf` or `nan` in it
    r"|(?![-+_]*0[xXbBoO])(?![^\s,\[\]{}#]*(?:[iI][nN][fF]|[nN][aA][nN]))"
    r"[-+._0-9][^\s,\[\]{}#]*[^0-9_.+\-eEiInNoOxXtTzZ:\s,\[\]{}#][^\s,\[\]{}#]*)"
)
# What may follow a token's boundary (a space, a line break, a flow indicator, or a quoted
# key's colon) and make the stream PyYAML's to read:
_ALTS = (
    r"(?=[&*!%?|>\"':=YyNnOotTfF~_.+\-0-9])(?:"
    r"[&*!%?]"  # anchor, alias, tag, directive, complex key
    # `:` starting a plain scalar, or `|` or `>` that is not a block scalar's header ending
    # its line (`[:x]`, `{b: |x}`, `[x, | y]`): YAML 1.1 refuses them in flow collections,
    # yaml-rs takes them
    r"|:(?=[^\s])|[|>](?![-+0-9]*[ \t]*(?:#[^\n]*)?$)"
    # a quoted scalar going on past its line: the lines it takes in are not tokens, and a
    # block scalar header in them would be no header
    r"|\"(?:[^\"\\\n]|\\.)*\\?$|'(?:[^'\n]|'')*$"
    r"|:(?:[ \t]|$)"  # an empty key
    r"|="
    + _END
    + r"|(?:[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF)"
    + _END
    # a key PyYAML would not read as a string
    + r"|(?:[-+]?(?:[0-9_]|\.[0-9_iInN])[^\s,\[\]{}]*"
    r"|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)"
    + _KEY_END
    # a numeric-looking token (a digit or `_`, or a point before one, after any sign)
    # not of a safe shape
    + r"|(?=[-+]?(?:[0-9_]|\.[0-9_iInN]))(?!"
    + _SAFE_NUMBER
    + _END
    + r"))"
)
# One search per boundary: a pattern that starts with a fixed character is scanned for
# quickly; one starting with a set (`[\s\[{,]`) made the search five times slower.
_RISKY = (
    *(re.compile(re.escape(b) + _ALTS, re.M) for b in (" ", "\n", "[", "{", ",", '":', "':")),
    re.compile("<<"),  # a merge key
    # a colon before an indicator (`[x:]`, `{k:?x}`, `{"k":|x}`): YAML 1.1 refuses some,
    # yaml-rs takes them
    re.compile(r":[\]},?:!|>&*%@`]"),
    re.compile(r"\]:(?=[ \t\n]|\Z)"),  # a flow collection as a key: PyYAML refuses it
    re.compile(r"\}:(?=[ \t\n]|\Z)"),
    re.compile("\t"),  # tabs: where they may separate tokens the parsers' rules differ
)
_RISKY_FIRST = re.compile(_ALTS, re.M)  # the stream's first token has no boundary
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_NOT_YAML = re.compile(r"[\ud800-\udfff]")  # escaped bytes of a file that is not UTF-8
_END_MARKER = re.compile(r"^\.\.\.(?=[ \t\r\n]|$)", re.M)
_DOC = re.compile(r"\n---(?=[ \t\r\n]|\Z)")  # a line break first: scanned for quickly
# The first line of a document's content: not blank, not a comment, not a bare `---`.
_CONTENT = re.compile(r"^(?!---[ \t]*(?:#.*)?\r?$)(?:---[ \t]+)?[ \t]*[^ \t\r\n#]", re.M)


def documents(
    text: str, max_depth: int, characters_checked: bool = False, tokens_checked: bool = False
) -> tuple[tuple[object, int], ...] | None:
    """((data, 1-based first line), ...) for every document of `text`, empty ones as None,
    as PyYAML would give them; None when the stream needs PyYAML (see the module).
    `characters_checked`: the caller found no odd_characters in a text holding this one;
    `tokens_checked`: no risky_tokens either, `text` being cut from it at the start of a
    line that no block scalar, flow collection or quoted scalar goes on over."""
    if (not characters_checked and odd_characters(text)) or (not tokens_checked and _risky(text)):
        return None
    starts = [0, *(m.start() + 1 for m in _DOC.finditer(text)), len(text)]
    found: list[tuple[object, int]] = []
    line = 1  # of starts[index]
    for index, (start, end) in enumerate(itertools.pairwise(starts)):
        piece = text[start:end]
        content = _CONTENT.search(piece)
        if content is None and index == 0 and not _DOC.match("\n" + piece[:4]):
            line += piece.count("\n")
            continue  # comments before the first `---`: no document
        if may_nest_deeper(piece, max_depth):
            return None
        try:
            data = yaml_rs.loads(piece, parse_datetime=False)
        except (yaml_rs.YAMLDecodeError, ValueError, TypeError, OverflowError):
            return None
        lines = piece.count("\n")
        if content is not None:
            found.append((data, line + piece.count("\n", 0, content.start())))
        elif end < len(text):
            found.append((data, line + lines))  # PyYAML marks an empty one at what follows
        else:  # or at the stream's end, on a line of its own
            found.append((data, line + lines + (not text.endswith("\n"))))
        line += lines
    return tuple(found)


def odd_characters(text: str) -> bool:
    """Does `text` hold what PyYAML and yaml-rs may read differently whatever the tokens:
    line breaks other than `\\n` and `\\r\\n`, a byte-order mark, characters YAML refuses
    (controls; YAML 1.1's line breaks U+0085, U+2028, U+2029), document end markers?"""
    if "\r" in text:
        return True  # the patterns here know `\n` alone
    if "..." in text and _END_MARKER.search(text):
        return True
    if not text.isascii() and _NOT_YAML.search(text):
        return True
    return _CONTROL.search(text) is not None


def risky_tokens(text: str) -> bool:
    """Does a token of `text` need PyYAML's reading (see the module)? A hub export's list
    is asked once (exportyaml.py), not each of its items."""
    return _risky(text)


def _risky(text: str) -> bool:
    """Does a token outside block scalars need PyYAML's reading?"""
    if _RISKY_FIRST.match(text):
        return True
    spans = block_spans(text) if "|" in text or ">" in text else ()
    if spans is None or (spans and spans[-1][1] == len(text) and not text.endswith("\n")):
        return True  # (a block scalar ending the stream without a line break: the parsers
    at = 0  # differ on whether it ends with one)
    for start, end in (*spans, (len(text), len(text))):
        if start > at:
            # a line break just before `at` is the boundary of the segment's first token
            first = at - 1 if at else 0
            if any(p.search(text, first, start) for p in _RISKY):
                return True
            if _open_flow(text, at, start):
                return True
        at = max(at, end)
    return False


_FLOW = re.compile(r"[\[{]")
# A line up to a point inside a quoted scalar that is a key's value or an item: the
# indentation, dashes, a plain or quoted key and its colon, an opening quote and no closing
# one since.
_IN_QUOTED = re.compile(
    r"[ ]*(?:-[ ]+)*"
    r"(?:(?:[^\s#'\"\[\]{},][^#\n\[\]{}]*?|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\n]|'')*'):[ ]+)?"
    r"(?:\"(?:[^\"\\\n]|\\.)*|'(?:[^'\n]|'')*)"
)
_AFTER_FLOW = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)")


def _open_flow(text: str, low: int, high: int) -> bool:
    """Does a flow collection (`[...]`, `{...}`) in text[low:high] go on past its line?

    Over lines, YAML 1.1 and yaml-rs part ways on what may stand in one (a block scalar
    header, plain scalars in odd places), and a block scalar header there would be none.
    Collections closed on their line (`emptyDir: {}`, `args: ["--port", "80"]`) are read
    alike; a bracket inside a quoted string does not count."""
    done = low
    for bracket in _FLOW.finditer(text, low, high):
        at = bracket.start()
        if at < done or (at > 0 and text[at - 1] not in " \t\n:,[{-"):
            continue  # inside a collection already read, or in a plain scalar (`a[0]`)
        if _IN_QUOTED.fullmatch(text, text.rfind("\n", 0, at) + 1, at):
            continue  # in a quoted value closed on its line (a JSON document in a string)
        end = _flow_end(text, at)
        if end is None or not _AFTER_FLOW.match(text, end):
            return True
        done = end
    return False


def _flow_end(text: str, at: int) -> int | None:
    """Where the flow collection opening at `at` closes, when it does on its line."""
    depth, i, size = 0, at, len(text)
    while i < size:
        char = text[i]
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif char == '"':
            i += 1
            while i < size and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
            if i >= size or text[i] != '"':
                return None
        elif char == "'":
            i = text.find("'", i + 1)
            while i != -1 and text.startswith("''", i):
                i = text.find("'", i + 2)
            if i == -1 or "\n" in text[at:i]:
                return None
        elif char == "\n" or (char == "#" and text[i - 1] in " \t"):
            return None
        i += 1
    return None


def may_nest_deeper(piece: str, max_depth: int) -> bool:
    """Could a collection of `piece` lie more than `max_depth` levels down?

    In block style a nested collection starts at least one column further in than its
    parent, or two levels share a column only where a sequence item (`- `) moves the next
    level two columns in; so no block collection is deeper than its line's indentation
    (spaces and dashes) plus two. Each flow level needs a bracket of its own, counted over
    the whole document (quoted brackets included: that only overestimates).
    """
    brackets = piece.count("[") + piece.count("{")
    room = max_depth - brackets - 2
    if room <= 0:
        return True
    return _indented(room).search("\n" + piece[:room]) is not None or (
        _indented(room).search(piece) is not None
    )


@lru_cache(maxsize=128)
def _indented(columns: int) -> re.Pattern[str]:
    return re.compile(r"\n[ \-]{" + str(columns) + "}")  # a line break first: scanned for quickly
