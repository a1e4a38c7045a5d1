"""The benchmark harness works (at a tiny size, no time asserted) and its inputs are clean."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from edgemodels.catalogue import load
from edgemodels.catalogue.sources import shown_name
from edgemodels.check import CheckOptions, run_check
from edgemodels.cli import main
from edgemodels.inventory import load_inventory
from edgemodels.yamlio import to_plain
from edgemodels.yamltree import parse_text

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarks"
SCHEMA = json.loads((REPO / "schemas" / "catalogue.schema.json").read_text(encoding="utf-8"))


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


synth = _module("synth")
measure = _module("measure")


def test_quick_run_measures_every_case_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "quick.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--quick",
            "--work",
            str(tmp_path / "w"),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| case | input | edgemodels s |" in done.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["machine"]["cores"] >= 1
    rows = {r["case"]: r for r in report["rows"]}
    assert {"check", "memory (check)", "generate", "plan"} <= rows.keys()
    assert "validate (builtin)" in rows and "regenerate, 1 model changed" in rows
    assert rows["validate again, 1 model changed"]["verdict"] == "info", rows
    assert rows["plan, hub export (YAML)"]["verdict"] == "info", rows
    assert rows["plan, hub export (JSON)"]["note"].endswith("MiB of SiteInventory"), rows
    assert rows["regenerate, 1 model changed"]["note"].startswith("floor "), rows
    # measured, and through the server: a command it refused would make the row an error
    assert rows["regenerate, 1 model changed, server"]["verdict"] in {"ok", "MISS"}, rows
    for row in report["rows"]:
        assert row["verdict"] in {"ok", "MISS", "skipped", "no peer", "info"}, row
        if row["verdict"] in {"ok", "MISS"} and row["edgemodels"]:
            samples = row["edgemodels"]["samples"]
            assert samples and all(
                s["s"] > 0 and s["cpu_s"] > 0 and s["rss_mib"] > 1 and s["rc"] in (0, 1)
                for s in samples
            )
    check = next(r for r in report["rows"] if r["case"] == "check")
    assert check["peer_name"] == "check-jsonschema" or "not installed" in check["note"]


@pytest.mark.parametrize("split", [True, False])
@pytest.mark.parametrize("seed", [1, 2])
def test_synthetic_catalogue_is_schema_valid_and_clean_under_check(
    tmp_path: Path, split: bool, seed: int
) -> None:
    spec = synth.Spec(models=40, targets=7, sites=60, workloads=5, seed=seed, split=split)
    path = synth.write(spec, tmp_path)
    files = sorted(path.rglob("*.yaml")) if split else [path]
    assert len(files) == (40 + 2 if split else 1)
    for f in files:
        jsonschema.validate(yaml.safe_load(f.read_text(encoding="utf-8")), SCHEMA)
    result, diags = run_check(CheckOptions(path))
    assert [d.render() for d in diags if d.severity in ("error", "warning")] == []
    assert result.catalogue is not None and len(result.catalogue.models) == 40
    assert main(["check", "--strict", str(path)]) == 0
    inventory, diags = load_inventory(tmp_path / "sites.yaml")
    assert [d for d in diags if d.severity == "error"] == []
    assert inventory is not None and len(inventory.sites) == 60


def test_synthetic_mix_is_realistic_and_deterministic(tmp_path: Path) -> None:
    spec = synth.Spec(models=60, targets=8, sites=30, workloads=6, seed=5, split=False)
    header, models, workloads = synth.catalogue_parts(spec)
    assert {m["wrapper"] for m in models} == {"http", "container"}
    assert {m["packaging"] for m in models} == {"helm", "kustomize"}
    operators = {
        e["operator"] for t in header["targets"].values() for e in t.get("matchExpressions", [])
    }
    assert operators == {"In", "NotIn", "Exists"}
    following = {m["name"] for m in models if m.get("followWorkloads")}
    assert following and following <= {u for w in workloads for u in w["uses"]}
    a, b, c = (
        synth.write(s, tmp_path / n)
        for s, n in ((spec, "a"), (spec, "b"), (synth.Spec(60, 8, 30, 6, seed=6, split=False), "c"))
    )
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()


def test_synth_bump_version_changes_only_the_version(tmp_path: Path) -> None:
    root = synth.write(synth.Spec(models=3, targets=2, sites=5, workloads=1), tmp_path)
    model = root / "models" / f"{synth.model_name(1)}.yaml"
    before = yaml.safe_load(model.read_text(encoding="utf-8"))
    synth.bump_version(model, 4)
    after = yaml.safe_load(model.read_text(encoding="utf-8"))
    assert after["spec"]["models"][0].pop("version").endswith(".99.4")
    before["spec"]["models"][0].pop("version")
    assert after == before
    assert load(root, tmp_path).diagnostics == []


@pytest.mark.skipif(
    not os.access(measure.GNU_TIME, os.X_OK),
    reason="GNU time absent: the wait4 fallback is an upper bound (the harness's own RSS)",
)
def test_peak_memory_is_measured_per_run_not_as_a_running_maximum(tmp_path: Path) -> None:
    big = [
        sys.executable,
        "-c",
        "b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])",
    ]
    small = [sys.executable, "-c", "pass"]
    log = tmp_path / "log"
    first = measure.run_once(big, tmp_path, log)
    second = measure.run_once(small, tmp_path, log)
    assert first.rss_mib > 300
    assert second.rss_mib < 100
    assert first.returncode == second.returncode == 0


def test_commands_keep_their_bytecode_as_on_a_users_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("EDGEMODELS_BENCH_PROBE", "kept")
    code = "import os, sys; print(sys.dont_write_bytecode, os.environ['EDGEMODELS_BENCH_PROBE'])"
    log = tmp_path / "log"
    assert measure.run_once([sys.executable, "-c", code], tmp_path, log).returncode == 0
    assert log.read_text(encoding="utf-8").split() == ["False", "kept"]


def test_cpu_time_counts_descendants_and_not_waiting(tmp_path: Path) -> None:
    # A parent waiting on a child that computes (as validate waits on kubectl) is charged
    # with the child's CPU; a process that sleeps is charged with next to none.
    spin = "x = 0\nfor i in range(10_000_000):\n    x += i"
    busy = [
        sys.executable,
        "-c",
        f"import subprocess, sys; subprocess.run([sys.executable, '-c', {spin!r}])",
    ]
    sleeper = [sys.executable, "-c", "import time; time.sleep(0.5)"]
    log = tmp_path / "log"
    worked = measure.run_once(busy, tmp_path, log)
    slept = measure.run_once(sleeper, tmp_path, log)
    assert worked.returncode == slept.returncode == 0
    assert slept.seconds >= 0.5 and slept.cpu_s < 0.3
    assert worked.cpu_s > 0.3


# --- the loader speed-ups found by the benchmark keep PyYAML's meaning --------------------

SCALARS = st.one_of(
    st.sampled_from(
        [
            "yes",
            "No",
            "on",
            "~",
            "null",
            "",
            "0x1F",
            "0o17",
            "017",
            "1_000",
            "1e3",
            ".inf",
            "-.NaN",
            "2026-11-28",
            "12:30:00",
            "1.4.2",
            "true",
            "TRUE",
            "3.0",
            "=",
            "<<x",
            "+1",
            "-0",
        ]
    ),
    st.text(alphabet="abcdefxyz0123456789.:-+_ ~eE", max_size=8),
)


def _json_like(data: object) -> bool:
    if isinstance(data, dict):
        return all(_json_like(v) for v in data.values())
    if isinstance(data, list):
        return all(_json_like(v) for v in data)
    return data is None or isinstance(data, bool | int | float | str)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(SCALARS, min_size=1, max_size=6))
def test_positioned_loader_reads_scalars_as_pyyaml_does(values: list[str]) -> None:
    plain = "\n".join(f"k{i}: {v}" for i, v in enumerate(values))
    quoted = "\n".join(f"k{i}: {json.dumps(v)}" for i, v in enumerate(values))
    for text in (plain, quoted, "- " + "\n- ".join(json.dumps(v) for v in values)):
        try:
            expected = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if not _json_like(expected):
            continue  # timestamps and binary are kept as written, on purpose (yamltree)
        data, diags = parse_text(text, "t.yaml")
        if diags:
            continue  # refused (e.g. a duplicate or non-string key): not a reading difference
        assert to_plain(data) == expected


def test_shown_names_are_relative_to_the_base_through_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real" / "cat"
    (real / "models").mkdir(parents=True)
    (real / "models" / "a.yaml").write_text("x: 1\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (real / "models" / "b.yaml").symlink_to(real / "models" / "a.yaml")
    base = tmp_path / "link"
    assert shown_name(base / "cat" / "models" / "a.yaml", base) == "cat/models/a.yaml"
    assert shown_name(base / "cat" / "models" / "b.yaml", base) == "cat/models/a.yaml"
    assert shown_name(real / "models" / "a.yaml", real / "models") == "a.yaml"
    outside = tmp_path / "elsewhere.yaml"
    assert shown_name(outside, base) == outside.as_posix()
    assert shown_name(base, base) == "."
