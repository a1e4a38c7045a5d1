"""What the tree's README tells the owners of the workloads that use a container model."""

from __future__ import annotations

import re
from pathlib import Path

from .samples import fleet
from .tooling import render


def container_section() -> str:
    text = render(fleet())["README.md"].decode()
    start = text.index("## Using a container model in a workload")
    return " ".join(text[start:].split())


def test_it_says_what_a_site_needs_for_image_volumes() -> None:
    # "Kubernetes 1.33+" is not enough: the gate is off until 1.35, and a runtime without
    # image volumes (containerd before 2.1) mounts an empty folder without an error.
    text = container_section()
    assert "feature-gates=ImageVolume=true" in text
    assert "containerd 2.1" in text and "mounts empty" in text
    assert "kubectl rollout status deploy/<m>-prefetch" in text


def test_it_says_the_descriptor_runs_ahead_of_the_files() -> None:
    text = container_section()
    assert "before the files are there" in text
    assert re.search(r"readlink current`?: `versions/<version>-<hash>`", text)
    # the folder is named with a hash of the content, not the version alone
    assert "under `versions/<version>/`" not in text


def test_it_says_what_subpath_pinning_and_local_volumes_cost() -> None:
    text = container_section()
    assert "next upgrade but one" in text
    assert "world-readable" in text
    assert "node of the first pod that used the claim" in text


def test_the_field_reference_says_a_files_only_image_must_fit_the_nodes_platform() -> None:
    # A buildx image for amd64 only is an index with an attestation; an arm64 site refuses
    # it (no match for platform), and the copy Job or the image volume waits for ever.
    docs = (Path(__file__).parents[3] / "docs" / "catalogue.md").read_text(encoding="utf-8")
    (row,) = [line for line in docs.splitlines() if line.startswith("| `spec.models[].images` |")]
    assert "no match for platform" in row and "every architecture of its sites" in row
