"""`edgemodels.io/source` names a catalogue entry; its line is found only for a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.origins import in_overrides, parse_source, resolve_origins

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
      overrides:
        edge: {replicas: 2}
"""


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        ("models/api", ("c.yaml", 11, 7)),
        ("targets/edge", ("c.yaml", 7, 5)),
        ("metadata", ("c.yaml", 4, 9)),
        ("models/gone", ("c.yaml#models/gone", 0, 0)),  # named, without a line
        ("models/api/overrides/edge", ("c.yaml", 14, 9)),  # at the target's key
        ("models/api/overrides/core", ("c.yaml", 11, 7)),  # none for it: the model's entry
        ("models/other/overrides/edge", ("c.yaml", 9, 7)),
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


@pytest.mark.parametrize(
    ("path", "origin", "narrowed"),
    [
        ("deploy/models/api/overlays/edge/kustomization.yaml", "c.yaml#models/api", True),
        ("models/api/overlays/edge/patch.yaml", "c.yaml#models/api", True),
        ("deploy/models/api/base/deployment.yaml", "c.yaml#models/api", False),
        ("deploy/models/api/overlays/edge/kustomization.yaml", "c.yaml#models/other", False),
        ("deploy/models/api/overlays/edge/kustomization.yaml", "c.yaml:11", False),  # a line
    ],
)
def test_a_finding_in_a_target_overlay_names_the_targets_overrides(
    path: str, origin: str, narrowed: bool
) -> None:
    d = Diagnostic(Location(path, 3, 1), "P120", "m", origin=parse_source(origin))
    expected = Location(f"{origin}/overrides/edge") if narrowed else parse_source(origin)
    assert in_overrides(d).origin == expected
