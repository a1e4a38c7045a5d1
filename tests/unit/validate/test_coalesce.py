"""coalesce: what lint's values rule logs of each placement's values, worked out here."""

from __future__ import annotations

from pathlib import Path

import helm_python
import pytest

from edgemodels.validate import helmlog
from edgemodels.validate.coalesce import go_format, shape_warnings

CHART = "apiVersion: v2\nname: shapes\nversion: 0.1.0\n"
TEMPLATE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n"
DEFAULTS = """\
env:
  LINE: a
  N: 1000000
  F: 0.5
  B: true
  L: [1, "x", {k: v}]
  Z: null
  S: "a b"
  M: "two\\nlines\\n"
  nums: [0, 1, 80, 123456, 1234567, 1234567.5, 1.5e-5, 0.0001, 0.00012, 1e21,
    12345678901234567890, -3.25, 100000, 9007199254740993, 1e-7, 5e-324, 0x1F, 1_000]
  when: 2026-11-30
  y: yes
  u: "ü"
port: 80
nested:
  inner:
    x: 1
  plain: 3
  f: 1234567.5
  kept: {a: 1}
nul: null
gone: {a: 1}
"""
GIVEN: dict[str, object] = {
    "env": "plain",
    "port": {"a": 1},
    "nested": {"inner": 5, "plain": {"q": 1}, "f": {"a": None}, "kept": {"a": {"b": 1}}},
    "nul": {"a": 1},
    "gone": None,
    "new": {"a": 1},
}


def test_the_lines_are_lints_word_for_word(tmp_path: Path) -> None:
    # Helm's own reading of values.yaml (YAML 1.1: the key N is false, yes is true;
    # numbers are float64) and Go's %v, compared with what its lint logs.
    folder = tmp_path / "shapes"
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text(CHART)
    (folder / "values.yaml").write_text(DEFAULTS)
    (folder / "templates" / "cm.yaml").write_text(TEMPLATE)
    heard: list[str] = []
    helmlog.call(lambda: helm_python.lint(str(folder), GIVEN, namespace="n", quiet=True), heard)
    lints = {line for line in heard if "shapes." not in line}  # its render's are the render's
    with helm_python.Chart.load(str(folder)) as loaded:
        mine = shape_warnings(GIVEN, loaded.values)
    assert len(lints) == 6
    assert sorted(mine) == sorted(lints)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (0, "0"),
        (1000000, "1e+06"),
        (123456, "123456"),
        (1234567.5, "1.2345675e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-3.25, "-3.25"),
        (True, "true"),
        (None, "<nil>"),
        ({"b": [1, "x"], "a": {}}, "map[a:map[] b:[1 x]]"),
    ],
)
def test_values_as_go_prints_them(value: object, said: str) -> None:
    assert go_format(value) == said
