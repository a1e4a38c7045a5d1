"""Kubernetes schemas from the kubernetes-validate wheel: versions, standalone cache."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest

from edgemodels.errors import UsageError
from edgemodels.validate import builtin, k8s_schemas
from edgemodels.validate.k8s_schemas import ensure_standalone, normalize_version


def test_versions_are_normalised_and_checked() -> None:
    assert normalize_version("1.33") == "1.33.0"
    assert normalize_version("v1.30.0") == "1.30.0"
    assert k8s_schemas.DEFAULT_KUBERNETES_VERSION in k8s_schemas.available_versions()
    with pytest.raises(UsageError, match=r"available: 1\.25\.0, .*1\.37\.0"):
        normalize_version("1.33.2")
    with pytest.raises(UsageError):
        normalize_version("1.99")


def test_the_wheels_schemas_are_found_without_importing_it() -> None:
    # Its import pulls in jsonschema: 0.06 s of every validate for a folder name.
    code = (
        "import sys; from edgemodels.validate import k8s_schemas; "
        "print(k8s_schemas.wheel_root()); print('kubernetes_validate' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    folder, imported = done.stdout.splitlines()
    assert imported == "False"
    assert Path(folder) == Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    assert (Path(folder) / "v1.33.0-local" / "deployment-apps-v1.json").is_file()


def test_the_wheels_version_is_read_without_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The standalone folder is versioned by the wheel; its version comes from the
    `.dist-info` folder's name (importlib.metadata costs 0.03 s of every validate), and from
    importlib.metadata when that name cannot tell (none there, or two)."""
    from importlib import metadata

    real = metadata.version("kubernetes-validate")
    code = (
        "import sys; from edgemodels.validate import k8s_schemas; "
        "print(k8s_schemas.wheel_version()); print('importlib.metadata' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [real, "False"]
    site = tmp_path / "site"
    (site / "kubernetes_validate" / "kubernetes-json-schema").mkdir(parents=True)
    monkeypatch.setattr(
        k8s_schemas, "wheel_root", lambda: site / "kubernetes_validate" / "kubernetes-json-schema"
    )
    (site / "kubernetes_validate-9.9.9.dist-info").mkdir()
    assert k8s_schemas.wheel_version() == "9.9.9"
    (site / "kubernetes_validate-1.0.0.dist-info").mkdir()  # two: the name cannot tell
    assert k8s_schemas.wheel_version() == real


def test_standalone_folder_is_built_once(cache_dir: Path) -> None:
    folder = ensure_standalone("1.33.0", True, cache_dir)
    assert folder.name == "v1.33.0-standalone-strict"
    deployment = folder / "deployment-apps-v1.json"
    schema = json.loads(deployment.read_text())
    assert "/api/_definitions.json" not in deployment.read_text()  # refs inlined
    assert schema["additionalProperties"] is False
    assert schema["properties"]["spec"]["properties"]["replicas"]["type"] == ["integer", "null"]
    before = deployment.stat().st_mtime_ns
    assert ensure_standalone("1.33.0", True, cache_dir) == folder
    assert deployment.stat().st_mtime_ns == before
    leftovers = [p.name for p in folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # nothing half-built stays behind
    assert not (folder / "all.json").exists()


def test_self_referencing_types_resolve_offline(cache_dir: Path) -> None:
    folder = ensure_standalone("1.33.0", True, cache_dir)
    crd_kind = "apiextensions.k8s.io/v1"
    validator = builtin.compiled(folder, True, crd_kind, "CustomResourceDefinition")
    assert validator is not None
    doc = {
        "apiVersion": crd_kind,
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"size": {"type": "integer"}},
                                },
                            },
                        }
                    },
                }
            ],
        },
    }
    assert builtin.check(validator, doc) == []
    doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["typo"] = 1  # type: ignore[index]
    assert [v.code for v in builtin.check(validator, doc)] == ["K101"]


def test_kind_file_names_follow_kubeconform() -> None:
    assert k8s_schemas.kind_file_name("apps/v1", "Deployment") == "deployment-apps-v1.json"
    assert k8s_schemas.kind_file_name("v1", "Service") == "service-v1.json"
    assert (
        k8s_schemas.kind_file_name("networking.k8s.io/v1", "Ingress")
        == "ingress-networking-v1.json"
    )
