"""R233: an architecture no node is labelled with. The kubelet labels its node
kubernetes.io/arch with Go's name for its CPU (runtime.GOARCH: amd64, arm64, ...), never
uname's (aarch64, x86_64) or a container platform's (linux/arm64). So `images: {aarch64:
...}` is an image no placement picks (its sites get `image`, built for another CPU), an
`overrides.arch` of such a name picks nothing, and a selector on it matches no site.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from edgemodels.catalogue.model import ARCH_LABEL
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic, finding

# Go's GOARCH values for linux (`go tool dist list`): every value a node can carry.
GOARCH = frozenset(
    {
        "386",
        "amd64",
        "arm",
        "arm64",
        "loong64",
        "mips",
        "mips64",
        "mips64le",
        "mipsle",
        "ppc64",
        "ppc64le",
        "riscv64",
        "s390x",
    }
)
# What people write for them: uname -m, Debian's and Docker's names.
_ALIASES = {
    "aarch64": "arm64",
    "arm64v8": "arm64",
    "armv8": "arm64",
    "x86_64": "amd64",
    "x86-64": "amd64",
    "x64": "amd64",
    "amd": "amd64",
    "i386": "386",
    "i686": "386",
    "x86": "386",
    "armhf": "arm",
    "armel": "arm",
    "armv6": "arm",
    "armv6l": "arm",
    "armv7": "arm",
    "armv7l": "arm",
    "ppc64el": "ppc64le",
}
_NAMES = "amd64, arm64, arm, ppc64le, s390x, ..."


def meant(arch: str) -> str | None:
    """The GOARCH name `arch` stands for, if one is clear: `linux/arm64/v8`, `ARM64`."""
    parts = arch.strip().lower().split("/")  # a platform: linux/arm64/v8, arm/v7
    word = parts[1] if parts[0] == "linux" and len(parts) > 1 else parts[0]
    if word in GOARCH:
        return word
    return _ALIASES.get(word)


def problem(arch: str, consequence: str) -> str | None:
    """R233's words for `arch`, or None when nodes can carry it."""
    if arch in GOARCH:
        return None
    close = meant(arch)
    hint = f"; did you mean '{close}'?" if close else ""
    return (
        f"'{arch}' is no architecture Kubernetes names (nodes are labelled {ARCH_LABEL} with "
        f"Go's names: {_NAMES}), so {consequence}{hint}"
    )


def check_arch_names(merged: Merged) -> Iterator[Diagnostic]:
    for t in merged.targets.values():
        yield from _override(t, ("overrides", "arch"))
    for m in merged.models:
        for arch in m.get("images") or {}:
            why = problem(str(arch), "no site would get this image")
            if why is not None:
                yield _finding(m, ("images", arch), f"images: {why}", key=True)
        for t, over in (m.get("overrides") or {}).items():
            if isinstance(over, Mapping):
                yield from _override(m, ("overrides", t, "arch"))
    for node in (*merged.targets.values(), *merged.workloads):
        yield from _selector(node)


def _override(node: Node, steps: tuple[str, ...]) -> Iterator[Diagnostic]:
    parent = node.data
    for step in steps[:-1]:
        parent = parent.get(step) if isinstance(parent, Mapping) else None
    arch = parent.get(steps[-1]) if isinstance(parent, Mapping) else None
    if isinstance(arch, str):
        why = problem(arch, "no site would get its image from images")
        if why is not None:
            yield _finding(node, steps, f"overrides.arch: {why}")


def _selector(node: Node) -> Iterator[Diagnostic]:
    labels = node.get("matchLabels") or {}
    if isinstance(labels.get(ARCH_LABEL), str):
        why = problem(labels[ARCH_LABEL], "the selector matches no site")
        if why is not None:
            yield _finding(node, ("matchLabels", ARCH_LABEL), f"{ARCH_LABEL}: {why}")
    for i, req in enumerate(node.get("matchExpressions") or ()):
        if not isinstance(req, Mapping) or req.get("key") != ARCH_LABEL:
            continue
        effect = "it excludes no site" if req.get("operator") == "NotIn" else "it matches no site"
        for j, value in enumerate(req.get("values") or ()):
            why = problem(str(value), effect)
            if why is not None:
                where = ("matchExpressions", i, "values", j)
                yield _finding(node, where, f"{ARCH_LABEL}: {why}")


def _finding(
    node: Node, steps: tuple[str | int, ...], message: str, key: bool = False
) -> Diagnostic:
    return finding(node.at(*steps, key=key), "R233", "unknown-architecture", message)
