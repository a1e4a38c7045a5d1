"""Names and versions the renderers derive from the catalogue."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from edgemodels.diagnostics import Location
from edgemodels.render import site_container
from edgemodels.render.common import (
    SourceInfo,
    chart_version,
    content_dir,
    copy_job_name,
    go_json,
    image_digest,
    split_image,
    version_dir,
)

from .samples import fleet

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


def leaves(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from leaves(value, (*path, i))
    else:
        yield path


def changed(data: Any, path: tuple[str | int, ...]) -> Any:
    out = json.loads(json.dumps(data))  # no shared dicts (deepcopy keeps them shared)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    old = parent[path[-1]]
    parent[path[-1]] = (
        (not old) if isinstance(old, bool) else (old + 1 if isinstance(old, int) else f"{old}x")
    )
    return out


def test_the_copy_job_name_changes_with_every_field_of_its_pod_template() -> None:
    catalogue = fleet()
    model = next(m for m in catalogue.models if m.wrapper == "container")
    job = site_container.copy_job(catalogue, model, "img:1", "busybox", "origin")
    template = job["spec"]["template"]
    assert job["metadata"]["name"] == copy_job_name(model.name, template)
    names = {copy_job_name(model.name, changed(template, path)) for path in leaves(template)}
    assert len(names) == len(list(leaves(template))) > 40
    assert job["metadata"]["name"] not in names
    # The review's case: a pull secret added to the catalogue.
    more = replace(catalogue, defaults=replace(catalogue.defaults, image_pull_secrets=("a", "b")))
    assert (
        site_container.copy_job(more, model, "img:1", "busybox", "o")["metadata"]["name"]
        != job["metadata"]["name"]
    )
    # The catalogue entry's location is on the Job, not in its pods.
    assert (
        site_container.copy_job(catalogue, model, "img:1", "busybox", "o")["metadata"]["name"]
        == job["metadata"]["name"]
    )


def test_go_json_escapes_as_helms_to_json() -> None:
    assert go_json({"b": [1, True], "a": "x<y>&z\u2028"}) == (
        '{"a":"x\\u003cy\\u003e\\u0026z\\u2028","b":[1,true]}'
    )


def test_the_files_folder_changes_with_version_image_and_path() -> None:
    base = content_dir("1.0+a", "img@sha256:aa", "/model")
    others = {
        content_dir("1.0_a", "img@sha256:aa", "/model"),  # version_dir gives both 1.0_a
        content_dir("1.0+a", "img@sha256:bb", "/model"),  # the image rebuilt
        content_dir("1.0+a", "img@sha256:aa", "/m"),
    }
    assert base not in others and len(others) == 3
    assert re.fullmatch(r"1\.0_a-[0-9a-f]{12}", base)
    assert content_dir("../x", "i", "/m").startswith("_x-")


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
