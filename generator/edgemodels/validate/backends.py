"""Schema validation of every manifest, by the built-in backend or by kubeconform.

Both see the same manifests and report through the same Violations, so a tree gives the
same findings either way. Shape checks (apiVersion and kind present) and skipped kinds are
decided here, before either backend runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import yaml

from edgemodels.validate import builtin, crd_schemas, kubeconform
from edgemodels.validate.manifests import Manifest, shape_problem
from edgemodels.validate.overlays import Overlays
from edgemodels.validate.report import Finding, finding, from_violation
from edgemodels.validate.violations import Violation, other

Backend = Literal["builtin", "kubeconform"]
ALWAYS_SKIPPED = ("Kustomization",)  # kustomize's own file, never a cluster object


@dataclass(frozen=True)
class SchemaSettings:
    kubernetes_version: str  # normalised, e.g. 1.33.0
    strict: bool
    k8s_folder: Path  # the standalone folder of that version and strictness
    k8s_root: Path  # its parent: kubeconform's -schema-location
    cache_dir: Path
    skip_kinds: tuple[str, ...]
    backend: Backend
    kubeconform_binary: str | None = None


def skipped(manifest: Manifest, skip_kinds: Sequence[str]) -> bool:
    """`Kind` or `apiVersion/Kind` (kubeconform's GVK form) in the skip list."""
    gvk = f"{manifest.api_version}/{manifest.kind}"
    return any(entry in (manifest.kind, gvk) for entry in (*ALWAYS_SKIPPED, *skip_kinds))


def checkable(
    manifests: Sequence[Manifest], settings: SchemaSettings
) -> tuple[list[Manifest], list[Finding]]:
    kept: list[Manifest] = []
    found: list[Finding] = []
    for manifest in manifests:
        problem = shape_problem(manifest.data)
        if problem is not None:
            found.append(finding(manifest, (), "K107", f"not a Kubernetes object: {problem}"))
        elif not skipped(manifest, settings.skip_kinds):
            kept.append(manifest)
    return kept, found


def _placed(manifest: Manifest, violation: Violation, overlays: Overlays | None) -> Finding:
    """A violation as a finding: on the overlay that set the field when an overlay built
    the object and changed it (overlays.py: the JSON patch op's value, or the entry of its
    kustomization), else on the file that wrote it. The base file's line would show a value
    that is not the one refused."""
    found = from_violation(manifest, violation)
    if overlays is None or not manifest.overlay:
        return found
    locate = overlays.locator(manifest.overlay, manifest.source.path, manifest.data)
    where = locate(violation.pointer)
    if where is None:
        return found
    path, root = Path(where.path), overlays.root
    if root != Path(".") and path.is_relative_to(root):
        where = replace(where, path=path.relative_to(root).as_posix())
    return replace(found[0], location=where), found[1]


def _builtin(
    manifests: Sequence[Manifest], settings: SchemaSettings, overlays: Overlays | None = None
) -> list[Finding]:
    found: list[Finding] = []
    for manifest in manifests:
        validator = builtin.compiled(
            settings.k8s_folder, settings.strict, manifest.api_version, manifest.kind
        )
        if validator is None:
            found.append(from_violation(manifest, _no_schema(manifest, settings)))
            continue
        found.extend(
            _placed(manifest, v, overlays) for v in builtin.check(validator, manifest.data)
        )
    return found


def _no_schema(manifest: Manifest, settings: SchemaSettings) -> Violation:
    return builtin.no_schema(
        manifest.api_version, manifest.kind, settings.k8s_folder, settings.kubernetes_version
    )


Key = tuple[str, str, str, str]


def _stage(
    manifests: Sequence[Manifest], direct_files: set[str], tmp: Path
) -> tuple[list[str], dict[Key, list[Manifest]]]:
    """kubeconform inputs: clean tree files as they are, everything else one file each."""
    files: list[str] = []
    by_key: dict[Key, list[Manifest]] = {}
    for number, manifest in enumerate(manifests):
        path = manifest.source.path
        if not manifest.context and manifest.source.template is None and path in direct_files:
            name = path
            if name not in files:
                files.append(name)
        else:
            staged = tmp / f"m{number:06d}.yaml"
            staged.write_text(
                yaml.dump(dict(manifest.data), Dumper=yaml.CSafeDumper), encoding="utf-8"
            )
            name = str(staged)
            files.append(name)
        key = (name, manifest.kind, manifest.name, manifest.api_version)
        by_key.setdefault(key, []).append(manifest)
    return files, by_key


def _kubeconform(
    manifests: Sequence[Manifest], settings: SchemaSettings, root: Path, direct_files: set[str]
) -> list[Finding]:
    assert settings.kubeconform_binary is not None
    crd_location = crd_schemas.kubeconform_location(settings.cache_dir)
    found: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="edgemodels-kubeconform-") as tmp:
        files, by_key = _stage(manifests, direct_files, Path(tmp))
        argv = kubeconform.build_argv(
            settings.kubeconform_binary,
            settings.kubernetes_version,
            settings.strict,
            crd_location,
            settings.k8s_root,
            [*ALWAYS_SKIPPED, *settings.skip_kinds],
            files,
        )
        results = kubeconform.run(argv, root) if files else []
    overlays = Overlays(root)
    for result in results:
        if result.status not in ("statusInvalid", "statusError") or not by_key.get(result.key):
            continue  # valid, skipped, empty, or a file this run did not ask about
        manifest = by_key[result.key].pop(0)
        if result.status == "statusInvalid":
            found.extend(
                _placed(manifest, v, overlays)
                for v in kubeconform.violations_of(result, manifest.data)
            )
        elif kubeconform.missing_schema_kind(result) is not None:
            found.append(from_violation(manifest, _no_schema(manifest, settings)))
        else:
            found.append(from_violation(manifest, other(("kind",), f"kubeconform: {result.msg}")))
    return found


def schema_findings(
    manifests: Sequence[Manifest], settings: SchemaSettings, root: Path, direct_files: set[str]
) -> list[Finding]:
    """K1xx findings for every manifest. `direct_files` may be given to kubeconform as is."""
    kept, found = checkable(manifests, settings)
    if settings.backend == "kubeconform":
        return found + _kubeconform(kept, settings, root, direct_files)
    return found + _builtin(kept, settings, Overlays(root))
