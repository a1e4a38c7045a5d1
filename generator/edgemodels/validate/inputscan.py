"""What a large kustomize input holds, said before any build: objects too large to store
(K334), and mappings of so many keys that kustomize takes minutes to read them (K335).

kustomize's time grows with the square of the keys of one mapping: as it reads each
resource, kyaml's `DeAnchor` walks every mapping and looks each key up, and sets it, by
a walk of that mapping's key list (kyaml 0.18 `mergeAll`, `RNode.Field`,
`MapEntrySetter`: a goroutine dump of a slow `kubectl kustomize` stands there). A
ConfigMap of 40,000 keys took `kubectl kustomize` (kubectl 1.32, kustomize 5.5) 25 s on
two cores, one of 400,000 keys (a 10 MB file) would take about 100 times as long, while
a 7 MB file of one key takes under a second: the bytes do not matter, the keys of one
mapping do. `validate` built such a base for minutes without a word. Now the file is
named before its build starts:

- one holding an object the API server would refuse for its size is not built at all
  (discover.py leaves out the builds that read it, as for a file the reader refuses):
  the build could only confirm what cannot be applied, after minutes;
- one holding a mapping of SLOW_KEYS keys or more, under the limits, is built (there is
  no time limit that could stop a legitimate build on a slow machine), with a warning
  naming the file, the mapping's line and its keys, said on stderr at once by the
  command line (`ValidateOptions.notice`) and among the findings.

Only files of SCANNED_BYTES or more are parsed (a mapping of SLOW_KEYS keys takes more
than that), or files parsed anyway (anchors and aliases, discover.py): a usual tree's
inputs are a few KiB each.
"""

from __future__ import annotations

from collections.abc import Iterator

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.manifests import Manifest, manifests_of, shape_problem
from edgemodels.validate.objectsizes import check_size
from edgemodels.validate.pointers import position

SLOW_KEYS = 20_000  # keys of one mapping: kustomize read 20,000 in about 5 s on two cores
SCANNED_BYTES = 64 * 1024  # a block mapping of SLOW_KEYS keys holds more


def scan_input(rel: str, text: str) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(K334 of each object in `rel` the API server cannot store, K335 of each object
    with a mapping of SLOW_KEYS keys or more, on that mapping, when none is too large)."""
    # Objects only: a generator's input (configMapGenerator `files:`) is read by kustomize
    # as text, not as YAML, and its object is checked once built
    docs = [m for m in manifests_of(rel, text)[0] if shape_problem(m.data) is None]
    too_large = [d for m in docs for d, _ in check_size(m)]
    if too_large:
        return too_large, []
    return [], [d for m in docs if (d := _slow(m)) is not None]


def _slow(manifest: Manifest) -> Diagnostic | None:
    biggest: tuple[int, tuple[str | int, ...]] = (0, ())
    for count, pointer in _mappings(manifest.data, ()):
        if count > biggest[0]:
            biggest = (count, pointer)
    count, pointer = biggest
    if count < SLOW_KEYS:
        return None
    source = manifest.source
    # composed only here, for a file that takes kustomize far longer than this to read
    line, col = position(source.text, source.index, pointer, at_key=True)
    what = f"{manifest.kind} {manifest.name}".strip()
    message = (
        f"{what}: a mapping of {count:,} keys, which kustomize reads in a time that grows "
        "with the square of its keys (20,000 took kubectl 1.32's kustomize about 5 s on "
        "two cores, 40,000 about 25 s): the builds that read this file may take minutes. "
        "Split the mapping, or ship the data in the image or a volume"
    )
    return diagnostic("K335", Location(source.path, line, col), message, severity="warning")


def _mappings(
    node: object, pointer: tuple[str | int, ...]
) -> Iterator[tuple[int, tuple[str | int, ...]]]:
    """(key count, pointer) of every mapping under `node`."""
    if isinstance(node, dict):
        yield len(node), pointer
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                yield from _mappings(value, (*pointer, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, (dict, list)):
                yield from _mappings(item, (*pointer, index))
