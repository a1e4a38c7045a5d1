"""The releases of a chart: whose values it is rendered with, under which release name
and namespace.

The values of a placement are the `packageOverrides` of its Subscription (`path: spec` sets
the whole values tree, `path: spec.<key>` one key), as RHACM applies them to the
HelmRelease it creates; for Argo CD they are the ApplicationSet's `helm.valuesObject`. A
chart nothing deploys is rendered with its defaults.

Read from the manifests alone, with no Helm: helm.py renders what this gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from edgemodels.diagnostics import Diagnostic
from edgemodels.validate.gitpaths import APPLICATION_SET, PackageRef
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.pointers import Pointer, value_at
from edgemodels.validate.report import at_pointer


@dataclass(frozen=True)
class Release:
    """One render of one chart: whose values, under which release name and namespace."""

    name: str
    namespace: str
    values: Mapping[str, object]
    context: str
    owner: Manifest | None = None  # the Subscription / ApplicationSet giving the values
    values_pointer: Pointer = ()


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
