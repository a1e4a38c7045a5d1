"""K334: an object too large for the API server to store.

Two limits, each as Kubernetes and etcd define it:

- A ConfigMap's `data` and `binaryData` together, and a Secret's `data` (with its
  `stringData`, which the API server merges into `data`), may hold at most 1 MiB: the API
  server's validation sums the values' bytes (binaryData and a Secret's data decoded from
  base64; not the keys) and refuses more than `MaxSecretSize`, 1,048,576 bytes
  (kubernetes pkg/apis/core/validation ValidateConfigMap and ValidateSecret; the
  Kubernetes documentation: "The data stored in a ConfigMap cannot exceed 1 MiB",
  "Individual Secrets are limited to 1MiB in size").
- Any object is stored in etcd in one request, which etcd refuses over its
  `--max-request-bytes`, 1.5 MiB by default (etcd's "System limits": "By default, the
  maximum size of any request is 1.5 MiB"); the API server then answers "etcdserver:
  request is too large". The object is measured by its YAML text as the tree holds it
  (a plain file's document, a chart's rendered document, a build's output document):
  the size already known, where re-serialising every object would cost the run. For the
  data-heavy objects that reach this limit the JSON or protobuf the API server sends
  etcd is of that size too (a key and value plus a few bytes each).

A stream holds a document over 1.5 MiB only when it is over 1.5 MiB itself, so only such
streams are split into their documents' sizes (manifests.document_sizes); every other
object costs a kind check here, and a ConfigMap or Secret the sum of its values' lengths.
"""

from __future__ import annotations

from collections.abc import Mapping

from edgemodels.diagnostics import Location
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.manifests import ETCD_REQUEST_BYTES, Manifest, origin_of
from edgemodels.validate.report import Finding, finding, subject, template_position

MAX_DATA_BYTES = 1024 * 1024  # Kubernetes' core.MaxSecretSize
_DATA_KINDS = {("v1", "ConfigMap"), ("v1", "Secret")}


def check_size(manifest: Manifest) -> list[Finding]:
    """K334 when `manifest` is over either limit, one finding naming each it is over."""
    over = []
    kind = (manifest.api_version, manifest.kind)
    if kind in _DATA_KINDS and (size := data_bytes(manifest.data, kind[1])) > MAX_DATA_BYTES:
        what = "data and binaryData" if kind[1] == "ConfigMap" else "data and stringData"
        over.append(
            f"its {what} hold {_mib(size)} ({size:,} bytes), over the 1 MiB "
            f"({MAX_DATA_BYTES:,} bytes) the API server allows a {kind[1]}'s data: it "
            "refuses the object"
        )
    if manifest.size > ETCD_REQUEST_BYTES:
        over.append(
            f"the object is {_mib(manifest.size)} ({manifest.size:,} bytes) as YAML, over "
            f"etcd's request limit, 1.5 MiB ({ETCD_REQUEST_BYTES:,} bytes) by default "
            "(--max-request-bytes): the API server cannot store it (etcdserver: request is "
            "too large)"
        )
    if not over:
        return []
    message = "; and ".join(over) + " (split it, or mount the data from a volume)"
    return [_at_object(manifest, message)]


def data_bytes(data: Mapping[str, object], kind: str) -> int:
    """The bytes the API server counts against the 1 MiB of a ConfigMap or Secret."""
    if kind == "ConfigMap":
        return _text_bytes(data.get("data")) + _base64_bytes(data.get("binaryData"))
    plain = data.get("stringData")
    encoded = data.get("data")
    if isinstance(plain, dict) and isinstance(encoded, dict):  # stringData's keys win
        encoded = {k: v for k, v in encoded.items() if k not in plain}
    return _text_bytes(plain) + _base64_bytes(encoded)


def _text_bytes(values: object) -> int:
    if not isinstance(values, dict):
        return 0
    # str.isascii() is O(1) in CPython: only text beyond ASCII is encoded to be counted
    return sum(
        len(v) if v.isascii() else len(v.encode("utf-8", "surrogatepass"))
        for v in values.values()
        if isinstance(v, str)
    )


def _base64_bytes(values: object) -> int:
    """Decoded length of base64 values, without decoding them (line breaks left out, as
    Go's decoder skips them)."""
    if not isinstance(values, dict):
        return 0
    total = 0
    for value in values.values():
        if isinstance(value, str):
            text = value.replace("\n", "").replace("\r", "") if "\n" in value else value
            total += len(text) * 3 // 4 - (len(text) - len(text.rstrip("=")))
    return total


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def _at_object(manifest: Manifest, message: str) -> Finding:
    """On the object's first line. Its line is known for a document of a file or of a
    rendered template: placing it by a pointer would compose a text of megabytes again."""
    source = manifest.source
    if manifest.overlay or not source.text:
        return finding(manifest, (), "K334", message)
    text = f"{subject(manifest)}: {message}"
    context = manifest.context
    line = max(manifest.line, 1)
    where = Location(source.path, line, 1)
    if source.template is not None:
        where = Location(
            source.path, *template_position(source.template.text, source.text, line, 1)
        )
        context = f"{context}, rendered line {line}" if context else f"rendered line {line}"
    return diagnostic("K334", where, text, origin_of(manifest)), context
