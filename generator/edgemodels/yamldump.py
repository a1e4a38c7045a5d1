"""YAML out: the one writer of generated YAML.

Every generated manifest is dumped here with one configuration, so the same data always
gives the same bytes: `pyyaml_dump` is PyYAML with the canonical settings, the reference;
`dump_yaml` lays out simple documents itself, to the same bytes, at a fraction of the cost.
It shares nothing with reading YAML but PyYAML, and a generate needs it where a check does
not, so it is a module of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

try:  # libyaml's emitter: ~3x faster than the pure one, byte-identical output
    from yaml import CSafeDumper as _DumperBase
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _DumperBase  # type: ignore[assignment]


class _CanonicalDumper(_DumperBase):
    """Block style, no aliases: a shared dict must never come out as `&id001`."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# Plain scalars PyYAML leaves unquoted but Go's YAML (Helm, kubectl, kustomize) reads as a
# boolean or a number: `y`/`n` (YAML 1.1), `1e3` and `0o17` (YAML 1.2). A model named `y`
# made Helm read its Chart.yaml name as `true`.
_NOT_A_STRING_IN_GO = re.compile(
    r"^(?:[yYnN]|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|0o[0-7]+)$"
)


def _represent_str(dumper: _CanonicalDumper, data: str) -> yaml.Node:
    # Multi-line text (scripts, embedded patches) reads best as a literal block; the emitter
    # falls back to a quoted style by itself when a block cannot hold the text exactly.
    style = "|" if "\n" in data else ("'" if _NOT_A_STRING_IN_GO.match(data) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_CanonicalDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """One YAML document, deterministic: insertion order kept, width 4096, block style.

    Generated trees hold tens of thousands of small documents, and PyYAML's representer
    (Python, even with the C emitter) dominates their cost. So documents made only of
    dicts, lists, single-line strings, ints, bools and None are laid out here, with each
    distinct string rendered once by PyYAML itself (so quoting is PyYAML's); anything else
    goes through PyYAML whole. Both paths give the same bytes (tested property).
    """
    try:
        return _fast_dump(data)
    except _NotSimple:
        return pyyaml_dump(data)


def pyyaml_dump(data: Any) -> str:
    """The reference dumper: PyYAML with the canonical settings."""
    text: str = yaml.dump(
        data,
        Dumper=_CanonicalDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
        indent=2,
    )
    return text


class _NotSimple(Exception):
    """The document needs PyYAML's full layout."""


_MAX_SIMPLE_SCALAR = 1000  # far below the width: PyYAML never folds such a line
_MAX_SIMPLE_KEY = 127  # PyYAML writes longer keys in the explicit `? key` form
_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")  # ... and keys holding a line break


# Strings PyYAML writes plain: a letter, then letters, digits and `._/-`. No YAML 1.1 or
# Go resolver reads one as anything but a string, except the words below (which go
# through PyYAML). Names and paths of generated objects are of this shape: asking PyYAML
# for each (tens of microseconds) was most of the cost of dumping a hub kustomization.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/-]*")
_PLAIN_WORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})


@lru_cache(maxsize=1 << 17)
def _render_str(text: str) -> str | None:
    """How PyYAML writes `text` as a block-context scalar, or None if not one line."""
    if len(text) > _MAX_SIMPLE_SCALAR:
        return None
    if _PLAIN.fullmatch(text) and text.lower() not in _PLAIN_WORDS:
        return text
    out = pyyaml_dump([text])
    if not out.startswith("- ") or out.count("\n") != 1:
        return None
    return out[2:-1]


@lru_cache(maxsize=1 << 12)
def _render_block(text: str) -> tuple[str, tuple[str, ...]] | None:
    """PyYAML's literal block for multi-line `text`: header (`|`, `|-`, `|2`...) and body
    lines relative to the block's indentation; None when it is not a plain literal."""
    if len(text) > 100 * _MAX_SIMPLE_SCALAR or not _LINE_BREAKS.isdisjoint(text.replace("\n", "")):
        return None
    out = pyyaml_dump([text])
    lines = out.split("\n")
    header = lines[0][2:]
    if not lines[0].startswith("- |") or "+" in header or lines[-1] != "":
        return None  # keep-chomping blocks also end the document with `...`
    body = lines[1:-1]
    if any(line and not line.startswith("  ") for line in body):
        return None
    return header, tuple(line[2:] for line in body)


def _block(head: str, text: str, column: int, lines: list[str]) -> bool:
    """Append `head` with a literal block of `text` whose lines start at column + 2."""
    if "\n" not in text:
        return False
    rendered = _render_block(text)
    if rendered is None:
        raise _NotSimple
    header, body = rendered
    lines.append(f"{head} {header}")
    pad = " " * (column + 2)
    lines.extend(pad + line if line else "" for line in body)
    return True


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        rendered = _render_str(value)
        if rendered is None:
            raise _NotSimple
        return rendered
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    raise _NotSimple


def _fast_dump(data: Any) -> str:
    lines: list[str] = []
    if type(data) is dict and data:
        _mapping(data, 0, lines, "")
    elif type(data) is list and data:
        _sequence(data, 0, lines)
    else:
        raise _NotSimple
    return "\n".join(lines) + "\n"


def _mapping(data: dict[Any, Any], indent: int, lines: list[str], first: str) -> None:
    pad = " " * indent
    for key, value in data.items():
        if type(key) is not str or not key or len(key) > _MAX_SIMPLE_KEY:
            raise _NotSimple
        if not _LINE_BREAKS.isdisjoint(key):
            raise _NotSimple
        head = (first or pad) + _scalar(key) + ":"
        first = ""
        kind = type(value)
        if kind is dict and value:
            lines.append(head)
            _mapping(value, indent + 2, lines, "")
        elif kind is list and value:
            lines.append(head)
            _sequence(value, indent, lines)  # PyYAML does not indent a list under a key
        elif kind is dict:
            lines.append(head + " {}")
        elif kind is list:
            lines.append(head + " []")
        elif not (kind is str and _block(head, value, indent, lines)):
            lines.append(head + " " + _scalar(value))


def _sequence(data: list[Any], indent: int, lines: list[str]) -> None:
    dash = " " * indent + "- "
    for item in data:
        kind = type(item)
        if kind is dict and item:
            _mapping(item, indent + 2, lines, dash)
        elif kind is list:
            raise _NotSimple  # nested sequences: rare, left to PyYAML
        elif kind is dict:
            lines.append(dash + "{}")
        elif not (kind is str and _block(dash.rstrip(), item, indent, lines)):
            lines.append(dash + _scalar(item))


def dump_documents(docs: list[Any]) -> str:
    """Several documents in one stream, each introduced by `---`."""
    return "".join("---\n" + dump_yaml(doc) for doc in docs)
