"""Broken and hostile YAML gets a finding with a location, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels import yamlio, yamltree

from .helpers import BASE, findings, messages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [b\n", [(2, 1, "Y001")]),
        ("spec:\n\t models: []\n", [(2, 1, "Y012")]),
        ("a: 1\nb: 2\na: 3\n", [(3, 1, "Y002")]),
        ("1: one\n", [(1, 1, "Y003")]),
        ("a: 1\n---\nb: 2\n", [(2, 1, "Y006")]),
        ("", [(1, 1, "Y005")]),
        ("# only a comment\n", [(1, 1, "Y005")]),
        ("- a\n- b\n", [(1, 1, "Y010")]),
        ("a: &x [*x]\n", [(1, 4, "Y007")]),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", [(3, 3, "Y013")]),
    ],
)
def test_broken_yaml(tmp_path: Path, text: str, expected: list[tuple[int, int, str]]) -> None:
    assert findings(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # the problem is found a line below the unclosed `[`: say where it opened
            "spec:\n  models:\n    - name: a\n      targets: [all-sites\n    - name: b\n",
            (
                5,
                11,
                "the list opened with '[' at 4:16 is not closed: expected ',' or ']' here",
            ),
        ),
        (
            "a: {x: 1\nb: 2\n",
            (2, 2, "the mapping opened with '{' at 1:4 is not closed: expected ',' or '}' here"),
        ),
        (
            "a: {b: [c}\n",
            (1, 10, "the list opened with '[' at 1:8 is not closed: expected ',' or ']' here"),
        ),
        ("a: 'foo\nb: 2\n", (3, 1, "the quote opened at 1:4 is never closed")),
        (  # `!paint` meant "not paint": PyYAML's "could not determine a constructor"
            "matchLabels:\n  line: !paint\n",
            (2, 9, "a value starting with '!' is a YAML tag, not text: put the value in quotes"),
        ),
        (  # in a flow mapping, libyaml's "did not find expected whitespace or line break"
            "matchLabels: {env: edge, line: !paint}\n",
            (1, 32, "a value starting with '!' is a YAML tag, not text: put the value in quotes"),
        ),
        (  # libyaml: "could not find expected ':'" at the next line's start
            "models:\n  - name: a\n    version:1.0.0\n    wrapper: http\n",
            (
                3,
                13,
                "no space after 'version:', so YAML reads the line as text, not a key: "
                "write 'version: 1.0.0'",
            ),
        ),
        (
            "spec:\n  models:\n    - name:a\n      version: 1.0.0\n",
            (
                3,
                12,
                "no space after 'name:', so YAML reads the line as text, not a key: "
                "write 'name: a'",
            ),
        ),
        (  # libyaml: "did not find expected '-' indicator", with a comment after the item
            "spec:\n  models:\n    - name:a # the first\n      version: 1.0.0\n",
            (
                3,
                12,
                "no space after 'name:', so YAML reads the line as text, not a key: "
                "write 'name: a'",
            ),
        ),
    ],
)
def test_a_syntax_error_says_where_the_construct_started(
    text: str, expected: tuple[int, int, str]
) -> None:
    _, diags = yamltree.parse_text(text, "x.yaml")
    line, col, message = expected
    assert [(d.line, d.col, d.code, d.message) for d in diags] == [(line, col, "Y001", message)]


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    got = findings(tmp_path, "\n".join(lines) + "\n")
    assert [code for _, _, code in got] == ["Y007"]


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    text = "a: " + "[" * 200 + "]" * 200 + "\n"
    assert [c for _, _, c in findings(tmp_path, text)] == ["Y009"]


def test_not_utf8_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    _, diags = yamlio.load_positioned(path, "catalogue.yaml")
    assert [(d.line, d.col, d.code) for d in diags] == [(2, 7, "Y004")]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (b"a: 1\nb: caf\xe9\n", "2:7: Y004 file is not valid UTF-8: save it as UTF-8"),
        (  # Notepad's "Unicode"
            "a: 1\n".encode("utf-16"),
            "1:1: Y004 file is UTF-16 (it starts with UTF-16's byte order mark), not UTF-8: "
            "save it as UTF-8",
        ),
    ],
)
def test_not_utf8_says_what_to_do(tmp_path: Path, raw: bytes, said: str) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(raw)
    _, diags = yamlio.load_positioned(path, "catalogue.yaml")
    assert [d.render() for d in diags] == [f"catalogue.yaml:{said}"]


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_FILE_BYTES", 100)
    assert findings(tmp_path, BASE) == [(1, 1, "Y008")]


def test_a_file_that_cannot_be_read_is_a_finding(tmp_path: Path) -> None:
    missing, folder = tmp_path / "gone.yaml", tmp_path / "folder.yaml"
    folder.mkdir()
    for path, why in ((missing, "No such file or directory"), (folder, "Is a directory")):
        text, diags = yamlio.read_text(path, path.name)
        assert text is None
        assert [(d.code, d.message) for d in diags] == [("Y011", f"cannot read: {why}")]


def test_a_file_is_read_whole_with_its_bom_dropped(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    body = "a: 1\n" + "b: " + "x" * 70_000 + "\n"  # more than one read of a pipe's size
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    assert yamlio.read_text(path, "catalogue.yaml") == (body, [])


def test_positions_of_keys_and_values() -> None:
    data, diags = yamltree.parse_text("a:\n  b: [1, {c: d}]\n", "x")
    assert diags == []
    assert yamlio.locate(data, ("a", "b", 1, "c")) == (2, 14)
    assert yamlio.locate(data, ("a", "b", 1, "c"), key=True) == (2, 11)
    assert yamlio.locate(data, ("a", "b", 0)) == (2, 7)
    assert yamlio.locate(data, ("a", "missing")) == (2, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a key pushed in under the one above: libyaml said "mapping values are not allowed"
            # at the key's ':'; the finding stands where the line starts, as the others here
            "spec:\n  models:\n    - name: a\n        version: 1.0.0\n",
            (
                4,
                9,
                "this line is indented deeper than line 3, so YAML reads it as the rest of "
                "that line's value: indent it as far as the key on line 3",
            ),
        ),
        (  # an item of a block list pulled back one column: "did not find expected key"
            "spec:\n  models:\n    - name: a\n      targets:\n        - lrt\n       - paint\n",
            (
                6,
                8,
                "this list item is indented less than the item on line 5 above it: start its "
                "'- ' at column 9, as that one's",
            ),
        ),
        (  # an item pulled back past the key of the list above: an item of the outer list
            "models:\n   - name: a\n     targets:\n       - lrt\n  - name: b\n",
            (
                5,
                3,
                "this list item is indented less than the item on line 2 above it: start its "
                "'- ' at column 4, as that one's",
            ),
        ),
        (  # a key of a list item pulled back to the dash: "did not find expected '-' indicator"
            "spec:\n  models:\n    - name: a\n      version: 1.0.0\n    wrapper: http\n",
            (
                5,
                5,
                "this line is not indented like the items of the list above it (the list "
                "starts at 3:5): indent it as far as the first key after its item's '- ', "
                "or start a new item with '- '",
            ),
        ),
        (
            "spec:\n  git:\n    url: x\n   branch: main\n",
            (
                4,
                4,
                "this line's indentation lines up with no key above it: indent it exactly as "
                "far as the other keys of the mapping it belongs to",
            ),
        ),
        (
            "spec:\n  git:\n    branch:main\n    url: x\n",
            (  # at the line without the space (was 4:8, the ':' of url), with its value
                3,
                12,
                "no space after 'branch:', so YAML reads the line as text, not a key: "
                "write 'branch: main'",
            ),
        ),
        (
            "metadata:\n  description: models: all of them\n",
            (
                2,
                22,
                "a second ': ' on this line: a value that contains ': ' must be in quotes, "
                "or a key belongs on a line of its own",
            ),
        ),
        ("a: @team\n", (1, 4, "a value cannot start with '@': put the value in quotes")),
    ],
)
def test_indentation_and_quoting_mistakes_are_explained(
    text: str, expected: tuple[int, int, str]
) -> None:
    _, diags = yamltree.parse_text(text, "x.yaml")
    line, col, message = expected
    assert [(d.line, d.col, d.code, d.message) for d in diags] == [(line, col, "Y001", message)]


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("a: 1\n\ufeffb: 2\n", (2, 1)),
        ("spec:\n  git:\ufeff\n    url: x\n", (2, 7)),
    ],
)
def test_a_byte_order_mark_in_the_middle_is_named(text: str, at: tuple[int, int]) -> None:
    """libyaml reads a pasted U+FEFF as a character before the key and complains about the
    indentation; the finding says what is there, at its position."""
    _, diags = yamltree.parse_text(text, "x.yaml")
    assert [(d.line, d.col, d.code, d.message) for d in diags] == [
        (
            *at,
            "Y001",
            "a stray byte-order mark (U+FEFF, invisible in most editors) here: "
            "remove it; YAML allows one only at the very start of a file",
        )
    ]


def test_a_byte_order_mark_away_from_the_error_is_not_blamed() -> None:
    _, diags = yamltree.parse_text('a: "x\ufeff"\nb: 1\nc:\n  d: 1\n   e: 2\n', "x.yaml")
    assert [(d.line, d.col) for d in diags] == [
        (5, 4)
    ]  # the line indented too deep, at its first character
    assert "byte-order" not in diags[0].message


@pytest.mark.parametrize(
    "raw",
    [
        b"a: 1\n",
        b"\xef\xbb\xbfa: 1\n",  # a byte order mark
        b"a: 1\nb: \xff\n",  # not UTF-8
        b"",
        b"a: [b\n",
        b"a: " + b"x" * 64 + b"\n",  # over the limit set below
    ],
)
def test_bytes_load_as_the_file_holding_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: bytes
) -> None:
    """A file at a git revision is parsed from its bytes (plan/atrevision.py), as it would
    be read from disk: the same text, tree and findings."""
    monkeypatch.setattr(yamlio, "MAX_FILE_BYTES", 32)
    path = tmp_path / "m.yaml"
    path.write_bytes(raw)
    assert yamlio.load_bytes(raw, "m.yaml") == yamlio.load_positioned(path, "m.yaml")


@pytest.mark.parametrize(
    "tail",
    ["---\n", "---\n# the old version, kept for now\n", "---\n...\n", "--- # end\n\n"],
)
def test_a_trailing_separator_is_an_empty_second_document_to_delete(
    tmp_path: Path, tail: str
) -> None:
    """A file ending in `---` (as kubectl's multi-document files do) holds one document
    to its author: "more than one YAML document; use one file per document" did not say
    which second one, nor that deleting the `---` is the whole fix."""
    (found,) = messages(tmp_path, BASE + tail)
    line = BASE.count("\n") + 1
    assert found == (
        f"catalogue.yaml:{line}:1: Y006 this '---' starts a second YAML document, an empty "
        "one: delete it (a file holds one document)"
    )


def test_a_second_document_with_content_is_still_one_file_too_many(tmp_path: Path) -> None:
    (found,) = messages(tmp_path, BASE + "---\n" + BASE)
    line = BASE.count("\n") + 1
    assert found == (
        f"catalogue.yaml:{line}:1: Y006 more than one YAML document; use one file per document"
    )
