"""K334: objects the API server cannot store for their size, wherever the tree holds them
(a hub file, a chart's rendered output, a kustomize build)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic
from edgemodels.validate.manifests import ETCD_REQUEST_BYTES, document_sizes, manifests_of
from edgemodels.validate.objectsizes import MAX_DATA_BYTES, check_size, data_bytes
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import edit, line_of

MiB = 1024 * 1024
HUB_LISTING = "hub/kustomization.yaml"


def configmap(name: str, data: str, field: str = "data") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{field}:\n{data}"


def keys(count: int, value: str = "v") -> str:
    return "".join(f"  k{i:07d}: {value}\n" for i in range(count))


def add_to_hub(tree: Path, name: str, text: str) -> str:
    rel = f"hub/{name}"
    (tree / rel).write_text(text, encoding="utf-8")
    edit(tree, HUB_LISTING, "resources:\n", f"resources:\n- {name}\n")
    return rel


def k334(found: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in found if d.code == "K334"]


# --- what is counted, as the API server counts it -------------------------------------


def test_a_configmap_counts_its_values_bytes_and_binary_data_decoded() -> None:
    data = {"data": {"a": "é" * 10, "key-not-counted": ""}, "binaryData": {"b": "eHl6"}}
    assert data_bytes(data, "ConfigMap") == 20 + 3


def test_a_secret_counts_its_data_decoded_and_string_data_which_wins_a_key() -> None:
    encoded = base64.b64encode(b"x" * 100).decode()
    data = {"data": {"a": encoded, "b": encoded}, "stringData": {"a": "short"}}
    assert data_bytes(data, "Secret") == 100 + 5


@pytest.mark.parametrize(("size", "over"), [(MAX_DATA_BYTES, False), (MAX_DATA_BYTES + 1, True)])
def test_the_data_limit_is_the_api_servers_more_than_1_mib(size: int, over: bool) -> None:
    text = configmap("c", f"  a: {'x' * (size - 10)}\n  b: '{'y' * 10}'\n")
    (manifest,), _ = manifests_of("c.yaml", text)
    assert bool(check_size(manifest)) is over


def test_only_a_stream_over_the_etcd_limit_has_its_documents_measured() -> None:
    small = configmap("a", keys(10))
    assert document_sizes(small, [1]) is None
    big = configmap("b", keys(200_000))
    stream = small + "---\n" + big + "---\n" + small
    docs, _ = manifests_of("s.yaml", stream)
    assert [d.size for d in docs] == [len(small) + 4, len(big) + 4, len(small)]
    assert sum(d.size for d in docs) == len(stream.encode())


def test_a_document_beyond_ascii_is_measured_in_bytes() -> None:
    text = configmap("a", keys(ETCD_REQUEST_BYTES // 20, "é"))
    (doc,), _ = manifests_of("s.yaml", text)
    assert doc.size == len(text.encode()) > len(text)


# --- wherever the tree holds the object -------------------------------------------------


def test_a_hub_configmap_over_1_mib_of_data_is_on_its_line(
    tree: Path, options: ValidateOptions
) -> None:
    rel = add_to_hub(tree, "big.yaml", "# big\n" + configmap("big", f"  a: {'x' * (MiB + 1)}\n"))
    (d,) = k334(validate_tree(tree, options))
    assert (d.path, d.line, d.col, d.severity) == (rel, 2, 1, "error")
    assert d.message.startswith("ConfigMap big: its data and binaryData hold 1.0 MiB (1,048,577")
    assert "over the 1 MiB (1,048,576 bytes) the API server allows a ConfigMap's data" in d.message
    assert "etcd" not in d.message


def test_any_object_over_the_etcd_limit_is_a_finding_naming_that_limit(
    tree: Path, options: ValidateOptions
) -> None:
    """Keys are not counted in a ConfigMap's 1 MiB, but they are in what etcd stores."""
    rel = add_to_hub(tree, "wide.yaml", configmap("wide", keys(120_000)))
    (d,) = k334(validate_tree(tree, options))
    assert (d.path, d.line) == (rel, 1)
    assert "over etcd's request limit, 1.5 MiB (1,572,864 bytes) by default" in d.message
    assert "data and binaryData" not in d.message


def test_a_rendered_object_over_a_limit_is_on_its_template(
    tree: Path, options: ValidateOptions
) -> None:
    rel = "models/web/chart/templates/table.yaml"
    (tree / rel).write_text("{{/* x */}}\n" + configmap("table", keys(120_000)), encoding="utf-8")
    (d,) = k334(validate_tree(tree, options))
    assert (d.path, d.line) == (rel, line_of(tree, rel, "apiVersion: v1"))
    assert "etcd's request limit" in d.message and "rendered line 2" in d.message
