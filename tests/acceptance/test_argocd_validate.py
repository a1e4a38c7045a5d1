"""`edgemodels validate` on the Argo CD path: what the schemas cannot say (K316-K325).

The hub objects of the delivery-argocd golden tree are valid; each case breaks one thing in
their text and expects (file, line, code). The migration cases break a copy of the
delivery-migration golden tree and validate it whole (charts rendered, overlays built).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from edgemodels.validate.run import (
    ParsedDocument,
    ValidateOptions,
    validate_documents,
    validate_tree,
)

REPO = Path(__file__).resolve().parents[2]
ARGO_TREE = REPO / "tests" / "cases" / "delivery-argocd" / "expected"
MIGRATION_TREE = REPO / "tests" / "cases" / "delivery-migration" / "expected"
SCORER = "hub/argocd/synced/applicationsets/scorer--line-a.yaml"


@pytest.fixture(scope="module")
def options(tmp_path_factory: pytest.TempPathFactory) -> ValidateOptions:
    return ValidateOptions(cache_dir=tmp_path_factory.mktemp("cache"), validator="builtin")


def hub_texts() -> dict[str, str]:
    return {
        p.relative_to(ARGO_TREE).as_posix(): p.read_text()
        for p in sorted((ARGO_TREE / "hub" / "argocd").rglob("*.yaml"))
    }


def run(texts: dict[str, str], options: ValidateOptions) -> list[tuple[str, int, str]]:
    documents = [
        ParsedDocument(path, data, text, index)
        for path, text in texts.items()
        for index, data in enumerate(yaml.safe_load_all(text))
        if data is not None
    ]
    found = validate_documents(documents, options, ARGO_TREE)
    return [(d.location.path, d.location.line, d.code) for d in found]


def edit(path: str, old: str, new: str) -> dict[str, str]:
    texts = hub_texts()
    assert old in texts[path], old
    texts[path] = texts[path].replace(old, new)
    return texts


def test_the_generated_argo_cd_hub_is_clean(options: ValidateOptions) -> None:
    assert run(hub_texts(), options) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("plant-scorer-line-a-{{name}}", "plant-scorer-line-a", (24, "K317")),
        ("configMapRef: acm-placement", "configMapRef: my-decisions", (17, "K319")),
        ("        server: '{{server}}'\n", "", (36, "K320")),
        ("        namespace: plant-models\n", "", (36, "K320")),
        ("server: '{{server}}'", "server: '{{server}}'\n        name: '{{name}}'", (36, "K320")),
        ("        targetRevision: edge-models\n", "", (32, "K322")),
        (
            "        edgemodels.io/placement: line-a\n    spec:",
            "        edgemodels.io/placement: line-a\n"
            "        apps.open-cluster-management.io/pull-to-ocm-managed-cluster: 'true'\n    spec:",
            (23, "K321"),
        ),
    ],
)
def test_a_broken_application_set_is_reported_where_it_is_broken(
    old: str, new: str, expected: tuple[int, str], options: ValidateOptions
) -> None:
    found = run(edit(SCORER, old, new), options)
    assert [(line, code) for path, line, code in found if path == SCORER] == [expected]
    assert [f for f in found if f[0] != SCORER] == []


def test_parameters_in_helm_values_are_reported(options: ValidateOptions) -> None:
    path = "hub/argocd/synced/applicationsets/forecaster--line-a.yaml"
    found = run(edit(path, "HORIZON: '48'", "HORIZON: '{{name}}'"), options)
    assert found == [(path, 41, "K325")]


def test_a_placement_no_gitops_cluster_registers(options: ValidateOptions) -> None:
    texts = hub_texts()
    del texts["hub/argocd/synced/gitopsclusters/line-a.yaml"]
    found = run(texts, options)
    assert {(p, code) for p, _, code in found} == {
        ("hub/argocd/synced/applicationsets/forecaster--line-a.yaml", "K318"),
        (SCORER, "K318"),
    }


def test_a_placement_name_longer_than_a_label_value(options: ValidateOptions) -> None:
    long = "plant-" + "x" * 60
    texts = edit("hub/argocd/synced/placements/line-a.yaml", "name: plant-line-a", f"name: {long}")
    for path in (
        "hub/argocd/synced/gitopsclusters/line-a.yaml",
        SCORER,
        "hub/argocd/synced/applicationsets/forecaster--line-a.yaml",
    ):
        texts[path] = texts[path].replace(": plant-line-a\n", f": {long}\n")
    assert run(texts, options) == [("hub/argocd/synced/placements/line-a.yaml", 5, "K316")]


def test_pull_model_objects_are_complete(options: ValidateOptions) -> None:
    pull = (
        "      annotations:\n"
        "        apps.open-cluster-management.io/ocm-managed-cluster: '{{name}}'\n"
        "        argocd.argoproj.io/skip-reconcile: 'true'\n"
    )
    label = "        apps.open-cluster-management.io/pull-to-ocm-managed-cluster: 'true'\n"
    marker = "        edgemodels.io/placement: line-a\n    spec:"
    both = marker.replace("    spec:", label + pull + "    spec:")
    assert run(edit(SCORER, marker, both), options) == []
    no_label = marker.replace("    spec:", pull + "    spec:")
    assert run(edit(SCORER, marker, no_label), options) == [(SCORER, 23, "K321")]


@pytest.fixture
def migration(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MIGRATION_TREE, tmp_path / "tree"))


def test_the_migration_tree_is_clean_and_unmarked_folders_are_reported(
    migration: Path, options: ValidateOptions
) -> None:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl (kustomize) is not installed")
    assert validate_tree(migration, options) == []
    helpers = migration / "models/forecaster/chart/templates/_helpers.tpl"
    helpers.write_text(helpers.read_text().replace('  helm.sh/resource-policy: "keep"\n', ""))
    overlay = migration / "models/scorer/overlays/line-a/kustomization.yaml"
    overlay.write_text(overlay.read_text().replace("- ../../components/keep-on-sites\n", ""))
    found = {(d.location.path, d.code) for d in validate_tree(migration, options)}
    assert found == {
        ("hub/synced/subscriptions/forecaster--line-a.yaml", "K323"),
        ("hub/synced/subscriptions/forecaster--arm-gateways.yaml", "K323"),
        ("hub/synced/subscriptions/scorer--line-a.yaml", "K323"),
    }


def test_a_migration_into_another_namespace_is_reported(
    migration: Path, options: ValidateOptions
) -> None:
    appset = migration / "hub/argocd/synced/applicationsets/weights--follow-weights.yaml"
    appset.write_text(
        appset.read_text().replace(
            "namespace: plant-models\n      syncPolicy", "namespace: elsewhere\n      syncPolicy"
        )
    )
    found = [(d.location.path, d.code, d.severity) for d in validate_tree(migration, options)]
    assert found == [
        ("hub/argocd/synced/applicationsets/weights--follow-weights.yaml", "K324", "warning")
    ]


def test_the_hub_application_must_point_at_a_folder_of_the_tree(options: ValidateOptions) -> None:
    texts = edit("hub/argocd/application.yaml", "hub/argocd/synced", "hub/argocd/sync")
    assert run(texts, options) == [("hub/argocd/application.yaml", 17, "K308")]
