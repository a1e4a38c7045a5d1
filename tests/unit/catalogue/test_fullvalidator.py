"""The explaining validator refuses what jsonschema-rs refuses, so no refused file passes
without a finding."""

from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import pytest

from edgemodels.catalogue.fullvalidator import full_validator
from edgemodels.inventory import load_inventory

from .helpers import findings, sub

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z]+$"},
        "amount": {"type": "number", "minimum": 0, "maximum": 10},
        "count": {"type": "integer"},
    },
}


@pytest.mark.parametrize(
    "instance",
    [
        {"name": "abc"},
        {"name": "abc\n"},  # Python's `$` matches before a final line break
        {"name": "ab\nc"},
        {"amount": 5.5},
        {"amount": float("nan")},  # passes minimum and maximum: every comparison is false
        {"amount": float("inf")},
        {"count": 3},
        {"count": 3.0},
        {"count": float("inf")},
        {"count": True},
    ],
)
def test_it_agrees_with_jsonschema_rs(instance: dict[str, object]) -> None:
    fast = jsonschema_rs.validator_for(SCHEMA).is_valid(instance)
    assert full_validator(SCHEMA).is_valid(instance) == fast


def test_a_name_ending_in_a_line_break_is_refused(tmp_path: Path) -> None:
    """Refused by the fast check and, before, found valid by the explaining one: no finding,
    and the catalogue passed with `lrt\\n` in generated names."""
    assert findings(tmp_path, sub("  name: lrt", '  name: "lrt\\n"')) == [(4, 9, "S004")]


def test_a_site_name_ending_in_a_line_break_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(
        'apiVersion: edgemodels.io/v1alpha1\nkind: SiteInventory\nsites:\n  - name: "lrt-01\\n"\n'
    )
    loaded, diags = load_inventory(path, "sites.yaml")
    assert loaded is None and [(d.line, d.code) for d in diags] == [(4, "S004")]
