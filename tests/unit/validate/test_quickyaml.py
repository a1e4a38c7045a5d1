"""yaml-rs's reading (quickyaml.py) is taken only where it is PyYAML's reading.

The property: whenever `documents` answers, PyYAML's own path (`load_stream(fast=False)`)
gives the same documents (types, key order and first lines included) and no finding. The
streams are generated from the scalars on which YAML 1.1 and 1.2 disagree, put in every
place a scalar can stand (values, keys, sequence items, flow collections, block scalars,
quoted strings, comments, multi-line plain scalars), and from real manifests with one line
changed. The guard must also let ordinary Kubernetes output through, or the fast path
would be dead code: the last tests pin that.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgemodels.validate.quickyaml import documents
from edgemodels.validate.streamload import MAX_DEPTH, load_stream

# Plain scalars read differently by the two YAML versions (or close to such), and some
# that only look like them.
DIFFERING = [
    "yes", "No", "ON", "off", "0777", "-0777", "08", "0o17", "0O17", "0X1F", "0B1", "-0x1F",
    "-0b1", "_0x1f", "1inf", "1e5", "12e34",
    "1_000", "_1", "1:30", "-1:30", "190:20:30.15", "1e3", "1E3", "1e+3", "1.0e3", "1e-0",
    "0e0", "1e400", "-.5", "+.5", ".iNf", ".NaN", "2001-12-14", "2001-12-14 21:59:43.10 -5",
    "=", "<<",
]  # fmt: skip
ALIKE = [
    "a", "y", "n", "true", "False", "null", "~", "0", "-1", "+7", "8080", "0.5", "1.", ".5",
    "0x1f", "500m", "1.5Gi", "25%", "1.2.3", "10.0.0.1", "4.3.3-6b01be48f8b8", "v1",
    "apps/v1", "a b", "3 replicas", "x:y", "http://x/y?p=1", "sha256:35fa1f", "-", "--x",
    "3a5f0c9d", "0fab12", "12ab34e5", "1d", "9f", "0x1g", "2Ti", "1Ei", "1.5Ti",
    "0b6d2652-6618-6e55-b63c-d31663210120", "12345678-1234-1234-1234-123456789012",
]  # fmt: skip
QUOTED = ["'yes'", '"0777"', "'1:30'", '"a\\"b"', "'it''s'", '"x: |"', "''", '"\\t"',
          '"{\\"a\\":{\\"b\\":[1]}}"', "'x:[y]'"]  # fmt: skip
TOKENS = DIFFERING + ALIKE + QUOTED
KEYS = st.sampled_from([
    "a", "name", "yes", "on", "1", "0777", "true", "null", "~", "'q'", '"d"', "1.5", "x y",
    "[a, b]", "{a: b}", "? a", "'yes'", '"1"', "a b c", "-a", "a:b",
])  # fmt: skip
SCALARS = st.sampled_from(TOKENS)


def _block_scalar(draw: st.DrawFn, scalars: st.SearchStrategy[str]) -> list[str]:
    """A block scalar header and its lines: tokens, and lines that look like YAML."""
    header = draw(st.sampled_from(["|", ">", "|-", ">+", "|2", "|  # note"]))
    lines = draw(
        st.lists(
            st.tuples(
                st.integers(0, 4),  # extra indentation
                st.one_of(
                    scalars, st.sampled_from([*TOKENS, "k: yes", "- 0777", "x: |", "", "#c", "'o"])
                ),
            ),
            max_size=4,
        )
    )
    return [header] + [f"{' ' * extra}{text}" for extra, text in lines]


@st.composite
def _node(
    draw: st.DrawFn, scalars: st.SearchStrategy[str], keys: st.SearchStrategy[str], depth: int = 0
) -> list[str]:
    """Lines of one node, relative to column 0; the first line continues its parent's."""
    kinds = ["scalar", "block", "flow", "map", "seq"] if depth < 3 else ["scalar"]
    kind = draw(st.sampled_from(kinds))
    if kind == "scalar":
        first = draw(scalars)
        if draw(st.booleans()) and first[:1] not in "'\"":
            return [first, draw(scalars)]  # a second line
        return [first]
    if kind == "block":
        return _block_scalar(draw, scalars)
    if kind == "flow":
        items = draw(st.lists(scalars, max_size=3))
        return [draw(st.sampled_from(["[{}]", "{{k: {}}}"])).format(", ".join(items))]
    lines: list[str] = [""]
    for _ in range(draw(st.integers(1, 3))):
        child = draw(_node(scalars, keys, depth + 1))
        lead = f"{draw(keys)}:" if kind == "map" else "-"
        if child and len(child) == 1:
            lines.append(f"{lead} {child[0]}")
        else:
            lines.append(f"{lead} {child[0]}" if child[0] else lead)
            lines.extend(f"  {line}" for line in child[1:])
    return lines


@st.composite
def streams(
    draw: st.DrawFn, scalars: st.SearchStrategy[str] = SCALARS, keys: st.SearchStrategy[str] = KEYS
) -> str:
    docs = [draw(_node(scalars, keys)) for _ in range(draw(st.integers(1, 3)))]
    parts = []
    for index, lines in enumerate(docs):
        marker = draw(st.sampled_from(["---", "--- # c", "", "# lead"])) if index == 0 else "---"
        body = [line for line in lines if line != ""] or [""]
        parts.append("\n".join(([marker] if marker else []) + body))
    text = "\n".join(parts) + draw(st.sampled_from(["\n", "", "\n...\n", "\n\n# end\n"]))
    if draw(st.integers(0, 9)) == 0:
        text = text.replace("\n", "\r\n")
    return text


def _agrees(text: str) -> bool:
    """Assert the property; True when the fast path answered."""
    quick = documents(text, MAX_DEPTH)
    if quick is None:
        return False
    slow = load_stream("f.yaml", text, fast=False)
    assert slow.diagnostics == (), text
    assert repr(quick) == repr(slow.documents), text
    return True


@settings(max_examples=1500, deadline=None)
@given(streams())
def test_generated_streams_are_read_alike_or_left_to_pyyaml(text: str) -> None:
    _agrees(text)


# Mostly what Kubernetes output holds, so that most streams take the fast path and the
# property is tried on them (the streams above mostly go to PyYAML).
PLAIN_SCALARS = st.sampled_from(ALIKE + QUOTED)
PLAIN_KEYS = st.sampled_from(["a", "name", "x y", "'q'", '"d"', "app.io/v", "a-b"])


@settings(max_examples=1500, deadline=None)
@given(streams(PLAIN_SCALARS, PLAIN_KEYS))
def test_generated_ordinary_streams_are_read_alike(text: str) -> None:
    _agrees(text)


DEPLOYMENT = """\
---
# Source: model/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: m1-server
  namespace: edge-models
  labels:
    app.kubernetes.io/name: m1
    app.kubernetes.io/version: "1.4.0"
  annotations:
    edgemodels.io/source: "catalogue/m1.yaml#models/m1"
    checksum/config: 3a5f0c9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f
spec:
  replicas: 2
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  selector:
    matchLabels: {app: m1}
  template:
    metadata:
      labels:
        app: m1
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
      containers:
        - name: server
          image: registry.example.com/m1:4.3.3@sha256:35fa1fcb6e31f6bc3
          args: ["--port", "8080", --verbose]
          command:
            - /bin/sh
            - -c
            - |
              set -eu
              trap 'exit 143' TERM INT
              if [ "$MODE" = on ]; then echo yes; fi
              sleep 1e3 <<EOF
              0777: no
              EOF
          env:
            - name: MODEL_VERSION_DIR
              value: 4.3.3-6b01be48f8b8
            - name: RATIO
              value: "0.5"
          ports:
            - containerPort: 8080
              protocol: TCP
          resources:
            requests: {cpu: 500m, memory: 256Mi}
            limits:
              cpu: 1
              memory: 1.5Gi
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}
            periodSeconds: 10
            timeoutSeconds: 0.5
---
apiVersion: v1
kind: Service
metadata:
  name: m1
spec:
  ports:
    - port: 80
      targetPort: 8080
"""


def test_a_hub_export_s_tokens_take_the_fast_path() -> None:
    # A ManagedCluster's storage label, its UUIDs (some start like a binary number: 0b...) and its
    # infrastructure claim, a JSON document in a quoted string.
    assert _agrees("storage: 2Ti\nuid: 0b6d2652-6618-6e55-b63c-d31663210120\n")
    assert _agrees('- value: "{\\"infra\\":{\\"type\\":\\"BareMetal\\"},\\"a\\":[1]}"\n')
    assert _agrees('- value: \'{"infra":[{"type":1}]}\'\n')
    assert not _agrees('- value: x "{\\"infra\\": [1,\n  2]}"\n')


def test_ordinary_kubernetes_output_takes_the_fast_path() -> None:
    # A script in a block scalar is text: its `on`, `yes`, `1e3`, `0777` and `<<` are
    # never resolved, so they must not send the stream to PyYAML.
    assert _agrees(DEPLOYMENT)
    assert _agrees("")
    assert _agrees("# only a comment\n")


@pytest.mark.parametrize("token", DIFFERING)
@pytest.mark.parametrize(
    "shape",
    [
        "a: {}\n",
        "- {}\n",
        "a: [x, {}]\n",
        "{}: a\n",
        "a:\n  b: c\n  {}: d\n",
        "a: b\n  {}\n",  # the second line of a plain scalar
        "s: |\n  x\nb: {}\n",  # after a block scalar
        '{{"k":{}}}\n',
    ],
)
def test_every_differing_scalar_goes_to_pyyaml(shape: str, token: str) -> None:
    text = shape.format(token)
    assert documents(text, MAX_DEPTH) is None, text


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases: PyYAML's limit checks
        "a: !!str 1\n",  # tags
        "%YAML 1.1\n---\na: 1\n",  # directives
        "? a\n: 1\n",  # complex keys
        "[a, b]: c\n",  # a flow collection as a key (PyYAML: unhashable)
        "x:\n  {a: b}: c\n",
        "1: a\n'1': b\n",  # K109 on PyYAML's side (same key text)
        "a: 1\na: 2\n",  # a duplicate: yaml-rs refuses it, PyYAML says where
        "a: x\u2028b: y\n",  # a YAML 1.1 line break
        "a: \ufeffx\n",
        "a: 1\n...\n",
        "a: 1\rb: 2\n",
        "a:\tyes\n",
        "a: |\n  x\n\t\n",  # a tab in a block scalar's indentation
        "a: |\n  \t\n      x\n",
        "a: 'one\n  two'\nb: x\n",  # a quoted scalar over lines
        "a: b: c\n",  # an error
        "a: [:x]\n",  # plain scalars YAML 1.1 refuses in flow collections, yaml-rs takes
        "a: {b: |x}\n",
        "a: [x, >]\n",
        "a: [x:]\n",
        "a: {k:?x}\n",
        'a: {"k":|x}\n',
        "a: {b: 1,| c: 2}\n",
        "a: [|-]\n",
        "a: {b\n|\n  c :}\n",  # `|` alone on a line inside a flow collection
        "a: {\n  k: >\n      1}\n",  # a flow collection over lines
        'a: [[x, "]"]\n  , y]\n',
    ],
)
def test_what_needs_pyyaml_goes_to_pyyaml(text: str) -> None:
    assert documents(text, MAX_DEPTH) is None, text


def test_a_block_header_inside_a_quoted_scalar_skips_nothing() -> None:
    # The `bar: |` line is inside the quotes: the lines after it are not a block scalar,
    # and `b: yes` is a boolean to PyYAML.
    text = 'x:\n      a: "foo\n  bar: |\n    baz"\n      b: yes\n'
    assert documents(text, MAX_DEPTH) is None


def _nested(levels: int, style: str) -> str:
    if style == "block":
        return "".join(f"{' ' * i}k{i}:\n" for i in range(levels)) + f"{' ' * levels}v\n"
    if style == "compact":
        return "- " * levels + "v\n"
    return "a: " + "[" * levels + "]" * levels + "\n"


@pytest.mark.parametrize("style", ["block", "compact", "flow"])
def test_nothing_deeper_than_the_limit_is_read_fast(style: str) -> None:
    for levels in range(MAX_DEPTH - 3, MAX_DEPTH + 4):
        text = _nested(levels, style)
        quick = documents(text, MAX_DEPTH)
        slow = load_stream("f.yaml", text, fast=False)
        if quick is not None:
            assert slow.diagnostics == () and repr(quick) == repr(slow.documents), levels
    assert documents(_nested(MAX_DEPTH + 1, style), MAX_DEPTH) is None
    assert documents(_nested(5, style), MAX_DEPTH) is not None


@settings(max_examples=600, deadline=None)
@given(
    st.integers(0, DEPLOYMENT.count("\n") - 1),
    st.sampled_from([*TOKENS, "|", ">-", "  ", "\t", "'", '"', "#", "{", "]", ": ", "- "]),
    st.sampled_from(["replace", "append", "indent", "dedent"]),
)
def test_real_manifests_changed_in_one_line(line: int, token: str, how: str) -> None:
    lines = DEPLOYMENT.split("\n")
    text = lines[line]
    stripped = text.lstrip()
    indent = text[: len(text) - len(stripped)]
    if how == "replace" and ": " in text:
        text = text.split(": ", 1)[0] + ": " + token
    elif how == "append":
        text += token
    elif how == "indent":
        text = "  " + text
    else:
        text = indent[2:] + stripped
    lines[line] = text
    _agrees("\n".join(lines))
