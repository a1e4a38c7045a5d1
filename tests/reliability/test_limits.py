"""Every input has a size and depth limit, refused with the message docs/reliability.md
quotes, quickly (the oversize file is never read, the bomb never expanded)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edgemodels import managedclusters
from edgemodels.catalogue.sources import MAX_FILES
from edgemodels.inputfile import MAX_INPUT_BYTES
from edgemodels.managedclusters import MAX_SITES
from edgemodels.validate.streamload import MAX_DEPTH as MANIFEST_DEPTH
from edgemodels.validate.streamload import MAX_EXPANDED_NODES, MAX_STREAM_CHARS
from edgemodels.yamlio import MAX_FILE_BYTES
from edgemodels.yamltree import MAX_ALIAS_NODES, MAX_DEPTH, MAX_NODES

from .conftest import FIGURES
from .mutate import ALIAS_BOMB, RECURSIVE_ALIAS
from .workspace import build_case, describe, run

MAX_WORKLOADS = 10_000  # schemas/workload-placement.schema.json
BOUND = 10.0  # seconds any refusal below may take, even on a loaded machine


def _sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that costs no disk: a limit must refuse it before reading."""
    with open(path, "ab") as fh:
        fh.truncate(size)


def _deep(depth: int) -> str:
    return "a: " + "[" * depth + "1" + "]" * depth + "\n"


@pytest.fixture
def case(tmp_path: Path) -> Path:
    return build_case(tmp_path / "case")


def _expect(args: list[str], code: int, *words: str) -> str:
    result = run(args)
    assert result.code == code, describe(result)
    text = result.out + result.err
    for word in words:
        assert word in text, describe(result)
    assert result.seconds < BOUND, describe(result)
    FIGURES["limits: refusals checked"] += 1
    return text


def _check(case: Path) -> list[str]:
    return ["check", str(case / "cat"), "--policy-config", str(case / ".edgemodels-policy.yaml")]


def _plan(case: Path) -> list[str]:
    sites, export = str(case / "sites.yaml"), str(case / "export.yaml")
    return ["plan", "-i", sites, "--workload-sites", export, str(case / "cat")]


# --- the YAML limits every input shares (catalogue, policy files, policy config, export) ----

YAML_INPUTS = {
    "catalogue": ("cat/models/sktime.yaml", _check, ""),
    "policy file": ("policies/pods.yaml", _check, "P002"),
    "policy config": (".edgemodels-policy.yaml", _check, "P006"),
    "workload export": ("export.yaml", _plan, ""),
    "inventory": ("sites.yaml", _plan, ""),
}


@pytest.mark.parametrize("kind", sorted(YAML_INPUTS))
def test_oversize_file(case: Path, kind: str) -> None:
    path, command, wrapper = YAML_INPUTS[kind]
    # The inventory and the export are read by one reader with a larger limit: a hub's
    # ManagedCluster list with status is large.
    limit = MAX_INPUT_BYTES if kind in ("inventory", "workload export") else MAX_FILE_BYTES
    _sparse(case / path, limit + 1)
    code = 2 if kind == "policy config" else 1  # a broken config stops the run
    _expect(command(case), code, "Y008", f"the limit is {limit}", wrapper)


@pytest.mark.parametrize("kind", sorted(YAML_INPUTS))
def test_nesting_deeper_than_the_limit(case: Path, kind: str) -> None:
    path, command, wrapper = YAML_INPUTS[kind]
    (case / path).write_text(_deep(MAX_DEPTH + 1), encoding="utf-8")
    _expect(
        command(case),
        2 if kind == "policy config" else 1,
        "Y009",
        f"deeper than {MAX_DEPTH} levels",
        wrapper,
    )


@pytest.mark.parametrize("kind", sorted(YAML_INPUTS))
@pytest.mark.parametrize("bomb", [ALIAS_BOMB, RECURSIVE_ALIAS], ids=["billion-laughs", "loop"])
def test_alias_bombs(case: Path, kind: str, bomb: str) -> None:
    path, command, wrapper = YAML_INPUTS[kind]
    target = case / path
    target.write_text(bomb + target.read_text(encoding="utf-8"), encoding="utf-8")
    words = [f"more than {MAX_ALIAS_NODES} nodes"] if bomb == ALIAS_BOMB else ["recursive alias"]
    _expect(command(case), 2 if kind == "policy config" else 1, "Y007", *words, wrapper)


def test_nesting_at_the_limit_is_accepted_by_the_loader(case: Path) -> None:
    target = case / "cat" / "extra.yaml"
    target.write_text(_deep(MAX_DEPTH - 2), encoding="utf-8")
    text = _expect(_check(case), 1)  # refused for what it is (not a catalogue), not its depth
    assert "Y009" not in text


@pytest.mark.skipif(
    not os.environ.get("EDGEMODELS_FUZZ_HUGE"), reason="builds a 10 MB, 5-million-node file"
)
def test_more_nodes_than_the_limit(case: Path) -> None:
    (case / "cat" / "extra.yaml").write_text(
        "a: [" + ",".join(["0"] * (MAX_NODES + 1)) + "]\n", encoding="utf-8"
    )
    result = run(_check(case), seconds=120)
    assert result.code == 1 and "Y008" in result.out and f"{MAX_NODES} YAML nodes" in result.out


# --- limits of particular inputs --------------------------------------------------------------


def test_too_many_managed_clusters(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limit (100,000) takes seconds to parse; the check is the same with 20.
    monkeypatch.setattr(managedclusters, "MAX_SITES", 20)
    items = "".join(f"- {{kind: ManagedCluster, metadata: {{name: c{i}}}}}\n" for i in range(21))
    (case / "sites.yaml").write_text(f"kind: List\nitems:\n{items}", encoding="utf-8")
    _expect(["plan", "-i", str(case / "sites.yaml"), str(case / "cat")], 1, "D205", "limit is 20")


def test_too_many_workloads_in_an_export(case: Path) -> None:
    workloads = "".join(f"- {{name: w{i}, sites: []}}\n" for i in range(MAX_WORKLOADS + 1))
    head = "apiVersion: edgemodels.io/v1alpha1\nkind: WorkloadPlacement\nworkloads:\n"
    (case / "export.yaml").write_text(head + workloads, encoding="utf-8")
    _expect(_plan(case), 1, f"{MAX_WORKLOADS + 1} items; the limit is {MAX_WORKLOADS}")


@pytest.mark.skipif(
    not os.environ.get("EDGEMODELS_FUZZ_HUGE"), reason="parses a 100,001-site inventory"
)
def test_too_many_sites_in_an_inventory(case: Path) -> None:
    sites = "".join(f"- {{name: s{i}}}\n" for i in range(MAX_SITES + 1))
    inventory = f"apiVersion: edgemodels.io/v1alpha1\nkind: SiteInventory\nsites:\n{sites}"
    (case / "sites.yaml").write_text(inventory, encoding="utf-8")
    result = run(["plan", "-i", str(case / "sites.yaml"), str(case / "cat")], seconds=60)
    assert result.code == 1, describe(result)
    assert f"{MAX_SITES + 1} items; the limit is {MAX_SITES}" in result.out, describe(result)
    FIGURES["limits: refusals checked"] += 1


def test_a_cel_expression_longer_than_the_limit(case: Path) -> None:
    from edgemodels.policy.cel_env import MAX_EXPANDED

    policy = case / "policies" / "pods.yaml"
    text = policy.read_text(encoding="utf-8")
    check = "variables.pod.securityContext.runAsNonRoot == true"
    assert check in text, "pods.yaml changed; pick another expression with a variable"
    # Written in, each use of the variable repeats its expression: 600 uses pass the limit.
    long = " && ".join([check] * 600)
    policy.write_text(text.replace(check, long, 1), encoding="utf-8")
    _expect(_check(case), 1, "P003", f"the limit is {MAX_EXPANDED}")


def test_the_catalogue_file_count_limit_is_documented() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
    assert f"{MAX_FILES:,}" in doc.read_text(encoding="utf-8")


# --- files of a generated tree, read by validate -----------------------------------------------

TREE_DEFECTS = {
    "oversize": ("x: " + "a" * 8 + "\n", f"the limit is {MAX_STREAM_CHARS}"),
    "deep": (_deep(MANIFEST_DEPTH + 1), f"deeper than {MANIFEST_DEPTH} levels"),
    "bomb": (ALIAS_BOMB, f"more than {MAX_EXPANDED_NODES} nodes"),
    "loop": (RECURSIVE_ALIAS, "recursive alias"),
}


@pytest.mark.parametrize("defect", sorted(TREE_DEFECTS))
def test_validate_refuses_hostile_tree_files(case: Path, defect: str) -> None:
    text, words = TREE_DEFECTS[defect]
    target = case / "out" / "hub" / "channel.yaml"
    if defect == "oversize":
        text = "x: " + "a" * (MAX_STREAM_CHARS + 1) + "\n"
    target.write_text(text, encoding="utf-8")
    _expect(["validate", str(case / "out"), "--validator", "builtin"], 1, "K108", words)
