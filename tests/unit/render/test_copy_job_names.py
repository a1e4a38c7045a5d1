"""The copy Job's pod template is immutable, so whatever changes it must change the Job's
name: in the chart (hashed by the template itself) as in the kustomize objects
(site_container.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edgemodels.catalogue.model import Catalogue

from .samples import fleet
from .test_site_manifests import all_packaged, site_outputs
from .tooling import by_key, helm_render, render, write_out

SUB = "hub/synced/subscriptions/weights--arm.yaml"  # a copy placement with its own image


def copy_jobs(catalogue: Catalogue, root: Path) -> dict[str, dict[str, Any]]:
    """The copy Job each packaging deploys through SUB."""
    jobs = {}
    for packaging in ("helm", "kustomize"):
        tree = render(all_packaged(catalogue, packaging))
        out = site_outputs(tree, write_out(tree, root / packaging))
        (job,) = [o for (kind, _), o in by_key(out[SUB]).items() if kind == "Job"]
        jobs[packaging] = job
    return jobs


def with_secrets(c: Catalogue) -> Catalogue:
    return replace(c, defaults=replace(c.defaults, image_pull_secrets=("pull", "mirror")))


def with_helper(c: Catalogue) -> Catalogue:
    return replace(c, defaults=replace(c.defaults, helper_image="busybox:1.37.0-musl"))


def with_image(c: Catalogue) -> Catalogue:
    models = tuple(
        replace(m, images=tuple((a, i + "@sha256:" + "e" * 64) for a, i in m.images))
        if m.wrapper == "container"
        else m
        for m in c.models
    )
    return replace(c, models=models)


@pytest.mark.parametrize("edit", [with_secrets, with_helper, with_image])
def test_a_catalogue_change_of_the_pod_template_renames_the_job_in_both_packagings(
    edit: Callable[[Catalogue], Catalogue], tmp_path: Path
) -> None:
    before = copy_jobs(fleet(), tmp_path / "before")
    after = copy_jobs(edit(fleet()), tmp_path / "after")
    assert before["helm"] == before["kustomize"] and after["helm"] == after["kustomize"]
    assert before["helm"]["spec"]["template"] != after["helm"]["spec"]["template"]
    assert before["helm"]["metadata"]["name"] != after["helm"]["metadata"]["name"]


def chart_job(chart: Path, values: dict[str, Any]) -> dict[str, Any]:
    (job,) = [
        o for (kind, _), o in by_key(helm_render(chart, values, "models")).items() if kind == "Job"
    ]
    return job


def mutable_lines(template: str) -> list[int]:
    """Lines of the pod template's define that hold a literal value (not a bare key)."""
    lines = template.splitlines()
    start = next(i for i, t in enumerate(lines) if 'define "edgemodels.copyPod"' in t)
    end = next(
        i
        for i in range(start, len(lines))
        if lines[i].strip() == "{{- end }}" and not lines[i].startswith(" ")
    )
    found = []
    for i in range(start + 1, end):
        text = lines[i].strip()
        if not text or "{{" in text or text.endswith(":") or text == "- |":
            continue
        found.append(i)
    return found


def test_any_change_of_the_charts_pod_template_renames_the_job(tmp_path: Path) -> None:
    tree = render(all_packaged(fleet(), "helm"))
    chart = write_out(tree, tmp_path) / "models/weights/chart"
    job_yaml = chart / "templates/job.yaml"
    original = job_yaml.read_text()
    job = chart_job(chart, {})
    lines = mutable_lines(original)
    assert len(lines) > 50  # the script's lines, resources, security, volumes...
    for i in lines:
        edited = original.splitlines(keepends=True)
        line = edited[i].rstrip("\n")
        edited[i] = line.replace("{}", "{sizeLimit: 1Mi}") if line.endswith("{}") else line + "x"
        edited[i] += "\n"
        job_yaml.write_text("".join(edited))
        other = chart_job(chart, {})
        assert other["spec"]["template"] != job["spec"]["template"], edited[i]
        assert other["metadata"]["name"] != job["metadata"]["name"], edited[i]
    job_yaml.write_text(original)
    changes = {
        "image": "quay.io/acme/weights:2",
        "version": "2024.06",
        "versionDir": "2024.06",
        "modelPath": "/w",
        "toolsImage": "busybox:2",
        "imagePullSecrets": ["pull", "mirror"],
    }
    for key, value in changes.items():
        other = chart_job(chart, {key: value})
        assert other["metadata"]["name"] != job["metadata"]["name"], key


def test_a_failing_copy_is_retried_for_days_in_both_packagings(tmp_path: Path) -> None:
    # Kubernetes' default (6) fails the Job for good after ~10 minutes of a transient failure
    # (a full disk), and RHACM and Helm re-apply the same Job, so nothing ever retries it.
    # With restartPolicy OnFailure each restart counts, at most one every 5 minutes.
    jobs = copy_jobs(fleet(), tmp_path)
    assert jobs["helm"]["spec"] == jobs["kustomize"]["spec"]
    assert jobs["helm"]["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    assert jobs["helm"]["spec"]["backoffLimit"] * 5 * 60 >= 7 * 24 * 3600
