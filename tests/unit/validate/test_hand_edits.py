"""Trees edited by hand the ways people do: each edit gets its finding at the place to fix,
with the builds in a thread (a small tree) and in the build process (a big one) alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.validate import offload
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import col_of, edit, line_of

needs_kubectl = pytest.mark.skipif(
    __import__("shutil").which("kubectl") is None, reason="kubectl is not on PATH"
)
OVERLAY = "models/batch/overlays/site-a/kustomization.yaml"
BASE = "models/batch/base/kustomization.yaml"


@pytest.fixture(params=["thread", "process"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where the kustomize builds run: PROCESS_MIN_TARGETS decides it by the tree's size."""
    monkeypatch.setattr(offload, "PROCESS_MIN_TARGETS", 10**9 if request.param == "thread" else 1)
    return str(request.param)


def only(diags: list[Diagnostic]) -> Diagnostic:
    assert len(diags) == 1, "\n".join(d.render() for d in diags)
    return diags[0]


@needs_kubectl
def test_a_field_a_strategic_merge_patch_breaks_is_on_the_patch(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    edit(tree, OVERLAY, "      replicas: 2\n", '      replicas: "two"\n')
    d = only(validate_tree(tree, options))
    assert d.code == "K102"
    # Not on the base file's `replicas: 1`, which is not the value refused.
    assert d.location == Location(OVERLAY, line_of(tree, OVERLAY, '"two"'), 17)


@needs_kubectl
def test_an_unknown_field_a_json_patch_adds_is_on_the_op_value(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    patch = (
        "patches:\n- target: {kind: Deployment, name: batch}\n  patch: |\n"
        "    - op: add\n      path: /spec/template/spec/containers/0/bogus\n      value: 1\n"
    )
    text = (tree / OVERLAY).read_text(encoding="utf-8")
    (tree / OVERLAY).write_text(text[: text.index("patches:")] + patch, encoding="utf-8")
    d = only(validate_tree(tree, options))
    assert (d.code, d.location) == (
        "K101",
        Location(OVERLAY, line_of(tree, OVERLAY, "value: 1"), 14),
    )


@needs_kubectl
def test_a_field_a_patch_file_breaks_is_in_that_file(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    rel = "models/batch/overlays/site-a/replicas.yaml"
    (tree / rel).write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: batch\nspec:\n"
        "  replicas: many\n",
        encoding="utf-8",
    )
    text = (tree / OVERLAY).read_text(encoding="utf-8")
    (tree / OVERLAY).write_text(
        text[: text.index("patches:")] + "patches:\n- path: replicas.yaml\n", encoding="utf-8"
    )
    d = only(validate_tree(tree, options))
    assert (d.code, d.location) == ("K102", Location(rel, 6, col_of(tree, rel, "many")))


@needs_kubectl
@pytest.mark.parametrize("how", ["path", "symlink"])
def test_an_overlay_that_reads_a_base_outside_the_tree_is_an_error(
    tree: Path, options: ValidateOptions, mode: str, how: str
) -> None:
    """kustomize builds it from this machine's disk; RHACM's clone of the branch lacks it."""
    outside = tree.parent / "shared-base"
    shutil.copytree(tree / "models" / "batch" / "base", outside)
    entry = "../../../../../shared-base"
    if how == "symlink":
        (tree / "models" / "batch" / "linked").symlink_to(outside, target_is_directory=True)
        entry = "../../linked"
    edit(tree, OVERLAY, "- ../../base", f"- {entry}")
    d = only(validate_tree(tree, options))
    assert (d.code, d.severity) == ("K211", "error")
    assert d.location == Location(OVERLAY, line_of(tree, OVERLAY, entry), 3)
    assert f"'{entry}' leads out of the tree (to {outside})" in d.message


@needs_kubectl
def test_a_patch_whose_target_selects_nothing_is_a_warning(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    patches = "".join(
        f"- target: {{kind: Deployment, name: {name}}}\n  patch: |\n"
        "    - op: replace\n      path: /spec/replicas\n      value: 3\n"
        for name in ("batch", "bacth")
    )
    edit(tree, OVERLAY, "patches:\n", f"patches:\n{patches}")
    d = only(validate_tree(tree, options))
    assert (d.code, d.severity) == ("K212", "warning")
    assert d.location == Location(OVERLAY, line_of(tree, OVERLAY, "name: bacth"), 3)
    assert "(kind Deployment, name bacth) selects none of the objects" in d.message


@needs_kubectl
def test_a_patch_that_renames_its_target_selects_it(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    """The built object has the name the patch gave it: the target still selected it."""
    patch = (
        "- target: {kind: ConfigMap, name: batch-model}\n  patch: |\n"
        "    - op: replace\n      path: /metadata/name\n      value: batch-files\n"
    )
    edit(tree, OVERLAY, "patches:\n", f"patches:\n{patch}")
    assert validate_tree(tree, options) == []


@needs_kubectl
def test_a_base_that_lists_a_missing_file_is_reported_on_that_base(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    base = "models/batch/base/kustomization.yaml"
    edit(tree, base, "- configmap.yaml\n", "- configmap.yaml\n- missing.yaml\n")
    found = validate_tree(tree, options)
    # Both overlays fail on it: each failure names the base's line, not the overlay's first
    assert {(d.code, d.location) for d in found} == {
        ("K206", Location(base, line_of(tree, base, "missing.yaml"), 1))
    }


@needs_kubectl
def test_a_build_error_names_no_temporary_folder(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    edit(tree, OVERLAY, "resources:\n", "components:\n- ../../components/nope\nresources:\n")
    d = only(validate_tree(tree, options))
    assert d.location == Location(OVERLAY, line_of(tree, OVERLAY, "components/nope"), 1)
    assert d.message.startswith("kustomize build failed: accumulating components:")
    assert "models/batch/components/nope" in d.message and "../" not in d.message


@needs_kubectl
def test_a_strategic_merge_patch_for_no_object_is_on_its_name(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    edit(tree, OVERLAY, "      name: batch\n", "      name: bacth\n")
    d = only(validate_tree(tree, options))
    assert d.code == "K206" and 'strategic merge patch "Deployment.v1.apps/bacth' in d.message
    assert d.location == Location(OVERLAY, line_of(tree, OVERLAY, "name: bacth"), 1)


@needs_kubectl
@pytest.mark.parametrize(
    ("where", "old", "new", "at"),
    [
        (OVERLAY, "resources:\n", "resourcez: []\nresources:\n", "resourcez: []"),
        (BASE, "resources:\n", "resourcez: []\nresources:\n", "resourcez: []"),
        (OVERLAY, "resources:\n", "namePrefix: [x\nresources:\n", "namePrefix: [x"),
        (BASE, "resources:\n", "namePrefix: [x\nresources:\n", "namePrefix: [x"),
    ],
)
def test_a_kustomization_kustomize_cannot_read_is_on_the_line_it_names(
    tree: Path, options: ValidateOptions, mode: str, where: str, old: str, new: str, at: str
) -> None:
    # kustomize says `invalid Kustomization: json: unknown field "resourcez"` or `yaml:
    # line N: ...` without naming the file: in a base, every overlay fails on it, and a
    # finding on an overlay's first line sends the reader to a file without the error
    edit(tree, where, old, new)
    found = validate_tree(tree, options)
    assert {(d.code, d.location) for d in found} == {
        ("K206", Location(where, line_of(tree, where, at), 1))
    }, "\n".join(d.render() for d in found)


@needs_kubectl
def test_a_key_a_base_manifest_holds_twice_is_on_its_line(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    # kustomize refuses it with the line numbers of its own copy of the file, and kubectl
    # writes that error as a block (`err=< ... >`), not as `err="..."`
    rel = "models/batch/base/configmap.yaml"
    edit(tree, rel, "  name: batch\n", "  name: batch\n  name: other\n")
    found = validate_tree(tree, options)
    assert {(d.code, d.location) for d in found} == {
        ("K206", Location(rel, line_of(tree, rel, "name: other"), 3))
    }, "\n".join(d.render() for d in found)
    message = found[0].message
    assert message.startswith("kustomize build failed: yaml:") and "run.go" not in message
    assert 'mapping key "name" already defined' in message and "line" not in message


CHART = "models/web/chart"


@pytest.mark.parametrize(
    ("file", "old", "new", "at"),
    [
        ("values.yaml", "port: 8080\n", "port: [8080\n", "port: [8080"),  # Helm: line N
        ("values.yaml", "port: 8080\n", "port: 8080\n\tx: 1\n", "\tx: 1"),
        ("Chart.yaml", "version: 1.2.0\n", "version: [1\n", "version: [1"),
        ("Chart.yaml", "version: 1.2.0\n", "version: one\n", "version: one"),
    ],
)
def test_a_chart_file_that_stops_the_chart_loading_is_placed_in_it(
    tree: Path, options: ValidateOptions, file: str, old: str, new: str, at: str
) -> None:
    rel = f"{CHART}/{file}"
    edit(tree, rel, old, new)
    d = only(validate_tree(tree, options))
    assert d.code == "K204" and d.message.startswith("chart does not load:")
    assert (d.path, d.line) == (rel, line_of(tree, rel, at))


def test_a_values_schema_that_is_no_json_is_the_charts_finding(
    tree: Path, options: ValidateOptions
) -> None:
    rel = f"{CHART}/values.schema.json"
    edit(tree, rel, '"type": "object"', '"type": "object",,')
    d = only(validate_tree(tree, options))
    at = Location(rel, line_of(tree, rel, ",,"), col_of(tree, rel, ",,") + 1)  # the second
    assert (d.code, d.location) == ("K204", at)
    assert "values.schema.json is not JSON" in d.message


def test_a_chart_yaml_lint_finding_is_on_its_field(tree: Path, options: ValidateOptions) -> None:
    rel = f"{CHART}/Chart.yaml"
    edit(tree, rel, "apiVersion: v2\n", "apiVersion: v9\n")
    found = {(d.code, d.location) for d in validate_tree(tree, options)}
    assert ("K203", Location(rel, line_of(tree, rel, "apiVersion: v9"), 1)) in found


@pytest.mark.parametrize("links", [{"up": "../.."}, {"a": "b", "b": "a"}])
def test_a_symlink_loop_in_a_chart_is_one_finding_without_helms_noise(
    tree: Path, options: ValidateOptions, capfd: pytest.CaptureFixture[str], links: dict[str, str]
) -> None:
    for name, target in links.items():
        (tree / CHART / "templates" / name).symlink_to(target)
    d = only(validate_tree(tree, options))
    first = sorted(links)[0]
    assert (d.code, d.location) == ("K204", Location(f"{CHART}/templates/{first}", 1, 1))
    assert "Helm would follow it round a loop" in d.message and len(d.message) < 300
    assert capfd.readouterr().err == ""  # Helm logs a line per turn of the loop


def test_a_manifest_that_is_not_utf8_is_a_finding_at_its_byte(
    tree: Path, options: ValidateOptions
) -> None:
    """Not a stop of the whole run (exit 2, nothing else checked): the rest is checked."""
    rel, other = "hub/applications/web.yaml", "hub/placements/site-b.yaml"
    (tree / rel).write_bytes((tree / rel).read_bytes() + b"# caf\xe9\n")
    edit(tree, other, "  tolerations:", "  toleration:")
    found = sorted((d.code, d.location) for d in validate_tree(tree, options))
    lines = len((tree / rel).read_bytes().splitlines())
    assert found == [
        ("K101", Location(other, line_of(tree, other, "toleration:"), 3)),
        ("K108", Location(rel, lines, 6)),
    ]


@needs_kubectl
def test_a_base_file_kustomize_cannot_read_is_on_the_base_line_listing_it(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    rel, base = "models/batch/base/deployment.yaml", "models/batch/base/kustomization.yaml"
    (tree / rel).write_bytes((tree / rel).read_bytes() + b"# caf\xe9\n")
    found = {(d.code, d.location) for d in validate_tree(tree, options)}
    assert found == {("K206", Location(base, line_of(tree, base, "- deployment.yaml"), 1))}


@needs_kubectl
def test_a_second_patches_key_in_a_kustomization_is_an_error(
    tree: Path, options: ValidateOptions, mode: str
) -> None:
    """kustomize keeps the last `patches:` and drops the first one's patches silently."""
    second = (
        "patches:\n- target: {kind: ConfigMap}\n  patch: |\n"
        "    - op: add\n      path: /data/extra\n      value: x\n"
    )
    (tree / OVERLAY).write_text((tree / OVERLAY).read_text(encoding="utf-8") + second)
    d = only(validate_tree(tree, options))
    assert (d.code, d.location) == (
        "K109",
        Location(OVERLAY, line_of(tree, OVERLAY, "patches:", 2), 1),
    )
    assert "duplicate key 'patches': kustomize keeps only the last value" in d.message


def test_a_key_values_yaml_sets_twice_is_an_error(tree: Path, options: ValidateOptions) -> None:
    rel = f"{CHART}/values.yaml"
    edit(tree, rel, "port: 8080\n", "port: 8080\nreplicas: 3\n")
    d = only(validate_tree(tree, options))
    assert (d.code, d.location) == ("K109", Location(rel, line_of(tree, rel, "replicas", 2), 1))
    assert "Helm keeps only the last value" in d.message


def test_a_values_key_the_schema_does_not_allow_is_on_that_key(
    tree: Path, options: ValidateOptions
) -> None:
    edit(
        tree,
        f"{CHART}/values.schema.json",
        '"type": "object",',
        '"type": "object", "additionalProperties": false,',
    )
    rel = "hub/subscriptions/web--site-a.yaml"
    edit(tree, rel, "        replicas: 2\n", "        replicas: 2\n        replics: 3\n")
    d = only(validate_tree(tree, options))
    assert (d.code, d.path, d.line) == ("K202", rel, line_of(tree, rel, "replics"))
    assert "values.schema.json at /: additional properties 'replics' not allowed" in d.message


def test_a_chart_without_its_chart_yaml_is_one_chart_finding(
    tree: Path, options: ValidateOptions
) -> None:
    """Not a YAML error per Go template, read as if it were a manifest."""
    (tree / CHART / "Chart.yaml").unlink()
    found = {(d.code, d.path) for d in validate_tree(tree, options)}
    subscriptions = {("K309", f"hub/subscriptions/web--{p}.yaml") for p in ("site-a", "site-b")}
    assert found == {("K204", f"{CHART}/Chart.yaml"), *subscriptions}


def test_one_object_rendered_twice_by_a_chart_is_a_duplicate(
    tree: Path, options: ValidateOptions
) -> None:
    copy = f"{CHART}/templates/service2.yaml"  # rendered after service.yaml
    (tree / copy).write_text((tree / CHART / "templates/service.yaml").read_text(encoding="utf-8"))
    d = only(validate_tree(tree, options))
    assert (d.code, d.path) == ("K315", copy)
    assert f"Service web: also defined in {CHART}/templates/service.yaml" in d.message
