"""`edgemodels.io/source` names a catalogue entry; its line is found only for a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.origins import parse_source, resolve_origins

CATALOGUE = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
metadata:
  name: plant
spec:
  targets:
    edge: {matchLabels: {tier: edge}}
  models:
    - name: other
      version: 1.0.0
    - name: api
      version: 1.0.0
"""


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        ("models/api", ("c.yaml", 11, 7)),
        ("targets/edge", ("c.yaml", 7, 5)),
        ("metadata", ("c.yaml", 4, 9)),
        ("models/gone", ("c.yaml#models/gone", 0, 0)),  # named, without a line
    ],
)
def test_an_entry_is_located_in_the_catalogue_file_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str, where: tuple[str, int, int]
) -> None:
    (tmp_path / "c.yaml").write_text(CATALOGUE)
    monkeypatch.chdir(tmp_path)
    origin = parse_source(f"c.yaml#{entry}")
    assert origin == Location(f"c.yaml#{entry}")
    (found,) = resolve_origins(
        [Diagnostic(Location("out/x.yaml", 3, 1), "P120", "m", origin=origin)]
    )
    assert found.origin == Location(*where)


def test_a_tree_written_before_keeps_its_line() -> None:
    assert parse_source("lrt/catalogue.yaml:26") == Location("lrt/catalogue.yaml", 26, 1)
    assert parse_source("not a source") is None
