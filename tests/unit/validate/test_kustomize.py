"""Kustomize builds: rounds that avoid ID clashes, per-target fallback, a missing kubectl."""

from __future__ import annotations

import shutil
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edgemodels.errors import ToolMissingError
from edgemodels.validate import kubectl, kustomizeerrors, listings
from edgemodels.validate.aggregates import groups
from edgemodels.validate.discover import discover
from edgemodels.validate.kustomize import build
from edgemodels.validate.report import Finding
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import edit, line_of, stand_in

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")


def test_kustomize_paths_are_made_tree_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fb" / "d").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    gone = f"{tmp_path}/fb/d/models/m/basex"
    text = f"evalsymlink failure on '{gone}' : lstat {gone}: no such file or directory"
    expected = "evalsymlink failure on 'models/m/basex' : lstat models/m/basex: no such file"
    for root in (Path("fb/d"), tmp_path / "fb" / "d"):
        assert kustomizeerrors.tree_relative(text, root).startswith(expected)
        assert kustomizeerrors.tree_relative(f"at {tmp_path}/fb/d.", root) == "at .."
    monkeypatch.chdir(tmp_path / "fb" / "d")  # validate's default folder: "."
    assert kustomizeerrors.tree_relative(text, Path(".")).startswith(expected)
    assert kustomizeerrors.tree_relative("from '../../basex'", Path(".")) == "from '../../basex'"


def test_layout_of_the_tree(tree: Path) -> None:
    layout = discover(tree)
    assert layout.charts == ("models/web/chart",)
    assert layout.builds == ("models/batch/overlays/site-a", "models/batch/overlays/site-b")
    assert layout.listings == ("hub",)
    assert all(p.startswith("hub/") for p in layout.plain_files)
    assert "hub/kustomization.yaml" not in layout.plain_files


@needs_kubectl
def test_a_clash_between_models_falls_back_to_one_build_each(tree: Path) -> None:
    # A second model whose overlay emits the same ConfigMap (same namespace and name):
    # the round's aggregate fails with an ID clash, so each overlay is built on its own.
    shutil.copytree(tree / "models" / "batch", tree / "models" / "batch2")
    shutil.rmtree(tree / "models" / "batch2" / "overlays" / "site-b")
    edit(tree, "models/batch2/base/deployment.yaml", "name: batch\n", "name: batch2\n")
    edit(
        tree, "models/batch2/overlays/site-a/kustomization.yaml", "name: batch\n", "name: batch2\n"
    )
    layout = discover(tree)
    built = build(tree, layout.builds, ())
    assert built.findings == []
    names = sorted((m.context, m.kind, m.name) for m in built.manifests)
    assert names.count(("overlay site-a", "ConfigMap", "batch-model")) == 2
    assert ("overlay site-a", "Deployment", "batch2") in names
    assert ("overlay site-b", "Deployment", "batch") in names
    sources = {m.source.path for m in built.manifests if m.kind == "Deployment"}
    assert sources == {"models/batch/base/deployment.yaml", "models/batch2/base/deployment.yaml"}


def test_without_kubectl_kustomize_is_skipped_with_a_note(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tree))  # nothing to run there: no kubectl, no kubeconform
    edit(tree, "hub/placements/site-a.yaml", "  tolerations:", "  toleration:")
    codes = {(d.code, d.severity, d.path) for d in validate_tree(tree, options)}
    assert codes == {
        ("K101", "error", "hub/placements/site-a.yaml"),  # everything else still runs
        ("K207", "warning", "models/batch/overlays/site-a/kustomization.yaml"),
    }
    strict = replace(options, require_all=True)
    with pytest.raises(ToolMissingError, match="kubectl"):
        validate_tree(tree, strict)


@needs_kubectl
def test_the_hub_listing_must_build(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/kustomization.yaml"
    edit(tree, rel, "- channel.yaml\n", "- channel.yaml\n- gone.yaml\n")
    (d,) = validate_tree(tree, options)
    assert (d.code, d.path, d.line) == ("K206", rel, line_of(tree, rel, "gone.yaml"))


def test_a_hub_file_the_listing_leaves_out_is_a_warning(tree: Path) -> None:
    (tree / "hub" / "extra").mkdir()
    (tree / "hub" / "extra" / "forgotten.yaml").write_text("kind: ConfigMap\n", encoding="utf-8")
    (tree / "hub" / "notes.txt").write_text("not a manifest\n", encoding="utf-8")
    found = build(tree, [], ["hub"]).findings
    assert [(d.code, d.path) for d, _ in found] == [("K208", "hub/extra/forgotten.yaml")]
    assert "not listed in hub/kustomization.yaml" in found[0][0].message


def test_a_listing_at_the_top_of_the_tree(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "resources:\n- a.yaml\n- gone.yaml\n", encoding="utf-8"
    )
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("kind: ConfigMap\n", encoding="utf-8")
    found = build(tmp_path, [], [""]).findings
    assert sorted((d.code, d.path, d.line) for d, _ in found) == [
        ("K206", "kustomization.yaml", 3),
        ("K208", "b.yaml", 1),
    ]


@pytest.mark.parametrize("how", ["symlink", "dotdot"])
def test_a_listed_file_outside_the_listings_folder_fails_as_kustomize_fails(
    tmp_path: Path, how: str
) -> None:
    # kustomize refuses a resource file whose real path is not in or below its
    # kustomization's folder ("security; file ... is not in or below ..."), a symlink
    # followed; the listing is checked without kustomize, so it must refuse it too
    tree, outside = tmp_path / "tree", tmp_path / "outside"
    (tree / "hub").mkdir(parents=True)
    outside.mkdir()
    (outside / "cm.yaml").write_text("kind: ConfigMap\n", encoding="utf-8")
    (tree / "elsewhere.yaml").write_text("kind: ConfigMap\n", encoding="utf-8")
    if how == "symlink":
        (tree / "hub" / "ext.yaml").symlink_to(outside / "cm.yaml")
        entry = "ext.yaml"
    else:
        entry = "../elsewhere.yaml"
    (tree / "hub" / "kustomization.yaml").write_text(f"resources:\n- {entry}\n", encoding="utf-8")
    found = build(tree, [], ["hub"]).findings
    assert [(d.code, d.path, d.line, d.col) for d, _ in found] == [
        ("K206", "hub/kustomization.yaml", 2, 3)
    ]
    assert "is not in or below hub" in found[0][0].message


def test_groups_keep_overlays_of_one_model_apart() -> None:
    targets = ["m/a/overlays/x", "m/a/overlays/y", "m/b/overlays/x", "hub", "m/c/overlays/x"]
    assert groups(targets) == [[0, 2, 4], [1, 3]]  # two are needed (m/a), filled evenly
    assert groups(targets, size=2) == [[0, 3], [1, 4], [2]]  # as few as the cap allows


def test_groups_are_as_few_as_the_cap_and_the_models_allow() -> None:
    # Three models with 3, 2 and 1 overlays, and 5 models with one: 11 targets.
    targets = [f"m/a/overlays/{s}" for s in "xyz"] + ["m/b/overlays/x", "m/b/overlays/y"]
    targets += [f"m/{name}/overlays/x" for name in "cdefgh"]
    for size in (2, 3, 4, 11):
        found = groups(targets, size)
        assert sorted(i for g in found for i in g) == list(range(len(targets)))
        assert all(len(g) <= size for g in found)
        for group in found:
            models = [targets[i].split("/overlays/")[0] for i in group]
            assert len(models) == len(set(models))
        assert len(found) == max(-(-len(targets) // size), 3)  # a's three overlays: >= 3
        assert max(map(len, found)) - min(map(len, found)) <= 2  # about even


@needs_kubectl
def test_a_broken_overlay_among_many_is_found_by_bisection(tree: Path) -> None:
    for n in range(6):
        shutil.copytree(tree / "models" / "batch", tree / "models" / f"batch{n}")
    edit(tree, "models/batch3/overlays/site-b/kustomization.yaml", "- ../../base", "- ../../nope")
    layout = discover(tree)
    built = build(tree, layout.builds, ())
    assert [(d.code, d.path) for d, _ in built.findings] == [
        ("K206", "models/batch3/overlays/site-b/kustomization.yaml")
    ]
    assert len(built.manifests) == 2 * (2 * 7 - 1)  # every other overlay: Deployment + ConfigMap


@needs_kubectl
def test_the_listings_are_checked_while_the_first_build_runs(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Checking the hub's listing needs no kubectl: it waits until the first build has
    # started (`started`), rather than hold that build back, and is done before it ends.
    started, checked = threading.Event(), threading.Event()
    seen: list[bool] = []
    real_check, real_run = listings.check_listing, kubectl.run

    def check(root: Path, folder: str) -> list[Finding]:
        seen.append(started.is_set())
        checked.set()
        return real_check(root, folder)

    def run(*args: Any) -> tuple[bool, str]:
        assert checked.wait(10), "the listing was not checked while the build ran"
        return real_run(*args)

    monkeypatch.setattr(listings, "check_listing", check)
    monkeypatch.setattr(kubectl, "run", run)
    (tree / "hub" / "forgotten.yaml").write_text("kind: ConfigMap\n", encoding="utf-8")
    layout = discover(tree)
    built = build(tree, layout.builds, layout.listings, started=started)
    assert seen == [True]
    assert [(d.code, d.path) for d, _ in built.findings] == [("K208", "hub/forgotten.yaml")]
    assert {m.context for m in built.manifests} == {"overlay site-a", "overlay site-b"}


# Stands in for kubectl 1.34+, which this machine's 1.32 is not: it takes the user's
# preferences unless KUBERC=off, here a default flag that breaks every build (as kuberc
# `defaults` for `kustomize` would add one), then runs the real kubectl.
KUBERC_KUBECTL = """#!/bin/sh
if [ "$KUBERC" != off ] && [ -f "$HOME/.kube/kuberc" ]; then
  exec {real} "$@" --load-restrictor=NoSuchRestrictor
fi
exec {real} "$@"
"""


@needs_kubectl
def test_the_users_kubectl_preferences_do_not_reach_the_builds(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.which("kubectl")
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    (home / ".kube" / "kuberc").write_text("kind: Preference\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KUBERC", str(home / ".kube" / "kuberc"))
    monkeypatch.setenv("PATH", stand_in(tmp_path, "kubectl", KUBERC_KUBECTL.format(real=real)))
    layout = discover(tree)
    built = build(tree, layout.builds, ())
    assert built.findings == [] and built.manifests
