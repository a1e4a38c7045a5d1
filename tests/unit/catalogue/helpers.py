"""Inline catalogue cases: a valid base catalogue, and a way to run the checks on text."""

from __future__ import annotations

from pathlib import Path

from edgemodels.catalogue import load, suppressions_of

BASE = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
metadata:
  name: lrt
spec:
  git:
    url: https://gitlab.com/i4q/LRT.git
    branch: acm-dev
  hub:
    namespace: i4q-lrt
  defaults:
    namespace: i4q-lrt
    imagePullSecrets: [i4qregistry]
  targets:
    lrt:
      matchLabels: {env: lrt}
  models:
    - name: sktime
      version: 1.4.2
      wrapper: http
      image: registry.gitlab.com/i4q/lrt/sktime:1.4.2
      targets: [lrt]
      http: {port: 8080, healthPath: /health, ingressPath: /api}
"""


def findings(tmp_path: Path, text: str, name: str = "catalogue.yaml") -> list[tuple[int, int, str]]:
    """(line, col, code) of every finding for a one-file catalogue."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = load(path, base=tmp_path)
    return sorted((d.line, d.col, d.code) for d in suppressions_of(result))


def messages(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    return [d.render() for d in sorted(load(path, base=tmp_path).diagnostics)]


def sub(old: str, new: str, text: str = BASE) -> str:
    """`text` with the first `old` replaced by `new`; `old` must be there."""
    assert old in text, old
    return text.replace(old, new, 1)


# A container model entry, to add to BASE's models.
CONTAINER = """\
    - name: det
      version: 1.0.0
      wrapper: container
      image: registry.gitlab.com/i4q/lrt/det:1.0.0
      targets: [lrt]
"""
