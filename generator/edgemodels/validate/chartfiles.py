"""What a chart's own files hold that Helm passes over or trips on: a key values.yaml sets
twice (K109: Helm keeps the last value without a word, its lint too), and a symlink that
leads back to a folder holding it (K204: Helm's loader goes round it until the path is too
long, so it is looked for before Helm loads the chart). Plain file reads, with no Helm.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import replace
from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.streamload import load_stream

_TOP_KEY = re.compile(r"^([^\s#:-][^:\n]*):", re.MULTILINE)


def values_duplicates(root: Path, chart: str) -> list[Diagnostic]:
    """K109 on a key the chart's values.yaml sets twice at its top level: Helm keeps the
    last value without a word (its lint too). Only a file with such a key is parsed."""
    rel = f"{chart}/values.yaml"
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # the chart's load says what is wrong
    keys = _TOP_KEY.findall(text)
    if len(keys) == len(set(keys)):
        return []
    note = ": Helm keeps only the last value, and drops the other without a word"
    return [
        replace(d, message=d.message.replace(": the last value wins here", note))
        for d in load_stream(rel, text).diagnostics
        if d.code == "K109"
    ]


def symlink_loop(root: Path, chart: str) -> Diagnostic | None:
    """K204 on a symlink in the chart that leads to a folder holding it (or round a chain of
    links). Helm's loader follows links: on such a one it goes round until the path is too
    long, logging a line per turn on stderr (tens of kilobytes), and fails with that path."""
    top = os.path.join(root, chart)
    for current, dirs, files in os.walk(top):
        for name in sorted((*dirs, *files)):
            path = os.path.join(current, name)
            if not os.path.islink(path):
                continue
            try:
                real = os.path.realpath(path, strict=True)
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    continue  # dangling: Helm says so
                real = ""
            here = os.path.realpath(current)
            if real == "" or here == real or here.startswith(real + os.sep):
                rel = Path(path).relative_to(root).as_posix()
                back = "a folder holding it" if real else "itself, through other links"
                message = (
                    f"chart does not load: {rel} is a symlink to '{os.readlink(path)}', which "
                    f"leads back to {back}: Helm would follow it round a loop"
                )
                return diagnostic("K204", Location(rel, 1, 1), message)
    return None
