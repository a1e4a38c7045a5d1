"""Version moves: SemVer precedence, same-shape numbering, and everything else."""

from __future__ import annotations

import pytest

from edgemodels.plan.versions import compare

CASES = [
    ("1.4.2", "1.4.2", "same"),
    ("1.4.2", "1.5.0", "upgraded"),
    ("1.9.0", "1.10.0", "upgraded"),  # numeric, not text, order
    ("2.0.0", "1.99.99", "downgraded"),
    ("2.0.0-rc.1", "2.0.0", "upgraded"),  # a release follows its pre-releases
    ("2.0.0-rc.2", "2.0.0-rc.10", "upgraded"),
    ("2.0.0-alpha", "2.0.0-1", "downgraded"),  # numeric identifiers sort before text
    ("v1.2.3", "1.2.4", "upgraded"),  # a leading v is ignored
    ("1.0.0+build.1", "1.0.0+build.2", "changed"),  # build metadata does not order
    ("2024.05.01", "2024.11.30", "upgraded"),
    ("r10", "r9", "downgraded"),
    ("llama3-q4", "llama3-q8", "upgraded"),
    ("1.2", "1.10", "upgraded"),
    ("latest", "1.2.0", "changed"),
    ("abc123", "abd001", "changed"),  # digests/hashes have no order
    ("1.2", "1.2.0", "changed"),  # different shapes
    ("01", "1", "changed"),  # same numbers, different text
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_compare(old: str, new: str, expected: str) -> None:
    assert compare(old, new) == expected


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_compare_is_antisymmetric(old: str, new: str, expected: str) -> None:
    mirror = {"upgraded": "downgraded", "downgraded": "upgraded"}.get(expected, expected)
    assert compare(new, old) == mirror
