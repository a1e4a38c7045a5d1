"""A hub export read without positions (exportread.py) gives what the positioned tree gives:
the same sites, sets, times and findings at the same line and column, or it is not taken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from edgemodels import inventory
from edgemodels.diagnostics import Diagnostic
from edgemodels.exportread import read_export
from edgemodels.inventory import load_inventory
from edgemodels.sites import Inventory


def cluster(n: int, **labels: Any) -> dict[str, Any]:
    """A ManagedCluster as a hub exports it (the fields kubectl prints, shortened)."""
    return {
        "apiVersion": "cluster.open-cluster-management.io/v1",
        "kind": "ManagedCluster",
        "metadata": {
            "creationTimestamp": f"2026-11-{n % 28 + 1:02d}T10:00:00Z",
            "labels": {"env": "prod", "edgemodels.io/model-storage": "2Ti", **labels},
            "name": f"site-{n:03d}",
            "uid": f"0b6d{n:04d}-6618-6e55-b63c-0123456789ab",
        },
        "spec": {
            "hubAcceptsClient": n != 3,
            "leaseDurationSeconds": 60,
            "taints": [
                {
                    "effect": "NoSelect",
                    "key": "cluster.open-cluster-management.io/unreachable",
                    "timeAdded": "2026-11-30T01:00:00Z",
                }
            ]
            if n == 2
            else [],
        },
        "status": {
            "capacity": {"cpu": "16", "memory": "65843732Ki"},
            "clusterClaims": [
                {
                    "name": "infrastructure.openshift.io",
                    "value": '{"infraName":"x","platformStatus":{"type":"BareMetal"}}',
                }
            ],
            "conditions": [
                {
                    "lastTransitionTime": "2026-11-29T10:00:00Z",
                    "message": "Managed cluster is available",
                    "reason": "ManagedClusterAvailable",
                    "status": "Unknown" if n == 2 else "True",
                    "type": "ManagedClusterConditionAvailable",
                }
            ],
        },
    }


def export(*items: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "items": list(items), "kind": "List", "metadata": {}}


class _Quoting(yaml.SafeDumper):
    def choose_scalar_style(self) -> Any:  # kubectl's double quotes
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


class _Indenting(_Quoting):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)  # `items:\n  - ...`, as ruamel writes


def as_yaml(data: Any, indent_items: bool = False) -> str:
    dumper = _Indenting if indent_items else _Quoting
    return yaml.dump(data, Dumper=dumper, sort_keys=True, width=1 << 20)


def as_json(data: Any) -> str:
    return json.dumps(data, indent=4, sort_keys=True) + "\n"


def both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> tuple[Inventory | None, list[Diagnostic]]:
    """The inventory read as it is now, after asserting the positioned tree reads it alike."""
    path = tmp_path / "clusters.yaml"
    path.write_text(text, encoding="utf-8")
    fast = load_inventory(path, "clusters.yaml")
    with monkeypatch.context() as patched:
        patched.setattr(inventory, "read_export", lambda text, name: None)
        slow = load_inventory(path, "clusters.yaml")
    assert fast == slow
    return fast


FLEET = export(*(cluster(n) for n in range(6)))


@pytest.mark.parametrize("text", [as_yaml(FLEET), as_yaml(FLEET, True), as_json(FLEET)])
def test_a_kubectl_export_is_read_fast_and_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    read = read_export(text, "clusters.yaml")
    assert read is not None and len(read.items) == 6
    assert all(type(item) is dict for item in read.items)  # no item needed the slow reader
    assert "clusterClaims" not in read.items[0]["status"]  # what the plan does not read
    loaded, diags = both(tmp_path, monkeypatch, text)
    assert diags == [] and loaded is not None
    first = text.index("apiVersion", text.index("items"))
    line = text[:first].count("\n") + 1
    col = first - text.rfind("\n", 0, first) if text.startswith("a") else 9  # `{` in JSON
    assert (loaded.sites[0].location.line, loaded.sites[0].location.col) == (
        line - (0 if text.startswith("a") else 1),
        col,
    )
    assert loaded.sites[2].state is not None and loaded.sites[2].state.available == "Unknown"
    assert loaded.newest == "2026-11-30T01:00:00Z"


def label_yaml(value: str) -> str:
    text = as_yaml(export(cluster(0), cluster(1, gpu="nvidia"), cluster(2)))
    assert text.count("gpu: nvidia") == 1
    return text.replace("gpu: nvidia", f"gpu: {value}")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("on", "S003"),  # YAML 1.1: a boolean (yaml-rs reads text)
        ("yes", "S003"),
        ("0777", "S003"),  # YAML 1.1: octal 511
        ("1:30", "S003"),  # YAML 1.1: sexagesimal 90
        ("1e3", None),  # YAML 1.1: text (yaml-rs: a number)
        ("8080", "S003"),
        ("2026-01-01", None),  # a date: kept as text
        ("!!str 8080", None),  # a tag
        ("&a x", None),  # an anchor
        ("~", "S003"),
        ("'on'", None),
    ],
)
def test_a_value_yaml_reads_otherwise_reads_as_the_positioned_tree_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, code: str | None
) -> None:
    text = label_yaml(value)
    _, diags = both(tmp_path, monkeypatch, text)
    line = text[: text.index("gpu:")].count("\n") + 1
    assert [(d.line, d.col, d.code) for d in diags] == ([(line, 12, code)] if code else [])


def test_an_alias_to_an_item_and_a_duplicate_key_read_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = label_yaml("&a x").replace("env: prod", "env: *a", 1)
    _, diags = both(tmp_path, monkeypatch, text)  # the alias is before its anchor
    assert [d.code for d in diags] == ["Y001"]
    text = label_yaml("&a x").replace("gpu: &a x", "gpu: &a x\n      zone: *a")
    loaded, diags = both(tmp_path, monkeypatch, text)
    assert diags == [] and loaded is not None and loaded.sites[1].label_map()["zone"] == "x"
    text = label_yaml("x\n      gpu: y")
    _, diags = both(tmp_path, monkeypatch, text)
    assert [d.code for d in diags] == ["Y002"]


def test_an_invalid_storage_is_named_at_its_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = as_yaml(export(cluster(0), cluster(1))).replace("2Ti", "lots", 2)
    _, diags = both(tmp_path, monkeypatch, text)
    lines = [n + 1 for n, line in enumerate(text.splitlines()) if "lots" in line]
    assert [(d.line, d.col, d.code) for d in diags] == [(n, 36, "D204") for n in lines]


@pytest.mark.parametrize(
    "change",
    [
        ('"env": "prod"', '"env": 1e3'),  # text to YAML 1.1, a number to json
        ('"env": "prod"', '"env": NaN'),
        ('"env": "prod"', '"env": "\\ud83d\\ude00"'),  # libyaml refuses a surrogate
        ('"env": "prod"', '"env": "prod", "env": "dev"'),  # a duplicate key
        ('"env": "prod"', '"env": "pr\tod"'),  # a tab in a string: json refuses it
        ('"env": "prod"', f'"{"k" * 600}": "prod"'),  # too long for a YAML key
    ],
)
def test_json_that_yaml_reads_otherwise_is_read_as_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str]
) -> None:
    text = as_json(export(cluster(0), cluster(1))).replace(*change, 1)
    assert read_export(text, "clusters.yaml") is None
    both(tmp_path, monkeypatch, text)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_json_with_a_finding_names_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line_end: str
) -> None:
    text = as_json(export(cluster(0), cluster(1, gpu=True)))  # type: ignore[arg-type]
    assert read_export(text.replace("\n", line_end), "clusters.yaml") is not None
    _, diags = both(tmp_path, monkeypatch, text.replace("\n", line_end))
    at = text.index("true", text.index('"gpu"'))
    line, col = text[:at].count("\n") + 1, at - text.rfind("\n", 0, at)
    assert [(d.line, d.col, d.code) for d in diags] == [(line, col, "S003")]


@pytest.mark.parametrize("dump", [as_yaml, as_json])
def test_other_items_sets_and_nesting_read_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dump: Any
) -> None:
    deep: Any = "x"
    for _ in range(70):
        deep = {"a": deep}
    unnamed = cluster(4)
    del unnamed["metadata"]["name"]
    odd = export(
        cluster(0),
        {"kind": "ManagedClusterSet", "metadata": {"name": "edge"}},
        {"kind": "Placement", "metadata": {"name": "p"}},
        {"kind": "ConfigMap", "metadata": {"name": "c"}},
        unnamed,
        "text",
    )
    codes = [d.code for d in both(tmp_path, monkeypatch, dump(odd))[1]]
    assert codes == ["D206", "S002", "D206"]
    nested = cluster(1)
    nested["status"]["deep"] = deep
    codes = [d.code for d in both(tmp_path, monkeypatch, dump(export(cluster(0), nested)))[1]]
    assert codes == ["Y009"]


@pytest.mark.parametrize("dump", [as_yaml, as_json])
@pytest.mark.parametrize("levels", [58, 59, 60, 61, 62])
def test_nesting_at_the_limit_reads_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dump: Any, levels: int
) -> None:
    deep: Any = "x"
    for _ in range(levels):
        deep = {"a": deep}
    nested = cluster(1)
    nested["status"]["deep"] = deep  # the item at depth 2, status 3: the value at 4 + levels
    codes = [d.code for d in both(tmp_path, monkeypatch, dump(export(cluster(0), nested)))[1]]
    assert codes == ([] if 4 + levels <= 64 else ["Y009"])


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


@pytest.mark.parametrize("text", [as_yaml(FLEET), as_yaml(FLEET, True), as_json(FLEET)])
def test_an_export_saved_with_crlf_line_ends_is_read_fast_and_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    read = read_export(crlf(text), "clusters.yaml")
    assert read is not None and all(type(item) is dict for item in read.items)
    loaded, diags = both(tmp_path, monkeypatch, crlf(text))
    assert diags == [] and loaded is not None
    assert [s.location for s in loaded.sites] == [
        s.location for s in both(tmp_path, monkeypatch, text)[0].sites
    ]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("on", "S003"),
        ("|\n        a\n        b", "D204"),  # a block scalar's line ends (CRLF read as LF)
        ('"a\n        b"', "D204"),  # a quoted value over two lines
        ("&a x", None),
    ],
)
def test_a_crlf_export_with_a_finding_names_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, code: str | None
) -> None:
    label = "edgemodels.io/model-storage" if code == "D204" else "gpu"
    text = label_yaml("nvidia").replace(
        f"{label}: " + ("2Ti" if code == "D204" else "nvidia"), f"{label}: {value}", 1
    )
    _, diags = both(tmp_path, monkeypatch, crlf(text))
    _, lf = both(tmp_path, monkeypatch, text)
    assert [(d.line, d.col, d.code, d.message) for d in diags] == [
        (d.line, d.col, d.code, d.message) for d in lf
    ]
    assert [d.code for d in diags] == ([code] if code else [])


def test_a_lone_carriage_return_is_read_positioned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = crlf(as_yaml(FLEET)).replace("\r\n", "\r", 1)
    assert read_export(text, "clusters.yaml") is None
    both(tmp_path, monkeypatch, text)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("message: Managed cluster is available", 'message: "Managed cluster\tis available"'),
        ("message: Managed cluster is available", "message:\tManaged cluster is available"),
        ("message: Managed cluster is available", "message: |\n        Managed\tcluster"),
        ("message: Managed cluster is available", "message: x\t# a comment"),
        ("gpu: nvidia", "gpu: nvidia\n\t"),  # a line of a tab: an error to YAML
        ("gpu: nvidia", "gpu:\n\t- nvidia"),
        ("kind: List", "kind:\tList"),  # outside the items: read with positions anyway
    ],
)
def test_a_tab_in_an_item_reads_that_item_alone_with_positions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    text = label_yaml("nvidia")
    at = text.index(old, text.index("gpu: nvidia") if old.startswith("message") else 0)
    text = text[:at] + new + text[at + len(old) :]
    read = read_export(text, "clusters.yaml")
    _, diags = both(tmp_path, monkeypatch, text)
    if any(d.severity == "error" for d in diags):
        return  # what YAML refuses is said by the positioned tree, as always
    assert read is not None  # the others read fast (a tab in a block scalar is its text)
    assert [type(item) is dict for item in read.items][::2] == [True, True]


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(export(cluster(0), cluster(1, gpu=True)), indent="\t") + "\n",  # jq --tab
        as_json(export(cluster(0), cluster(1, gpu=True))).replace('": ', '":\t'),
        as_json(export(cluster(0), cluster(1, gpu=True))).replace('",\n', '"\t,\n'),
    ],
)
def test_json_with_tabs_between_tokens_is_read_fast_and_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    read = read_export(text, "clusters.yaml")
    assert read is not None and all(type(item) is dict for item in read.items)
    _, diags = both(tmp_path, monkeypatch, text)
    at = text.index("true", text.index('"gpu"'))
    line, col = text[:at].count("\n") + 1, at - text.rfind("\n", 0, at)
    assert [(d.line, d.col, d.code) for d in diags] == [(line, col, "S003")]
