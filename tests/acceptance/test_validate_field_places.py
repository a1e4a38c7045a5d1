"""Where P124 lands when a container writes `runAsNonRoot: false`: on that field, in a
plain manifest, a kustomize base, an overlay's patch and a chart's template alike (as P125
does for `readOnlyRootFilesystem`), not on the container's `- name:` line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from edgemodels.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lrt"
BASE = "models/anomaly-scorer/base/deployment.yaml"
OVERLAY = "models/anomaly-scorer/overlays/lrt-non-arm/kustomization.yaml"
TEMPLATE = "models/sktime/chart/templates/deployment.yaml"
POD = "models/pod.yaml"
POD_TEXT = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: i4q-lrt}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - name: c
      image: registry.example.com/x:1@sha256:e8d7dc63525e004612ec997bd798fca8bfcf10a467cbc599acb2257fe5fa020d
      securityContext: {readOnlyRootFilesystem: true, runAsNonRoot: false}
"""
OVERLAY_PATCH = """\
    - op: add
      path: /spec/template/spec/containers/0/securityContext/runAsNonRoot
      value: false
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "deploy"
    assert main(["generate", str(EXAMPLE), "-o", str(out)]) == 0
    return out


@pytest.fixture
def tree(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = Path(shutil.copytree(generated, tmp_path / "deploy"))
    monkeypatch.chdir(copy)
    return copy


def _replace(tree: Path, path: str, old: str, new: str) -> None:
    text = (tree / path).read_text()
    assert text.count(old) == 1
    (tree / path).write_text(text.replace(old, new))


def _base(tree: Path) -> None:
    old = "          allowPrivilegeEscalation: false\n"
    _replace(tree, BASE, old, old + "          runAsNonRoot: false\n")


def _overlay(tree: Path) -> None:
    with (tree / OVERLAY).open("a") as file:  # after the overlay's own JSON patch
        file.write(OVERLAY_PATCH)


def _template(tree: Path) -> None:
    old = "          securityContext:\n            {{- include"
    _replace(tree, TEMPLATE, old, old.replace(":\n", ":\n            runAsNonRoot: false\n"))


def _pod(tree: Path) -> None:
    (tree / POD).write_text(POD_TEXT)


@pytest.mark.parametrize(
    ("edit", "path", "field"),
    [
        (_base, BASE, "runAsNonRoot: false"),
        (_overlay, OVERLAY, "value: false"),
        (_template, TEMPLATE, "runAsNonRoot: false"),
        (_pod, POD, "runAsNonRoot: false"),
    ],
)
def test_p124_is_on_the_field_a_container_sets(
    tree: Path,
    edit: Callable[[Path], None],
    path: str,
    field: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    edit(tree)
    capsys.readouterr()
    assert main(["validate", "."]) == 1
    found = [line for line in capsys.readouterr().out.splitlines() if " P124 " in line]
    lines = (tree / path).read_text().splitlines()
    number = next(i for i, text in enumerate(lines, 1) if field in text)
    column = lines[number - 1].index("false") + 1
    assert [line.split(" ", 1)[0] for line in found] == [f"{path}:{number}:{column}:"]
