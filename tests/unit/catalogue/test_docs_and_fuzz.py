"""The field reference stays in sync with the schema; random input only ever gives findings."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgemodels import schemadoc
from edgemodels.catalogue import load
from edgemodels.data import catalogue_schema

from .helpers import BASE

REPO = Path(__file__).resolve().parents[3]


def test_field_reference_is_in_sync() -> None:
    committed = (REPO / "docs" / "catalogue.md").read_text(encoding="utf-8")
    assert committed == schemadoc.render(), (
        "run: python -m edgemodels.schemadoc > docs/catalogue.md"
    )


def _walk(node: Any, path: str) -> list[str]:
    missing = []
    if isinstance(node, dict):
        if "properties" in node:
            for name, child in node["properties"].items():
                if "description" not in child and "$ref" not in child:
                    missing.append(f"{path}.{name}")
                missing += _walk(child, f"{path}.{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                missing += _walk(node[key], f"{path}[]")
    return missing


def test_every_field_has_a_description() -> None:
    schema = catalogue_schema()
    assert _walk(schema, "") + _walk(schema["$defs"], "$defs") == []


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["http", "container", "helm", "In", "", "lrt"]),
)
JSONISH = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
BASE_DATA = yaml.safe_load(BASE)


def _mutate(data: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict) and data:
        key = sorted(data)[head % len(data)]
        return {**data, key: _mutate(data[key], rest, value)}
    if isinstance(data, list) and data:
        i = head % len(data)
        return [*data[:i], _mutate(data[i], rest, value), *data[i + 1 :]]
    return value


def _run(text: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalogue.yaml"
        path.write_text(text, encoding="utf-8")
        result = load(path, base=Path(tmp))
        return [d.code for d in result.diagnostics]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.lists(st.integers(min_value=0, max_value=50), max_size=6), value=JSONISH)
def test_mutated_catalogues_give_findings_not_exceptions(path: list[int], value: Any) -> None:
    text = yaml.safe_dump(_mutate(BASE_DATA, path, value), sort_keys=False)
    codes = _run(text)
    assert all(len(code) == 4 for code in codes)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_random_text_gives_findings_not_exceptions(text: str) -> None:
    _run(text)


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(BASE)), junk=st.text(max_size=5))
def test_truncated_and_spliced_catalogues(cut: int, junk: str) -> None:
    _run(BASE[:cut] + junk + BASE[cut:])
