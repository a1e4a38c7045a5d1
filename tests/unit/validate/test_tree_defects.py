"""A valid tree passes; each kind of defect is caught once, at the right place.

Trees are written by hand in the generated layout (tests/unit/validate/trees.py) and rendered and
built for real: Helm SDK, `kubectl kustomize`, the kubernetes-validate schemas.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import col_of, edit, line_of

needs_kubectl = pytest.mark.skipif(
    __import__("shutil").which("kubectl") is None, reason="kubectl is not on PATH"
)


def only(diags: list[Diagnostic]) -> Diagnostic:
    assert len(diags) == 1, "\n".join(d.render() for d in diags)
    return diags[0]


def test_valid_tree_passes(tree: Path, options: ValidateOptions) -> None:
    assert validate_tree(tree, options) == []


def test_typo_field_in_a_hub_manifest(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/placements/site-a.yaml"
    edit(tree, rel, "  tolerations:", "  toleration:")
    d = only(validate_tree(tree, options))
    assert (d.code, d.name) == ("K101", "unknown-field")
    assert d.location == Location(rel, line_of(tree, rel, "toleration:"), 3)
    assert "unknown field 'toleration' in /spec" in d.message
    assert d.origin == Location("catalogue.yaml", 10, 1)


@needs_kubectl
def test_typo_field_in_a_kustomize_base_is_reported_on_the_base_file(
    tree: Path, options: ValidateOptions
) -> None:
    rel = "models/batch/base/deployment.yaml"
    edit(tree, rel, "        resources:", "        resource:")
    d = only(validate_tree(tree, options))
    assert d.code == "K101"
    assert d.location == Location(rel, line_of(tree, rel, "resource:"), 9)
    # Both overlays build the same object: one finding naming both.
    assert d.message.endswith("[overlay site-a; overlay site-b]")
    assert d.origin == Location("catalogue.yaml", 30, 1)


def test_wrong_type(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/placements/site-b.yaml"
    edit(tree, rel, "  clusterSets:", "  numberOfClusters: two\n  clusterSets:")
    d = only(validate_tree(tree, options))
    assert d.code == "K102"
    assert d.location == Location(rel, line_of(tree, rel, "numberOfClusters"), 21)
    assert "/spec/numberOfClusters: got string, want integer" in d.message


def test_wrong_type_in_a_rendered_template_points_at_the_template(
    tree: Path, options: ValidateOptions
) -> None:
    rel = "models/web/chart/templates/deployment.yaml"
    edit(tree, rel, "- containerPort: {{ .Values.port }}", '- containerPort: "eighty"')
    d = only(validate_tree(tree, options))
    assert d.code == "K102"
    assert d.location == Location(
        rel, line_of(tree, rel, "containerPort"), col_of(tree, rel, '"eighty"')
    )
    # Both placements render it; the rendered line is named too.
    assert "[Subscription web-site-a, rendered line" in d.message
    assert "; Subscription web-site-b, rendered line" in d.message


def test_missing_required_field(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/subscriptions/web--site-b.yaml"
    edit(tree, rel, "  channel: edge-hub/demo\n", "")
    d = only(validate_tree(tree, options))
    assert d.code == "K103"
    assert d.location == Location(rel, line_of(tree, rel, "spec:"), 1)
    assert "/spec: missing required field 'channel'" in d.message


def test_wrong_api_version(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/placements/site-a.yaml"
    edit(
        tree,
        rel,
        "cluster.open-cluster-management.io/v1beta1",
        "cluster.open-cluster-management.io/v1alpha1",
    )
    diags = validate_tree(tree, options)
    d = next(d for d in diags if d.path == rel)
    assert d.code == "K106"
    assert d.location == Location(rel, 2, 13)
    assert "Placement is known as cluster.open-cluster-management.io/v1beta1" in d.message
    # The Subscriptions referring to it no longer find a Placement site-a: reported there.
    assert {x.code for x in diags if x.path != rel} == {"K304"}


def test_broken_template(tree: Path, options: ValidateOptions) -> None:
    rel = "models/web/chart/templates/service.yaml"
    edit(tree, rel, "targetPort: {{ .Values.port }}", "targetPort: {{ .Values.nope.deep }}")
    d = only(validate_tree(tree, options))
    assert (d.code, d.name) == ("K201", "helm-template-error")
    # Helm's own line:col of the failing action, on the template file.
    assert (d.path, d.line) == (rel, line_of(tree, rel, "targetPort"))
    assert d.col > col_of(tree, rel, "{{")
    assert "nil pointer" in d.message


def test_template_that_does_not_parse(tree: Path, options: ValidateOptions) -> None:
    rel = "models/web/chart/templates/service.yaml"
    edit(tree, rel, "targetPort: {{ .Values.port }}", "targetPort: {{ .Values.port }")
    d = only(validate_tree(tree, options))
    assert d.code == "K201"
    assert (d.path, d.line) == (rel, line_of(tree, rel, "targetPort"))


def test_values_that_break_the_chart_schema_point_at_the_subscription(
    tree: Path, options: ValidateOptions
) -> None:
    rel = "hub/subscriptions/web--site-a.yaml"
    edit(tree, rel, "replicas: 2", "replicas: 50")
    d = only(validate_tree(tree, options))
    assert d.code == "K202"
    assert d.location == Location(rel, line_of(tree, rel, "replicas: 50"), 19)
    assert "maximum: got 50, want 20" in d.message


def test_a_bad_default_points_at_its_values_yaml_line(tree: Path, options: ValidateOptions) -> None:
    """No placement sets `port`: the bad value is the chart's default, not the Subscription's."""
    rel = "models/web/chart/values.yaml"
    edit(tree, rel, "port: 8080", "port: http")
    found = validate_tree(tree, options)
    assert {d.code for d in found} >= {"K202"}
    d = next(d for d in found if d.code == "K202")
    assert d.location == Location(rel, line_of(tree, rel, "port: http"), 7)
    assert all(f.path == rel for f in found if f.code == "K202")


@needs_kubectl
def test_overlay_that_does_not_build(tree: Path, options: ValidateOptions) -> None:
    rel = "models/batch/overlays/site-a/kustomization.yaml"
    edit(tree, rel, "- ../../base", "- ../../missing")
    d = only(validate_tree(tree, options))
    assert (d.code, d.name) == ("K206", "kustomize-build-error")
    assert d.location == Location(rel, line_of(tree, rel, "../../missing"), 1)
    assert "models/batch/missing" in d.message and "/tmp/" not in d.message


def test_dangling_git_path(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/subscriptions/batch--site-b.yaml"
    edit(
        tree,
        rel,
        "git-path: models/batch/overlays/site-b",
        "git-path: models/batch/overlays/site-c",
    )
    d = only(validate_tree(tree, options))
    assert (d.code, d.name) == ("K308", "git-path-missing")
    assert d.location == Location(rel, line_of(tree, rel, "git-path"), col_of(tree, rel, "models/"))


def test_git_path_to_a_folder_without_a_package(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/subscriptions/web--site-b.yaml"
    edit(tree, rel, "git-path: models/web/chart", "git-path: models/web/chart/templates")
    assert only(validate_tree(tree, options)).code == "K309"


def test_duplicate_key_and_yaml_syntax(tree: Path, options: ValidateOptions) -> None:
    edit(tree, "hub/channel.yaml", "  type: Git\n", "  type: Git\n  type: Git\n")
    edit(tree, "hub/applications/web.yaml", "spec:\n", "spec: [\n")
    diags = validate_tree(tree, options)
    dup = next(d for d in diags if d.code == "K109")
    assert dup.location == Location(
        "hub/channel.yaml", line_of(tree, "hub/channel.yaml", "type", 2), 3
    )
    syntax = next(d for d in diags if d.code == "K108")
    assert syntax.path == "hub/applications/web.yaml"


def test_findings_are_the_same_with_origin_and_no_strict(
    tree: Path, options: ValidateOptions
) -> None:
    edit(tree, "hub/placements/site-a.yaml", "  tolerations:", "  toleration:")
    relaxed = replace(options, strict=False)
    assert validate_tree(tree, relaxed) == []


@needs_kubectl
def test_a_finding_in_a_base_file_of_several_objects_lands_on_its_object(
    tree: Path, options: ValidateOptions
) -> None:
    base = tree / "models/batch/base"
    both = (base / "configmap.yaml").read_text() + "---\n" + (base / "deployment.yaml").read_text()
    (base / "objects.yaml").write_text(both, encoding="utf-8")
    (base / "configmap.yaml").unlink()
    (base / "deployment.yaml").unlink()
    rel = "models/batch/base/kustomization.yaml"
    edit(tree, rel, "- deployment.yaml\n", "- objects.yaml\n")
    edit(tree, rel, "- configmap.yaml\n", "")
    rel = "models/batch/base/objects.yaml"
    edit(tree, rel, "        resources:", "        resource:")
    d = only(validate_tree(tree, options))
    assert (d.code, d.location) == ("K101", Location(rel, line_of(tree, rel, "resource:"), 9))
