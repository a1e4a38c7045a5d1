"""What a site gets when only a model's version changes, as plan's D124 describes it: every
container and image volume pulls IfNotPresent (so a node never pulls a reference it has
again), an HTTP model's Deployment and a prefetch Deployment do not change at all, and the
new copy Job runs the same image reference. Rendered and built with the real tools."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edgemodels.catalogue.model import Catalogue

from .samples import fleet_plus
from .test_site_manifests import all_packaged, site_outputs
from .tooling import by_key, render, write_out

Objects = dict[str, list[dict[str, Any]]]


def deployed(catalogue: Catalogue, root: Path) -> Objects:
    tree = render(catalogue)
    return site_outputs(tree, write_out(tree, root))


def bumped(catalogue: Catalogue) -> Catalogue:
    """Every model one version on, with the same image references."""
    models = tuple(replace(m, version=m.version + ".1") for m in catalogue.models)
    return replace(catalogue, models=models)


def untagged(catalogue: Catalogue) -> Catalogue:
    """References without a tag, which Kubernetes would pull Always by default."""
    models = tuple(
        replace(m, image=m.image.split("@")[0].rsplit(":", 1)[0]) for m in catalogue.models
    )
    return replace(catalogue, models=models)


def pulls(obj: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """(what, pull policy) of each container and image volume of a pod template."""
    pod = obj["spec"]["template"]["spec"]
    for container in pod.get("initContainers", []) + pod["containers"]:
        yield f"container {container['name']}", container.get("imagePullPolicy")
    for volume in pod.get("volumes", []):
        if "image" in volume:
            yield f"image volume {volume['name']}", volume["image"].get("pullPolicy")


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
@pytest.mark.parametrize("edit", [fleet_plus, lambda: untagged(fleet_plus())])
def test_every_container_and_image_volume_pulls_if_not_present(
    packaging: str, edit: Any, tmp_path: Path
) -> None:
    found = {}
    for sub, objects in deployed(all_packaged(edit(), packaging), tmp_path).items():
        for obj in objects:
            if obj["kind"] in ("Deployment", "Job"):
                for what, policy in pulls(obj):
                    found[f"{sub} {obj['metadata']['name']} {what}"] = policy
    assert any("image volume" in what for what in found)
    assert any("container copy" in what for what in found)
    assert set(found.values()) == {"IfNotPresent"}, found


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
def test_a_version_alone_changes_no_deployment_and_no_image_of_the_copy_job(
    packaging: str, tmp_path: Path
) -> None:
    catalogue = all_packaged(fleet_plus(), packaging)
    before = deployed(catalogue, tmp_path / "before")
    after = deployed(bumped(catalogue), tmp_path / "after")
    assert before.keys() == after.keys()
    deployments = jobs = 0
    for sub in before:
        old, new = by_key(before[sub]), by_key(after[sub])
        for (kind, name), obj in old.items():
            if kind == "Deployment":
                deployments += 1
                assert new[(kind, name)] == obj, f"{sub}: Deployment {name} changed"
            if kind == "Job":
                jobs += 1
                (renamed,) = [o for (k, _), o in new.items() if k == "Job"]
                assert renamed["metadata"]["name"] != name  # a new Job runs...
                assert images(renamed) == images(obj)  # ...on the same references
    assert deployments and jobs


def images(job: dict[str, Any]) -> list[str]:
    pod = job["spec"]["template"]["spec"]
    return [c["image"] for c in pod["initContainers"] + pod["containers"]]
