"""The canonical dumper: its fast layout gives exactly PyYAML's bytes."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from edgemodels.yamldump import dump_yaml, pyyaml_dump

TRICKY = [
    "",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "true",
    "1",
    "1.0",
    "0o17",
    "0x1F",
    "1e3",
    "-",
    "- a",
    ":",
    "a: b",
    "a #b",
    "#x",
    "@x",
    "`x",
    "'q'",
    '"q"',
    "x'y",
    " lead",
    "trail ",
    "é",
    "☃",
    "a\tb",
    "a\rb",
    "a\nb",
    "a\n",
    "\n",
    "x" * 130,
    "*ref",
    "&anchor",
    "!tag",
    "%x",
    "{a}",
    "[a]",
    " lead\nx\n",
    "a\n\n\n",
    "trail \nx\n",
    "x\n\ny",
    "\n\nx",
    "set -eu\nif [ x ]; then\n  echo 'a: b' # c\nfi\n",
    "tab\tin\nblock\n",
    "? a",
    "2024-01-01",
    "=",
    "<<",
    "sha256:abc",
    "quay.io/x:1.0@sha256:aa",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.sampled_from(TRICKY),
    st.text(max_size=20),
)
keys = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=600, deadline=None)
@given(documents)
def test_fast_layout_equals_pyyaml(data: Any) -> None:
    assert dump_yaml(data) == pyyaml_dump(data)


def test_manifest_shapes_take_the_fast_path_and_match() -> None:
    doc = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "labels": {"a": "1"}, "annotations": {}},
        "data": {"empty": "", "list": [], "nested": [{"k": [{"deep": True}]}, {}, None]},
    }
    assert dump_yaml(doc) == pyyaml_dump(doc)
    assert dump_yaml(doc).splitlines()[9:12] == ["  list: []", "  nested:", "  - k:"]


def test_shared_objects_are_written_out_not_aliased() -> None:
    shared = {"a": 1}
    text = dump_yaml({"x": shared, "y": shared, "z": [[1, 2], shared]})
    assert "&" not in text and "*" not in text
    assert text == pyyaml_dump({"x": shared, "y": shared, "z": [[1, 2], shared]})


def test_multi_line_text_is_a_literal_block() -> None:
    assert dump_yaml({"script": "set -eu\necho hi\n"}) == "script: |\n  set -eu\n  echo hi\n"


PLAIN_TRICKY = ["y", "Y", "yes", "YES", "No", "oN", "Off", "TRUE", "False", "nULL", "Null"]
plain_shaped = st.one_of(
    st.sampled_from(PLAIN_TRICKY),
    st.from_regex(r"[A-Za-z][A-Za-z0-9._/-]{0,24}", fullmatch=True),
)


@settings(max_examples=1500, deadline=None)
@given(plain_shaped)
def test_strings_written_plain_without_pyyaml_are_those_pyyaml_writes_plain(text: str) -> None:
    """Names and paths skip PyYAML (the fast plain check); as keys and values they must
    still come out as PyYAML writes them, quoted where a resolver reads them otherwise."""
    for doc in ({"k": text}, {text: 1}, [text]):
        assert dump_yaml(doc) == pyyaml_dump(doc)
