"""Run policies on inline YAML: catalogues through the real loader, manifests from files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from edgemodels.catalogue import load
from edgemodels.catalogue.entries import catalogue_entries
from edgemodels.diagnostics import Diagnostic, apply_suppressions, find_suppressions
from edgemodels.policy import (
    CatalogueEntry,
    Manifest,
    PolicySet,
    check_catalogue,
    check_manifests,
    load_policies,
)
from edgemodels.yamlio import load_positioned, to_plain

# Seven lines; the lines of a case body start at 8.
HEADER = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
metadata: {name: lrt}
spec:
  git: {url: https://gitlab.com/i4q/LRT.git, branch: acm-dev}
  hub: {namespace: i4q-lrt}
  defaults: {namespace: i4q-lrt, imagePullSecrets: [i4qregistry]}
"""

# A valid model, indented for `models:`; cases append or replace fields.
SKTIME = """\
    - name: sktime
      version: 1.4.2
      wrapper: http
      image: registry.gitlab.com/i4q/lrt/sktime:1.4.2@sha256:56bc6e7df478d35aa86b8c7f73e91c3debd211d9bd0af0d024da767439e0dab5
      targets: [lrt]
      http: {port: 8080}
      resources: {requests: {cpu: 250m}, limits: {memory: 1Gi}}
"""


def entries(tmp_path: Path, text: str, name: str = "catalogue.yaml") -> list[CatalogueEntry]:
    """Catalogue entries of a one-file catalogue that the loader accepts without errors."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = load(path, base=tmp_path)
    errors = [d.render() for d in result.diagnostics if d.severity == "error"]
    assert not errors, errors  # the case itself must be a valid catalogue
    return catalogue_entries(result.merged)


def default_policies(tmp_path: Path, config: str | None = None) -> PolicySet:
    config_path = None
    if config is not None:
        config_path = tmp_path / ".edgemodels-policy.yaml"
        config_path.write_text(config, encoding="utf-8")
    policies = load_policies(config_path, tmp_path)
    assert not policies.diagnostics, [d.render() for d in policies.diagnostics]
    return policies


def catalogue_findings(
    tmp_path: Path, text: str, policies: PolicySet | None = None
) -> list[Diagnostic]:
    policies = policies or default_policies(tmp_path)
    return check_catalogue(policies, entries(tmp_path, text))


def where(diags: list[Diagnostic], code: str | None = None) -> list[tuple[int, int, str]]:
    return sorted((d.line, d.col, d.code) for d in diags if code is None or d.code == code)


def manifest(tmp_path: Path, text: str, name: str = "object.yaml") -> Manifest:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    yf, problems = load_positioned(path)
    assert not problems, problems
    return Manifest(path.as_posix(), yf.data.pos[0], to_plain(yf.data))


def manifest_findings(
    tmp_path: Path, text: str, policies: PolicySet | None = None
) -> list[Diagnostic]:
    policies = policies or default_policies(tmp_path)
    return check_manifests(policies, [manifest(tmp_path, text)])


def suppressed(
    diags: list[Diagnostic],
    files: dict[str, Path],
    owned: Callable[[str], bool] = lambda entry: True,
) -> list[Diagnostic]:
    """What a command reports after inline `# edgemodels: ignore[...]` comments.

    `files` maps the name findings use for a file to the file; `owned` says which unused
    entries the command reports.
    """
    sups = [s for shown, p in files.items() for s in find_suppressions(shown, p.read_text())]
    return apply_suppressions(diags, sups, owned)
