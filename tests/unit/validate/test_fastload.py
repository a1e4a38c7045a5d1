"""The fast document build (fastload.py) gives exactly what PyYAML's constructor gives.

`load_stream(fast=False)` builds every document with PyYAML's SafeConstructor (plus the
limit checks); the default takes the fast path where it can. Both must agree on data
(types included: `1`, `1.0` and `True` are equal in Python but not in a manifest), on
duplicate keys and on refusals (and, for the tags, with PyYAML's own loader), for generated YAML full of the scalars YAML 1.1 types
on its own and for the constructs the fast path hands back.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode

from edgemodels.validate.streamload import MAX_DEPTH, Loaded, _StrictLoader, load_stream

# Plain scalars that resolve to each core type, and some that only look like one.
TOKENS = [
    "a", "name", "y", "n", "yes", "No", "on", "OFF", "true", "False", "~", "null", "Null",
    "0", "-1", "+7", "0x1F", "0o17", "017", "1_000", "190:20:30", "1e3", "1.5", "-.inf",
    ".NaN", "6.8523015e+5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "=", "<<",
    "'quoted'", '"dq"', "'1'", '"yes"', "!!str 1", "!!int '3'", "!custom x", "", "-",
    "a b", "http://x/y?p=1", "v1", "apps/v1", "100m", "256Mi",
]  # fmt: skip
KEYS = st.sampled_from([t for t in TOKENS if t not in ("", "-")])
SCALARS = st.sampled_from(TOKENS)


def _block(node: object, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(node, list):
        if not node:
            return [f"{pad}[]"]
        lines: list[str] = []
        for item in node:
            inner = _block(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        return lines
    if isinstance(node, tuple):  # a mapping: (key, value) pairs, duplicates allowed
        if not node:
            return [f"{pad}{{}}"]
        lines = []
        for key, value in node:
            if isinstance(value, str):
                lines.append(f"{pad}{key}: {value}".rstrip())
            else:
                lines.append(f"{pad}{key}:")
                lines.extend(_block(value, indent + 2))
        return lines
    return [f"{pad}{node}"]


trees = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(st.tuples(KEYS, inner), max_size=4).map(tuple),
        st.sampled_from(["[a, 1, {b: yes}]", "{x: 1, x: 2}", "&anchor v", "*anchor"]),
    ),
    max_leaves=12,
)


def _same(text: str) -> None:
    fast, slow = load_stream("f.yaml", text), load_stream("f.yaml", text, fast=False)
    assert repr(fast.documents) == repr(slow.documents), text
    assert sorted(map(repr, fast.diagnostics)) == sorted(map(repr, slow.diagnostics)), text
    try:  # and the resolver both share tags every node as PyYAML's own loader does
        expected = _tags(yaml.compose_all(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return
    assert _tags(yaml.compose_all(text, Loader=_StrictLoader)) == expected, text


def _tags(nodes: Iterable[Node | None]) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    pending = [n for n in nodes if n is not None]
    seen: set[int] = set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue  # an alias: its node was walked once
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            found.append((node.tag, node.value))
            continue
        found.append((node.tag, len(node.value)))
        pending += (
            [n for pair in node.value for n in pair]
            if isinstance(node, MappingNode)
            else node.value
        )
    return found


@settings(max_examples=800, deadline=None)
@given(st.lists(trees, min_size=1, max_size=3))
def test_fast_build_equals_pyyaml_on_generated_streams(documents: list[object]) -> None:
    _same("\n---\n".join("\n".join(_block(doc, 0)) for doc in documents) + "\n")


def test_hand_written_cases_agree() -> None:
    cases = [
        "a: 1\na: 2\nb:\n  c: x\n  c: y\n",  # duplicates, nested too
        "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n",  # merge key
        "? [a, b]\n: complex key\n",  # refused by PyYAML: unhashable key
        "!!set {a, b}\n",
        "d: 2001-12-14\nbin: !!binary aGVsbG8=\n",
        "x: !custom 1\n",  # PyYAML refuses an unknown tag
        "a: !!int foo\nb: !!bool maybe\n",  # a tag the value does not fit: K108, no crash
        "on: 1\n1: a\n~: b\n1.5: c\n",  # keys of every core type
        "a: &x [1, 2]\nb: *x\n",
        "",
        "---\n---\na: 1\n",
    ]
    for text in cases:
        _same(text)


def _nested(levels: int) -> str:
    return "".join(f"{' ' * 2 * i}k{i}:\n" for i in range(levels)) + f"{' ' * 2 * levels}v\n"


def test_depth_limit_is_the_same_on_both_sides_of_it() -> None:
    # `levels` nested mappings with a string at the bottom: a height of `levels`.
    for levels in (MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1):
        _same(_nested(levels))
    deep: Loaded = load_stream("f.yaml", _nested(MAX_DEPTH + 1))
    assert [d.code for d in deep.diagnostics] == ["K108"]
    assert load_stream("f.yaml", _nested(MAX_DEPTH)).diagnostics == ()


def test_aliases_still_meet_the_limit_checks() -> None:
    bomb = "b0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"b{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 7)
    )
    for text in (bomb, "a: &x [*x]\n"):  # 9**7 nodes once expanded; a list inside itself
        _same(text)
        assert [d.code for d in load_stream("f.yaml", text).diagnostics] == ["K108"]
