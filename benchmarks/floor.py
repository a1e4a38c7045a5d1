"""The floor of `generate`: write the same files with PyYAML's C dumper and do nothing else.

`prepare(tree, pickle)` reads a tree that `edgemodels generate` wrote and keeps, per file,
either the YAML documents (to be dumped again) or the raw bytes (Helm templates, JSON,
README). The floor process then only unpickles that and dumps/writes every file:

    python benchmarks/floor.py PICKLE OUT

so `generate / floor` is the cost of everything edgemodels does beyond emitting its output
(loading and checking the catalogue, placing, rendering, hashing, the atomic swap).
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as Dumper
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

Entry = tuple[str, str, Any]  # (relative path, "yaml" | "raw", documents or bytes)


def _yaml_entry(rel: str, raw: bytes) -> Entry:
    text = raw.decode("utf-8")
    banner = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    try:
        docs = [d for d in yaml.load_all(text, Loader=Loader) if d is not None]
    except yaml.YAMLError:
        return rel, "raw", raw
    return rel, "yaml", (banner.splitlines(keepends=True)[:1], docs)


def prepare(tree: Path, out: Path) -> tuple[int, int]:
    """Pickle the tree's content; returns (YAML documents, files)."""
    entries: list[Entry] = []
    documents = 0
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        rel = path.relative_to(tree).as_posix()
        raw = path.read_bytes()
        in_templates = "/templates/" in f"/{rel}"
        if path.suffix in (".yaml", ".yml") and not in_templates:
            entry = _yaml_entry(rel, raw)
            documents += len(entry[2][1]) if entry[1] == "yaml" else 0
            entries.append(entry)
        else:
            entries.append((rel, "raw", raw))
    out.write_bytes(pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
    return documents, len(entries)


def dump(docs: list[Any]) -> str:
    options = {"sort_keys": False, "default_flow_style": False, "width": 4096}
    if len(docs) == 1:
        return yaml.dump(docs[0], Dumper=Dumper, **options)  # type: ignore[call-overload, no-any-return]
    return "".join("---\n" + yaml.dump(d, Dumper=Dumper, **options) for d in docs)


def _write(path: str, data: bytes) -> None:
    # os-level calls: the floor must not pay for io.open's buffering and isatty probes.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def write_all(entries: list[Entry], out: Path) -> None:
    made: set[str] = set()
    root = str(out)
    for rel, kind, payload in entries:
        parent = os.path.dirname(rel)
        if parent not in made:
            os.makedirs(os.path.join(root, parent), exist_ok=True)
            made.add(parent)
        if kind == "raw":
            data = payload
        else:
            banner, docs = payload
            data = ("".join(banner) + dump(docs)).encode()
        _write(os.path.join(root, rel), data)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: floor.py PICKLE OUT", file=sys.stderr)
        return 2
    entries = pickle.loads(Path(argv[0]).read_bytes())
    write_all(entries, Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
