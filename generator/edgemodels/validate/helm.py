"""Render every chart with the values each placement gives it, with the real Helm SDK.

The values of a placement are the `packageOverrides` of its Subscription (`path: spec` sets
the whole values tree, `path: spec.<key>` one key), as RHACM applies them to the
HelmRelease it creates; for Argo CD they are the ApplicationSet's `helm.valuesObject`. A
chart nothing deploys is rendered with its defaults. Template errors carry
`chart/templates/file:line:col`, which becomes a finding on that template file.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import helm_python

from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.fsnames import os_form, text_form
from edgemodels.validate.acm_checks import check_duplicates
from edgemodels.validate.chartlint import LintMessage, light_lint, run_lint, template_clean
from edgemodels.validate.coalesce import shape_warnings
from edgemodels.validate.codes import diagnostic
from edgemodels.validate.gitpaths import APPLICATION_SET, PackageRef
from edgemodels.validate.helmlog import call as helm_call
from edgemodels.validate.helmwarn import LINT_PASSED, Heard, chart_values, heard_findings, of_shape
from edgemodels.validate.manifests import (
    Manifest,
    Pointer,
    Template,
    load_stream,
    manifests_of,
    position,
    value_at,
)
from edgemodels.validate.report import Finding, at_pointer, template_position

_TEMPLATE_AT = re.compile(
    r"(?P<file>[^\s():]+?\.(?:ya?ml|tpl|txt|json)):(?P<line>[0-9]+)(?::(?P<col>[0-9]+))?"
)
_VALUES_LINE = re.compile(r"^- at '(?P<pointer>[^']*)': (?P<message>.*)$")
_EXTRA = re.compile(r"additional propert(?:y|ies) '(?P<name>[^']+)'")
_NAMING = "object name does not conform to Kubernetes naming requirements"


@dataclass(frozen=True)
class Release:
    """One render of one chart: whose values, under which release name and namespace."""

    name: str
    namespace: str
    values: Mapping[str, object]
    context: str
    owner: Manifest | None = None  # the Subscription / ApplicationSet giving the values
    values_pointer: Pointer = ()


@dataclass(frozen=True)
class Rendered:
    manifests: list[Manifest]
    findings: list[Finding]
    name: str = ""  # the chart's name (Chart.yaml), "" when it does not load
    lint_release: Release | None = None  # the release lint used
    lint_messages: tuple[LintMessage, ...] | None = None  # a full lint's; None: not run


def _merge(base: dict[str, object], extra: Mapping[str, object]) -> dict[str, object]:
    out = dict(base)
    for key, value in extra.items():
        current = out.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            out[key] = _merge(current, value)
        else:
            out[key] = value
    return out


def _set(values: dict[str, object], keys: Sequence[str], value: object) -> dict[str, object]:
    nested: object = value
    for key in reversed(keys):
        nested = {key: nested}
    return _merge(values, nested) if isinstance(nested, dict) else values


def _override_values(
    manifest: Manifest, where: Pointer, overrides: object
) -> tuple[dict[str, object], Pointer, list[Diagnostic]]:
    """Helm values from one packageOverrides entry: `spec` or `spec.<key>` paths."""
    values: dict[str, object] = {}
    values_pointer: Pointer = where
    problems = []
    for j, override in enumerate(overrides if isinstance(overrides, list) else []):
        path = override.get("path") if isinstance(override, dict) else None
        value = override.get("value") if isinstance(override, dict) else None
        keys = (
            path.split(".")[1:] if isinstance(path, str) and path.split(".")[0] == "spec" else None
        )
        if keys is None or (not keys and not isinstance(value, dict)):
            message = f"override path '{path}' does not set Helm values (use spec or spec.<key>)"
            problems.append(at_pointer(manifest, (*where, "packageOverrides", j), "K314", message))
            continue
        values = _set(values, keys, value)
        values_pointer = (*where, "packageOverrides", j, "value")
    return values, values_pointer, problems


def subscription_release(ref: PackageRef, chart_name: str) -> tuple[Release, list[Diagnostic]]:
    """The values a Subscription's packageOverrides give the chart, and misuses of them."""
    manifest = ref.manifest
    values: dict[str, object] = {}
    alias = ""
    values_pointer: Pointer = ()
    problems: list[Diagnostic] = []
    entries = value_at(manifest.data, ("spec", "packageOverrides"))
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        where: Pointer = ("spec", "packageOverrides", i)
        if entry.get("packageName") != chart_name:
            message = (
                f"packageName '{entry.get('packageName')}' is not the chart name '{chart_name}' "
                "of the git-path: RHACM ignores these overrides"
            )
            problems.append(at_pointer(manifest, (*where, "packageName"), "K314", message))
            continue
        alias = str(entry.get("packageAlias") or alias)
        found, values_pointer, bad = _override_values(
            manifest, where, entry.get("packageOverrides")
        )
        values = _merge(values, found)
        problems.extend(bad)
    context = f"Subscription {manifest.name}"
    release = Release(
        alias or chart_name,
        manifest.namespace or "default",
        values,
        context,
        manifest,
        values_pointer,
    )
    return release, problems


def appset_release(ref: PackageRef, chart_name: str) -> Release:
    manifest = ref.manifest
    source = ("spec", "template", "spec", "source")
    values = value_at(manifest.data, (*source, "helm", "valuesObject"))
    name = value_at(manifest.data, (*source, "helm", "releaseName"))
    namespace = value_at(manifest.data, ("spec", "template", "spec", "destination", "namespace"))
    return Release(
        name if isinstance(name, str) and name else chart_name,
        namespace if isinstance(namespace, str) and namespace else manifest.namespace or "default",
        dict(values) if isinstance(values, dict) else {},
        f"ApplicationSet {manifest.name}",
        manifest,
        (*source, "helm", "valuesObject"),
    )


def releases_for(
    chart: str, chart_name: str, refs: Sequence[PackageRef]
) -> tuple[list[Release], list[Diagnostic]]:
    releases: list[Release] = []
    problems: list[Diagnostic] = []
    for ref in refs:
        if ref.relative != chart:
            continue
        if (ref.manifest.api_version, ref.manifest.kind) == APPLICATION_SET:
            releases.append(appset_release(ref, chart_name))
        else:
            release, found = subscription_release(ref, chart_name)
            releases.append(release)
            problems.extend(found)
    if not releases:
        releases.append(Release(chart_name, "default", {}, "chart defaults"))
    return releases, problems


def template_location(chart: str, text: str) -> Location | None:
    """The template file:line:col that a Helm error message names, as a tree path."""
    match = _TEMPLATE_AT.search(text)
    if match is None:
        return None
    inside = match["file"].split("/", 1)[1] if "/" in match["file"] else match["file"]
    return Location(f"{chart}/{os_form(inside)}", int(match["line"]), int(match["col"] or 1))


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.strip().splitlines() if part.strip())


_CANNOT_LOAD = re.compile(r"cannot load (?P<file>Chart\.yaml|values\.yaml)")
_HELM_LINE = re.compile(r"\bline (?P<line>[0-9]+)\b")
_METADATA_FIELD = re.compile(r"chart\.metadata\.(?P<field>[A-Za-z]+)")


def load_error_location(root: Path, chart: str, text: str) -> Location:
    """Where in the chart's files the reason Helm cannot load it is: a YAML error where this
    program's reader places it (Helm says only 'line N'), a Chart.yaml field on its key."""
    match = _CANNOT_LOAD.search(text)
    name = match["file"] if match else "Chart.yaml"
    rel = f"{chart}/{name}"
    try:
        content = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Location(rel, 1, 1)
    if match:
        problem = next((d for d in load_stream(rel, content).diagnostics), None)
        line = _HELM_LINE.search(text)
        if problem is not None and (line is None or int(line["line"]) == problem.line):
            return problem.location
        return Location(rel, int(line["line"]) if line else 1, 1)
    field = _METADATA_FIELD.search(text)
    return field_location(rel, content, [field["field"]] if field else [])


def field_location(rel: str, content: str, keys: Sequence[str]) -> Location:
    """The first of `keys` that the chart file `rel` sets, on its key; else its first line."""
    docs = load_stream(rel, content).documents
    data = docs[0][0] if len(docs) == 1 else None
    key = next((k for k in keys if isinstance(data, dict) and k in data), None)
    return Location(rel, *position(content, 0, (key,), at_key=True)) if key else Location(rel, 1, 1)


_TOP_KEY = re.compile(r"^([^\s#:-][^:\n]*):", re.MULTILINE)


def values_duplicates(root: Path, chart: str) -> list[Diagnostic]:
    """K109 on a key the chart's values.yaml sets twice at its top level: Helm keeps the
    last value without a word (its lint too). Only a file with such a key is parsed."""
    rel = f"{chart}/values.yaml"
    try:
        text = (root / rel).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # the chart's load says what is wrong
    keys = _TOP_KEY.findall(text)
    if len(keys) == len(set(keys)):
        return []
    note = ": Helm keeps only the last value, and drops the other without a word"
    return [
        replace(d, message=d.message.replace(": the last value wins here", note))
        for d in load_stream(rel, text).diagnostics
        if d.code == "K109"
    ]


def symlink_loop(root: Path, chart: str) -> Diagnostic | None:
    """K204 on a symlink in the chart that leads to a folder holding it (or round a chain of
    links). Helm's loader follows links: on such a one it goes round until the path is too
    long, logging a line per turn on stderr (tens of kilobytes), and fails with that path."""
    top = os.path.join(root, chart)
    for current, dirs, files in os.walk(top):
        for name in sorted((*dirs, *files)):
            path = os.path.join(current, name)
            if not os.path.islink(path):
                continue
            try:
                real = os.path.realpath(path, strict=True)
            except OSError as exc:
                if exc.errno != errno.ELOOP:
                    continue  # dangling: Helm says so
                real = ""
            here = os.path.realpath(current)
            if real == "" or here == real or here.startswith(real + os.sep):
                rel = Path(path).relative_to(root).as_posix()
                back = "a folder holding it" if real else "itself, through other links"
                message = (
                    f"chart does not load: {rel} is a symlink to '{os.readlink(path)}', which "
                    f"leads back to {back}: Helm would follow it round a loop"
                )
                return diagnostic("K204", Location(rel, 1, 1), message)
    return None


def render_error(chart: str, error: helm_python.HelmError) -> Diagnostic:
    text = str(error)
    where = template_location(chart, text) or Location(f"{chart}/Chart.yaml", 1, 1)
    return diagnostic("K201", where, f"template error: {_one_line(text)}")


def default_location(root: Path, chart: str, pointer: Pointer) -> Location | None:
    """Where the chart's values.yaml sets the value at `pointer`, if it does."""
    values = chart_values(root, chart)
    if values is None or value_at(values[1], pointer) is None:
        return None
    return Location(f"{chart}/values.yaml", *position(values[0], 0, pointer))


def values_errors(
    chart: str, release: Release, error: helm_python.HelmError, root: Path | None = None
) -> list[Diagnostic]:
    """One K202 per schema error, placed where the bad value is set: in the placement's
    values when it sets it, else on the chart's values.yaml line (a bad default)."""
    found = []
    for line in str(error).splitlines():
        match = _VALUES_LINE.match(line.strip())
        if match is None:
            continue
        message = (
            f"values break {chart}/values.schema.json at {match['pointer'] or '/'}: "
            f"{match['message']}"
        )
        inner: Pointer = tuple(p for p in match["pointer"].split("/") if p)
        extra = _EXTRA.search(match["message"])  # on the key not allowed, where it is set
        if extra is not None:
            named = (*inner, extra["name"])
            if value_at(release.values, named) is not None or (
                root is not None and default_location(root, chart, named) is not None
            ):
                inner = named
        pointer = (*release.values_pointer, *inner)
        owner = release.owner
        if owner is not None and value_at(release.values, inner) is not None:
            found.append(at_pointer(owner, pointer, "K202", message))
        elif root is not None and (where := default_location(root, chart, inner)) is not None:
            found.append(diagnostic("K202", where, message))
        elif owner is None:
            found.append(diagnostic("K202", Location(f"{chart}/values.yaml", 1, 1), message))
        else:  # set nowhere (a required value missing): on the values' owner
            found.append(at_pointer(owner, pointer, "K202", message))
    if not found:
        broken = root is not None and _broken_schema(root, chart)
        if broken:
            return [broken]
        found.append(
            diagnostic("K202", Location(f"{chart}/values.yaml", 1, 1), _one_line(str(error)))
        )
    return found


def _broken_schema(root: Path, chart: str) -> Diagnostic | None:
    """K204 where the chart's values.schema.json is no JSON: no values can meet it, and
    the values are not what is wrong (Helm names no place)."""
    rel = f"{chart}/values.schema.json"
    try:
        json.loads((root / rel).read_bytes())
    except OSError:
        return None
    except (ValueError, UnicodeDecodeError) as exc:
        where = (
            Location(rel, exc.lineno, exc.colno)
            if isinstance(exc, json.JSONDecodeError)
            else Location(rel, 1, 1)
        )
        message = f"values.schema.json is not JSON ({exc}): no values can be checked against it"
        return diagnostic("K204", where, message)
    return None


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
            message = f"rendered output: {problem.message}"
            context = f"{release.context}, rendered line {problem.line}"
            findings.append((diagnostic(code, Location(path, line, col), message), context))
        manifests.extend(replace(m, source=replace(m.source, template=template)) for m in docs)
    return manifests, findings


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


def lint_findings(
    root: Path, chart: str, context: str, messages: Sequence[LintMessage]
) -> list[Finding]:
    findings: list[Finding] = []
    schema_broken = any(m.path == "values.yaml" for m in messages) and _broken_schema(root, chart)
    for message in messages:
        severity, text = message.severity, message.error
        if schema_broken and message.path == "values.yaml":
            continue  # the values rule cannot read the schema: K204 says it is no JSON
        if (
            severity not in (2, 3)
            or _VALUES_LINE.match(text.strip())
            or "values don't meet" in text
            or _NAMING in text
        ):
            # info lines; values-schema errors are reported per placement as K202, and
            # object names on every chart (shared lint or not) as K328/K329
            continue
        where = template_location(chart, text)
        if where is not None and severity == 3:
            findings.append(
                (diagnostic("K201", where, f"template error: {_one_line(text)}"), context)
            )
            continue
        target = f"{chart}/{os_form(message.path)}".rstrip("/")  # Helm's text: a file name
        if not (root / target).is_file():
            target = f"{chart}/Chart.yaml"
        level: Severity = "error" if severity == 3 else "warning"
        where = Location(target, 1, 1)
        if target.endswith("/Chart.yaml"):  # on the field lint names ("version '1' is ...")
            try:
                content = (root / target).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                content = ""
            words = [w.strip("'\":,") for w in text.split()[:3]]
            where = field_location(target, content, [w for w in words if w != "chart"])
        diag = diagnostic("K203", where, f"helm lint: {_one_line(text)}", severity=level)
        findings.append((diag, ""))
    return findings


def _render_key(release: Release) -> str:
    """What a render depends on besides the chart: equal keys render equal objects."""
    return json.dumps([release.name, release.namespace, release.values], sort_keys=True)


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
        message = f"chart does not load: {_one_line(str(exc))}"
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
    if shared:
        values, namespace = first.values, first.namespace
        light = light_lint(root / chart, values, namespace, kube_version, scratch, lines)
        findings.extend(lint_findings(root, chart, first.context, light))
    else:
        messages = run_lint(root / chart, first.values, first.namespace, kube_version, lines)
        findings.extend(lint_findings(root, chart, first.context, messages))
    # Lint has the first release's values: it says the same of releases with equal ones.
    # Its lines of values against defaults are left out: each release's render, and the
    # walk above, said them of every release (from lint they would depend on the order).
    alike = [r.context for r in releases if r.values == first.values]
    logged += [(context, line) for line in lines if not of_shape(line) for context in alike]
    findings.extend(heard_findings(root, chart, name, _not_twice(logged, findings)))
    if shared:
        return Rendered(manifests, findings, name, first)
    return Rendered(manifests, findings, name, first, tuple(messages))


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
    return lint_findings(root, chart, release.context, own_rules)
