"""The parse memo's JSON form of positioned trees (yamljson.py): what comes
back is the tree the parser built, positions included, or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from edgemodels.yamlio import load_positioned
from edgemodels.yamljson import decode_positioned, encode_positioned
from edgemodels.yamltree import PosMap, PosSeq, parse_text

REPO = Path(__file__).resolve().parents[3]
SOURCES = sorted(
    {
        *REPO.glob("examples/**/*.yaml"),
        *REPO.glob("tests/cases/*/catalogue*/**/*.yaml"),
        *REPO.glob("tests/cases/*/catalogue.yaml"),
    }
)


def same(a: Any, b: Any) -> bool:
    """Equal values, types and every position."""
    if type(a) is not type(b):
        return False
    if isinstance(a, PosMap):
        return (
            (a.pos, a.key_pos, a.value_pos) == (b.pos, b.key_pos, b.value_pos)
            and list(a) == list(b)
            and all(same(a[k], b[k]) for k in a)
        )
    if isinstance(a, PosSeq):
        return (a.pos, a.item_pos) == (b.pos, b.item_pos) and all(map(same, a, b))
    return bool(a == b)


def test_there_are_sources() -> None:
    assert len(SOURCES) >= 8


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_catalogue_file_comes_back_as_parsed(path: Path) -> None:
    parsed, diags = load_positioned(path)
    assert not diags
    raw = encode_positioned(parsed.data)
    assert raw is not None
    assert same(decode_positioned(raw), parsed.data)


def test_scalars_of_every_json_type_and_nesting_come_back() -> None:
    text = "a: 1\nb: 2.5\nc: true\nd: null\ne: [x, {f: [], g: {}}]\n'quoted': ''\n"
    data, _ = parse_text(text, "t.yaml")
    raw = encode_positioned(data)
    assert raw is not None
    back = decode_positioned(raw)
    assert same(back, data)
    assert back.value_pos["e"] == (5, 4) and back["e"][1].key_pos["g"] == (5, 16)


@pytest.mark.parametrize("text", ["x: .inf\n", "x: [1, .nan]\n"])
def test_a_value_json_cannot_carry_exactly_is_not_kept(text: str) -> None:
    data, diags = parse_text(text, "t.yaml")
    assert not diags
    assert encode_positioned(data) is None


def test_dates_and_binary_stay_the_strings_the_loader_keeps() -> None:
    data, _ = parse_text("when: 2024-01-01\nx: !!binary aGk=\n", "t.yaml")
    raw = encode_positioned(data)
    assert raw is not None
    assert same(decode_positioned(raw), data)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b'["m", 1, 1, ["k", 1, 1, 1]]',
        b'["q", 1, 1, []]',
        b'["m", 1, 1, [1, 1, 1, 1, 1, 1]]',
        b'["m",1,1,["k",1,1,1,1,1,"k",1,1,1,1,2]]',
    ],
)
def test_anything_else_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError):
        decode_positioned(raw)
