"""Quantities written as Kubernetes YAML writes them (`cpu: 1`, `cpu: .5`, `memory: 1e3`,
`storage: 21474836480`), through the installed `edgemodels`: check takes them, generate
carries them as text the API server parses to the same amount, validate (Helm's render,
kustomize's build, K330 and K331) passes the result, and plan counts numeric sizes."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml
from installed import EXAMPLES, edit, run

# (file, text in the example, text written instead)
NUMERIC = [
    (
        "models/sktime.yaml",  # Helm packaging
        "resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 1Gi}}",
        "resources: {requests: {cpu: .5, memory: 1e3}, limits: {cpu: 1, memory: 1073741824}}",
    ),
    (
        "models/anomaly-scorer.yaml",  # Kustomize packaging, a per-target override
        "lrt-non-arm: {replicas: 2}",
        "lrt-non-arm: {replicas: 2, resources: {requests: {cpu: 0.25, memory: 100e6}}}",
    ),
    ("models/anomaly-scorer.yaml", "requests: {cpu: 100m,", "requests: {cpu: 100u,"),
    ("catalogue.yaml", "limits: {memory: 256Mi}}}", "limits: {memory: 268435456}}}"),
    ("models/defect-detector.yaml", "size: 2Gi}", "size: 2147483648}"),
]


@pytest.fixture
def numeric(tmp_path: Path) -> Path:
    """The example catalogue with the numeric quantities of NUMERIC."""
    shutil.copytree(EXAMPLES / "lrt", tmp_path / "catalogue")
    for name, old, new in NUMERIC:
        edit(tmp_path / "catalogue" / name, old, new)
    return tmp_path


def _load(path: Path) -> object:
    return yaml.safe_load(path.read_text())


def test_check_generate_and_validate_take_numeric_quantities(numeric: Path) -> None:
    checked = run("check", "catalogue", cwd=numeric)
    assert (checked.returncode, checked.stdout) == (0, "checked catalogue: no findings\n"), (
        checked.stdout + checked.stderr
    )
    generated = run("generate", "catalogue", "-o", "out", cwd=numeric)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    out = numeric / "out" / "models"

    values = _load(out / "sktime" / "chart" / "values.yaml")
    assert isinstance(values, dict)
    assert values["resources"] == {
        "requests": {"cpu": "0.5", "memory": "1e3"},
        "limits": {"cpu": "1", "memory": "1073741824"},
    }
    text = (out / "sktime" / "chart" / "values.yaml").read_text()
    assert "cpu: '0.5'" in text and "memory: '1e3'" in text  # text to Go's YAML too

    patch = (out / "anomaly-scorer" / "overlays" / "lrt-non-arm" / "kustomization.yaml").read_text()
    assert "cpu: '0.25'" in patch and "memory: '100e6'" in patch  # a float to Go's YAML
    claim = _load(out / "defect-detector" / "components" / "copy" / "claim.yaml")
    assert isinstance(claim, dict)
    assert claim["spec"]["resources"]["requests"] == {"storage": "2147483648"}

    validated = run("validate", "out", cwd=numeric)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "validated out: no findings" in validated.stdout


def test_a_number_generates_what_its_quoted_text_generates(numeric: Path, tmp_path: Path) -> None:
    """`cpu: .5` and `cpu: '0.5'` are one quantity: the trees differ only in the catalogue
    digest of the manifest (the catalogue's content differs)."""
    quoted = tmp_path / "quoted"
    shutil.copytree(numeric / "catalogue", quoted / "catalogue")
    edit(
        quoted / "catalogue" / "models" / "sktime.yaml",
        "{cpu: .5, memory: 1e3}, limits: {cpu: 1, memory: 1073741824}",
        "{cpu: '0.5', memory: '1e3'}, limits: {cpu: '1', memory: '1073741824'}",
    )
    edit(quoted / "catalogue" / "models" / "defect-detector.yaml", "2147483648", "'2147483648'")
    for root in (numeric, quoted):
        assert run("generate", "catalogue", "-o", "out", cwd=root).returncode == 0
    assert _files(numeric / "out") == _files(quoted / "out")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "manifest.json" and "cache" not in p.name
    }


def test_check_says_what_is_wrong_with_a_quantity(numeric: Path) -> None:
    edit(numeric / "catalogue" / "models" / "sktime.yaml", "cpu: 1,", "cpu: .inf,")
    edit(numeric / "catalogue" / "models" / "sktime.yaml", "cpu: .5,", "cpu: -1,")
    checked = run("check", "catalogue", cwd=numeric)
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert lines[:2] == [
        "catalogue/models/sktime.yaml:13:35: S004 spec.models[0].resources.requests.cpu: -1 is "
        "not a Kubernetes quantity such as 500m, 2, 256Mi (Kubernetes refuses a negative amount)",
        "catalogue/models/sktime.yaml:13:67: S003 spec.models[0].resources.limits.cpu: .inf is "
        "not a Kubernetes quantity such as 500m, 2, 256Mi (YAML reads .inf as an infinity, "
        "which no quantity is)",
    ]


def test_check_compares_numeric_requests_with_their_limits(numeric: Path) -> None:
    """R221 reads numbers as the API server does: 1.5 CPUs are above a limit of 1."""
    edit(numeric / "catalogue" / "models" / "sktime.yaml", "cpu: .5,", "cpu: 1.5,")
    checked = run("check", "catalogue", cwd=numeric)
    assert checked.returncode == 1
    assert checked.stdout.startswith(
        "catalogue/models/sktime.yaml:13:35: R221 model 'sktime' requests cpu 1.5 (at "
        "catalogue/models/sktime.yaml:13:35) but its limit is 1 (at "
        "catalogue/models/sktime.yaml:13:68): Kubernetes rejects a pod whose request is above "
        "its limit"
    ), checked.stdout


def test_plan_counts_numeric_sizes_against_numeric_capacities(numeric: Path) -> None:
    """defect-detector (2147483648 bytes) goes to the assembly sites: lrt-site-01 has room
    for it (8589934592 bytes), lrt-site-02 not (1e9, D103)."""
    sites = (EXAMPLES / "sites.yaml").read_text()
    sites = sites.replace("{storage: 20Gi}", "{storage: 8589934592}", 1)
    sites = sites.replace("{storage: 8Gi}", "{storage: 1e9}", 1)
    (numeric / "sites.yaml").write_text(sites)
    planned = run("plan", "-i", "sites.yaml", "catalogue", cwd=numeric)
    assert planned.returncode == 1, planned.stdout + planned.stderr
    (d103,) = [line for line in planned.stdout.splitlines() if " D103 " in line]
    assert "site lrt-site-02: container model defect-detector needs 2Gi" in d103
    assert d103.endswith("but capacity.storage is 953.7Mi")


def test_spaces_the_api_server_trims_are_taken_and_left_out(numeric: Path, tmp_path: Path) -> None:
    """`' 1Gi'` is 1Gi to the API server (Quantity.UnmarshalJSON trims it): check takes it and
    generate writes the tree it writes for `1Gi`, so no reader of the tree meets the space."""
    spaced = tmp_path / "spaced"
    shutil.copytree(numeric / "catalogue", spaced / "catalogue")
    edit(spaced / "catalogue" / "models" / "sktime.yaml", "{cpu: .5,", "{cpu: ' 0.5 ',")
    edit(spaced / "catalogue" / "models" / "defect-detector.yaml", "2147483648", "'2147483648 '")
    checked = run("check", "catalogue", cwd=spaced)
    assert (checked.returncode, checked.stdout) == (0, "checked catalogue: no findings\n")
    for root in (numeric, spaced):
        assert run("generate", "catalogue", "-o", "out", cwd=root).returncode == 0
    assert _files(numeric / "out") == _files(spaced / "out")


def test_validate_warns_of_spaces_and_refuses_what_takes_long_to_parse(numeric: Path) -> None:
    assert run("generate", "catalogue", "-o", "out", cwd=numeric).returncode == 0
    claim = numeric / "out" / "models" / "defect-detector" / "components" / "copy" / "claim.yaml"
    edit(claim, "storage: '2147483648'", "storage: ' 2Gi'")
    validated = run("validate", "out", cwd=numeric)
    assert " K333 " in validated.stdout and " K330 " not in validated.stdout, validated.stdout
    assert validated.returncode == 0, validated.stdout + validated.stderr
    edit(claim, "storage: ' 2Gi'", "storage: '1234567890123456789e250000'")
    started = time.perf_counter()
    validated = run("validate", "out", cwd=numeric)
    assert validated.returncode == 1, validated.stdout + validated.stderr
    assert "'1234567890123456789e250000' takes the API server a long time to parse" in (
        validated.stdout
    )
    assert time.perf_counter() - started < 30  # the whole tree, Helm and kustomize included
