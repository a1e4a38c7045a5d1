"""YAML in: every read of a user file goes through `load_positioned` (`load_bytes` when its
bytes are at hand).

A file becomes a YamlFile: its text (within the size limit, valid UTF-8, a byte order mark
dropped) and its positioned tree (yamltree.py), or findings saying why not, never an
exception. `locate` and `to_plain` are what the rest of the program asks of such a tree.
Writing YAML is yamldump.py's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from edgemodels.diagnostics import Diagnostic
from edgemodels.yamlfindings import empty_file_message, not_utf8_message, yaml_finding
from edgemodels.yamltree import Pos, PosMap, PosSeq, parse_text

# Limits for every YAML input (documented in README, "Limits").
MAX_FILE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class YamlFile:
    path: str
    text: str
    data: Any  # PosMap / PosSeq / scalar, or None when the file could not be read
    # The tree holds no credential-looking value: it came from generate's cache or went
    # into it, and the cache keeps only such trees (ParseMemo.store scans each one).
    vetted: bool = False


def read_text(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's text, or findings when it is too large, unreadable or not UTF-8."""
    try:
        raw = _read_bytes(path)
    except OSError as exc:
        return None, [
            yaml_finding(shown, "Y011", "unreadable", f"cannot read: {exc.strerror or exc}")
        ]
    return _decode(raw, shown)


def _decode(raw: bytes | int, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The text of a file's bytes (an int: its size, over the limit)."""
    if isinstance(raw, int):
        return None, [
            yaml_finding(
                shown,
                "Y008",
                "input-too-large",
                f"file is {raw} bytes; the limit is {MAX_FILE_BYTES}",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [yaml_finding(shown, "Y004", "not-utf8", not_utf8_message(raw), (line, col))]
    return text.removeprefix("\ufeff"), []


def _read_bytes(path: Path) -> bytes | int:
    """The file's bytes, or its size when that is over MAX_FILE_BYTES. With the system's
    calls on one descriptor: pathlib's stat, then open and read through Python's file
    objects, cost a regenerate of 1,000 catalogue files 2% of its time."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            return size
        chunks = []
        while chunk := os.read(fd, max(size, 1) + 1):  # more, if it grew meanwhile
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class ParseMemo(Protocol):
    """Trees parsed by an earlier run, by text (generate's cache, treecache.py)."""

    def recall(self, text: str) -> Any | None: ...

    def store(self, text: str, data: Any) -> bool:
        """Keep `data` for the next run; True if kept. A tree holding a credential-looking
        value is never kept (nor written to disk): it is parsed and scanned every time."""
        ...


def load_positioned(
    path: Path, shown: str | None = None, memo: ParseMemo | None = None
) -> tuple[YamlFile, list[Diagnostic]]:
    """Read and parse one YAML file. Problems come back as findings, never exceptions."""
    name = shown or path.as_posix()
    return _positioned(*read_text(path, name), name, memo)


def load_bytes(
    raw: bytes, shown: str, memo: ParseMemo | None = None
) -> tuple[YamlFile, list[Diagnostic]]:
    """`load_positioned` of a file whose bytes are `raw`, without reading it: a file at a
    git revision, whose bytes come from git objects (plan/gitrev.py)."""
    return _positioned(*_decode(len(raw) if len(raw) > MAX_FILE_BYTES else raw, shown), shown, memo)


def _positioned(
    text: str | None, diags: list[Diagnostic], name: str, memo: ParseMemo | None
) -> tuple[YamlFile, list[Diagnostic]]:
    if text is None:
        return YamlFile(name, "", None), diags
    data = memo.recall(text) if memo is not None else None
    if data is not None:
        return YamlFile(name, text, data, vetted=True), []
    data, diags = parse_text(text, name)
    if data is None and not diags:
        diags = [yaml_finding(name, "Y005", "empty-file", empty_file_message(text))]
    elif memo is not None and data is not None and not diags:
        return YamlFile(name, text, data, vetted=memo.store(text, data)), diags
    return YamlFile(name, text, data), diags


def locate(root: Any, path: tuple[str | int, ...], key: bool = False) -> Pos:
    """Position of the deepest node on `path`; with `key`, the key of the last step."""
    node, pos = root, getattr(root, "pos", (1, 1))
    for step in path:
        if isinstance(node, PosMap) and isinstance(step, str) and step in node:
            pos = node.key_pos[step] if key else node.value_pos[step]
            node = node[step]
        elif isinstance(node, PosSeq) and isinstance(step, int) and 0 <= step < len(node):
            pos = node.item_pos[step]
            node = node[step]
        else:
            break
    return pos


def dotted(path: tuple[str | int, ...]) -> str:
    """A path into a tree as findings write it: `spec.models[0].resources` ("" for the root)."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def to_plain(data: Any) -> Any:
    """Plain dicts/lists (no positions), e.g. for CEL or JSON."""
    if isinstance(data, dict):
        return {k: to_plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_plain(v) for v in data]
    return data
