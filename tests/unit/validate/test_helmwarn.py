"""K213: Helm's stderr warnings as findings on the chart, and nothing raw on stderr."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from edgemodels.diagnostics import Diagnostic
from edgemodels.validate import chartrenders, pipeline
from edgemodels.validate.helm import Rendered
from edgemodels.validate.helmwarn import heard_findings
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import edit, line_of

VALUES = "models/web/chart/values.yaml"
SITE_A = "hub/subscriptions/web--site-a.yaml"
SITE_B = "hub/subscriptions/web--site-b.yaml"


def _values(tree: Path, more: str) -> None:
    path = tree / VALUES
    path.write_text(path.read_text() + more)


def _override(tree: Path, rel: str, more: str) -> None:
    edit(tree, rel, "        replicas: 2\n", "        replicas: 2\n" + more)


def _k213(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diags if d.code == "K213"]


def test_a_value_over_a_default_table_is_a_warning_on_its_key(
    tree: Path, options: ValidateOptions, capfd: pytest.CaptureFixture[str]
) -> None:
    _values(tree, "env:\n  LINE: a\n")
    _override(tree, SITE_A, "        env: plain\n")
    (d,) = validate_tree(tree, options)
    assert (d.code, d.severity, d.path) == ("K213", "warning", VALUES)
    assert (d.line, d.col) == (line_of(tree, VALUES, "env:"), 1)
    assert d.message.startswith(
        "values given set 'env' to a value that is not a table where the chart's default "
        "is one: Helm drops the default table (Helm: warning: cannot overwrite table with "
        "non table for "
    )
    assert d.message.endswith("[Subscription web-site-a]")
    assert capfd.readouterr().err == ""  # not raw on stderr as well


def test_a_table_over_a_default_value(tree: Path, options: ValidateOptions) -> None:
    _values(tree, "tuning:\n  mode: fast\n")
    _override(tree, SITE_A, "        tuning: {mode: {a: 1}}\n")
    (d,) = validate_tree(tree, options)
    assert (d.code, d.line, d.col) == ("K213", line_of(tree, VALUES, "mode: fast"), 3)
    assert d.message == (
        "values given set 'tuning.mode' to a table where the chart's default is not one: "
        "Helm drops the default (Helm: warning: destination for tuning.mode is a table. "
        "Ignoring non-table value (fast)) [Subscription web-site-a]"
    )


def test_equal_values_rendered_once_still_name_both_placements(
    tree: Path, options: ValidateOptions
) -> None:
    _values(tree, "env:\n  LINE: a\n")
    site_b = tree / SITE_B
    site_b.write_text(
        site_b.read_text()
        + "  packageOverrides:\n  - packageName: web\n    packageOverrides:\n"
        + "    - path: spec\n      value:\n        replicas: 2\n"
    )
    for rel in (SITE_A, SITE_B):
        _override(tree, rel, "        env: plain\n")
    (d,) = validate_tree(tree, options)
    assert d.message.endswith("[Subscription web-site-a; Subscription web-site-b]")


def test_a_null_override_removes_the_key_without_a_word(
    tree: Path, options: ValidateOptions, capfd: pytest.CaptureFixture[str]
) -> None:
    _values(tree, "env:\n  LINE: a\n")
    _override(tree, SITE_A, "        env: null\n")
    assert validate_tree(tree, options) == []
    assert capfd.readouterr().err == ""


def test_a_symlink_in_the_chart_is_a_note_inside_the_tree_a_warning_out_of_it(
    tree: Path, options: ValidateOptions, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    templates = tree / "models/web/chart/templates"
    (tree / "shared").mkdir()
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata: {a: b}\n"
    (tree / "shared/cm.yaml").write_text(text)
    (templates / "cm.yaml").symlink_to("../../../../shared/cm.yaml")
    (tmp_path / "outside.yaml").write_text(text.replace("name: shared", "name: outside"))
    (templates / "out.yaml").symlink_to(tmp_path / "outside.yaml")
    found = {d.path: d for d in _k213(validate_tree(tree, options))}
    inside, outside = (
        found["models/web/chart/templates/cm.yaml"],
        found["models/web/chart/templates/out.yaml"],
    )
    assert inside.severity == "info"
    assert inside.message.startswith(
        "Helm follows the symlink models/web/chart/templates/cm.yaml to shared/cm.yaml"
    )
    assert outside.severity == "warning"
    assert f"out of the tree to {(tmp_path / 'outside.yaml').as_posix()}" in outside.message
    assert len(found) == 2
    assert capfd.readouterr().err == ""


def test_lints_missing_required_value_is_the_renders_k201(
    tree: Path, options: ValidateOptions, capfd: pytest.CaptureFixture[str]
) -> None:
    rel = "models/web/chart/templates/deployment.yaml"
    edit(
        tree, rel, "  replicas: {{ .Values.replicas }}", '  replicas: {{ required "x" .Values.x }}'
    )
    codes = {d.code for d in validate_tree(tree, options)}
    assert "K201" in codes and "K213" not in codes
    assert "missing required value" not in capfd.readouterr().err


def test_a_render_and_lints_wording_of_one_warning_are_one_finding(tmp_path: Path) -> None:
    chart = "models/web/chart"
    (tmp_path / chart).mkdir(parents=True)
    (tmp_path / chart / "values.yaml").write_text("a:\n  port: 80\n")
    heard = [
        ("Subscription s", "warning: skipped value for web.a.port: Not a table."),
        (
            "Subscription s",
            "warning: destination for a.port is a table. Ignoring non-table value (80)",
        ),
        (
            "Subscription t",
            "warning: destination for web.a.port is a table. Ignoring non-table value (80)",
        ),
    ]
    found = heard_findings(tmp_path, chart, "web", heard)
    assert {d for d, _ in found} == {found[0][0]}
    assert sorted(c for _, c in found) == ["Subscription s", "Subscription t"]
    d = found[0][0]
    assert (d.path, d.line, d.col) == (f"{chart}/values.yaml", 2, 3)
    assert d.message.endswith(
        "(Helm: warning: destination for a.port is a table. Ignoring non-table value (80))"
    )


def test_globals_that_are_not_a_table(tmp_path: Path) -> None:
    # (Helm says so only of a chart with subcharts.)
    chart = "models/web/chart"
    (tmp_path / chart).mkdir(parents=True)
    (tmp_path / chart / "values.yaml").write_text("a: 1\nglobal:\n  b: 2\n")
    heard = [("Subscription s", "warning: skipping globals because source global is not a table.")]
    ((d, context),) = heard_findings(tmp_path, chart, "web", heard)
    assert (d.path, d.line, d.severity, context) == (
        f"{chart}/values.yaml",
        2,
        "warning",
        heard[0][0],
    )
    assert d.message.startswith("values given set 'global' to a value that is not a table")


def test_a_line_of_another_kind_is_said_as_helm_said_it(tmp_path: Path) -> None:
    chart = "models/web/chart"
    heard = [("", 'WARN something new key="value"\nmore'), ("", "INFO noted")]
    found = sorted(d for d, _ in heard_findings(tmp_path, chart, "web", heard))
    assert [(d.path, d.severity, d.message) for d in found] == [
        (f"{chart}/Chart.yaml", "info", "Helm logged: INFO noted"),
        (f"{chart}/Chart.yaml", "warning", 'Helm logged: WARN something new key="value" more'),
    ]


def test_the_progress_bar_is_made_before_any_chart_renders(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bar asks whether stderr is a terminal: during a Helm call it is a pipe.
    charts = [f"models/m{i}/chart" for i in range(4)]
    begun: list[str] = []
    asked: list[list[str]] = []

    def render(root: Path, chart: str, *args: object) -> Rendered:
        begun.append(chart)
        return Rendered([], [], chart)

    @contextmanager
    def progress(items: Sequence[str], label: str) -> Iterator[Sequence[str]]:
        time.sleep(0.2)  # time enough for a render already submitted to begin
        asked.append(list(begun))
        yield items

    monkeypatch.setattr(chartrenders, "render_chart", render)
    options = replace(options, progress=progress)
    with ThreadPoolExecutor(2) as pool:
        chartrenders.render_charts(tree, charts, [], pipeline.prepare(options), pool, options)
    assert asked == [[]] and sorted(begun) == charts


def _give_site_b_overrides(tree: Path) -> None:
    site_b = tree / SITE_B
    site_b.write_text(
        site_b.read_text()
        + "  packageOverrides:\n  - packageName: web\n    packageOverrides:\n"
        + "    - path: spec\n      value:\n        replicas: 2\n"
    )


@pytest.mark.parametrize("first", [True, False])
def test_a_value_over_a_default_table_names_every_placement_whatever_their_order(
    tree: Path, options: ValidateOptions, first: bool
) -> None:
    # Helm's render says nothing of a top-level table replaced: its lint does, with the
    # first placement's values only.
    _values(tree, "env:\n  LINE: a\n")
    _give_site_b_overrides(tree)
    _override(tree, SITE_A, "        env: {MORE: b}\n" if first else "        env: plain\n")
    _override(tree, SITE_B, "        env: other\n")
    (d,) = validate_tree(tree, options)
    assert (d.code, d.line) == ("K213", line_of(tree, VALUES, "env:"))
    named = (
        "Subscription web-site-b" if first else "Subscription web-site-a; Subscription web-site-b"
    )
    assert d.message == (
        "values given set 'env' to a value that is not a table where the chart's default is "
        "one: Helm drops the default table (Helm: warning: cannot overwrite table with non "
        f"table for env (map[LINE:a])) [{named}]"
    )


def test_lints_fail_is_the_renders_k201(
    tree: Path, options: ValidateOptions, capfd: pytest.CaptureFixture[str]
) -> None:
    rel = "models/web/chart/templates/deployment.yaml"
    edit(tree, rel, "  replicas: {{ .Values.replicas }}", '  replicas: {{ fail "no" }}')
    codes = [d.code for d in validate_tree(tree, options)]
    assert "K201" in codes and "K213" not in codes
    assert "funcMap fail" not in capfd.readouterr().err
