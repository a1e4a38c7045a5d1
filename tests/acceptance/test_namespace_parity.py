"""Where each packaging's objects land: a catalogue with a Helm and a Kustomize model,
generated through the CLI, each chart rendered with the Helm SDK in the release namespace
its deliverer gives it, each overlay built by `kubectl kustomize`.

RHACM installs a Subscription's chart in the Subscription's namespace (its HelmRelease's,
stolostron/multicloud-operators-subscription `pkg/utils/helmrepo.go`); Argo CD renders it
in the Application's destination namespace. R208 refuses the one case where the two
packagings would part: Subscriptions with spec.defaults.namespace apart from
spec.hub.namespace.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml
from generate_helpers import run_generate

IMAGE = "docker.io/library/nginx:1.27.0@sha256:" + "e8d7dc63" * 8


def catalogue(hub: str, models: str, delivery: str) -> str:
    def model(name: str, packaging: str) -> str:
        return (
            f"    - name: {name}\n      version: 1.0.0\n      wrapper: http\n"
            f"      packaging: {packaging}\n      image: {IMAGE}\n      targets: [line]\n"
            "      http: {port: 8080, healthPath: /health, ingressPath: /" + name + "}\n"
        )

    return (
        "apiVersion: edgemodels.io/v1alpha1\nkind: ModelCatalogue\nmetadata: {name: plant}\n"
        "spec:\n  git: {url: https://git.example.com/edge/deploy.git, branch: acm-dev}\n"
        f"  hub: {{namespace: {hub}, delivery: {delivery}}}\n"
        f"  defaults: {{namespace: {models}}}\n"
        "  targets:\n    line: {matchLabels: {env: edge}}\n  models:\n"
        + model("scorer", "helm")
        + model("ranker", "kustomize")
    )


def generate(tmp_path: Path, text: str) -> tuple[int, Path]:
    (tmp_path / "catalogue.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    return run_generate(str(tmp_path / "catalogue.yaml"), "-o", str(out)), out


def helm_objects(chart: Path, values: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    with helm_python.Chart.load(str(chart)) as loaded:
        out = loaded.render(values, name="release", namespace=namespace)
    return [d for text in out.values() for d in yaml.safe_load_all(text) if d]


def kustomize_objects(folder: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (kustomize) is not installed")
    done = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def landed(folder: Path, values: dict[str, Any], release_namespace: str) -> set[str]:
    """The namespaces the objects of one git-path end up in."""
    if (folder / "Chart.yaml").is_file():
        objects = helm_objects(folder, values, release_namespace)
    else:
        objects = kustomize_objects(folder)
    assert objects, folder
    return {o["metadata"]["namespace"] for o in objects}


def test_argocd_delivers_both_packagings_into_the_models_namespace(tmp_path: Path) -> None:
    code, out = generate(tmp_path, catalogue("edge-hub", "models", "argocd"))
    assert code == 0
    found = {}
    for path in sorted((out / "hub/argocd/synced/applicationsets").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text())["spec"]["template"]["spec"]
        values = spec["source"].get("helm", {}).get("valuesObject", {})
        found[path.stem] = landed(
            out / spec["source"]["path"], values, spec["destination"]["namespace"]
        )
    assert found == {"ranker--line": {"models"}, "scorer--line": {"models"}}


def test_subscriptions_deliver_both_packagings_into_one_namespace(tmp_path: Path) -> None:
    code, out = generate(tmp_path, catalogue("models", "models", "subscription"))
    assert code == 0
    found = {}
    for path in sorted((out / "hub/synced/subscriptions").glob("*.yaml")):
        sub = yaml.safe_load(path.read_text())
        git_path = sub["metadata"]["annotations"]["apps.open-cluster-management.io/git-path"]
        values: dict[str, Any] = {}
        for entry in sub["spec"].get("packageOverrides", []):
            for override in entry["packageOverrides"]:
                values.update(override["value"])
        found[path.stem] = landed(out / git_path, values, sub["metadata"]["namespace"])
    assert found == {"ranker--line": {"models"}, "scorer--line": {"models"}}


def test_subscriptions_with_the_models_namespace_apart_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The chart would land in edge-hub, the overlay in models or edge-hub: no tree."""
    code, out = generate(tmp_path, catalogue("edge-hub", "models", "subscription"))
    assert code == 1 and not out.exists()
    assert "R208" in capsys.readouterr().out
