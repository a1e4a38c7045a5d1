"""kubectl kustomize's errors placed in the kustomization's files: the innermost error of a
failed build, with tree-relative paths, as a K206 on the line of the kustomization (or of a
base, component or resource it reaches) that caused it. kubectl.py runs the builds; this
is read only when one fails.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

import yaml

from edgemodels.diagnostics import Location
from edgemodels.fsnames import text_form
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.discover import (
    MANIFEST_SUFFIXES,
    kustomization_entries,
    kustomization_file,
)
from edgemodels.validate.report import Finding
from edgemodels.validate.streamload import load_stream

_ACCUMULATING = "accumulating resources from '"


_ERR_RE = re.compile(r'err="(?P<err>(?:[^"\\]|\\.)*)"')


_RECURSED = re.compile(r"(?:recursed accumulation of|couldn't make target for) path '[^']*': ")


_ERR_BLOCK = re.compile(r"err=<\n(?P<err>.*?)\n\s*>", re.DOTALL)


_TWICE = re.compile(r'line \d+: (mapping key "(?P<key>[^"]+)" already defined) at line \d+')


_UNKNOWN_FIELD = re.compile(r'invalid Kustomization: json: unknown field "([^"]+)"')


_YAML_LINE = re.compile(r"invalid Kustomization: yaml: line (\d+):")


_UNMATCHED = re.compile(r'no resource matches strategic merge patch "[^"/]*/(?P<name>[^".\[]+)')


def _error_text(stderr: str, root: Path) -> str:
    """kubectl's error, from the innermost resource it names, with tree-relative paths."""
    match = _ERR_RE.search(stderr)
    block = _ERR_BLOCK.search(stderr) if match is None else None
    if match is not None:
        text = match["err"].replace('\\"', '"')
    else:  # a multi-line error, which klog writes as a block
        text = block["err"] if block is not None else stderr.strip()
    text = " ".join(text.removeprefix("Error: ").removeprefix("error: ").split())
    text = text.replace("map[string]interface {}(nil): ", "")  # Go's type, not the reader's
    innermost = text.rfind(_ACCUMULATING)
    # An aggregate names its member by a path from a temporary folder ('../../tmp/...'):
    # what follows kustomize's recursion into the member is the member's own error.
    recursed = [m.end() for m in _RECURSED.finditer(text)]
    start = max([innermost, *recursed[-1:]])
    if start > 0:
        text = text[start:]
    return tree_relative(text, root)


def tree_relative(text: str, root: Path) -> str:
    """`text` with the tree's folder left out of the paths it names. kustomize names them
    absolute (symlinks resolved), so a relative `root` is only matched as a whole path:
    replaced inside `/tmp/fb/d/models`, `fb/d/` left `/tmp/models`, a folder that does not
    exist."""
    forms = [os.path.realpath(root), os.path.abspath(root)]
    if str(root) not in (".", ""):
        forms.append(str(root))
    for form in dict.fromkeys(forms):
        pattern = rf"(?<![\w.~/-]){re.escape(form)}(?:/|(?![\w~/-]|\.[\w.]))"
        text = re.sub(pattern, lambda m: "" if m[0].endswith("/") else ".", text)
    return text


def build_error(root: Path, target: str, stderr: str) -> Finding:
    """K206 on the kustomization whose entry the error names (the overlay's, or that of a
    base or component it reads), else on the overlay's first line."""
    path = kustomization_file(root / target)
    rel = path.relative_to(root).as_posix() if path else f"{target}/kustomization.yaml"
    text = _error_text(stderr, root)
    twice = _TWICE.search(text)
    if twice is not None:  # its lines are of kustomize's copy: the file's line is found
        where_twice = _held_twice(root, target, twice["key"])
        if where_twice is not None:
            text = text[: twice.start()] + twice[1] + text[twice.end() :]
            return diagnostic("K206", where_twice, f"kustomize build failed: {text}"), ""
    where = _named_entry(root, target, text) or _unreadable(root, target, text)
    where = where or Location(rel, 1, 1)
    patched = _UNMATCHED.search(text)
    if patched and path is not None and where.line == 1:  # the patch naming that object
        where = Location(rel, _line_with(path, f"name: {patched['name']}") or 1, 1)
    if where.line == 1 and path is not None:  # the entry as written, as before
        for number, content in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        ):
            entry = content.strip().removeprefix("- ").strip("'\" ")
            if entry and ("/" in entry or "." in entry) and entry in text:
                where = Location(rel, number, 1)
                break
    return diagnostic("K206", where, f"kustomize build failed: {text}"), ""


def _line_with(path: Path, needle: str) -> int | None:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return next((n for n, line in enumerate(lines, start=1) if needle in line), None)


def _reached(root: Path, target: str) -> list[str]:
    """`target` and the kustomize folders it reaches, outermost first."""
    folders, queue = [target], [target]
    while queue:
        folder = queue.pop(0)
        for entry in kustomization_entries(kustomization_file(root / folder) or ""):
            inner = posixpath.normpath(posixpath.join(folder, entry))
            if inner not in folders and kustomization_file(root / inner) is not None:
                folders.append(inner)
                queue.append(inner)
    return folders


def _unreadable(root: Path, target: str, text: str) -> Location | None:
    """The line of the kustomization kustomize could not read. Its error does not name the
    file (`invalid Kustomization: json: unknown field "x"`, or `yaml: line N: ...`), and
    for one in a base every overlay fails on it: the file is found among those the build
    reaches, innermost first, by the field it names or by not parsing."""
    field = _UNKNOWN_FIELD.search(text)
    syntax = _YAML_LINE.search(text)
    if field is None and syntax is None:
        return None
    for folder in reversed(_reached(root, target)):
        path = kustomization_file(root / folder)
        if path is None:
            continue
        rel = path.relative_to(root).as_posix()
        content = path.read_text(encoding="utf-8", errors="replace")
        if field is not None:
            key = re.compile(rf"^\s*(?:- )?['\"]?{re.escape(field[1])}['\"]?\s*:")
            for number, text_line in enumerate(content.splitlines(), start=1):
                if key.match(text_line):
                    return Location(rel, number, 1)
        elif syntax is not None:
            said, found = int(syntax[1]), _syntax_line(content)
            if found is not None:  # the earlier of the two parsers' lines: where it begins
                return Location(rel, min(found or said, said), 1)
    return None


def _held_twice(root: Path, target: str, key: str) -> Location | None:
    """Where a resource file the build reaches holds `key` twice in one mapping."""
    for folder in reversed(_reached(root, target)):
        for entry in kustomization_entries(kustomization_file(root / folder) or ""):
            rel = posixpath.normpath(posixpath.join(folder, entry))
            if not rel.endswith(MANIFEST_SUFFIXES) or not os.path.isfile(root / rel):
                continue
            text = (root / rel).read_text(encoding="utf-8", errors="replace")
            for d in load_stream(rel, text, fast=False).diagnostics:
                if d.code == "K109" and f"'{key}'" in d.message:
                    return d.location
    return None


def _syntax_line(content: str) -> int | None:
    """None when `content` parses; else the first line the error names (the construct
    that does not end, a flow sequence left open, or the error), or 0 for none."""
    try:
        for _ in yaml.parse(content, Loader=yaml.CSafeLoader):
            pass
    except yaml.MarkedYAMLError as error:
        marks = [m.line + 1 for m in (error.context_mark, error.problem_mark) if m is not None]
        return min(marks, default=0)
    except yaml.YAMLError:
        return 0
    return None


def _named_entry(root: Path, target: str, text: str) -> Location | None:
    """The line of the kustomization (of `target` or of a folder it reaches) that lists the
    tree path the error names, innermost first: a base listing a missing file, not the
    overlay's entry for that base."""
    folders = _reached(root, target)
    for folder in reversed(folders):
        path = kustomization_file(root / folder)
        if path is None:
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, content in enumerate(lines, start=1):
            entry = content.strip().removeprefix("- ").strip("'\" ")
            if not entry or entry.startswith("#") or ":" in entry.split("/")[0]:
                continue
            named = text_form(posixpath.normpath(posixpath.join(folder, entry)))  # as kubectl says
            pattern = rf"(?<![\w./-]){re.escape(named)}(?![\w./-])|from '{re.escape(entry)}'"
            if re.search(pattern, text):
                return Location(path.relative_to(root).as_posix(), number, 1)
    return None
