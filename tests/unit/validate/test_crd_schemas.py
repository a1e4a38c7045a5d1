"""The project's own CRD schemas (schemas/crds/) proven against the real upstream ones.

- every sample object edgemodels emits validates under ours AND under upstream strict;
- every property path ours allows exists upstream (ours is a subset), enums included;
- ours are strict, typed and valid JSON Schema (Draft 4 and 7, as kubeconform reads them).

The upstream schemas are read from ../shared/reference/crd-schemas-strict (never copied
into the repository); the tests skip with a reason when that folder is absent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from edgemodels.validate.crd_schemas import crd_root, known_kinds, load_crd_schema, relax

from ..render.schemas import upstream_application
from .samples import all_samples

REPO = Path(__file__).resolve().parents[3]
UPSTREAM = REPO.parent / "shared" / "reference" / "crd-schemas-strict"
OURS = sorted(crd_root().glob("*/*.json"))
EXPECTED_KINDS = {
    ("apps.open-cluster-management.io/v1", "Channel"),
    ("apps.open-cluster-management.io/v1", "Subscription"),
    ("apps.open-cluster-management.io/v1", "PlacementRule"),
    ("cluster.open-cluster-management.io/v1beta1", "Placement"),
    ("cluster.open-cluster-management.io/v1beta2", "ManagedClusterSetBinding"),
    ("app.k8s.io/v1beta1", "Application"),
    ("apps.open-cluster-management.io/v1beta1", "GitOpsCluster"),
    ("argoproj.io/v1alpha1", "ApplicationSet"),
    ("argoproj.io/v1alpha1", "Application"),
}
APPLICATION = Path("argoproj.io/application_v1alpha1.json")


def upstream(relative: Path) -> dict[str, Any]:
    if not UPSTREAM.is_dir():
        pytest.skip(f"upstream CRD schemas not found at {UPSTREAM}")
    if relative == APPLICATION:  # no CRD of its own in the reference: the ApplicationSpec
        return upstream_application(UPSTREAM)
    return json.loads((UPSTREAM / relative).read_text(encoding="utf-8"))


def test_every_emitted_kind_has_a_schema_in_kubeconform_layout() -> None:
    assert set(known_kinds()) == EXPECTED_KINDS
    for path in OURS:
        schema = json.loads(path.read_text())
        group, version = schema["properties"]["apiVersion"]["enum"][0].rsplit("/", 1)
        kind = schema["properties"]["kind"]["enum"][0]
        assert path.relative_to(crd_root()).as_posix() == f"{group}/{kind.lower()}_{version}.json"


def objects(node: Any, where: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from objects(item, f"{where}/{i}")


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_ours_are_strict_typed_and_valid_json_schema(path: Path) -> None:
    schema = json.loads(path.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft7Validator.check_schema(schema)
    open_objects = [
        w for w, node in objects(schema) if node.get("additionalProperties") is not False
    ]
    assert open_objects == []
    assert set(schema["required"]) >= {"apiVersion", "kind", "metadata"}
    assert set(schema["properties"]["metadata"]["properties"]) == {
        "name",
        "namespace",
        "labels",
        "annotations",
    }
    assert not any(
        w for w, node in objects(relax(schema)) if node.get("additionalProperties") is False
    )


def paths(
    node: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    """Every property path a schema allows: names, `[]` for items, `*` for map values."""
    for name, sub in (node.get("properties") or {}).items():
        yield (*prefix, name), sub
        yield from paths(sub, (*prefix, name))
    if isinstance(node.get("items"), Mapping):
        yield (*prefix, "[]"), node["items"]
        yield from paths(node["items"], (*prefix, "[]"))
    if isinstance(node.get("additionalProperties"), Mapping):
        yield (*prefix, "*"), node["additionalProperties"]
        yield from paths(node["additionalProperties"], (*prefix, "*"))


def resolve(node: Mapping[str, Any], path: tuple[str, ...]) -> Mapping[str, Any] | None:
    """The upstream node at path; {} (anything) below free-form or preserve-unknown nodes."""
    for step in path:
        if node.get("x-kubernetes-preserve-unknown-fields") or (
            node.get("type") == "object"
            and "properties" not in node
            and "additionalProperties" not in node
        ):
            return {}
        if step == "[]":
            nxt = node.get("items")
        elif step == "*":
            nxt = node.get("additionalProperties")
        else:
            nxt = (node.get("properties") or {}).get(step)
            if nxt is None and isinstance(node.get("additionalProperties"), Mapping):
                nxt = node["additionalProperties"]
        if not isinstance(nxt, Mapping):
            return None
        node = nxt
    return node


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_ours_is_a_subset_of_upstream(path: Path) -> None:
    ours = json.loads(path.read_text())
    theirs = upstream(path.relative_to(crd_root()))
    missing, wider = [], []
    for where, node in paths(ours):
        found = resolve(theirs, where)
        if found is None:
            missing.append("/".join(where))
        elif "enum" in node and "enum" in found and not set(node["enum"]) <= set(found["enum"]):
            wider.append("/".join(where))
    assert missing == [] and wider == []


# The kinds a hand-written hub may use any field of: ours must accept every spec field the
# real CRD does (ApplicationSet and GitOpsCluster stay the subset edgemodels emits).
FULL_SPEC = [
    "apps.open-cluster-management.io/channel_v1.json",
    "apps.open-cluster-management.io/subscription_v1.json",
    "apps.open-cluster-management.io/placementrule_v1.json",
    "cluster.open-cluster-management.io/placement_v1beta1.json",
    "cluster.open-cluster-management.io/managedclustersetbinding_v1beta2.json",
    "app.k8s.io/application_v1beta1.json",
]


@pytest.mark.parametrize("relative", FULL_SPEC)
def test_ours_has_every_spec_field_upstream_has(relative: str) -> None:
    ours = json.loads((crd_root() / relative).read_text())
    theirs = upstream(Path(relative))
    missing = [
        "/".join(where)
        for where, _ in paths(theirs)
        if where[0] == "spec" and resolve(ours, where) is None
    ]
    assert missing == []


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    # The CRD kinds only: the hub Namespace (core v1) has no CRD schema of ours.
    found = all_samples(tmp_path_factory.mktemp("samples"))
    return [(label, d) for label, d in found if "/" in d["apiVersion"]]


def test_samples_cover_every_kind(samples: list[tuple[str, dict[str, Any]]]) -> None:
    assert {(d["apiVersion"], d["kind"]) for _, d in samples} == EXPECTED_KINDS


def test_every_sample_validates_under_ours_and_upstream(
    samples: list[tuple[str, dict[str, Any]]],
) -> None:
    problems = []
    for label, doc in samples:
        group, version = doc["apiVersion"].rsplit("/", 1)
        ours = load_crd_schema(doc["apiVersion"], doc["kind"], True)
        theirs = upstream(Path(group) / f"{doc['kind'].lower()}_{version}.json")
        for name, schema in (("ours", ours), ("upstream", theirs)):
            for error in jsonschema.Draft7Validator(schema).iter_errors(doc):
                problems.append(f"{label} ({name}): {error.json_path}: {error.message}")
    assert problems == []


def test_ours_catches_what_upstream_strict_catches() -> None:
    """The typo cases of kubeconform.md section 2.3, under both schema sets."""
    doc = {
        "apiVersion": "apps.open-cluster-management.io/v1",
        "kind": "Subscription",
        "metadata": {"name": "s", "namespace": "n"},
        "spec": {"chanel": "n/c", "placement": {"placementRef": {"nmae": "p", "name": "p"}}},
    }
    theirs = upstream(Path("apps.open-cluster-management.io/subscription_v1.json"))
    ours = load_crd_schema(doc["apiVersion"], doc["kind"], True)

    def found(schema: Any) -> set[str]:
        return {e.validator for e in jsonschema.Draft7Validator(schema).iter_errors(doc)}

    assert found(ours) == found(theirs) == {"required", "additionalProperties"}


def test_the_subset_check_can_fail() -> None:
    theirs = upstream(Path("apps.open-cluster-management.io/channel_v1.json"))
    assert resolve(theirs, ("spec", "pathname")) is not None
    assert resolve(theirs, ("spec", "pathnames")) is None
    assert resolve(theirs, ("metadata", "labels", "*")) is not None
