"""Where the block scalars (`|`, `>`) of a YAML stream hold their content: the lines
quickyaml.py's guard does not look at, as nothing in them is resolved. Found from the
text alone, without parsing; a header it cannot read says so (None)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# A block scalar's header: an indicator with its indentation/chomping indicators and a
# comment at the end of a line (found first: `|` and `>` are rare, lines are not), after a
# key, a `- ` or `---` (`_LEAD`, matched on what comes before it on its line).
_INDICATOR = re.compile(r"[|>][-+0-9]*[ ]*(?:#[^\n]*)?(?=\n|\Z)")
_LEAD = re.compile(
    r"(?P<lead>[ ]*(?:-[ ]+)*)"
    r"(?:(?P<key>[^\s\-#\[\]{}'\"][^\n#\[\]{}'\"]*?):[ ]+|(?P<doc>---[ ]+))?"
)
# Blank lines hold spaces only: a tab in a block scalar's indentation is an error to YAML
# 1.1 and taken by yaml-rs, so a line holding one ends the content (and is looked at).
_FIRST_CONTENT = re.compile(r"(?: *\n)*( *)(?=[^ \t\r\n])")


def block_spans(text: str) -> Sequence[tuple[int, int]] | None:
    """(start, end) of the content lines of every block scalar, in order; None when a
    line ends in what may be a block scalar header this cannot read.

    The content is every following line indented at least as far as its first non-blank
    line, which must be indented past the node that owns the scalar (YAML's rule for an
    automatically detected indentation); blank lines inside belong to it."""
    spans: list[tuple[int, int]] = []
    for indicator in _INDICATOR.finditer(text):
        at = indicator.start()
        if spans and at < spans[-1][1]:
            continue  # within a block scalar: text, however it looks
        line = text.rfind("\n", 0, at) + 1
        header = _LEAD.fullmatch(text, line, at)
        if header is None:
            return None  # a `|` or `>` ending a line, not after a key or `- `: unsure
        if any(c.isdigit() for c in indicator.group()[:3]):
            return None  # an explicit indentation: the parsers differ on where it counts from
        lead = header.group("lead")
        if header.group("doc") is not None:
            owner = -1  # a document's own scalar
        elif header.group("key") is not None:
            owner = len(lead)  # a key's value: the key's column
        elif "-" in lead:
            owner = len(lead.rstrip(" ")) - 1  # a sequence item: the column of its dash
        else:
            return None  # alone on its line: a key's further up, or text in a flow collection
        body = indicator.end() + 1
        first = _FIRST_CONTENT.match(text, body) if body <= len(text) else None
        if first is None or len(first.group(1)) <= owner:
            return None  # an empty block scalar: the parsers differ on its value
        content = _content_lines(len(first.group(1))).match(text, body)
        if content is not None and content.end() > body:
            spans.append((body, content.end()))
    return spans


@lru_cache(maxsize=64)
def _content_lines(indent: int) -> re.Pattern[str]:
    return re.compile(r"(?:(?: {" + str(indent) + r"}[^\n]*| *)(?:\n|\Z))*")
