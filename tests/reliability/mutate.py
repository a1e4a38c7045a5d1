"""Hostile variants of real input files: the mutation operators of the fuzz suite.

A `Mutation` is plain data (operator, file, where, which payload) so hypothesis can draw,
shrink and print it; `apply` turns it into the bytes of the mutated file. Data operators
load the file with PyYAML, change one node and dump it again (comments are lost, which is
fine: every input must survive that too); text operators work on the raw bytes, so they
can produce what no dumper writes (invalid UTF-8, alias bombs, tabs, duplicate keys).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

# Replacement values of another type than the one expected (YAML 1.1 surprises included).
FLIPS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    2**64,
    1.5,
    float("inf"),
    "",
    "x",
    [],
    {},
    ["a"],
    {"a": 1},
    [[["deep"]]],
    datetime.date(2024, 1, 1),
    b"\x00binary",
)

# Strings that break naive code: path tricks, control characters, shells, templates,
# credentials, Unicode oddities and sizes around the limits.
ODD_STRINGS: tuple[str, ...] = (
    "../../../../tmp/escaped",
    "..",
    ".",
    "/etc/passwd",
    "/tmp/absolute-escape",
    "a/../../b",
    "models/../../x",
    ".git",
    ".edgemodels",
    "a\\..\\..\\b",
    "",
    " ",
    "\x00nul",
    "line\nbreak",
    "tab\there",
    "\u202egnp.exe",
    "名前-モデル",
    "Ünïcödé",
    "🦙",
    "CON",
    "-rf",
    "--help",
    "${HOME}",
    "$(id)",
    "`id`",
    "{{ .Values.x }}",
    "{{/* */}}",
    "*",
    "null",
    "~",
    "'",
    '"',
    "#",
    "&anchor",
    "!!python/object:os.system",
    "https://deploy:Pa55w0rd-2024@gitlab.com/i4q/LRT.git",
    "-----BEGIN RSA PRIVATE KEY-----",
    "a" * 63,
    "a" * 64,
    "a" * 254,
    "a" * 4096,
    "x" * 300_000,
)

DEPTHS = (40, 63, 65, 200, 3000)
# 200,000 items take seconds per command on a loaded machine: only in long runs.
LIST_SIZES = (1000, 20_000) + ((200_000,) if os.environ.get("EDGEMODELS_FUZZ_HUGE") else ())

ALIAS_BOMB = "bomb0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"bomb{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
)
RECURSIVE_ALIAS = "loop: &loop [*loop]\n"
INVALID_UTF8 = (b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80")


@dataclass(frozen=True)
class Mutation:
    op: str
    file: str  # relative path of the mutated file in the case folder
    where: tuple[int, ...] = ()  # picks a node (data ops) or an offset (text ops)
    pick: int = 0  # picks the payload of the operator

    def __str__(self) -> str:
        return f"{self.op}({self.file}, where={list(self.where)}, pick={self.pick})"


# --- data operators ------------------------------------------------------------------------


def _node_path(data: Any, where: tuple[int, ...]) -> list[Any]:
    """Keys/indices of the node `where` leads to (each number picks a child, modulo)."""
    path: list[Any] = []
    node = data
    for step in where:
        if isinstance(node, dict) and node:
            key = list(node)[step % len(node)]
            path.append(key)
            node = node[key]
        elif isinstance(node, list) and node:
            i = step % len(node)
            path.append(i)
            node = node[i]
        else:
            break
    return path


def _replace_at(data: Any, path: list[Any], change: Callable[[Any, Any, Any], Any]) -> Any:
    """`change(parent, key, node)` edits the parent of the node at `path` in place."""
    if not path:
        return change(None, None, data)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    change(parent, path[-1], parent[path[-1]])
    return data


def _set(value: Any) -> Callable[[Any, Any, Any], Any]:
    def change(parent: Any, key: Any, node: Any) -> Any:
        if parent is None:
            return value
        parent[key] = value
        return None

    return change


def _delete(parent: Any, key: Any, node: Any) -> Any:
    if parent is None:
        return {}
    del parent[key]
    return None


def _duplicate(parent: Any, key: Any, node: Any) -> Any:
    if isinstance(parent, list):
        parent.insert(key, node)
    elif isinstance(parent, dict):
        parent[f"{key}-2"] = node  # a twin entry; `duplicate-line` makes real duplicate keys
    return None if parent is not None else [node, node]


def _rename_key(new: str) -> Callable[[Any, Any, Any], Any]:
    def change(parent: Any, key: Any, node: Any) -> Any:
        if isinstance(parent, dict):
            items = [(new if k == key else k, v) for k, v in parent.items()]
            parent.clear()
            parent.update(items)
        elif isinstance(parent, list) and isinstance(node, dict) and node:
            first = next(iter(node))
            node[new] = node.pop(first)
        return None if parent is not None else {new: node}

    return change


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"d": value}
    return value


def _data_change(m: Mutation) -> Callable[[Any, Any, Any], Any]:
    if m.op == "flip":
        return _set(FLIPS[m.pick % len(FLIPS)])
    if m.op == "delete":
        return _delete
    if m.op == "duplicate":
        return _duplicate
    if m.op == "odd-string":
        return _set(ODD_STRINGS[m.pick % len(ODD_STRINGS)])
    if m.op == "odd-key":
        return _rename_key(ODD_STRINGS[m.pick % len(ODD_STRINGS)])
    if m.op == "deep":
        return _set(_deep(DEPTHS[m.pick % len(DEPTHS)]))
    if m.op == "enormous-list":
        size = LIST_SIZES[m.pick % len(LIST_SIZES)]

        def grow(parent: Any, key: Any, node: Any) -> Any:
            # Copies of the node itself: a list of models, sites or rules stays "valid-ish".
            value = [node] * size if m.pick % 2 else ["item"] * size
            return _set(value)(parent, key, node)

        return grow
    raise ValueError(f"unknown data operator {m.op}")


DATA_OPS = ("flip", "delete", "duplicate", "odd-string", "odd-key", "deep", "enormous-list")


def apply_data(m: Mutation, text: bytes) -> bytes:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    path = _node_path(data, m.where)
    data = _replace_at(data, path, _data_change(m))
    try:
        out = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
    except (yaml.YAMLError, RecursionError):
        return text
    return out.encode("utf-8", "surrogatepass")


# --- text operators ------------------------------------------------------------------------


def _offset(m: Mutation, text: bytes) -> int:
    return (m.where[0] if m.where else 0) % (len(text) + 1)


def _line_start(text: bytes, at: int) -> int:
    return text.rfind(b"\n", 0, at) + 1


def _text_change(m: Mutation, text: bytes) -> bytes:
    at = _offset(m, text)
    lines = text.split(b"\n")
    row = (m.where[0] if m.where else 0) % max(len(lines), 1)
    if m.op == "invalid-utf8":
        return text[:at] + INVALID_UTF8[m.pick % len(INVALID_UTF8)] + text[at:]
    if m.op == "alias-bomb":
        bomb = (ALIAS_BOMB, RECURSIVE_ALIAS, "<<: {merged: 1}\n")[m.pick % 3].encode()
        return bomb + text
    if m.op == "duplicate-line":
        return b"\n".join([*lines[: row + 1], lines[row], *lines[row + 1 :]])
    if m.op == "delete-line":
        return b"\n".join([*lines[:row], *lines[row + 1 :]])
    if m.op == "truncate":
        return text[:at]
    if m.op == "splice":
        junk = (b"{", b"]", b": :", b"- ", b"\t", b"&x *x", b"!!binary |", b"%YAML 9.9\n", b"'")
        return text[:at] + junk[m.pick % len(junk)] + text[at:]
    if m.op == "tabs":
        start = _line_start(text, at)
        return text[:start] + b"\t" + text[start:]
    if m.op == "crlf-bom":
        return (b"\xef\xbb\xbf", b"")[m.pick % 2] + text.replace(b"\n", b"\r\n")
    if m.op == "multi-document":
        return text + b"\n---\n" + text
    if m.op == "tag":
        tags = (
            b"!!python/object/apply:os.system ['id']",
            b"!!set {a, b}",
            b"!!timestamp 2024-01-01",
        )
        start = _line_start(text, at)
        line_end = text.find(b"\n", start)
        line = text[start : line_end if line_end >= 0 else len(text)]
        if b": " not in line:
            return text
        head = line.split(b": ", 1)[0]
        rest = text[line_end:] if line_end >= 0 else b""
        return text[:start] + head + b": " + tags[m.pick % len(tags)] + rest
    raise ValueError(f"unknown text operator {m.op}")


TEXT_OPS = (
    "invalid-utf8",
    "alias-bomb",
    "duplicate-line",
    "delete-line",
    "truncate",
    "splice",
    "tabs",
    "crlf-bom",
    "multi-document",
    "tag",
)
OPS = DATA_OPS + TEXT_OPS


def apply(m: Mutation, text: bytes) -> bytes:
    """The mutated bytes of one file."""
    if m.op in DATA_OPS:
        return apply_data(m, text)
    return _text_change(m, text)
