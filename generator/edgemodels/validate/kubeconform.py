"""kubeconform as an optional schema backend (kubeconform.md sections 3 and 6).

It reads the same offline schemas as the built-in backend: our CRD folders first, then the
Kubernetes standalone folders. `-schema-location` is always given, so kubeconform never
falls back to its network default. Its JSON output has no line numbers and, with `-n` > 1,
no order: results are keyed by (file, kind, name, apiVersion) and mapped back onto the
manifests, and their messages are parsed into the same Violations the built-in backend
produces.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from edgemodels.errors import ToolMissingError
from edgemodels.validate.pointers import Pointer, parse_pointer, pointer_text, value_at
from edgemodels.validate.violations import (
    Violation,
    constraint,
    go_unquote,
    missing_field,
    other,
    pattern_text,
    unknown_field,
    wrong_type,
)

_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_ADDITIONAL = re.compile(r"^additional p?ropert(?:y|ies) (?P<names>.+) not allowed$")
_MISSING = re.compile(r"^missing propert(?:y|ies) (?P<names>.+)$")
_TYPE = re.compile(r"^got (?P<got>\S+), want (?P<want>.+)$")
_PATTERN = re.compile(r"^(?P<value>'.*') does not match pattern (?P<pattern>'.*')$")
_LIMIT = re.compile(
    r"^(minLength|maxLength|minItems|maxItems|minProperties|maxProperties|minimum|maximum"
    r"|exclusiveMinimum|exclusiveMaximum|multipleOf): got .*, want .*$"
)
_AT_PART = re.compile(r" - at '(?P<pointer>[^']*)': ")
_NO_SCHEMA = re.compile(r"^could not find schema for (?P<kind>.+)$")
_TIMEOUT = 600


@dataclass(frozen=True)
class Result:
    """One entry of kubeconform's `resources` list."""

    filename: str
    kind: str
    name: str
    version: str  # the apiVersion
    status: str
    msg: str
    errors: tuple[tuple[str, str], ...] = ()  # (JSON pointer, message)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.filename, self.kind, self.name, self.version


def find_binary(explicit: str | None = None) -> str | None:
    """An explicit path (or $EDGEMODELS_KUBECONFORM), else `kubeconform` on PATH."""
    chosen = explicit or os.environ.get("EDGEMODELS_KUBECONFORM")
    if chosen:
        return chosen if Path(chosen).is_file() else shutil.which(chosen)
    return shutil.which("kubeconform")


def build_argv(
    binary: str,
    kubernetes_version: str,
    strict: bool,
    crd_location: str,
    k8s_root: Path,
    skip_kinds: Sequence[str],
    files: Sequence[str],
) -> list[str]:
    """argv as kubeconform.md section 6 recommends; CRD location first (full group in path)."""
    argv = [binary, "-output", "json", "-summary", "-kubernetes-version", kubernetes_version]
    argv += ["-schema-location", crd_location, "-schema-location", str(k8s_root)]
    argv += ["-n", str(os.cpu_count() or 2)]
    if strict:
        argv.append("-strict")
    if skip_kinds:
        argv += ["-skip", ",".join(skip_kinds)]
    return [*argv, *files]


def parse_output(stdout: str) -> list[Result]:
    """The `resources` of kubeconform's `-output json`; ValueError when it is not that."""
    doc = json.loads(stdout)
    if not isinstance(doc, dict) or not isinstance(doc.get("resources", []), list):
        raise ValueError("not kubeconform JSON output")
    results = []
    for item in doc.get("resources", []):
        errors = tuple(
            (str(e.get("path", "")), str(e.get("msg", "")))
            for e in item.get("validationErrors") or []
            if isinstance(e, dict)
        )
        results.append(
            Result(
                named_here(str(item.get("filename", ""))),
                str(item.get("kind", "")),
                str(item.get("name", "")),
                str(item.get("version", "")),
                str(item.get("status", "")),
                str(item.get("msg", "")),
                errors,
            )
        )
    return results


def named_here(filename: str) -> str:
    """A file name kubeconform gave (UTF-8 text) as this process names that file: in the
    file system's encoding, which under an ASCII locale keeps the bytes beyond ASCII as
    surrogates (os.fsdecode). The name it was given is what its results are matched by."""
    try:
        return os.fsdecode(filename.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a lone surrogate in its JSON: no file is named so here
        return filename


def run(argv: Sequence[str], cwd: Path) -> list[Result]:
    """Run kubeconform; its exit code does not tell findings from failures, its stdout does.
    Its output is read as UTF-8, which it (a Go program) writes whatever the locale: read
    in the locale's encoding, a path or message that is not ASCII stopped the run under an
    ASCII locale (LC_ALL=C without Python's coercion) or came out wrong under another."""
    try:
        proc = subprocess.run(
            list(argv),
            cwd=cwd,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=_TIMEOUT,
            check=False,
        )
    except OSError as exc:
        reason = exc.strerror or exc  # Python's own text names the program by repr
        raise ToolMissingError(f"cannot run kubeconform ({argv[0]}): {reason}") from exc
    try:
        return parse_output(proc.stdout)
    except ValueError as exc:
        detail = proc.stderr.strip() or proc.stdout.strip() or f"exit code {proc.returncode}"
        raise ToolMissingError(f"kubeconform failed: {detail}") from exc


def _errors_of(result: Result) -> list[tuple[str, str]]:
    """validationErrors, or the ` - at '<pointer>': <text>` parts of msg when they collapsed."""
    if result.errors and any(msg != "validation failed" for _, msg in result.errors):
        return list(result.errors)
    parts = _AT_PART.split(result.msg)
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


def violations_of(result: Result, data: Mapping[str, object]) -> list[Violation]:
    """The canonical violations of one invalid result (statusInvalid)."""
    found: list[Violation] = []
    for path, text in _errors_of(result):
        found.extend(_violations(parse_pointer(path), text, data))
    return found


def _names(text: str) -> list[str]:
    return [go_unquote(f"'{m}'") for m in _QUOTED.findall(text)]


def _violations(pointer: Pointer, text: str, data: Mapping[str, object]) -> list[Violation]:
    if match := _ADDITIONAL.match(text):
        return [unknown_field(pointer, name) for name in _names(match["names"])]
    if match := _MISSING.match(text):
        return [missing_field(pointer, name) for name in _names(match["names"])]
    if match := _TYPE.match(text):
        return [wrong_type(pointer, value_at(data, pointer), match["want"].split(" or "))]
    if match := _PATTERN.match(text):
        return [
            constraint(pointer, pattern_text(value_at(data, pointer), go_unquote(match["pattern"])))
        ]
    if text.startswith("value must be") or text == "enum failed":
        return [Violation(pointer, "K104", f"{pointer_text(pointer)}: {text}")]
    if _LIMIT.match(text):
        return [constraint(pointer, text)]
    if text.startswith("oneOf failed, subschemas"):
        return [other(pointer, "oneOf failed, more than one matched")]
    return [other(pointer, text)]


def missing_schema_kind(result: Result) -> str | None:
    """The kind of a statusError "could not find schema for <Kind>", else None."""
    match = _NO_SCHEMA.match(result.msg.strip())
    return match["kind"] if match and result.status == "statusError" else None
