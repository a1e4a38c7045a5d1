"""K330: resource quantities the API server cannot parse, on the value, in every object."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edgemodels.validate.manifests import Manifest, Source
from edgemodels.validate.quantities import QUANTITY, check_quantities
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import edit, line_of

VALID = [
    "1",
    "0",
    "500m",
    "0.5",
    ".5",
    "5.",
    "+1",
    "-0",
    "4Gi",
    "4G",
    "1Ki",
    "128974848",
    "129e6",
    "1E+3",
    "100n",
    "10u",
    "1k",
    "2Ei",
    "1.5Mi",
]
INVALID = [
    "",
    ".",
    "1 Gi",
    "1Gi ",
    "1Gi\n",
    *["lots", "4GB", "1K", "1KI", "4gi", "1e", "1e1.5", "Mi", "0x10", "1,5", "--1"],
]


@pytest.mark.parametrize("text", VALID)
def test_kubernetes_quantities_parse(text: str) -> None:
    assert QUANTITY.fullmatch(text)


@pytest.mark.parametrize("text", INVALID)
def test_what_the_api_server_refuses_does_not(text: str) -> None:
    assert not QUANTITY.fullmatch(text)


@pytest.mark.parametrize(("value", "refused"), [("-1", True), ("-0.01", True), ("-0e3", False)])
def test_a_negative_quantity_is_refused(value: str, refused: bool) -> None:
    claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
    claim += f"  resources:\n    requests:\n      storage: '{value}'\n"
    assert len(_found(claim)) == refused


def _found(text: str) -> list[tuple[int, int, str]]:
    manifest = Manifest(yaml.safe_load(text), Source("x.yaml", text))
    return [(d.line, d.col, d.message.split(" '")[0]) for d, _ in check_quantities(manifest)]


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
          - name: fetch
            resources:
              requests:
                cpu: lots
          containers:
          - name: run
            resources:
              requests:
                memory: 4GB
              limits:
                memory: 4Gi
                cpu: -1
          volumes:
          - name: scratch
            emptyDir:
              sizeLimit: 1gb
"""

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: store
spec:
  template:
    spec:
      containers:
      - name: db
        resources:
          limits: {cpu: "2", memory: 1Gi}
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      resources:
        requests:
          storage: 10GB
"""


def test_each_bad_quantity_is_on_its_value() -> None:
    spec = "CronJob nightly: spec.jobTemplate.spec.template.spec"
    assert sorted(_found(CRONJOB)) == [
        (15, 22, f"{spec}.initContainers[0].resources.requests.cpu"),
        (20, 25, f"{spec}.containers[0].resources.requests.memory"),
        (23, 22, f"{spec}.containers[0].resources.limits.cpu"),
        (27, 26, f"{spec}.volumes[0].emptyDir.sizeLimit"),
    ]


def test_volume_claim_templates_and_claims_are_checked() -> None:
    assert _found(STATEFULSET) == [
        (18, 20, "StatefulSet store: spec.volumeClaimTemplates[0].spec.resources.requests.storage")
    ]
    claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
    claim += "  resources:\n    requests:\n      storage: 10 Gi\n"
    assert [f[:2] for f in _found(claim)] == [(8, 16)]


def test_quotas_and_limit_ranges_are_checked() -> None:
    quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: q\nspec:\n"
    quota += "  hard:\n    pods: '10'\n    requests.memory: 8GB\n"
    assert [f[:2] for f in _found(quota)] == [(8, 22)]
    limits = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: l\nspec:\n  limits:\n"
    limits += "  - type: Container\n    default:\n      cpu: 1 core\n"
    assert [f[:2] for f in _found(limits)] == [(9, 12)]


def test_a_kind_of_another_group_is_not_a_kubernetes_workload() -> None:
    other = CRONJOB.replace("batch/v1", "example.com/v1")
    assert _found(other) == []


def test_a_rendered_bad_quantity_is_on_its_template_line(
    tree: Path, options: ValidateOptions
) -> None:
    rel = "models/web/chart/templates/deployment.yaml"
    resources = "\n          resources:\n            limits:\n              memory: 512MB\n"
    edit(tree, rel, "containerPort: {{ .Values.port }}\n", "containerPort: 8080" + resources)
    found = [(d.code, d.path, d.line) for d in validate_tree(tree, options)]
    assert found == [("K330", rel, line_of(tree, rel, "memory: 512MB"))]


def test_a_built_bad_quantity_is_found(tree: Path, options: ValidateOptions) -> None:
    rel = "models/batch/base/deployment.yaml"
    edit(tree, rel, "memory: 512Mi", "memory: 512MB")
    found = {(d.code, d.path, d.line, d.col) for d in validate_tree(tree, options)}
    assert found == {("K330", rel, line_of(tree, rel, "memory: 512MB"), 21)}
