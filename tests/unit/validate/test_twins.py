"""Twin overlays (byte-identical siblings) are built once and reported for each of them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from edgemodels.validate import kubectl, kustomize
from edgemodels.validate.discover import discover
from edgemodels.validate.run import ValidateOptions, validate_tree
from edgemodels.validate.twins import twins

from .trees import edit, line_of

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
SITES = ("models/batch/overlays/site-a", "models/batch/overlays/site-b")


def test_identical_sibling_overlays_are_twins(tree: Path) -> None:
    # The tree's two overlays of `batch` are the same bytes.
    assert twins(tree, SITES) == {1: 0}


def test_a_difference_a_symlink_or_the_own_name_keeps_overlays_apart(tree: Path) -> None:
    site_b = tree / SITES[1]
    edit(tree, f"{SITES[1]}/kustomization.yaml", "replicas: 2", "replicas: 3")
    assert twins(tree, SITES) == {}
    edit(tree, f"{SITES[1]}/kustomization.yaml", "replicas: 3", "replicas: 2")
    (site_b / "link.yaml").symlink_to(tree / "README.md")
    (tree / SITES[0] / "link.yaml").symlink_to(tree / "README.md")
    assert twins(tree, SITES) == {}
    (site_b / "link.yaml").unlink()
    (tree / SITES[0] / "link.yaml").unlink()
    for site in SITES:  # each names the other's folder: the same bytes, not the same meaning
        with (tree / site / "kustomization.yaml").open("a", encoding="utf-8") as out:
            out.write("# see site-a and site-b\n")
    assert twins(tree, SITES) == {}


def test_files_in_subfolders_count_and_a_linked_folder_keeps_overlays_apart(
    tree: Path,
) -> None:
    for site in SITES:
        (tree / site / "patches").mkdir()
        (tree / site / "patches" / "cpu.yaml").write_text("cpu: 1\n", encoding="utf-8")
    assert twins(tree, SITES) == {1: 0}
    (tree / SITES[1] / "patches" / "cpu.yaml").write_text("cpu: 2\n", encoding="utf-8")
    assert twins(tree, SITES) == {}
    (tree / SITES[1] / "patches" / "cpu.yaml").write_text("cpu: 1\n", encoding="utf-8")
    for site in SITES:  # the same link in both: where it leads is not known here
        (tree / site / "patches" / "more").symlink_to(tree / "models")
    assert twins(tree, SITES) == {}
    for site in SITES:
        (tree / site / "patches" / "more").unlink()
    linked = tree / "models/batch/overlays/site-c"
    linked.symlink_to(tree / SITES[0])  # an overlay folder that is itself a link
    assert twins(tree, (*SITES, "models/batch/overlays/site-c")) == {1: 0}


@needs_kubectl
def test_a_twin_is_built_once_and_each_gets_its_objects(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tops: list[str] = []
    real = kubectl.run

    def counting(binary: str, folder: Path, running: Any) -> tuple[bool, str]:
        tops.append((folder / "kustomization.yaml").read_text(encoding="utf-8"))
        return real(binary, folder, running)

    monkeypatch.setattr(kubectl, "run", counting)
    layout = discover(tree)
    built = kustomize.build(tree, layout.builds, ())
    assert len(tops) == 1
    assert "overlays/site-a" in tops[0] and "site-b" not in tops[0]  # only the original
    seen = sorted((m.context, m.kind, m.source.path) for m in built.manifests)
    assert seen == [
        ("overlay site-a", "ConfigMap", "models/batch/base/configmap.yaml"),
        ("overlay site-a", "Deployment", "models/batch/base/deployment.yaml"),
        ("overlay site-b", "ConfigMap", "models/batch/base/configmap.yaml"),
        ("overlay site-b", "Deployment", "models/batch/base/deployment.yaml"),
    ]


@needs_kubectl
def test_a_twins_objects_are_ready_with_its_originals(tree: Path) -> None:
    # With the aggregate they were built in, not all twins at the end: the checks of
    # each aggregate run while the next one builds, and the run waits only for the last.
    layout = discover(tree)
    ready: list[list[tuple[str, str]]] = []
    kustomize.build(
        tree,
        layout.builds,
        (),
        each=lambda ms: ready.append(sorted((m.context, m.kind) for m in ms)),
    )
    assert ready == [
        [
            ("overlay site-a", "ConfigMap"),
            ("overlay site-a", "Deployment"),
            ("overlay site-b", "ConfigMap"),
            ("overlay site-b", "Deployment"),
        ]
    ]


@needs_kubectl
def test_a_finding_in_a_twins_own_file_lands_on_each_file(
    tree: Path, options: ValidateOptions
) -> None:
    extra = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  bad: [1]\n"
    for site in SITES:
        (tree / site / "extra.yaml").write_text(extra, encoding="utf-8")
        edit(tree, f"{site}/kustomization.yaml", "- ../../base\n", "- ../../base\n- extra.yaml\n")
    assert twins(tree, SITES) == {1: 0}
    found = {(d.code, d.path, d.line) for d in validate_tree(tree, options)}
    line = line_of(tree, f"{SITES[0]}/extra.yaml", "bad:")
    assert {(code, path) for code, path, _ in found} == {
        ("K102", f"{site}/extra.yaml") for site in SITES
    }
    assert {ln for _, _, ln in found} == {line}


@needs_kubectl
def test_twins_that_fail_each_get_their_own_build_error(
    tree: Path, options: ValidateOptions
) -> None:
    for site in SITES:
        edit(tree, f"{site}/kustomization.yaml", "- ../../base", "- ../../nope")
    found = sorted((d.code, d.path) for d in validate_tree(tree, options))
    assert found == [("K206", f"{site}/kustomization.yaml") for site in SITES]
