"""Generated objects as Manifests: each with where it came from (its file and document, its
first line, the catalogue entry it names) and the few facts every check asks of it.

How a stream is read is streamload.py; manifests_of turns its documents into Manifests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.origins import SOURCE_ANNOTATION, parse_source
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.streamload import load_stream


@dataclass(frozen=True)
class Template:
    """A chart template's text, read when a finding first needs it: on the 600-chart
    benchmark fleet reading every rendered template up front cost ~0.2 s of a validate
    that places no finding on one. `fallback` stands in when the file cannot be read."""

    file: str
    fallback: str = ""
    _read: list[str] = field(default_factory=list, compare=False, repr=False)

    @property
    def text(self) -> str:
        if not self._read:
            try:
                with open(self.file, encoding="utf-8", errors="replace") as handle:
                    self._read.append(handle.read())
            except OSError:
                self._read.append(self.fallback)
        return self._read[0]


@dataclass(frozen=True)
class Source:
    """The text a document was parsed from, to place findings on it.

    `path` is the tree-relative file that findings name. For Helm output `text` is the
    rendered template and `template` the template it came from: findings move onto its
    lines.
    """

    path: str
    text: str = ""
    index: int = 0
    template: Template | None = None


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object to validate. `context` says which render/build produced it;
    `overlay` is the tree-relative folder of the kustomization that built it; `size` the
    bytes of its YAML text, measured only in a stream over ETCD_REQUEST_BYTES (0 in any
    other, where no document can be over it: document_sizes)."""

    data: Mapping[str, object]
    source: Source
    context: str = ""
    line: int = 1
    overlay: str = ""
    size: int = 0

    @property
    def api_version(self) -> str:
        value = self.data.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.data.get("kind")
        return value if isinstance(value, str) else ""

    @property
    def metadata(self) -> Mapping[str, object]:
        value = self.data.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def name(self) -> str:
        value = self.metadata.get("name")
        return value if isinstance(value, str) else ""

    @property
    def namespace(self) -> str:
        value = self.metadata.get("namespace")
        return value if isinstance(value, str) else ""

    def annotation(self, key: str) -> str | None:
        annotations = self.metadata.get("annotations")
        if isinstance(annotations, dict):
            value = annotations.get(key)
            return value if isinstance(value, str) else None
        return None


def manifests_of(
    path: str, text: str, context: str = ""
) -> tuple[list[Manifest], list[Diagnostic]]:
    """The non-empty documents of a stream as Manifests, and what kept others out."""
    loaded = load_stream(path, text)
    found: list[Manifest] = []
    problems = list(loaded.diagnostics)
    sizes = document_sizes(text, [line for _, line in loaded.documents])
    for index, (data, line) in enumerate(loaded.documents):
        if data is None:
            continue
        if not isinstance(data, dict):
            where = Location(path, line, 1)
            message = f"document is a {json_type(data)}, not a Kubernetes object"
            problems.append(diagnostic("K107", where, message))
            continue
        size = sizes[index] if sizes else 0
        found.append(Manifest(data, Source(path, text, index), context, line, size=size))
    return found, problems


# etcd's default --max-request-bytes: the largest object the API server can store
# (objectsizes.py says where the figure comes from)
ETCD_REQUEST_BYTES = 3 * 1024 * 1024 // 2


def document_sizes(text: str, starts: Sequence[int]) -> list[int] | None:
    """The bytes of each document of `text` (from its first line, `starts`, to the next
    one's) when the stream is over ETCD_REQUEST_BYTES; None for a smaller one, none of
    whose documents can be over it: nothing is measured on the streams of a usual tree
    (str.isascii() is O(1); a stream of other text is encoded only past a quarter of it)."""
    if not starts or len(text) <= ETCD_REQUEST_BYTES // 4:
        return None  # no document: refused (too long), or a YAML error before the first
    ascii_only = text.isascii()
    if ascii_only and len(text) <= ETCD_REQUEST_BYTES:
        return None
    offsets = _line_offsets(text, starts)
    ends = [*offsets[1:], len(text)]
    if ascii_only:
        return [end - start for start, end in zip(offsets, ends, strict=True)]
    return [
        len(text[start:end].encode("utf-8", "surrogatepass"))
        for start, end in zip(offsets, ends, strict=True)
    ]


def _line_offsets(text: str, lines: Sequence[int]) -> list[int]:
    """The offset in `text` where each of `lines` (1-based, ascending) starts."""
    offsets = []
    line, pos = 1, 0
    for wanted in lines:
        while line < wanted:
            found = text.find("\n", pos)
            if found < 0:
                break
            pos, line = found + 1, line + 1
        offsets.append(pos)
    return offsets


def shape_problem(data: Mapping[str, object]) -> str | None:
    """Why a mapping is not a Kubernetes object (no apiVersion or kind), or None."""
    for key in ("apiVersion", "kind"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            return f"no string '{key}'"
    return None


def json_type(value: object) -> str:
    """The JSON Schema type name of a parsed YAML value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__  # dates and other YAML-only types


def origin_of(manifest: Manifest) -> Location | None:
    """The catalogue entry that produced an object (`edgemodels.io/source`, origins.py)."""
    return parse_source(manifest.annotation(SOURCE_ANNOTATION))
