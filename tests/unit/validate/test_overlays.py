"""Findings on an overlay-built object point at the overlay's patch when it set the field."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from edgemodels.diagnostics import Location
from edgemodels.policy import load_policies
from edgemodels.validate.manifests import Manifest, Source
from edgemodels.validate.overlays import Overlays
from edgemodels.validate.policies import policy_findings

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: model
        image: r/web:1
"""

OVERLAY = """\
# banner
resources:
- ../../base
namespace: prod
patches:
- target:
    group: apps
    version: v1
    kind: Deployment
    name: web
  patch: |
    - op: replace
      path: /spec/replicas
      value: 2
    - op: add
      path: /spec/template/spec/nodeSelector
      value:
        arch: arm64
- target: {kind: Deployment, name: other}
  patch: '[{op: replace, path: /spec/paused, value: true}]'
- path: paused.yaml
  target: {kind: Deployment, name: "w.*"}
"""

PAUSED = """\
- op: add
  path: /spec/paused
  value: true
"""

BUILT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "prod"},
    "spec": {
        "replicas": 2,
        "paused": True,
        "template": {
            "spec": {
                "nodeSelector": {"arch": "arm64"},
                "containers": [{"name": "model", "image": "r/web:2"}],
            }
        },
    },
}


def locate(tmp_path: Path, *steps: str | int) -> Location | None:
    (tmp_path / "m" / "base").mkdir(parents=True, exist_ok=True)
    (tmp_path / "m" / "overlays" / "a").mkdir(parents=True, exist_ok=True)
    (tmp_path / "m" / "base" / "deployment.yaml").write_text(BASE)
    (tmp_path / "m" / "overlays" / "a" / "kustomization.yaml").write_text(OVERLAY)
    (tmp_path / "m" / "overlays" / "a" / "paused.yaml").write_text(PAUSED)
    overlays = Overlays(tmp_path)
    return overlays.locator("m/overlays/a", "m/base/deployment.yaml", BUILT)(steps)


def test_a_field_an_inline_json_patch_set_is_on_its_value(tmp_path: Path) -> None:
    kustomization = f"{tmp_path}/m/overlays/a/kustomization.yaml"
    assert locate(tmp_path, "spec", "replicas") == Location(kustomization, 14, 14)


def test_a_field_inside_a_value_the_patch_set(tmp_path: Path) -> None:
    found = locate(tmp_path, "spec", "template", "spec", "nodeSelector", "arch")
    assert found == Location(f"{tmp_path}/m/overlays/a/kustomization.yaml", 18, 15)


def test_a_patch_file_on_a_target_named_by_a_pattern(tmp_path: Path) -> None:
    assert locate(tmp_path, "spec", "paused") == Location(
        f"{tmp_path}/m/overlays/a/paused.yaml", 3, 10
    )


def test_a_field_a_transformer_changed_is_on_its_entry(tmp_path: Path) -> None:
    kustomization = f"{tmp_path}/m/overlays/a/kustomization.yaml"
    assert locate(tmp_path, "metadata", "namespace") == Location(kustomization, 4, 1)
    # Changed by no op this file has (a nested overlay, say): the patches, not the base line
    assert locate(tmp_path, "spec", "template", "spec", "containers", 0, "image") == Location(
        kustomization, 5, 1
    )


def test_a_field_the_overlay_left_alone_is_the_base_files(tmp_path: Path) -> None:
    assert locate(tmp_path, "metadata", "name") is None
    assert locate(tmp_path, "spec", "template", "spec", "containers", 0, "name") is None
    # a part of it changed (the image): the list is still where the base file has it
    assert locate(tmp_path, "spec", "template", "spec", "containers") is None


POLICY = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: m}
rules:
  - code: P603
    name: one-replica
    appliesTo: {manifests: [{apiVersions: [apps/v1], kinds: [Deployment]}]}
    validations:
      - {expression: "object.spec.replicas <= 1", fieldPath: .spec.replicas}
"""


def test_a_twin_overlay_gets_the_finding_in_its_own_file(tmp_path: Path) -> None:
    locate(tmp_path)  # writes the tree
    shutil.copytree(tmp_path / "m" / "overlays" / "a", tmp_path / "m" / "overlays" / "b")
    (tmp_path / "p.yaml").write_text(POLICY)
    (tmp_path / "c.yaml").write_text("extends: none\npolicyFiles: [p.yaml]\n")
    policies = load_policies(tmp_path / "c.yaml", tmp_path)
    source = Source("m/base/deployment.yaml", BASE)
    built = Manifest(BUILT, source, "overlay a", overlay="m/overlays/a")
    twin = replace(built, context="overlay b", overlay="m/overlays/b")  # twins.py's copy
    found = policy_findings(tmp_path, [built, twin], policies)
    assert sorted(d.location for d in found) == [
        Location("m/overlays/a/kustomization.yaml", 14, 14),
        Location("m/overlays/b/kustomization.yaml", 14, 14),
    ]
