"""Render every chart with the values each placement gives it, with the real Helm SDK, and
lint it: the rendered objects become manifests to validate, placed on their templates.

The releases (whose values, which name and namespace) come from releases.py; where
Helm's errors and lint messages point in the chart is worked out in helmerrors.py; what
Helm passes over in a chart's files is looked for in chartfiles.py. This module and
chartlint.py are the ones that call the SDK.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import helm_python

from edgemodels.diagnostics import Location
from edgemodels.fsnames import os_form, text_form
from edgemodels.validate.acm_checks import check_duplicates
from edgemodels.validate.chartfiles import symlink_loop, values_duplicates
from edgemodels.validate.chartlint import LintMessage, light_lint, run_lint, template_clean
from edgemodels.validate.coalesce import shape_warnings
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.gitpaths import PackageRef
from edgemodels.validate.helmerrors import (
    lint_findings,
    load_error_location,
    one_line,
    parse_failures,
    render_error,
    values_errors,
)
from edgemodels.validate.helmlog import call as helm_call
from edgemodels.validate.helmwarn import LINT_PASSED, Heard, heard_findings, of_shape
from edgemodels.validate.manifests import Manifest, Template, manifests_of
from edgemodels.validate.releases import Release, releases_for
from edgemodels.validate.report import Finding, template_position


@dataclass(frozen=True)
class Rendered:
    manifests: list[Manifest]
    findings: list[Finding]
    name: str = ""  # the chart's name (Chart.yaml), "" when it does not load
    lint_release: Release | None = None  # the release lint used
    lint_messages: tuple[LintMessage, ...] | None = None  # a full lint's; None: not run


def render_chart(
    root: Path,
    chart: str,
    refs: Sequence[PackageRef],
    kube_version: str,
    shared: bool = False,
    scratch: Path | None = None,
) -> Rendered:
    """Every release of one chart rendered and linted; its documents ready to validate.

    A `shared` chart gets only the per-chart part of lint, on a copy in `scratch`: its
    template findings come from the full lint of a chart with the same templates
    (chartlint.py).
    """
    loop = None if shared else symlink_loop(root, chart)  # a shared chart holds no link
    if loop is not None:
        return Rendered([], [(loop, "")])
    said: list[str] = []  # what Helm logs as it loads (a symlink followed)
    try:
        # helm_python hands Helm the path as UTF-8 (chartlint.run_lint says why text_form).
        loaded = helm_call(lambda: helm_python.Chart.load(text_form(str(root / chart))), said)
    except helm_python.HelmError as exc:
        where = load_error_location(root, chart, str(exc))
        message = f"chart does not load: {one_line(str(exc))}"
        heard = heard_findings(root, chart, "", [("", line) for line in said])
        return Rendered([], [(diagnostic("K204", where, message), ""), *heard])
    manifests: list[Manifest] = []
    logged: list[Heard] = [("", line) for line in said]
    with loaded:
        name = str(loaded.name)
        defaults = loaded.values or {}  # Helm's own reading of values.yaml
        releases, problems = releases_for(chart, name, refs)
        findings: list[Finding] = [(p, "") for p in (*problems, *values_duplicates(root, chart))]
        done: dict[str, tuple[list[Manifest], list[str]]] = {}  # clean renders, by inputs
        templates: dict[str, Template] = {}
        for release in releases:
            # What lint's values rule would log with each placement's values (coalesce.py)
            logged += [(release.context, line) for line in shape_warnings(release.values, defaults)]
            key = _render_key(release) if len(releases) > 1 else ""
            if key in done:  # the same inputs render the same objects: only the context differs
                manifests += [replace(m, context=release.context) for m in done[key][0]]
                logged += [(release.context, line) for line in done[key][1]]
                continue
            lines: list[str] = []
            docs, found = _render(root, chart, loaded, release, templates, lines)
            manifests.extend(docs)
            findings.extend(found)
            logged += [(release.context, line) for line in lines]
            if not found:
                done[key] = docs, lines
            # One release holding one object twice: Helm's install creates the first and
            # fails on the second (or an upgrade keeps one of them).
            findings.extend(check_duplicates(docs))
    first = releases[0]
    lines = []
    unparsed = parse_failures(findings)
    if shared:
        values, namespace = first.values, first.namespace
        light = light_lint(root / chart, values, namespace, kube_version, scratch, lines)
        findings.extend(lint_findings(root, chart, first.context, light))
    else:
        messages = run_lint(root / chart, first.values, first.namespace, kube_version, lines)
        findings.extend(lint_findings(root, chart, first.context, messages, unparsed))
    # Lint has the first release's values: it says the same of releases with equal ones.
    # Its lines of values against defaults are left out: each release's render, and the
    # walk above, said them of every release (from lint they would depend on the order).
    alike = [r.context for r in releases if r.values == first.values]
    logged += [(context, line) for line in lines if not of_shape(line) for context in alike]
    findings.extend(heard_findings(root, chart, name, _not_twice(logged, findings)))
    if shared:
        return Rendered(manifests, findings, name, first)
    return Rendered(manifests, findings, name, first, tuple(messages))


def _render_key(release: Release) -> str:
    """What a render depends on besides the chart: equal keys render equal objects."""
    return json.dumps([release.name, release.namespace, release.values], sort_keys=True)


def _render(
    root: Path,
    chart: str,
    loaded: helm_python.Chart,
    release: Release,
    templates: dict[str, Template],
    heard: list[str],
) -> tuple[list[Manifest], list[Finding]]:
    values = dict(release.values)
    try:
        files = helm_call(
            lambda: loaded.render(values, name=release.name, namespace=release.namespace), heard
        )
    except helm_python.HelmValuesError as exc:
        return [], [(d, "") for d in values_errors(chart, release, exc, root)]
    except helm_python.HelmError as exc:
        return [], [(render_error(chart, exc), release.context)]
    except UnicodeDecodeError:  # the SDK decodes the output itself: a template is not UTF-8
        where = Location(f"{chart}/Chart.yaml", 1, 1)
        message = "template error: the chart renders bytes that are not valid UTF-8"
        return [], [(diagnostic("K201", where, message), release.context)]
    return _rendered_docs(root, chart, release, files, templates)


def _rendered_docs(
    root: Path,
    chart: str,
    release: Release,
    files: Mapping[str, str],
    templates: dict[str, Template],
) -> tuple[list[Manifest], list[Finding]]:
    """The objects of one render; `templates` keeps the chart's templates met so far."""
    manifests: list[Manifest] = []
    findings: list[Finding] = []
    for key, text in sorted(files.items()):
        if not text.strip() or not key.endswith((".yaml", ".yml", ".json")):
            continue  # disabled templates render as "\n"; NOTES.txt is not a manifest
        path = f"{chart}/{os_form(key.split('/', 1)[1])}"  # Helm's UTF-8 text, as a file name
        if path not in templates:
            templates[path] = Template(os.path.join(root, path), text)
        template = templates[path]
        docs, problems = manifests_of(path, text, release.context)
        for problem in problems:
            line, col = template_position(template.text, text, problem.line, problem.col)
            code = "K205" if problem.code == "K108" else problem.code  # K107/K109 as they are
            message = f"rendered output: {_on_template(problem.message, template.text, text)}"
            context = f"{release.context}, rendered line {problem.line}"
            findings.append((diagnostic(code, Location(path, line, col), message), context))
        manifests.extend(replace(m, source=replace(m.source, template=template)) for m in docs)
    return manifests, findings


_STARTED_AT = re.compile(r"started at (?P<line>[0-9]+):(?P<col>[0-9]+)")


def _on_template(message: str, template: str, rendered: str) -> str:
    """`message` with the place a YAML construct started ("the flow mapping started at
    27:11", yamlfindings.started_at) on the template's lines, as the finding is: a line
    of the rendered output, which no one sees, read as one of the template's misled."""

    def moved(match: re.Match[str]) -> str:
        line, col = template_position(template, rendered, int(match["line"]), int(match["col"]))
        return f"started at {line}:{col}"

    return _STARTED_AT.sub(moved, message)


def _not_twice(logged: list[Heard], findings: list[Finding]) -> list[Heard]:
    """What Helm logged, without lint's line of a missing required value or a `fail` when
    a render failed (K201 says so: lint's template rule lets them pass, with that line)."""
    if not any(d.code == "K201" for d, _ in findings):
        return logged
    return [(context, line) for context, line in logged if not LINT_PASSED.match(line)]


def shared_lint(
    root: Path, chart: str, own: Rendered, first: Rendered, kube_version: str
) -> list[Finding]:
    """The template findings `chart` shares with `first`, a chart with the same templates:
    none when `first`'s full lint had none, else those of a full lint of its own."""
    release = own.lint_release
    if release is None:
        return []  # `chart` does not load: K204 says so, there is nothing to lint
    if first.lint_messages is not None and template_clean(first.lint_messages):
        return []
    # What Helm logs here, the chart's light lint logged already (the same values and
    # values.yaml), or a render too (a missing required value: K201).
    messages = run_lint(root / chart, release.values, release.namespace, kube_version, [])
    own_rules = [m for m in messages if not m.per_chart]  # the light lint gave the others
    return lint_findings(root, chart, release.context, own_rules, parse_failures(own.findings))
