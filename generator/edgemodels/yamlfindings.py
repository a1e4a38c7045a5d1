"""YAML problems as findings: how the YAML readers make theirs, and libyaml's errors reworded.

A syntax error's wording reads the text around it (a tab, a stray byte order mark, the
plain words of yamlhints.py) and where the construct began; it is shared by the parser
(yamltree.py), the file reader (yamlio.py) and validate's reading of rendered manifests
(`started_at`), so it has one home apart from all three.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import yaml

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.yamlhints import STRAY_BOM, explain, placed, stray_bom

if TYPE_CHECKING:  # yamltree.py imports this module
    from edgemodels.yamltree import Pos


# A YAML reader knows a file's path and a position in it, not a Location: hence its own
# maker of findings, always errors.
def yaml_finding(path: str, code: str, name: str, message: str, pos: Pos = (1, 1)) -> Diagnostic:
    return Diagnostic(Location(path, pos[0], pos[1]), code, message, "error", name)


def not_utf8_message(raw: bytes) -> str:
    """Y004's words, with what to do: Windows editors save "Unicode" as UTF-16."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return (
            "file is UTF-16 (it starts with UTF-16's byte order mark), not UTF-8: save it as UTF-8"
        )
    return "file is not valid UTF-8: save it as UTF-8"


def empty_file_message(text: str) -> str:
    """Y005's words: a file whose lines are all comments (a model commented out) is not
    empty to whoever reads it."""
    return "file is empty" if not text.strip() else "file holds only comments: no YAML document"


def syntax_finding(shown: str, exc: yaml.MarkedYAMLError, text: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.splitlines()
    at_tab = (
        mark is not None and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]
    )
    problem = exc.problem or exc.context or "invalid YAML"
    if "expected a single document" in str(exc):
        empty = mark is not None and _empty_from(lines, mark.line)
        message = (
            EMPTY_SECOND_DOCUMENT
            if empty
            else "more than one YAML document; use one file per document"
        )
        return yaml_finding(shown, "Y006", "multiple-documents", message, pos)
    if at_tab:
        return yaml_finding(
            shown, "Y012", "tab-indentation", "tab character where YAML allows only spaces", pos
        )
    start = exc.context_mark
    bom = stray_bom((mark.line, mark.column) if mark else (0, 0), lines)
    if bom is not None:
        return yaml_finding(shown, "Y001", "yaml-syntax", STRAY_BOM, (bom[0] + 1, bom[1] + 1))
    at, problem_text = (mark.line, mark.column) if mark else (0, 0), str(exc.problem or "")
    started = (start.line, start.column) if start else None
    plain = explain(problem_text, at, started, lines)
    if plain:
        line, col = placed(problem_text, at, lines, started)
        return yaml_finding(shown, "Y001", "yaml-syntax", plain, (line + 1, col + 1))
    parts = [exc.context, started_at(exc)] if exc.context and exc.problem else []
    context = f" ({'; '.join(p for p in parts if p)})" if parts else ""
    return yaml_finding(shown, "Y001", "yaml-syntax", f"{problem}{context}", pos)


EMPTY_SECOND_DOCUMENT = (
    "this '---' starts a second YAML document, an empty one: delete it (a file holds one document)"
)


def _empty_from(lines: list[str], line: int) -> bool:
    """Whether the document that starts with the `---` on `line` (0-based) holds nothing
    but comments and `...` to the end: a file ended with `---`, as kubectl's are."""
    rest = [lines[line].removeprefix("---"), *lines[line + 1 :]] if line < len(lines) else []
    if not rest or not lines[line].startswith("---"):
        return False
    words = (text.split("#", 1)[0].strip() for text in rest)
    return all(word in ("", "---", "...") for word in words)


_CONSTRUCT = re.compile(r"while \w+ an? (.+)")


def started_at(exc: yaml.MarkedYAMLError) -> str:
    """Where the construct being parsed began, when on another line than the problem:
    libyaml reports an unclosed `[` at the token after it, often a line below, and names
    where the sequence started only in its context mark. Empty when on the same line."""
    start, at = exc.context_mark, exc.problem_mark
    if start is None or at is None or start.line == at.line:
        return ""
    construct = _CONSTRUCT.fullmatch(exc.context or "")
    what = f"the {construct.group(1)}" if construct else "it"
    return f"{what} started at {start.line + 1}:{start.column + 1}"
