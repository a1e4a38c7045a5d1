"""One YAML document that `plan` reads beside the catalogue (the inventory, the workload
export), from a file or standard input, within the input limit."""

from __future__ import annotations

import sys
from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.errors import InputError
from edgemodels.yamlfindings import empty_file_message, not_utf8_message
from edgemodels.yamlio import YamlFile
from edgemodels.yamltree import parse_text

# Limits (README, "Limits"): a hub's full ManagedCluster list with status is large.
MAX_INPUT_BYTES = 64 * 1024 * 1024
STDIN = "-"  # the file argument that names standard input
STDIN_NAME = "<stdin>"  # how findings name it


def read_document(path: Path, shown: str | None = None) -> tuple[YamlFile, list[Diagnostic]]:
    """One YAML document with positions, within MAX_INPUT_BYTES; `-` is standard input
    (`kubectl get managedclusters -o yaml | edgemodels plan -i -`), named `<stdin>`. A file
    that cannot be read raises InputError (exit 2); what is wrong inside a readable one
    comes back as findings."""
    name, text, diags = read_input(path, shown)
    if text is None:
        return YamlFile(name, "", None), diags
    return parse_document(text, name)


def read_input(path: Path, shown: str | None = None) -> tuple[str, str | None, list[Diagnostic]]:
    """The name findings give the input, and its text, or findings saying why there is
    none (too large, not UTF-8); as `read_document`, without parsing."""
    stdin = path.as_posix() == STDIN
    name = STDIN_NAME if stdin else shown or path.as_posix()
    top = Location(name, 1, 1)
    try:
        # A pipe has no size to ask first: read one byte beyond the limit.
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1) if stdin else None
        size = len(data) if data is not None else path.stat().st_size
        if size > MAX_INPUT_BYTES:
            held = f"{size} bytes" if data is None else f"over {MAX_INPUT_BYTES} bytes"
            message = f"file is {held}; the limit is {MAX_INPUT_BYTES}"
            return name, None, [finding(top, "Y008", "input-too-large", message)]
        raw = data if data is not None else path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:  # not there to read (a folder, no permission): I/O, exit 2
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        return name, None, [finding(top, "Y004", "not-utf8", not_utf8_message(raw))]
    return name, text.removeprefix("\ufeff"), []


def parse_document(text: str, name: str) -> tuple[YamlFile, list[Diagnostic]]:
    """`text` as one YAML document with positions; an empty one is Y005."""
    data, diags = parse_text(text, name)
    if data is None and not diags:
        diags = [finding(Location(name, 1, 1), "Y005", "empty-file", empty_file_message(text))]
    return YamlFile(name, text, data), diags
