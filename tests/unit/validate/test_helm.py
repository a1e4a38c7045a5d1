"""Helm: each placement's values from its Subscription, misuses of packageOverrides."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from edgemodels.validate import chartrenders, pipeline, run
from edgemodels.validate.discover import discover
from edgemodels.validate.helm import Rendered
from edgemodels.validate.run import ValidateOptions, validate_tree

from .trees import edit, line_of


def test_a_package_name_that_is_not_the_chart(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/subscriptions/web--site-a.yaml"
    edit(tree, rel, "- packageName: web", "- packageName: webapp")
    (d,) = validate_tree(tree, options)
    assert (d.code, d.path, d.line) == ("K314", rel, line_of(tree, rel, "packageName"))
    assert "RHACM ignores these overrides" in d.message


def test_an_override_path_that_sets_no_values(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/subscriptions/web--site-a.yaml"
    edit(tree, rel, "- path: spec\n", "- path: metadata\n")
    (d,) = validate_tree(tree, options)
    assert (d.code, d.line) == ("K314", line_of(tree, rel, "- path: metadata"))


def test_values_of_one_key(tree: Path, options: ValidateOptions) -> None:
    rel = "hub/subscriptions/web--site-a.yaml"
    edit(
        tree,
        rel,
        "- path: spec\n      value:\n        replicas: 2\n",
        "- path: spec.port\n      value: http\n",
    )
    (d,) = validate_tree(tree, options)
    assert d.code == "K202" and "/port" in d.message and d.path == rel


def test_a_chart_that_does_not_load(tree: Path, options: ValidateOptions) -> None:
    edit(tree, "models/web/chart/Chart.yaml", "apiVersion: v2\n", "apiVersion: v2\nversion: [\n")
    (d,) = validate_tree(tree, options)
    assert (d.code, d.path) == ("K204", "models/web/chart/Chart.yaml")


def test_a_failing_render_leaves_the_charts_not_begun(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C lands in the main thread as the next chart's result is awaited: the charts
    # still queued are dropped, not rendered first (a big tree stopped a second later).
    charts = tuple(f"models/m{i}/chart" for i in range(60))
    monkeypatch.setattr(run, "discover", lambda root: replace(discover(root), charts=charts))
    begun: list[str] = []

    def render(root: Path, chart: str, *args: object) -> Rendered:
        begun.append(chart)
        if chart == charts[0]:
            raise Interrupted
        time.sleep(0.02)
        return Rendered([], [])

    monkeypatch.setattr(chartrenders, "render_chart", render)
    with pytest.raises(Interrupted):
        validate_tree(tree, options)
    assert len(begun) < len(charts) // 2


def test_a_slow_chart_does_not_hold_up_the_others_renders(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each chart's objects go to the manifest rules as it finishes, whatever its place: a
    # chart waiting for a free core (or just slow) must not keep the others' waiting.
    charts = [f"models/m{i}/chart" for i in range(8)]
    others_done = threading.Event()
    seen: list[str] = []

    def render(root: Path, chart: str, *args: object) -> Rendered:
        if chart == charts[0]:
            others_done.wait(timeout=10)
        return Rendered([], [], chart)

    def each(rendered: Rendered) -> None:
        seen.append(rendered.name)
        if len(seen) == len(charts) - 1:
            others_done.set()

    monkeypatch.setattr(chartrenders, "render_chart", render)
    with ThreadPoolExecutor(2) as pool:
        chartrenders.render_charts(tree, charts, [], pipeline.prepare(options), pool, options, each)
    assert others_done.is_set() and seen[-1] == charts[0]
    assert sorted(seen) == sorted(charts)


class Interrupted(Exception):
    pass
