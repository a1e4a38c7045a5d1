"""Golden trees of one catalogue in its three deliveries: Subscriptions, Argo CD, and the
migration step that holds both (tests/cases/delivery-*).

Refresh after an intended change with `pytest tests/acceptance --update-golden` and review
the diff of tests/cases/ like any other change.
"""

from __future__ import annotations

import difflib
import json
import shutil
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import yaml
from generate_helpers import CASES, files_of, run_generate, save_golden

from edgemodels.deployed import DeployedModel, index_tree
from edgemodels.validate.run import ValidateOptions, validate_tree

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = REPO.parent / "shared" / "reference" / "crd-schemas-strict"
MODES = ("subscription", "argocd", "migration")
MAX_DIFF_LINES = 60


def catalogue(mode: str) -> Path:
    return CASES / f"delivery-{mode}" / "catalogue.yaml"


def expected(mode: str) -> Path:
    return CASES / f"delivery-{mode}" / "expected"


def describe(want: dict[str, bytes], got: dict[str, bytes]) -> str:
    lines: list[str] = []
    for path in sorted(set(want) | set(got)):
        if path not in got or path not in want:
            lines.append(f"{'missing' if path not in got else 'unexpected'}: {path}")
        elif want[path] != got[path]:
            lines.extend(
                difflib.unified_diff(
                    want[path].decode().splitlines(),
                    got[path].decode().splitlines(),
                    f"expected/{path}",
                    f"actual/{path}",
                    lineterm="",
                )
            )
    return "\n".join(lines[:MAX_DIFF_LINES])


@pytest.mark.parametrize("mode", MODES)
def test_generated_tree_matches_golden(mode: str, tmp_path: Path, update_golden: bool) -> None:
    out = tmp_path / "out"
    assert run_generate(str(catalogue(mode)), "-o", str(out)) == 0
    actual = files_of(out)
    if update_golden:
        save_golden(out, expected(mode))
    assert expected(mode).is_dir(), f"no golden tree for {mode}: run pytest with --update-golden"
    golden = files_of(expected(mode))
    assert actual == golden, describe(golden, actual)


@pytest.mark.parametrize("mode", MODES)
def test_golden_tree_is_up_to_date_for_check(mode: str) -> None:
    before = files_of(expected(mode))
    assert run_generate(str(catalogue(mode)), "-o", str(expected(mode)), "--check") == 0
    assert files_of(expected(mode)) == before


def changed_lines(a: str, b: str) -> list[str]:
    old, new = catalogue(a).read_text().splitlines(), catalogue(b).read_text().splitlines()
    assert len(old) == len(new)
    return [f"{x.strip()} -> {y.strip()}" for x, y in zip(old, new, strict=True) if x != y]


def test_the_three_catalogues_differ_only_in_their_delivery() -> None:
    assert changed_lines("subscription", "argocd") == ["delivery: subscription -> delivery: argocd"]
    (line,) = changed_lines("argocd", "migration")
    assert line.startswith("argocd: {") and line.endswith("migration: keep-subscriptions}")


def hub(mode: str) -> dict[str, bytes]:
    return {
        p: d
        for p, d in files_of(expected(mode)).items()
        if p.startswith("hub/") and not p.endswith("/kustomization.yaml")
    }


def test_models_are_the_same_files_and_migration_holds_both_hub_sides() -> None:
    trees = {mode: files_of(expected(mode)) for mode in MODES}
    sites = {  # the files the sites get: a model's README.md names its hub objects
        m: {p: d for p, d in t.items() if p.startswith("models/") and p.count("/") > 2}
        for m, t in trees.items()
    }
    assert sites["subscription"] == sites["argocd"]
    assert set(sites["migration"]) > set(sites["argocd"])  # plus the keep-on-sites components
    argo = hub("argocd")
    assert argo and all(p.startswith("hub/argocd/") for p in argo)
    subscription = hub("subscription")
    assert not any(p.startswith("hub/argocd/") for p in subscription)
    assert hub("migration") == {**subscription, **argo}


def upstream_application() -> dict[str, object]:
    """Argo CD's Application as its CRD types it: the reference holds no Application CRD, but
    an ApplicationSet's spec.template.spec is Argo CD's ApplicationSpec."""
    appset = json.loads((UPSTREAM / "argoproj.io" / "applicationset_v1alpha1.json").read_text())
    props = appset["properties"]
    return {
        "type": "object",
        "properties": {
            "apiVersion": props["apiVersion"],
            "kind": {"type": "string", "enum": ["Application"]},
            "metadata": props["metadata"],
            "spec": props["spec"]["properties"]["template"]["properties"]["spec"],
        },
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
    }


@cache
def upstream_validator(api_version: str, kind: str) -> jsonschema.Draft7Validator:
    if (api_version, kind) == ("argoproj.io/v1alpha1", "Application"):
        return jsonschema.Draft7Validator(upstream_application())
    group, version = api_version.rsplit("/", 1)
    schema = json.loads((UPSTREAM / group / f"{kind.lower()}_{version}.json").read_text())
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("mode", ["argocd", "migration"])
def test_argo_cd_hub_objects_validate_against_the_real_schemas(mode: str) -> None:
    if not UPSTREAM.is_dir():
        pytest.skip(f"upstream CRD schemas not found at {UPSTREAM}")
    kinds = set()
    for path, data in hub(mode).items():
        doc = yaml.safe_load(data)
        kinds.add(doc["kind"])
        if "/" not in doc["apiVersion"]:
            continue  # a core kind (the hub Namespace): no CRD schema, validate checks it
        errors = [
            e.message for e in upstream_validator(doc["apiVersion"], doc["kind"]).iter_errors(doc)
        ]
        assert errors == [], path
    assert {
        "Application",
        "ApplicationSet",
        "GitOpsCluster",
        "Placement",
        "ManagedClusterSetBinding",
    } <= kinds


@pytest.mark.parametrize("mode", MODES)
def test_golden_trees_pass_edgemodels_validate(mode: str, tmp_path: Path) -> None:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl (kustomize) is not installed")
    options = ValidateOptions(cache_dir=tmp_path / "cache", validator="builtin", require_all=True)
    assert [d.render() for d in validate_tree(expected(mode), options)] == []


def test_publish_reads_the_same_models_and_placements_from_every_delivery() -> None:
    """What `publish` says changed on the deploy branch: nothing, across the switch."""

    def deployed(mode: str) -> dict[str, DeployedModel]:
        files = files_of(expected(mode))
        return index_tree(files, files.get)

    subscription = deployed("subscription")
    assert subscription["forecaster"].placements == {"line-a", "arm-gateways"}
    assert deployed("argocd") == deployed("migration") == subscription
