"""Charts with the same templates share one full Helm lint; what differs is still linted."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from edgemodels.validate import helm, releases
from edgemodels.validate.chartlint import light_lint, scratch_folder, shared_lints, template_key
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import WEB_OVERRIDES, edit, line_of

WEB, WEB2 = "models/web/chart", "models/web2/chart"
BAD_NAME = ("name: {{ .Chart.Name }}\n", "name: {{ .Chart.Name }}_x\n")
# A template-rule finding of Helm's lint that no other check makes (names are K328/K329's)
DEPRECATED = ("apiVersion: apps/v1\nkind: Deployment", "apiVersion: apps/v1beta2\nkind: Deployment")


@pytest.fixture
def twin_charts(tree: Path) -> Path:
    """A second chart `web2`: the same templates, its own name and banner comments."""
    shutil.copytree(tree / "models" / "web", tree / "models" / "web2")
    edit(tree, f"{WEB2}/Chart.yaml", "name: web\n", "name: web2\n")
    for path in sorted((tree / WEB2 / "templates").iterdir()):
        rel = path.relative_to(tree).as_posix()
        edit(tree, rel, "catalogue.yaml:20.", "catalogue.yaml:21.")
    return tree


def _lint_findings(tree: Path, options: ValidateOptions) -> set[tuple[str, str]]:
    return {(d.code, d.path) for d in validate_tree(tree, options) if d.code in ("K201", "K203")}


def test_banner_comments_do_not_count_other_template_lines_do(twin_charts: Path) -> None:
    assert shared_lints(twin_charts, [WEB, WEB2]) == {WEB2: WEB}
    edit(twin_charts, f"{WEB2}/templates/service.yaml", "*/}}\n", "*/}} \n")
    assert template_key(twin_charts / WEB) != template_key(twin_charts / WEB2)
    assert shared_lints(twin_charts, [WEB, WEB2]) == {}


def test_a_subchart_folder_means_a_lint_of_its_own(twin_charts: Path) -> None:
    (twin_charts / WEB2 / "charts").mkdir()
    assert template_key(twin_charts / WEB2) is None
    assert shared_lints(twin_charts, [WEB, WEB2]) == {}


def test_a_hand_edited_template_in_one_of_two_charts_is_linted(
    twin_charts: Path, options: ValidateOptions
) -> None:
    edit(twin_charts, f"{WEB2}/templates/deployment.yaml", *DEPRECATED)
    assert _lint_findings(twin_charts, options) == {("K203", f"{WEB2}/templates/deployment.yaml")}


def test_a_template_finding_of_the_shared_lint_is_each_charts_own(
    twin_charts: Path, options: ValidateOptions
) -> None:
    for chart in (WEB, WEB2):
        edit(twin_charts, f"{chart}/templates/deployment.yaml", *DEPRECATED)
    assert shared_lints(twin_charts, [WEB, WEB2]) == {WEB2: WEB}
    assert _lint_findings(twin_charts, options) == {
        ("K203", f"{WEB}/templates/deployment.yaml"),
        ("K203", f"{WEB2}/templates/deployment.yaml"),
    }


def test_an_object_name_each_chart_breaks_is_its_own(
    twin_charts: Path, options: ValidateOptions
) -> None:
    for chart in (WEB, WEB2):
        edit(twin_charts, f"{chart}/templates/deployment.yaml", *BAD_NAME)
    assert shared_lints(twin_charts, [WEB, WEB2]) == {WEB2: WEB}
    found = [d for d in validate_tree(twin_charts, options) if d.code in ("K203", "K329")]
    assert sorted((d.code, d.path, "web2_x" in d.message) for d in found) == [
        ("K329", f"{WEB}/templates/deployment.yaml", False),
        ("K329", f"{WEB2}/templates/deployment.yaml", True),  # its own name
    ]


def test_a_name_only_its_own_chart_name_makes_invalid_is_found(
    twin_charts: Path, options: ValidateOptions
) -> None:
    """The shared lint (of `web`) is clean: what it cannot see is found all the same."""
    edit(twin_charts, f"{WEB2}/Chart.yaml", "name: web2\n", "name: Web2\n")
    assert shared_lints(twin_charts, [WEB, WEB2]) == {WEB2: WEB}
    found = {(d.code, d.path) for d in validate_tree(twin_charts, options)}
    assert found == {
        ("K329", f"{WEB2}/templates/deployment.yaml"),
        ("K328", f"{WEB2}/templates/service.yaml"),
    }


def test_chart_yaml_of_a_chart_sharing_the_lint_is_linted(
    twin_charts: Path, options: ValidateOptions
) -> None:
    edit(twin_charts, f"{WEB2}/Chart.yaml", "version: 1.2.0", "version: v1.2")
    edit(
        twin_charts, f"{WEB2}/Chart.yaml", "description:", "maintainers:\n- email: x\ndescription:"
    )
    assert shared_lints(twin_charts, [WEB, WEB2]) == {WEB2: WEB}
    found = [d for d in validate_tree(twin_charts, options) if d.code == "K203"]
    assert sorted((d.path, d.severity, d.message) for d in found) == [
        (f"{WEB2}/Chart.yaml", "error", "helm lint: each maintainer requires a name"),
        (f"{WEB2}/Chart.yaml", "warning", "helm lint: version 'v1.2' is not a valid SemVerV2"),
    ]


def test_a_render_repeated_for_equal_values_is_reported_for_each_placement(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both placements of `web` give it replicas: 2; a template defect shows in both renders.
    rel = "hub/subscriptions/web--site-b.yaml"
    text = (tree / rel).read_text(encoding="utf-8")
    (tree / rel).write_text(text + WEB_OVERRIDES, encoding="utf-8")
    edit(tree, f"{WEB}/templates/deployment.yaml", "  replicas:", "  replica:")
    renders: list[str] = []
    real = helm._render

    def counting(
        root: Path,
        chart: str,
        loaded: object,
        release: releases.Release,
        templates: dict[str, str],
        heard: list[str],
    ) -> object:
        renders.append(release.context)
        return real(root, chart, loaded, release, templates, heard)  # type: ignore[arg-type]

    monkeypatch.setattr(helm, "_render", counting)
    (d,) = validate_tree(tree, options)
    assert len(renders) == 1
    assert d.code == "K101" and d.path == f"{WEB}/templates/deployment.yaml"
    assert d.message.endswith(
        "[Subscription web-site-a, rendered line 11; Subscription web-site-b, rendered line 11]"
    )


def test_the_scratch_copy_of_one_chart_leaves_nothing_for_the_next(
    twin_charts: Path, tmp_path: Path
) -> None:
    edit(twin_charts, f"{WEB}/Chart.yaml", "description:", "maintainers:\n- email: x\ndescription:")
    (twin_charts / WEB2 / "values.yaml").unlink()
    scratch = tmp_path / "scratch"
    first = light_lint(twin_charts / WEB, {}, "default", "1.33.0", scratch)
    second = light_lint(twin_charts / WEB2, {}, "default", "1.33.0", scratch)
    alone = light_lint(twin_charts / WEB2, {}, "default", "1.33.0")  # a folder of its own
    assert any("maintainer" in m.error for m in first)
    assert second == alone and not any("maintainer" in m.error for m in second)
    assert any(m.path == "values.yaml" for m in second)  # WEB's values.yaml was not kept


def test_a_symlink_in_a_chart_means_a_lint_of_its_own(twin_charts: Path) -> None:
    link = twin_charts / WEB2 / "templates" / "extra.yaml"
    link.symlink_to(twin_charts / WEB / "templates" / "service.yaml")
    assert template_key(twin_charts / WEB2) is None
    link.unlink()
    assert shared_lints(twin_charts, [WEB, WEB2]) == {WEB2: WEB}
    (twin_charts / WEB2 / "templates" / "more").mkdir()
    (twin_charts / WEB2 / "templates" / "more" / "x.yaml").write_text("a: 1\n", encoding="utf-8")
    assert template_key(twin_charts / WEB2) != template_key(twin_charts / WEB)


def test_a_broken_values_schema_of_a_chart_sharing_the_lint_is_one_finding(
    twin_charts: Path, options: ValidateOptions
) -> None:
    # The release render finds the schema is no JSON (K204, on the schema); the light lint
    # does not read the schema again, so the same problem is not reported twice.
    (twin_charts / WEB2 / "values.schema.json").write_text("{", encoding="utf-8")
    found = [(d.code, d.path) for d in validate_tree(twin_charts, options)]
    assert found == [("K204", f"{WEB2}/values.schema.json")]


def test_the_lint_scratch_folder_follows_tmpdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    with scratch_folder() as folder:
        assert Path(folder).parent == tmp
    assert list(tmp.iterdir()) == []


def test_a_chart_without_templates_does_not_share_the_lint_of_one_with_an_empty_folder(
    twin_charts: Path, options: ValidateOptions
) -> None:
    # Helm's lint warns of a missing templates/ folder, not of an empty one.
    for path in (twin_charts / WEB / "templates").iterdir():
        path.unlink()
    shutil.rmtree(twin_charts / WEB2 / "templates")
    assert shared_lints(twin_charts, [WEB, WEB2]) == {}
    warned = {p for code, p in _lint_findings(twin_charts, options) if code == "K203"}
    assert any(p.startswith(WEB2 + "/") for p in warned), warned
    assert not any(p.startswith(WEB + "/") for p in warned), warned


# One mistake in a template's YAML: lint says "unable to parse YAML" on the rendered line,
# the render says it on the template's line; only the render's finding is kept.
_END = "targetPort: {{ .Values.port }}\n"  # the service template's last line
YAML_ERRORS = [
    pytest.param(
        ("spec:\n", "spec:\n  type: ClusterIP\n   bad: x\n"), "K205", "   bad", id="syntax"
    ),
    pytest.param(("      targetPort:", "\t  targetPort:"), "K205", "\t  targetPort:", id="tab"),
    pytest.param((_END, _END + "---\nhello\n"), "K107", "hello", id="scalar"),
]


@pytest.mark.parametrize(("change", "code", "at"), YAML_ERRORS)
def test_a_yaml_error_in_a_template_is_one_finding_on_its_line(
    tree: Path, options: ValidateOptions, change: tuple[str, str], code: str, at: str
) -> None:
    rel = f"{WEB}/templates/service.yaml"
    edit(tree, rel, *change)
    found = [d for d in validate_tree(tree, options) if d.path == rel]
    assert [(d.code, d.line) for d in found] == [(code, line_of(tree, rel, at))]
    assert found[0].message.startswith("rendered output:")


def test_a_yaml_error_in_shared_templates_is_one_finding_in_each_chart(
    twin_charts: Path, options: ValidateOptions
) -> None:
    for chart in (WEB, WEB2):
        edit(twin_charts, f"{chart}/templates/service.yaml", "  ports:\n", "  ports: [\n")
    assert shared_lints(twin_charts, [WEB, WEB2]) == {WEB2: WEB}
    found = sorted((d.code, d.path) for d in validate_tree(twin_charts, options))
    assert found == [
        ("K205", f"{WEB}/templates/service.yaml"),
        ("K205", f"{WEB2}/templates/service.yaml"),
    ]


def test_lint_keeps_what_the_render_does_not_say_of_a_template(
    tree: Path, options: ValidateOptions
) -> None:
    """Another of lint's findings on a template whose YAML is broken elsewhere stays."""
    edit(tree, f"{WEB}/templates/deployment.yaml", *DEPRECATED)
    edit(tree, f"{WEB}/templates/service.yaml", "  ports:\n", "  ports: [\n")
    assert _lint_findings(tree, options) | {
        (d.code, d.path) for d in validate_tree(tree, options) if d.code == "K205"
    } == {
        ("K203", f"{WEB}/templates/deployment.yaml"),
        ("K205", f"{WEB}/templates/service.yaml"),
    }


def test_where_a_construct_started_is_named_on_the_template(
    tree: Path, options: ValidateOptions
) -> None:
    rel = f"{WEB}/templates/service.yaml"
    # Template lines that render to nothing: its lines and the output's no longer agree
    edit(tree, rel, "apiVersion: v1\n", "{{- if false }}\na: 1\nb: 2\n{{- end }}\napiVersion: v1\n")
    edit(tree, rel, _END, _END + "---\nkind: ConfigMap\nmetadata: {name: x\n")
    d = next(d for d in validate_tree(tree, options) if d.code == "K205")
    start = line_of(tree, rel, "metadata: {name: x")
    assert f"(the flow mapping started at {start}:11)" in d.message
