"""K334: objects the API server cannot store for their size, wherever the tree holds them
(a hub file, a chart's rendered output, a kustomize input), and K335: a kustomize input
kustomize takes minutes to read, said before its build."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic
from edgemodels.validate import discover, inputscan, refusedinputs
from edgemodels.validate.manifests import ETCD_REQUEST_BYTES, document_sizes, manifests_of
from edgemodels.validate.objectsizes import MAX_DATA_BYTES, check_size, data_bytes
from edgemodels.validate.run import ValidateOptions, validate_tree
from edgemodels.validate.streamload import MAX_STREAM_CHARS

from .trees import edit, line_of

MiB = 1024 * 1024
HUB_LISTING = "hub/kustomization.yaml"
BASE = "models/batch/base"


def configmap(name: str, data: str, field: str = "data") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{field}:\n{data}"


def keys(count: int, value: str = "v") -> str:
    return "".join(f"  k{i:07d}: {value}\n" for i in range(count))


def add_to_hub(tree: Path, name: str, text: str) -> str:
    rel = f"hub/{name}"
    (tree / rel).write_text(text, encoding="utf-8")
    edit(tree, HUB_LISTING, "resources:\n", f"resources:\n- {name}\n")
    return rel


def add_to_base(tree: Path, name: str, text: str) -> str:
    rel = f"{BASE}/{name}"
    (tree / rel).write_text(text, encoding="utf-8")
    edit(tree, f"{BASE}/kustomization.yaml", "resources:\n", f"resources:\n- {name}\n")
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


@pytest.mark.parametrize(
    "text",
    ["x: [" + "a" * ETCD_REQUEST_BYTES, "x: " + "a" * (MAX_STREAM_CHARS + 1) + "\n"],
    ids=["yaml-error", "over-the-reader-limit"],
)
def test_a_large_stream_without_documents_is_its_reader_finding(text: str) -> None:
    docs, problems = manifests_of("s.yaml", text)
    assert docs == [] and [p.code for p in problems] == ["K108"]


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


def test_a_kustomize_input_over_a_limit_is_said_before_and_instead_of_its_build(
    tree: Path, options: ValidateOptions
) -> None:
    """Its build could only say, after minutes for a wide one, what cannot be applied."""
    encoded = base64.b64encode(b"x" * MiB).decode()
    wrong = "immutable: maybe\n"  # a schema finding on the built object, were it built
    text = configmap("blob", f"  b: {encoded}\n  c: eHl6\n", "binaryData") + wrong
    rel = add_to_base(tree, "blob.yaml", text)
    found = validate_tree(tree, options)
    assert [(d.code, d.path, d.line) for d in found] == [("K334", rel, 1)]
    assert found[0].message.endswith("the kustomize builds that could read it are not made")


# --- K335: what kustomize reads slowly is said at once, and built ------------------------


def test_a_wide_mapping_in_a_kustomize_input_is_a_warning_said_before_its_build(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputscan, "SLOW_KEYS", 300)
    monkeypatch.setattr(refusedinputs, "SCANNED_BYTES", 1000)
    wrong = "immutable: maybe\n"  # a schema finding on the built object: it was built
    rel = add_to_base(tree, "table.yaml", "# t\n" + configmap("table", keys(300)) + wrong)
    said: list[Diagnostic] = []
    found = validate_tree(tree, ValidateOptions(**{**vars(options), "notice": said.append}))
    (slow,) = [d for d in found if d.code == "K335"]
    assert said == [slow]
    assert (slow.path, slow.line, slow.col, slow.severity) == (rel, 6, 1, "warning")
    assert "a mapping of 300 keys" in slow.message and "may take minutes" in slow.message
    assert [(d.code, d.line) for d in found if d.code != "K335"] == [
        ("K102", line_of(tree, rel, "immutable:"))
    ]


def test_a_generators_input_is_not_taken_for_an_object(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kustomize reads a configMapGenerator's file as text: its keys are no mapping to it,
    and the ConfigMap it makes is checked once built (here under both limits)."""
    monkeypatch.setattr(inputscan, "SLOW_KEYS", 300)
    monkeypatch.setattr(refusedinputs, "SCANNED_BYTES", 1000)
    (tree / BASE / "table.yaml").write_text(keys(300), encoding="utf-8")
    generator = "configMapGenerator:\n- name: table\n  files: [table.yaml]\n"
    edit(tree, f"{BASE}/kustomization.yaml", "resources:\n", generator + "resources:\n")
    assert validate_tree(tree, options) == []


def test_a_small_input_is_not_parsed_before_its_build(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    monkeypatch.setattr(
        refusedinputs, "scan_input", lambda rel, text: parsed.append(rel) or ([], [])
    )
    add_to_base(tree, "table.yaml", configmap("table", keys(300)))
    discover.discover(tree)
    assert parsed == []
    monkeypatch.setattr(refusedinputs, "SCANNED_BYTES", 1000)
    discover.discover(tree)
    assert parsed == [f"{BASE}/table.yaml"]
