"""Inputs the fuzz suite found crashing a command (exit 3), kept as fixed cases.

Each case names the bug it pins; the fix is in the module named there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .workloads import site_objects
from .workspace import build_case, describe, run

CASES = [
    # yamltree: a YAML timestamp or !!binary reached the JSON Schema validator (ValueError:
    # Unsupported type 'date'); now the text as written is kept.
    ("cat/models/sktime.yaml", "version: 1.4.2", "version: 2024-01-01", "check"),
    ("cat/models/sktime.yaml", "version: 1.4.2", "version: !!binary aGVsbG8=", "check"),
    ("export.yaml", "name: paint-monitor", "name: !!timestamp 2024-01-01", "plan"),
    # yamlloader: an explicit tag the value does not fit made PyYAML's constructors raise
    # ValueError (int, float), KeyError (bool) or AttributeError (timestamp).
    ("cat/models/sktime.yaml", "version: 1.4.2", "version: !!int one", "check"),
    ("cat/models/sktime.yaml", "version: 1.4.2", "version: !!bool maybe", "check"),
    ("export.yaml", "name: paint-monitor", "name: !!timestamp paint", "plan"),
    (".edgemodels-policy.yaml", "policies/*.yaml", "!!float policies/*.yaml", "check"),
    # catalogue/settings.py (git_url_problem): urlsplit raised 'Invalid IPv6 URL' on an unbalanced '['.
    ("cat/catalogue.yaml", "url: https://gitlab.com", "url: https://[gitlab.com", "check"),
    # inventory.py: `kind: [...]` is unhashable; `kind in {...}` raised TypeError.
    ("sites.yaml", "kind: SiteInventory", "kind: [SiteInventory]", "plan"),
    # policy/config.py: pathlib refuses '', absolute and '**'-inside patterns with exceptions.
    (".edgemodels-policy.yaml", "policies/*.yaml", "/etc/*", "check"),
    (".edgemodels-policy.yaml", "[policies/*.yaml]", "['']", "rules"),
    (".edgemodels-policy.yaml", "policies/*.yaml", "policies/a**b", "check"),
    # ...and one longer than a file name may be raised OSError (ENAMETOOLONG).
    (".edgemodels-policy.yaml", "policies/*.yaml", "x" * 300_000, "check"),
    # ...and '.' and './' raised IndexError and AttributeError inside pathlib.
    (".edgemodels-policy.yaml", "[policies/*.yaml]", "['.', './']", "check"),
]


def _args(case: Path, command: str) -> list[str]:
    cat, config = str(case / "cat"), str(case / ".edgemodels-policy.yaml")
    if command == "check":
        return ["check", cat, "--policy-config", config]
    if command == "rules":
        return ["rules", "--config", config, "--catalogue", cat]
    return [
        "plan",
        "-i",
        str(case / "sites.yaml"),
        "--workload-sites",
        str(case / "export.yaml"),
        cat,
    ]


@pytest.mark.parametrize(("path", "old", "new", "command"), CASES)
def test_former_crash_is_now_a_finding(
    tmp_path: Path, path: str, old: str, new: str, command: str
) -> None:
    case = build_case(tmp_path / "case", generate=False)
    target = case / path
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer holds {old!r}; update this case"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run(_args(case, command))
    # A broken policy config stops the run (exit 2, a clean message), as of 0.1.
    refusal = path == ".edgemodels-policy.yaml" and result.code == 2
    assert result.code in (0, 1) or refusal, describe(result)
    assert "internal error" not in result.err
    assert not refusal or "edgemodels: error: the policy config is invalid" in result.err


def test_ssh_url_with_a_password_is_refused_even_without_policies(tmp_path: Path) -> None:
    """R209 used to return early for every ssh:// URL (P110 caught it, but only with
    policies on)."""
    case = build_case(tmp_path / "case", generate=False)
    catalogue = case / "cat" / "catalogue.yaml"
    text = catalogue.read_text(encoding="utf-8")
    url = "ssh://deploy:Hunter2-s3cret@gitlab.com/i4q/LRT.git"
    catalogue.write_text(text.replace("https://gitlab.com/i4q/LRT.git", url), encoding="utf-8")
    result = run(["check", str(case / "cat"), "--no-policies"])
    assert result.code == 1
    assert "R209" in result.out and "Hunter2-s3cret" not in result.out + result.err


def test_helm_models_named_like_yaml_booleans_or_numbers_render_valid_objects(
    tmp_path: Path,
) -> None:
    """Found by the random-catalogue fuzz: a Helm model named `n` rendered `name: n`, which
    YAML reads as false, so its Deployment and Service were invalid (fixed by quoting in
    render/helm_templates.py); one named `y` or `1e3` had an unquoted Chart.yaml name, which
    Helm's YAML reads as true or 1000 (fixed in yamldump.py). Names that start with a
    digit are container models: an http model's Service name must start with a letter (R225)."""
    digest = "@sha256:" + "5" * 64
    image = f"image: 'registry.gitlab.com/i4q/m:1.0.0{digest}', targets: [all]"
    models = "".join(
        f"  - {{name: '{name}', version: 1.0.0, wrapper: http, packaging: helm, {image}, "
        f"http: {{port: 8080, ingressPath: /m-{name}}}, resources: {{limits: {{memory: 1Gi}}}}}}\n"
        for name in NAMES
    ) + "".join(
        f"  - {{name: '{name}', version: 1.0.0, wrapper: container, packaging: helm, {image}, "
        "container: {size: 1Gi}}\n"
        for name in NUMBER_NAMES
    )
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(
        "apiVersion: edgemodels.io/v1alpha1\nkind: ModelCatalogue\nmetadata: {name: c}\n"
        "spec:\n  git: {url: 'https://gitlab.com/i4q/d.git', branch: main}\n"
        "  hub: {namespace: edge}\n  defaults: {namespace: edge}\n"
        "  targets: {all: {matchLabels: {env: lrt}}}\n  models:\n" + models,
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert run(["generate", str(catalogue), "-o", str(out)]).code == 0
    result = run(["validate", str(out), "--validator", "builtin"])
    assert result.code == 0, describe(result)
    # Helm read `name: y` in Chart.yaml as true: every object was named "true" (yamldump).
    objects = site_objects(out)
    deployments = [o for o in objects if o["kind"] == "Deployment"]
    assert sorted(o["metadata"]["name"] for o in deployments) == sorted(NAMES)
    descriptors = [o for o in objects if o["kind"] == "ConfigMap"]
    assert sorted(o["data"]["name"] for o in descriptors) == sorted(NUMBER_NAMES)


NAMES = ("n", "y", "on")
NUMBER_NAMES = ("123", "1e3")


@pytest.mark.parametrize(
    "edit",
    [
        "  annotations: {deployed: 2024-01-01}\n",
        "  annotations: {payload: !!binary aGVsbG8=}\n",
        "  labels: !!set {a, b}\n",
    ],
)
def test_yaml_only_types_in_a_generated_file_are_findings_for_validate(
    tmp_path: Path, edit: str
) -> None:
    """validate crashed (Unsupported type 'date'/'set', exit 3) on a hand-edited manifest."""
    case = build_case(tmp_path / "case")
    channel = case / "out" / "hub" / "channel.yaml"
    text = channel.read_text(encoding="utf-8")
    assert "\nmetadata:\n" in text
    channel.write_text(text.replace("\nmetadata:\n", "\nmetadata:\n" + edit, 1), encoding="utf-8")
    result = run(["validate", str(case / "out"), "--validator", "builtin"])
    assert result.code in (0, 1), describe(result)
