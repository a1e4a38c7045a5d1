"""The words of findings for the mistakes people make by hand: each says which part is
wrong and what to write instead, at the line and column of the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import messages, sub

IMAGE = "registry.gitlab.com/i4q/lrt/sktime:1.4.2"
DIGEST = "3ff88d8252a1d379ee60f809fd7342bed3ca35e9e8a8184afdb1e62577c0ad5f"


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (f"{IMAGE}@sha256:{DIGEST[:60]}", "the sha256 digest has 60 hex digits; it needs 64"),
        (f"{IMAGE}@{DIGEST}", "the digest after '@' needs its algorithm: '@sha256:<64 hex"),
        (f"https://{IMAGE}", "drop the 'https://': an image reference has no scheme"),
        (
            "registry.gitlab.com/i4q/LRT/sktime:1.4.2",
            "the repository path must be lower case: 'i4q/lrt/sktime'",
        ),
        (f"{IMAGE}@sha256:{DIGEST[:63]}g", "the sha256 digest has characters other than the hex"),
    ],
)
def test_an_invalid_image_says_which_part_is_wrong(tmp_path: Path, image: str, reason: str) -> None:
    (found,) = messages(tmp_path, sub(f"image: {IMAGE}", f"image: {image}"))
    assert found.startswith("catalogue.yaml:21:14: R205 '")
    assert f"' is not a valid image reference: {reason}" in found
