"""Overlays listed in an aggregate without a wrapper, their objects told apart by origin."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from edgemodels.validate import kubectl, kustomize
from edgemodels.validate.discover import discover, kustomization_entries
from edgemodels.validate.owners import contained, family, origin_file, owner

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _model(name: str, base: str = "../../base", extra: str = "") -> dict[str, str]:
    """A model folder with a base ConfigMap and overlays `<name>-1`, `<name>-2` (namespaces
    of those names): the context of an object names the overlay it was attributed to."""
    files = {
        f"models/{name}/base/kustomization.yaml": "resources:\n- cm.yaml\n",
        f"models/{name}/base/cm.yaml": CONFIGMAP.format(name=name),
    }
    for site in (f"{name}-1", f"{name}-2"):
        files[f"models/{name}/overlays/{site}/kustomization.yaml"] = (
            f"namespace: {site}\nresources:\n- {base}\n{extra}"
        )
    return files


def test_an_overlay_is_contained_when_all_it_reaches_is_in_its_family(tmp_path: Path) -> None:
    _write(tmp_path, _model("a"))
    _write(tmp_path, _model("shared-user", base="../../../../shared/base"))
    _write(tmp_path, {"shared/base/kustomization.yaml": "resources:\n- ../../models/a/base\n"})
    _write(tmp_path, _model("remote", base="https://github.com/example/repo//base?ref=v1"))
    _write(tmp_path, _model("outer"))
    _write(tmp_path, {k.replace("outer/", "outer/inner/"): v for k, v in _model("outer").items()})
    _write(tmp_path, _model("linked"))
    (tmp_path / "models/linked/base").rename(tmp_path / "elsewhere")
    os.symlink(tmp_path / "elsewhere", tmp_path / "models/linked/base")
    targets = [
        "models/a/overlays/a-1",
        "models/shared-user/overlays/shared-user-1",  # its base is outside models/shared-user
        "models/remote/overlays/remote-1",
        "models/outer/overlays/outer-1",  # models/outer holds another family
        "models/outer/inner/overlays/outer-1",
        "models/linked/overlays/linked-1",  # a symlink may point anywhere
    ]
    assert contained(tmp_path, targets) == {0}
    # The same from the entries discover read (and where discover does not reach: the link).
    assert contained(tmp_path, targets, discover(tmp_path).entries) == {0}


def test_origins_name_their_family() -> None:
    built_in, root = Path("/t/agg/g00001"), Path("/t/tree")
    text = "path: ../../tree/models/a/base/cm.yaml\n"
    assert origin_file(text, built_in, root) == "models/a/base/cm.yaml"
    generated = "configuredIn: ../../tree/models/b/overlays/s1/kustomization.yaml\nconfiguredBy: {}"
    assert origin_file(generated, built_in, root) == "models/b/overlays/s1/kustomization.yaml"
    assert origin_file("repo: https://github.com/e/r\nref: v1\n", built_in, root) is None
    families = {family("models/a/overlays/a-1"): 0, family("models/b/overlays/s1"): 1}
    assert owner("models/a/base/cm.yaml", families) == 0
    assert owner("models/b/overlays/s1/kustomization.yaml", families) == 1
    assert owner("models/ab/base/cm.yaml", families) is None


def _objects(built: kustomize.Built) -> list[tuple[str, str, str, str]]:
    return sorted((m.context, m.kind, m.name, m.namespace) for m in built.manifests)


@needs_kubectl
def test_each_overlay_gets_exactly_its_objects(tmp_path: Path) -> None:
    generator = "configMapGenerator:\n- name: gen\n  literals: [a=b]\n"
    _write(tmp_path, _model("a", extra=generator))  # a generated object: origin configuredIn
    _write(tmp_path, _model("b"))
    _write(tmp_path, _model("c", base="../../../../shared/base"))
    _write(tmp_path, {"shared/base/kustomization.yaml": "resources:\n- cm.yaml\n"})
    _write(tmp_path, {"shared/base/cm.yaml": CONFIGMAP.format(name="shared")})
    targets = sorted(
        str(p.parent.relative_to(tmp_path)) for p in tmp_path.glob("models/*/overlays/*/*.yaml")
    )
    built = kustomize.build(tmp_path, targets, ())
    assert built.findings == []
    expected = [
        (f"overlay {model}-{n}", "ConfigMap", name, f"{model}-{n}")
        for model, names in (("a", ("a", "gen")), ("b", ("b",)), ("c", ("shared",)))
        for name in names
        for n in (1, 2)
    ]
    got = [(c, k, n.split("-")[0], ns) for c, k, n, ns in _objects(built)]  # gen-<hash>
    assert sorted(got) == sorted(expected)
    sources = {m.name: m.source.path for m in built.manifests if m.namespace.endswith("-1")}
    assert sources["a"] == "models/a/base/cm.yaml"
    assert sources["shared"] == "shared/base/cm.yaml"


@needs_kubectl
def test_output_that_origins_cannot_split_is_built_again_with_wrappers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Claim every overlay is contained, although c's objects come from a shared base: the
    # aggregate's output names a file outside every family, so it is built again wrapped.
    _write(tmp_path, _model("b"))
    _write(tmp_path, _model("c", base="../../../../shared/base"))
    _write(tmp_path, {"shared/base/kustomization.yaml": "resources:\n- cm.yaml\n"})
    _write(tmp_path, {"shared/base/cm.yaml": CONFIGMAP.format(name="shared")})
    targets = ["models/b/overlays/b-1", "models/c/overlays/c-1"]
    tops: list[str] = []
    real = kubectl.run

    def recording(binary: str, folder: Path, running: Any) -> tuple[bool, str]:
        tops.append((folder / "kustomization.yaml").read_text(encoding="utf-8"))
        return real(binary, folder, running)

    monkeypatch.setattr(
        kustomize, "contained", lambda root, targets, read: set(range(len(targets)))
    )
    monkeypatch.setattr(kubectl, "run", recording)
    built = kustomize.build(tmp_path, targets, ())
    assert built.findings == []
    assert _objects(built) == [
        ("overlay b-1", "ConfigMap", "b", "b-1"),
        ("overlay c-1", "ConfigMap", "shared", "c-1"),
    ]
    assert len(tops) == 2 and "w00000" not in tops[0] and "w00000" in tops[1]


@pytest.mark.parametrize(
    ("text", "entries"),
    [
        (
            "resources:\n- ../../base\n- extra.yaml\nbases:\n- ../old\n",
            ["../../base", "extra.yaml", "../old"],
        ),
        ("components:\n- ../../parts\nnamespace: a\n", ["../../parts"]),
        ("resources: [a.yaml, 7]\nresources:\n- b.yaml\n", ["b.yaml"]),  # the last key wins
        ("resources:\n- a.yaml\n---\nresources:\n- b.yaml\n", []),  # not one kustomization
        ("resources:\n- a.yaml\n  - b.yaml: [\n", []),  # does not parse
        ("- a.yaml\n", []),
        ("", []),
    ],
)
def test_a_kustomizations_entries_are_read_leniently(
    tmp_path: Path, text: str, entries: list[str]
) -> None:
    # The build reports what is wrong with a kustomization; reading it only finds its parts.
    path = tmp_path / "kustomization.yaml"
    path.write_text(text, encoding="utf-8")
    assert kustomization_entries(path) == entries
    assert kustomization_entries(tmp_path / "missing.yaml") == []


@needs_kubectl
def test_an_aggregate_built_in_two_parts_gives_what_it_gives_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last aggregate is made two when a core would otherwise idle (kubectl.run_all);
    # each part is a sibling folder, and its objects still find their overlay and file.
    generator = "configMapGenerator:\n- name: gen\n  literals: [a=b]\n"
    _write(tmp_path, _model("a", extra=generator))
    for name in "bcd":
        _write(tmp_path, _model(name))
    targets = sorted(
        str(p.parent.relative_to(tmp_path)) for p in tmp_path.glob("models/*/overlays/*/*.yaml")
    )
    whole = kustomize.build(tmp_path, targets, ())
    parts: list[int] = []

    def halves(self: Any, size: int) -> int:
        parts.append(size)
        return size // 2

    monkeypatch.setattr(kubectl._Pace, "first_part", halves)
    split = kustomize.build(tmp_path, targets, ())
    assert parts == [4]  # two aggregates of four overlays; the last one made two
    assert split.findings == whole.findings == []
    assert sorted(_objects(split)) == sorted(_objects(whole))
    assert {m.source.path for m in split.manifests} == {m.source.path for m in whole.manifests}


@needs_kubectl
def test_a_failing_part_is_bisected_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each part of an aggregate made two is handled as it is built: a broken overlay in the
    # second part gets its finding, and the first part's objects are kept, not built again.
    for name in "abcd":
        _write(tmp_path, _model(name))
    broken = "models/d/overlays/d-2/kustomization.yaml"
    _write(tmp_path, {broken: "resources:\n- ../../base\n- missing.yaml\n"})
    targets = sorted(
        str(p.parent.relative_to(tmp_path)) for p in tmp_path.glob("models/*/overlays/*/*.yaml")
    )
    whole = kustomize.build(tmp_path, targets, ())
    monkeypatch.setattr(kubectl._Pace, "first_part", lambda self, size: size // 2 or None)
    builds: list[str] = []
    real_run = kubectl.run

    def run(binary: str, folder: Path, running: Any) -> tuple[bool, str]:
        builds.append(folder.name)
        return real_run(binary, folder, running)

    monkeypatch.setattr(kubectl, "run", run)
    split = kustomize.build(tmp_path, targets, ())
    assert [f[0].location.path for f in split.findings] == [broken]
    assert split.findings == whole.findings
    assert _objects(split) == _objects(whole)
    # g00001 (the last, d-2 in its second half) is made two; only that half is bisected:
    # its two overlays built on their own, nothing else built again.
    assert sorted(builds[:3]) == ["g00000", "g00001a", "g00001b"]
    assert sorted(builds[3:]) == ["g00002", "g00003"], builds
