"""Write the catalogue field reference (docs/catalogue.md) from the schema's descriptions.

Run `python -m edgemodels.schemadoc > docs/catalogue.md`; a test keeps the file in sync.
`edgemodels init` writes the same reference to a new repository's `schemas/catalogue.md`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from edgemodels.data import catalogue_schema

HEADER = """\
# Catalogue field reference

Generated from `schemas/catalogue.schema.json` by `python -m edgemodels.schemadoc`; do not edit.
Every field of a `ModelCatalogue` (apiVersion `edgemodels.io/v1alpha1`). Editors that speak
yaml-language-server complete and check these fields when a catalogue file starts with
`# yaml-language-server: $schema=<path or URL of catalogue.schema.json>`.

| field | type | default | description |
| --- | --- | --- | --- |
"""


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _type(node: dict[str, Any]) -> str:
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type", "")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if kind == "array":
        return "list"
    if kind == "object" and "properties" not in node:
        return "map"
    return str(kind)


def _rows(node: dict[str, Any], path: str, defs: dict[str, Any]) -> Iterator[str]:
    node = _resolve(node, defs)
    if path:
        default = f"`{json.dumps(node['default'])}`" if "default" in node else ""
        required = " (required)" if node.get("_required") else ""
        desc = str(node.get("description", "")).replace("|", "\\|")
        yield f"| `{path}` | {_type(node)} | {default} | {desc}{required} |\n"
    props = node.get("properties", {})
    for name, child in props.items():
        marked = {**child, "_required": name in node.get("required", [])}
        yield from _rows(marked, f"{path}.{name}" if path else name, defs)
    items = node.get("items")
    if isinstance(items, dict):
        yield from _rows(items, f"{path}[]", defs)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and ("properties" in _resolve(extra, defs)):
        yield from _rows(extra, f"{path}.<name>", defs)


def render() -> str:
    schema = catalogue_schema()
    return HEADER + "".join(_rows(schema, "", schema["$defs"]))


if __name__ == "__main__":
    sys.stdout.write(render())
