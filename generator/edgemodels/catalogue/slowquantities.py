"""S004 for a quantity the schema's pattern takes but the API server takes a long time to
parse (kubequantity.slow_reading: `1e-30000000`). A pattern cannot say it: the work grows
with the exponent less the digits after the point, so the values of the fields a schema
types as quantities are read here, in the catalogue and the site inventory alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.kubequantity import slow_reading
from edgemodels.yamlio import YamlFile, dotted, locate

Path = tuple[str | int, ...]


def slow_quantities(
    yf: YamlFile, schema: dict[str, Any], patterns: frozenset[str]
) -> list[Diagnostic]:
    """An S004 at each value of a field whose schema has one of `patterns` (the quantity
    patterns) that takes the API server a long time to parse."""
    found = []
    for path, value in _quantities(yf.data, schema, schema, patterns, ()):
        why = slow_reading(value)
        if why is not None:
            line, col = locate(yf.data, path)
            text = f"{dotted(path)}: '{value}' {why}"
            found.append(
                Diagnostic(Location(yf.path, line, col), "S004", text, "error", "invalid-value")
            )
    return found


def _quantities(
    data: object, node: dict[str, Any], root: dict[str, Any], patterns: frozenset[str], at: Path
) -> Iterator[tuple[Path, object]]:
    """(path, value) of each value in `data` that `node` types with a quantity pattern,
    following properties, additionalProperties, items and local `$ref`s."""
    node = _resolved(node, root)
    if node.get("pattern") in patterns:
        yield at, data
    elif isinstance(data, dict):
        properties, extra = node.get("properties", {}), node.get("additionalProperties")
        for key, value in data.items():
            sub = properties.get(key, extra)
            if isinstance(sub, dict):
                yield from _quantities(value, sub, root, patterns, (*at, key))
    elif isinstance(data, list) and isinstance(node.get("items"), dict):
        for number, value in enumerate(data):
            yield from _quantities(value, node["items"], root, patterns, (*at, number))


def _resolved(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target: dict[str, Any] = root["$defs"][ref.removeprefix("#/$defs/")]
        return target
    return node
