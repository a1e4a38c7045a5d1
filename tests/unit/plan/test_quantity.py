"""Kubernetes quantities as bytes."""

from __future__ import annotations

import pytest

from edgemodels.plan.quantity import MAX_BYTES, format_bytes, parse_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
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
        ("1n", 1),  # every grammar the API server takes: nano, micro
        ("100u", 1),
        ("+1k", 1000),
        ("0", 0),
        (".5Ki", 512),
        ("20Ei", 2**63 - 1),  # the API server caps a binary-suffixed quantity at 2^63-1
        ("1e19", 10**19),  # and no other: 1e19 stays 10^19 (kubectl 1.27-1.33: `10e18`)
        ("1" * 100, int("1" * 100)),
        ("1e9999", MAX_BYTES),  # more than any site holds, not a 10,000-digit integer
        ("1e2147483647", MAX_BYTES),
        (20_000_000_000, 20_000_000_000),  # YAML numbers: `storage: 20000000000`
        (2.5e9, 2_500_000_000),
        (0.5, 1),
        (" 20Gi ", 20 * 2**30),  # the API server trims spaces (Quantity.UnmarshalJSON)
    ],
)
def test_parse(value: object, expected: int) -> None:
    assert parse_bytes(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "Gi", "-1Gi", "20GB", "20 Gi x", "\t20Gi", "1e99999999999999999999", "nan", -1,
     float("inf"), float("nan"), True, None],
)  # fmt: skip
def test_rejects(value: object) -> None:
    assert parse_bytes(value) is None


def test_format() -> None:
    assert format_bytes(1536) == "1.5Ki"
    assert format_bytes(20 * 2**30) == "20Gi"
    assert format_bytes(10) == "10"
