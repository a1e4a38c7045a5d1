"""Hub objects as edgemodels emits them: from the real generator (both placement kinds),
its golden trees (all delivery modes), the hand-written fixture tree, and Argo CD objects
written after issue 10."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import yaml

from .test_acm_checks import ARGO
from .trees import write_tree

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "lrt"
GOLDEN = sorted((REPO / "tests" / "cases").glob("*/expected"))  # the generator's golden trees

ARGO_KUSTOMIZE = """\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: batch-edge
  namespace: gitops
  labels:
    app.kubernetes.io/managed-by: edgemodels
  annotations:
    edgemodels.io/source: catalogue.yaml:30
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - clusterDecisionResource:
      configMapRef: acm-placement
      labelSelector:
        matchLabels:
          cluster.open-cluster-management.io/placement: edge
      requeueAfterSeconds: 180
  template:
    metadata:
      name: batch-edge-{{.name}}
      labels:
        apps.open-cluster-management.io/pull-to-ocm-managed-cluster: "true"
      annotations:
        apps.open-cluster-management.io/ocm-managed-cluster: "{{.name}}"
        argocd.argoproj.io/skip-reconcile: "true"
    spec:
      project: default
      source:
        repoURL: https://git.example.com/demo.git
        targetRevision: deploy
        path: models/batch/base
        kustomize:
          patches:
          - patch: |
              - op: replace
                path: /spec/replicas
                value: 2
            target:
              kind: Deployment
              name: batch
      destination:
        server: https://kubernetes.default.svc
        namespace: models
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
        syncOptions:
        - CreateNamespace=true
  syncPolicy:
    preserveResourcesOnDeletion: true
"""


def generate(catalogue: Path, out: Path) -> Path:
    from edgemodels.cli.generate import command

    try:
        code = command.main([str(catalogue), "-o", str(out)], standalone_mode=False)
    except click.ClickException as exc:  # pragma: no cover - a broken generator
        raise AssertionError(f"generate failed: {exc}") from exc
    assert code == 0, f"edgemodels generate exited {code}"
    return out


def generated_trees(tmp: Path) -> dict[str, Path]:
    """The example catalogue generated twice: Placement and PlacementRule mode."""
    rule_catalogue = tmp / "rule-catalogue"
    shutil.copytree(EXAMPLE, rule_catalogue)
    path = rule_catalogue / "catalogue.yaml"
    text = path.read_text(encoding="utf-8")
    assert "placementKind: Placement\n" in text
    path.write_text(text.replace("placementKind: Placement\n", "placementKind: PlacementRule\n"))
    return {
        "placement": generate(EXAMPLE, tmp / "gen-placement"),
        "placementrule": generate(rule_catalogue, tmp / "gen-rule"),
    }


def hub_objects(tree: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(tree.glob("hub/**/*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                yield path.relative_to(tree).as_posix(), doc


def all_samples(tmp: Path) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for label, tree in generated_trees(tmp).items():
        found += [(f"{label}:{p}", d) for p, d in hub_objects(tree)]
    for golden in GOLDEN:  # Argo CD and migration modes too
        found += [(f"{golden.parent.name}:{p}", d) for p, d in hub_objects(golden)]
    fixture = write_tree(tmp / "fixture")
    found += [(f"fixture:{p}", d) for p, d in hub_objects(fixture)]
    for index, doc in enumerate(yaml.safe_load_all(ARGO + "---\n" + ARGO_KUSTOMIZE)):
        found.append((f"argocd:{index}", doc))
    return found
