"""Kubernetes quantities as bytes."""

from __future__ import annotations

import pytest

from edgemodels.plan.quantity import format_bytes, parse_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20Gi", 20 * 2**30),
        ("500Mi", 500 * 2**20),
        ("1.5Gi", 3 * 2**29),
        ("500M", 500_000_000),
        ("2G", 2_000_000_000),
        ("1e9", 1_000_000_000),
        ("1E3", 1000),
        ("1E", 10**18),  # exa, not an exponent
        ("1024", 1024),
        ("100m", 1),  # a tenth of a byte, rounded up
        ("0", 0),
        (".5Ki", 512),
    ],
)
def test_parse(text: str, expected: int) -> None:
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text", ["", "Gi", "-1Gi", "20GB", "20 Gi x", "1e9999", "1" * 100, "nan"])
def test_rejects(text: str) -> None:
    assert parse_bytes(text) is None


def test_format() -> None:
    assert format_bytes(1536) == "1.5Ki"
    assert format_bytes(20 * 2**30) == "20Gi"
    assert format_bytes(10) == "10"
