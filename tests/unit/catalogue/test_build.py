"""The typed model built from the example catalogue."""

from __future__ import annotations

from pathlib import Path

from edgemodels.catalogue import load_catalogue
from edgemodels.catalogue.model import Requirement
from edgemodels.placement import model_placements

from .helpers import BASE, sub

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "lrt"


def test_example_builds() -> None:
    catalogue, diags = load_catalogue(EXAMPLE)
    assert diags == []
    assert catalogue is not None
    assert catalogue.name == "lrt"
    assert catalogue.hub.namespace == "i4q-lrt"
    assert catalogue.defaults.image_pull_secrets == ("i4qregistry",)
    arm = catalogue.target("arm-assembly")
    assert arm.selector.match_labels == (("line", "assembly"),)
    assert arm.selector.match_expressions == (Requirement("kubernetes.io/arch", "In", ("arm64",)),)
    sktime = catalogue.model("sktime")
    assert sktime.http is not None and sktime.http.ingress_path == "/api"
    assert sktime.location.path.endswith("models/sktime.yaml")
    assert sktime.location.line == 5


def test_overrides_merge_target_then_model() -> None:
    catalogue, _ = load_catalogue(EXAMPLE)
    assert catalogue is not None
    placements = {p.name: p for p in model_placements(catalogue, catalogue.model("anomaly-scorer"))}
    assert placements["lrt-non-arm"].overrides.replicas == 2
    assert placements["arm-assembly"].overrides.replicas == 1
    res = placements["arm-assembly"].overrides.resources
    assert res is not None and dict(res.limits) == {"memory": "256Mi"}


def test_follow_workloads_placement() -> None:
    catalogue, _ = load_catalogue(EXAMPLE)
    assert catalogue is not None
    (follow,) = model_placements(catalogue, catalogue.model("defect-detector"))
    assert follow.name == "follow-defect-detector"
    assert follow.follows == ("quality-inspection",)
    assert follow.predicates[0].match_labels == (("line", "assembly"),)


def test_http_run_as_user_builds_and_defaults_to_none(tmp_path: Path) -> None:
    users = {}
    for name, text in {
        "unset": BASE,
        "set": sub("ingressPath: /api}", "ingressPath: /api, runAsUser: 10001}"),
    }.items():
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
        catalogue, diags = load_catalogue(tmp_path / f"{name}.yaml")
        assert diags == [] and catalogue is not None
        http = catalogue.model("sktime").http
        assert http is not None
        users[name] = http.run_as_user
    assert users == {"unset": None, "set": 10001}


def test_whole_number_decimals_are_built_as_integers(tmp_path: Path) -> None:
    """JSON Schema's integer admits 8080.0; the typed model (and so the generated YAML)
    holds 8080, which Kubernetes' int fields accept."""
    text = sub("{port: 8080,", "{port: 8080.0, runAsUser: 10001.0,")
    text = sub("targets: [lrt]", "targets: [lrt]\n      overrides: {lrt: {replicas: 2.0}}", text)
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    catalogue, diags = load_catalogue(tmp_path / "c.yaml")
    assert diags == [] and catalogue is not None
    model = catalogue.model("sktime")
    assert model.http is not None
    values = (model.http.port, model.http.run_as_user, model.target_overrides[0][1].replicas)
    assert values == (8080, 10001, 2)
    assert all(type(v) is int for v in values)
