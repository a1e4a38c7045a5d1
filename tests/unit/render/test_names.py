"""Names and versions the renderers derive from the catalogue."""

from __future__ import annotations

import re
from hashlib import sha256

import pytest

from edgemodels.diagnostics import Location
from edgemodels.render.common import (
    SourceInfo,
    chart_version,
    copy_job_name,
    image_digest,
    split_image,
    version_dir,
)

SEMVER_NO_PRERELEASE = re.compile(r"^\d+\.\d+\.\d+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")


@pytest.mark.parametrize(
    ("version", "chart"),
    [
        ("1.4.2", "1.4.2"),
        ("v1.4.2", "1.4.2"),
        ("1.0.0+build.7", "1.0.0+build.7"),
        ("1.2.0-rc1", "1.2.0+rc1"),
        ("2024.05", "2024.5.0"),
        ("v3", "3.0.0"),
        ("1.2.3.4", "1.2.3+4"),
        ("latest", "0.0.0+latest"),
        ("2024-05-01_nightly", "2024.0.0+05-01.nightly"),
    ],
)
def test_chart_version_is_semver_without_prerelease(version: str, chart: str) -> None:
    assert chart_version(version) == chart
    assert SEMVER_NO_PRERELEASE.match(chart_version(version))


def test_distinct_model_versions_give_distinct_chart_versions() -> None:
    versions = ["1.0.0", "1.0.0-rc1", "1.0.0-rc2", "1.0", "1", "2024.05", "2024.5", "latest"]
    charts = {chart_version(v) for v in versions}
    # Numerically equal versions ("1.0.0", "1.0", "1"; "2024.05", "2024.5") share a chart
    # version (appVersion keeps the exact string); everything else stays apart.
    assert len(charts) == len(versions) - 3


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("quay.io/a/b:1.0", ("quay.io/a/b", "1.0", "")),
        ("registry:5000/a/b", ("registry:5000/a/b", "", "")),
        ("registry:5000/a/b:2", ("registry:5000/a/b", "2", "")),
        ("a/b@sha256:abc", ("a/b", "", "sha256:abc")),
        ("a/b:1@sha256:abc", ("a/b", "1", "sha256:abc")),
    ],
)
def test_split_image(image: str, expected: tuple[str, str, str]) -> None:
    assert split_image(image) == expected
    assert image_digest(image) == expected[2]


def test_copy_job_name_hashes_image_version_path_and_tools() -> None:
    name = copy_job_name("m", "img:1", "1.0", "/model", "busybox")
    key = "img:1\n1.0\n/model\nbusybox"
    assert name == "m-copy-" + sha256(key.encode()).hexdigest()[:8]
    others = {
        copy_job_name("m", "img:2", "1.0", "/model", "busybox"),
        copy_job_name("m", "img:1", "1.1", "/model", "busybox"),
        copy_job_name("m", "img:1", "1.0", "/m", "busybox"),
        copy_job_name("m", "img:1", "1.0", "/model", "busybox:2"),
    }
    assert name not in others and len(others) == 4


def test_version_dir_is_one_safe_path_component() -> None:
    assert version_dir("1.0.0") == "1.0.0"
    assert version_dir("../../etc") == "_.._etc"
    assert version_dir("a b/c") == "a_b_c"


def test_banner_paths_do_not_depend_on_the_working_folder() -> None:
    from_repo = SourceInfo("lrt/", "d", "/w/examples", "/w")
    from_examples = SourceInfo("lrt/", "d", "/w/examples", "/w/examples")
    a = "lrt/models/a.yaml#models/a"
    assert from_repo.where(Location("examples/lrt/models/a.yaml", 5, 3), "models", "a") == a
    assert from_examples.where(Location("lrt/models/a.yaml", 5, 3), "models", "a") == a
    assert from_repo.where(Location("/elsewhere/x.yaml", 2, 1)) == "/elsewhere/x.yaml#metadata"
