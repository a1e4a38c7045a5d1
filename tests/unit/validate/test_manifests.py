"""Loading YAML with positions: duplicate keys, syntax errors, JSON pointers to line:col."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edgemodels.diagnostics import Location
from edgemodels.display import shown
from edgemodels.errors import InputError
from edgemodels.validate.manifests import (
    Manifest,
    Source,
    Template,
    json_type,
    manifests_of,
    origin_of,
)
from edgemodels.validate.pipeline import load_plain
from edgemodels.validate.pointers import position
from edgemodels.validate.report import template_position
from edgemodels.validate.streamload import holds_no_object, load_stream

TEXT = """\
# banner
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
data:
  k: v
---
---
apiVersion: v1
kind: List
items:
- a: 1
  b: [1, {c: 2}]
"""


def test_documents_keep_their_index_and_first_line() -> None:
    loaded = load_stream("f.yaml", TEXT)
    assert [line for _, line in loaded.documents] == [2, 9, 10]
    assert loaded.documents[1][0] is None  # an empty document keeps its place
    manifests, problems = manifests_of("f.yaml", TEXT)
    assert [m.source.index for m in manifests] == [0, 2] and problems == []


def test_positions_of_pointers() -> None:
    assert position(TEXT, 0, ("data", "k")) == (7, 6)  # a scalar: its value
    assert position(TEXT, 0, ("data", "k"), at_key=True) == (7, 3)
    assert position(TEXT, 0, ("metadata",)) == (4, 1)  # a mapping: its key
    assert position(TEXT, 2, ("items", 0, "b", 1, "c")) == (14, 14)
    assert position(TEXT, 2, ("items", "0", "b")) == (14, 3)  # kubeconform's string indexes
    assert position(TEXT, 0, ("data", "missing")) == (6, 1)  # the deepest node that exists


def test_duplicate_keys_are_found_and_the_last_wins() -> None:
    loaded = load_stream("d.yaml", "a: 1\nb:\n  c: 1\n  c: 2\n")
    assert loaded.documents[0][0] == {"a": 1, "b": {"c": 2}}
    (dup,) = loaded.diagnostics
    assert (dup.code, dup.location) == ("K109", Location("d.yaml", 4, 3))


def test_a_syntax_error_keeps_the_documents_before_it() -> None:
    loaded = load_stream("s.yaml", "a: 1\n---\nb: [\n")
    assert loaded.documents[0][0] == {"a": 1}
    assert [d.code for d in loaded.diagnostics] == ["K108"]
    assert loaded.diagnostics[0].line == 4


def test_a_syntax_error_says_where_the_unclosed_bracket_opened() -> None:
    text = "kind: A\n---\nkind: B\nspec:\n  args: [a, b\n  image: x\n"
    (d,) = load_stream("s.yaml", text).diagnostics
    assert (d.code, d.location.line, d.location.col) == ("K108", 6, 8)
    assert d.message == (
        "YAML does not parse: did not find expected ',' or ']' (the flow sequence started at 5:9)"
    )


def test_a_document_that_is_not_a_mapping() -> None:
    manifests, problems = manifests_of("l.yaml", "- a\n- b\n")
    assert manifests == [] and [(p.code, p.line) for p in problems] == [("K107", 1)]


def test_origin_annotation() -> None:
    def origin(value: str) -> Location | None:
        data = {"metadata": {"annotations": {"edgemodels.io/source": value}}}
        return origin_of(Manifest(data, Source("x")))

    assert origin("catalogue/models.yaml:12") == Location("catalogue/models.yaml", 12, 1)
    assert origin("c.yaml:12:5") == Location("c.yaml", 12, 5)
    assert origin("c.yaml") is None


def test_json_types() -> None:
    assert [json_type(v) for v in (None, True, 1, 1.0, 1.5, "s", [], {})] == [
        "null",
        "boolean",
        "integer",
        "integer",
        "number",
        "string",
        "array",
        "object",
    ]


def test_template_position_follows_the_key_nearest_the_rendered_line() -> None:
    template = "a:\n  replicas: {{ .Values.r }}\nb:\n  replicas: 3\n"
    rendered = "a:\n  replicas: two\nb:\n  replicas: 3\n"
    assert template_position(template, rendered, 2, 13) == (2, 13)
    # A rendered line with no like in the template stays on its own line number.
    assert template_position("x: 1\n", "x: 1\ny: 2\n", 2, 4) == (1, 1)


def test_a_tag_the_value_does_not_fit_is_a_finding() -> None:
    for text in ("a: !!int foo\n", "a: !!float x\n", "a: !!bool maybe\n"):
        (d,) = load_stream("t.yaml", text).diagnostics
        assert (d.code, d.location) == ("K108", Location("t.yaml", 1, 4))
        assert "not a valid" in d.message


def test_a_template_is_read_when_first_needed_and_only_once(tmp_path: Path) -> None:
    file = tmp_path / "deployment.yaml"
    template = Template(str(file), "rendered text")
    file.write_text("first\n", encoding="utf-8")  # after the render: the read is lazy
    assert template.text == "first\n"
    file.write_text("second\n", encoding="utf-8")
    assert template.text == "first\n"
    assert template == Template(str(file), "rendered text")  # the read text is no part of it
    assert Template(str(tmp_path / "gone.yaml"), "rendered text").text == "rendered text"


def test_a_manifest_that_does_not_read_is_named_as_given(tmp_path: Path) -> None:
    """Python's text of the OSError named the file by repr: under an ASCII locale the
    surrogates of `café.yaml` as escapes, which no output turns back into `é`."""
    name = os.fsdecode(b"caf\xc3\xa9.yaml")  # `café.yaml`, in the locale's form of it
    (tmp_path / name).mkdir()
    with pytest.raises(InputError) as caught:
        load_plain(tmp_path, [name])
    assert (
        shown(str(caught.value))
        == f"cannot read {shown(str(tmp_path))}/caf\u00e9.yaml: Is a directory"
    )


@pytest.mark.parametrize(
    ("data", "nothing"),
    [
        (b"", True),
        (b"# Generated by edgemodels. Do not edit.", True),
        (b"# one\n\n  # two\n---\n# three\n...\n--- # four\r\n\t\n", True),
        (b"# banner\napiVersion: v1\n", False),
        (b"---\nnull\n", False),  # a document, if one without an object: not a comment
        (b"---x\n", False),
        (b"--- {}\n", False),
        (b'{"apiVersion": "v1"}', False),
    ],
)
def test_a_file_of_only_comments_holds_no_object(data: bytes, nothing: bool) -> None:
    assert holds_no_object(data) is nothing
