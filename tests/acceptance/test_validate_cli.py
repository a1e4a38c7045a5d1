"""`edgemodels validate` as a user runs it: exit codes, formats, options, a real generated tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from edgemodels.cli import main
from edgemodels.cli.validate import command

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "lrt"
WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"


def run_validate(*args: str) -> int:
    """`edgemodels validate ARGS`, through the real CLI."""
    return main(["validate", *args])


def run_generate(catalogue: Path, out: Path) -> Path:
    assert main(["generate", str(catalogue), "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _cache(shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # HOME is a fresh folder per test (tests/conftest.py): keep one schema cache instead.
    monkeypatch.setenv("EDGEMODELS_CACHE_DIR", str(shared_cache))
    monkeypatch.delenv("EDGEMODELS_KUBECONFORM", raising=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_generate(EXAMPLE, tmp_path_factory.mktemp("gen") / "deploy")


@pytest.fixture
def tree(generated: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(generated, tmp_path / "deploy"))


def test_the_generated_example_validates(
    generated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_validate(str(generated)) == 0
    assert capsys.readouterr().out.strip().endswith("no findings")


def test_validate_finds_the_bootstrap_binding_the_synced_placements_need(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The binding is applied by hand with hub/, the Placements come from hub/synced/
    (review s16 D4): validate looks for it in hub/, and misses it there."""
    assert not list((tree / "hub/synced").rglob("*binding*"))
    listing = tree / "hub/kustomization.yaml"
    assert "- bindings/default.yaml\n" in listing.read_text()
    listing.write_text(listing.read_text().replace("- bindings/default.yaml\n", ""))
    (tree / "hub/bindings/default.yaml").unlink()
    (tree / "hub/bindings").rmdir()
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out
    assert (
        f"{tree.as_posix()}/hub/synced/placements/lrt.yaml:15:5: K307 Placement lrt: "
        "cluster set 'default' has no ManagedClusterSetBinding in namespace 'i4q-lrt'"
    ) in out


def test_a_defect_exits_1_with_its_location(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rel = "hub/synced/placements/lrt.yaml"
    path = tree / rel
    path.write_text(path.read_text().replace("  tolerations:", "  toleration:"))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "toleration:" in t)
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{tree.as_posix()}/{rel}:{line}:3: K101 Placement lrt: unknown field 'toleration' in /spec "
        "(from lrt/catalogue.yaml#targets/lrt)"  # no lrt/ here to look its line up in
    )
    assert out[-1].startswith(f"validated {tree}: 1 error")


def test_tree_damage_that_stops_rhacm_deploying(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each of these rendered and built clean before: a listed file gone (K209), a Helm
    Subscription naming another chart (K326), a Git Subscription without its branch (K327)."""
    (tree / "models/sktime/chart/templates/deployment.yaml").unlink()
    sub = tree / "hub/synced/subscriptions/sktime--lrt.yaml"
    text = sub.read_text().replace("  name: sktime\n", "  name: sktimex\n")
    sub.write_text(text)
    other = tree / "hub/synced/subscriptions/anomaly-scorer--lrt-non-arm.yaml"
    other.write_text(
        "".join(t for t in other.read_text().splitlines(True) if "/git-branch:" not in t)
    )
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out
    name_line = text.splitlines().index("  name: sktimex") + 1
    assert f"{tree.as_posix()}/models/sktime/chart/templates/deployment.yaml:1:1: K209 " in out
    assert (
        f"{tree.as_posix()}/hub/synced/subscriptions/sktime--lrt.yaml:{name_line}:9: K326 " in out
    )
    kept = other.read_text().splitlines()
    annotations = kept.index("  annotations:") + 1  # K327 stands on the annotations
    assert f"anomaly-scorer--lrt-non-arm.yaml:{annotations}:3: K327 [warning] " in out
    assert out.splitlines()[-1].startswith(f"validated {tree}: 2 errors, 1 warning")


def test_a_listed_file_emptied_is_an_error(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """kustomize and RHACM apply an empty file without a word: its Subscription is gone."""
    rel = "hub/synced/subscriptions/sktime--lrt.yaml"
    (tree / rel).write_text("", encoding="utf-8")
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{tree.as_posix()}/{rel}:1:1: K209 listed in .edgemodels/manifest.json but empty: "
        "RHACM deploys without it (restore it from git, or run generate again)"
    )


@pytest.mark.parametrize(
    "rel",
    [
        "hub/synced/subscriptions/sktime--lrt.yaml",  # a hub file the hub's listing lists
        "models/anomaly-scorer/base/service.yaml",  # a kustomize base file
    ],
)
@pytest.mark.parametrize("kept", ["# Generated by edgemodels.\n", "# one\n---\n\n  # two\n"])
def test_a_listed_file_left_with_only_comments_is_an_error_as_an_empty_one(
    tree: Path, capsys: pytest.CaptureFixture[str], rel: str, kept: str
) -> None:
    """Its objects are as gone as an empty file's, and kustomize applies it as quietly."""
    (tree / rel).write_text(kept, encoding="utf-8")
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{tree.as_posix()}/{rel}:1:1: K209 listed in .edgemodels/manifest.json but holds no "
        "object (only comments): RHACM deploys without it (restore it from git, or run "
        "generate again)"
    )


TEMPLATE_BANNER = "{{/* Generated by edgemodels from lrt/models/sktime.yaml. Do not edit. */}}\n"


@pytest.mark.parametrize(
    "kept",
    [TEMPLATE_BANNER, "{{- /* one\n   two */ -}}\n# three\n---\n", "# Generated by edgemodels.\n"],
)
def test_a_chart_template_left_with_only_comments_is_an_error_as_an_empty_one(
    tree: Path, capsys: pytest.CaptureFixture[str], kept: str
) -> None:
    """Helm renders nothing from it: the chart installs without its Service, as without an
    emptied template (K209), though the chart renders and lints clean."""
    rel = "models/sktime/chart/templates/service.yaml"
    (tree / rel).write_text(kept, encoding="utf-8")
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"{tree.as_posix()}/{rel}:1:1: K209 listed in .edgemodels/manifest.json but holds no "
        "object (only comments): RHACM deploys without it (restore it from git, or run "
        "generate again)"
    )
    assert len(out) == 2


def test_a_chart_template_that_renders_nothing_by_a_condition_is_no_finding(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A template that renders its objects only when a value says so (the Ingress without
    an ingressPath) holds them: not a K209."""
    rel = "models/sktime/chart/templates/service.yaml"
    text = (tree / rel).read_text(encoding="utf-8")
    (tree / rel).write_text("{{- if false }}\n" + text + "{{- end }}\n", encoding="utf-8")
    assert run_validate(str(tree), "--no-policies") == 0
    assert capsys.readouterr().out.strip().endswith("no findings")


def _add_to_base(tree: Path, name: str, text: str) -> str:
    rel = f"models/anomaly-scorer/base/{name}"
    (tree / rel).write_text(text, encoding="utf-8")
    listing = tree / "models/anomaly-scorer/base/kustomization.yaml"
    listing.write_text(listing.read_text() + f"- {name}\n")
    return rel


def _configmap(keys: int, value: str) -> str:
    rows = "".join(f"  k{i:06d}: {value}\n" for i in range(keys))
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: table\ndata:\n{rows}"


def test_a_base_kustomize_would_read_for_minutes_is_said_at_once_and_built(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note comes on stderr before the builds, which are made (no time limit)."""
    from edgemodels.validate import inputscan, refusedinputs

    monkeypatch.setattr(inputscan, "SLOW_KEYS", 300)  # 20,000 keys: a slow test
    monkeypatch.setattr(refusedinputs, "SCANNED_BYTES", 1000)
    rel = _add_to_base(tree, "table.yaml", _configmap(300, "v"))
    assert run_validate(str(tree), "--no-policies") == 0
    captured = capsys.readouterr()
    finding = (
        f"{tree.as_posix()}/{rel}:5:1: K335 [warning] ConfigMap table: a mapping of 300 keys, "
        "which kustomize reads in a time that grows with the square of its keys"
    )
    assert captured.err.startswith(f"edgemodels: note: {finding}")
    assert captured.out.startswith(finding)


@pytest.mark.parametrize(
    "more",
    [
        "configMapGenerator:\n- name: extra\n  namespace: i4q-lrt\n  literals: [a=b]\n",
        "patches:\n- target: {kind: ConfigMap, name: table}\n"
        """  patch: '[{"op": "add", "path": "/metadata/labels", "value": {"a": "b"}}]'\n""",
    ],
)
def test_a_hub_file_a_built_listing_reads_slowly_is_said_at_once(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, more: str
) -> None:
    """A hub kustomization that does more than list its files is built with kustomize,
    which reads the listed files as slowly as an overlay's base: the same K335, before
    the builds. (Its files are plain manifests, so the input scan passed them by.)"""
    from edgemodels.validate import inputscan, refusedinputs

    monkeypatch.setattr(inputscan, "SLOW_KEYS", 300)
    monkeypatch.setattr(refusedinputs, "SCANNED_BYTES", 1000)
    rel = "hub/table.yaml"
    text = _configmap(300, "v").replace("  name: table\n", "  name: table\n  namespace: i4q-lrt\n")
    (tree / rel).write_text(text, encoding="utf-8")
    listing = tree / "hub/kustomization.yaml"
    listing.write_text(listing.read_text() + "- table.yaml\n" + more)
    assert run_validate(str(tree), "--no-policies") == 0
    captured = capsys.readouterr()
    finding = (
        f"{tree.as_posix()}/{rel}:6:1: K335 [warning] ConfigMap table: a mapping of 300 keys, "
        "which kustomize reads in a time that grows with the square of its keys"
    )
    assert captured.err.startswith(f"edgemodels: note: {finding}")
    assert captured.out.startswith(finding)


def test_a_7_mb_base_kustomize_would_read_for_an_hour_is_not_built(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """400,000 keys: `kubectl kustomize` alone took far over 300 s. The object is over
    both limits the API server has, so the build is not made and the run ends at once."""
    rel = _add_to_base(tree, "table.yaml", _configmap(400_000, "vvvvvv"))
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        f"{tree.as_posix()}/{rel}:1:1: K334 ConfigMap table: its data and binaryData hold "
        "2.3 MiB (2,400,000 bytes), over the 1 MiB (1,048,576 bytes) the API server allows "
        "a ConfigMap's data: it refuses the object; and the object is 6.9 MiB (7,200,061 "
        "bytes) as YAML, over etcd's request limit"
    )
    assert out[0].endswith("; the kustomize builds that could read it are not made")
    assert out[-1].startswith(f"validated {tree}: 1 error")


def test_a_tree_left_half_written_is_an_error(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A generate stopped inside its commit leaves its journal: the files are a mix of old
    and new that may each look valid, so validate must not pass them."""
    (tree / ".edgemodels/journal.json").write_text('{"moves": [], "removes": []}')
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out
    assert (
        f"{tree.as_posix()}/.edgemodels/journal.json:1:1: K210 an earlier generate stopped" in out
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_a_kustomize_error_names_tree_paths(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = tree / "models/anomaly-scorer/overlays/lrt-non-arm/kustomization.yaml"
    overlay.write_text(overlay.read_text().replace("- ../../base\n", "- ../../basex\n"))
    monkeypatch.chdir(tree.parent.parent)  # the tree given as a relative path
    assert run_validate(f"{tree.parent.name}/{tree.name}", "--no-policies") == 1
    out = capsys.readouterr().out
    assert "K206 kustomize build failed" in out
    assert "lstat models/anomaly-scorer/basex: no such file" in out


def test_a_folder_with_nothing_to_validate_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped path must not pass a CI gate with "no findings"."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("a: 1\n")
    for folder in ("empty", "notes"):
        assert run_validate(str(tmp_path / folder)) == 2
        assert "holds nothing to validate" in capsys.readouterr().err
    (tmp_path / "notes" / "widget.yaml").write_text(WIDGET)  # hand-written: validated
    assert run_validate(str(tmp_path / "notes"), "--skip-kind", "Widget") == 0


def test_in_a_catalogue_repository_validate_defaults_to_generated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The layout `init` makes: catalogue/, sites.yaml, generated/. The repository root and
    the catalogue are refused (exit 2), not validated into false findings, nor passed with
    --skip-kind ModelCatalogue."""
    shutil.copytree(EXAMPLE, tmp_path / "catalogue")
    shutil.copy(REPO / "examples" / "sites.yaml", tmp_path / "sites.yaml")
    run_generate(tmp_path / "catalogue", tmp_path / "generated")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert run_validate("--no-policies") == 0
    assert "validated generated: no findings" in capsys.readouterr().out
    assert run_validate(".") == 2
    err = capsys.readouterr().err
    assert "holds a generated tree in generated" in err
    assert "sites.yaml (SiteInventory)" in err and "(edgemodels validate generated)" in err
    assert run_validate("catalogue", "--skip-kind", "ModelCatalogue") == 2
    err = capsys.readouterr().err
    assert "catalogue.yaml (ModelCatalogue)" in err and "`edgemodels check`" in err
    assert "--skip-kind" not in err
    for inside, shown in (("catalogue/models", "../../generated"), ("catalogue", "../generated")):
        monkeypatch.chdir(tmp_path / inside)  # where check and generate find the catalogue
        assert run_validate("--no-policies") == 0, capsys.readouterr().err
        assert f"validated {shown}: no findings" in capsys.readouterr().out
        assert run_validate("generated") == 2  # named from the repository's root
        assert capsys.readouterr().err == (
            "edgemodels: error: generated: no such folder here, in the catalogue's folder "
            "(paths start at the working folder); the generated tree beside the catalogue is "
            f"{shown}: edgemodels validate {shown}\n"
        )
    monkeypatch.chdir(tmp_path)
    shutil.rmtree(tmp_path / "generated")
    assert run_validate() == 2  # no generated/: the current folder, refused as above
    assert "edgemodels input files" in capsys.readouterr().err


def test_a_folder_inside_a_generated_tree_is_the_tree_not_a_tree_of_its_own(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cd generated/hub && edgemodels validate`: hub/ alone was validated as a folder of
    hand-written manifests, and its Subscriptions' git-paths, which start at the tree's
    root, were 'missing' (K308, 4 errors on a clean tree). Without a folder, validate takes
    the tree the working folder is in; a folder inside a tree, given, is refused (exit 2)."""
    monkeypatch.chdir(tree / "hub" / "synced")
    capsys.readouterr()
    assert run_validate("--no-policies") == 0
    assert "validated ../..: no findings" in capsys.readouterr().out
    assert run_validate(".") == 2
    err = capsys.readouterr().err
    assert ". is a folder of the generated tree ../..: " in err
    assert "(edgemodels validate ../..)" in err
    monkeypatch.chdir(tree.parent)
    assert run_validate(f"{tree.name}/models") == 2
    assert f"{tree.name}/models is a folder of the generated tree {tree.name}: " in (
        capsys.readouterr().err
    )


BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
)


def test_an_alias_bomb_in_a_kustomize_base_is_refused_without_running_kustomize(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # kustomize has no alias limit: it expanded such a file for minutes and gigabytes (a
    # fuzz case hung CI). The file is refused where it is; its model's overlays are not
    # built, the other model's are.
    base = tree / "models/anomaly-scorer/base/deployment.yaml"
    base.write_text(BOMB + base.read_text(encoding="utf-8"), encoding="utf-8")
    other = tree / "models/defect-detector/overlays/follow-defect-detector/kustomization.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("- ../../base", "- ../../nothing"))
    assert run_validate(str(tree)) == 1
    out = capsys.readouterr().out
    assert "models/anomaly-scorer/base/deployment.yaml:1:1: K108 YAML refused" in out
    assert "the kustomize builds that could read it are not made" in out
    assert "follow-defect-detector" in out  # built: its broken entry is reported


def test_json_format(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tree / "hub" / "synced" / "subscriptions" / "sktime--lrt.yaml"
    path.write_text(
        path.read_text().replace("git-path: models/sktime/chart", "git-path: models/gone/chart")
    )
    assert run_validate(str(tree), "--format", "json") == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["code"], finding["name"]) == ("K308", "git-path-missing")
    assert finding["path"] == f"{tree.as_posix()}/hub/synced/subscriptions/sktime--lrt.yaml"
    assert finding["origin"]["path"] == "lrt/models/sktime.yaml#models/sktime"


def drop_liveness_probe(path: Path) -> None:
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, t in enumerate(lines) if t.strip() == "livenessProbe:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and len(lines[end]) - len(lines[end].lstrip()) > indent:
        end += 1
    path.write_text("".join(lines[:start] + lines[end:]))


def test_manifest_policies_point_back_at_the_catalogue(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_liveness_probe(tree / "models/anomaly-scorer/base/deployment.yaml")
    monkeypatch.chdir(tree)
    assert run_validate(".") == 1
    out = capsys.readouterr().out  # the catalogue is not here: the entry is named
    assert "P120" in out and "(from lrt/models/anomaly-scorer.yaml#models/anomaly-scorer)" in out
    assert run_validate(".", "--no-policies") == 0
    shutil.copytree(EXAMPLE, tree.parent / "lrt")
    monkeypatch.chdir(tree.parent)  # where the generator named the catalogue from
    assert run_validate(tree.name) == 1
    assert "(from lrt/models/anomaly-scorer.yaml:5:7)" in capsys.readouterr().out


def test_warnings_fail_under_fail_on_warning_not_under_strict(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop_liveness_probe(tree / "models/anomaly-scorer/base/deployment.yaml")
    config = tree.parent / "policy.yaml"
    config.write_text("rules: {P120: warning}\n")  # a team downgrades the rule
    args = (str(tree), "--policy-config", str(config))
    assert run_validate(*args) == 0
    assert "P120 [warning]" in capsys.readouterr().out
    assert run_validate(*args, "--strict") == 0  # --strict is about schemas
    assert run_validate(*args, "--fail-on", "warning") == 1  # as check takes it


def test_a_catalogue_suppression_silences_a_manifest_finding(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_liveness_probe(tree / "models/anomaly-scorer/base/deployment.yaml")
    catalogue = tree.parent / "lrt"
    shutil.copytree(EXAMPLE, catalogue)
    model = catalogue / "models" / "anomaly-scorer.yaml"
    lines = model.read_text().splitlines()
    lines[4] += "  # edgemodels: ignore[P120] probes come from the sidecar"
    model.write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tree.parent)
    assert run_validate(tree.name) == 0, capsys.readouterr().out


def test_a_catalogue_suppression_holds_whatever_folder_validate_runs_from(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The objects name their catalogue file from the catalogue's parent folder, where the
    tree sits in init's layout: `cd generated && edgemodels validate` (or from the
    catalogue's folder) finds the entry's line and its suppression there, as a run from the
    repository's root does, instead of failing on a finding CI has suppressed."""
    drop_liveness_probe(tree / "models/anomaly-scorer/base/deployment.yaml")  # P120, line 5
    catalogue = tree.parent / "lrt"
    shutil.copytree(EXAMPLE, catalogue)
    (tree.parent / ".git").mkdir()  # the repository's root: the folders looked in end there
    monkeypatch.chdir(tree)
    assert run_validate() == 1
    out = capsys.readouterr().out
    assert "P120" in out and "(from ../lrt/models/anomaly-scorer.yaml:5:7)" in out
    model = catalogue / "models" / "anomaly-scorer.yaml"
    lines = model.read_text().splitlines()
    lines[4] += "  # edgemodels: ignore[P120] probes come from the sidecar"
    model.write_text("\n".join(lines) + "\n")
    assert run_validate() == 0, capsys.readouterr().out
    monkeypatch.chdir(catalogue / "models")
    assert run_validate("../../deploy") == 0, capsys.readouterr().out
    assert run_validate(str(tree)) == 0, capsys.readouterr().out
    monkeypatch.chdir(tree.parent)
    assert run_validate(tree.name) == 0, capsys.readouterr().out


def test_validate_reports_unused_suppressions_of_its_rules_and_takes_rule_names(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    drop_liveness_probe(tree / "models/anomaly-scorer/base/deployment.yaml")  # P120
    catalogue = tree.parent / "lrt"
    shutil.copytree(EXAMPLE, catalogue)
    model = catalogue / "models" / "anomaly-scorer.yaml"
    lines = model.read_text().splitlines()
    lines[4] += "  # edgemodels: ignore[http-model-probes, P121, K999, P101]"  # the entry
    lines[5] += "  # edgemodels: ignore[P125]"  # a line no object comes from
    model.write_text("\n".join(lines) + "\n")
    other = catalogue / "models" / "sktime.yaml"  # no finding comes from this file
    text = other.read_text()
    other.write_text(text.replace("\n", "  # edgemodels: ignore[no-secret-objects]\n", 1))
    monkeypatch.chdir(tree.parent)
    assert run_validate(tree.name) == 0  # P120 is suppressed by its rule's name
    out = capsys.readouterr().out
    unused = sorted(line.split(" P001 ")[1] for line in out.splitlines() if " P001 " in line)
    assert unused == [
        "[warning] suppression of K999 matches no finding on this line",
        "[warning] suppression of P121 matches no finding on this line",
        "[warning] suppression of P125 matches no finding on this line",
        "[warning] suppression of no-secret-objects matches no finding on this line",
    ]  # P101 is a catalogue rule: check reports it


BROKEN_POLICY = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: m}
rules:
  - code: P601
    name: broken
    appliesTo: {manifests: [{apiVersions: [apps/v1], kinds: [Deployment]}]}
    validations: [{expression: "object.x &&"}]
"""


def test_findings_on_files_outside_the_tree_name_them_from_the_working_folder(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Policy files and unused suppressions in the catalogue are not in the tree: their
    paths are not prefixed with the tree's folder."""
    drop_liveness_probe(tree / "models/anomaly-scorer/base/deployment.yaml")  # P120 from line 5
    shutil.copytree(EXAMPLE, tree.parent / "lrt")
    model = tree.parent / "lrt" / "models" / "anomaly-scorer.yaml"
    lines = model.read_text().splitlines()
    lines[4] += "  # edgemodels: ignore[K999]"
    model.write_text("\n".join(lines) + "\n")
    (tree.parent / "policies").mkdir()
    (tree.parent / "policies" / "m.yaml").write_text(BROKEN_POLICY)
    (tree.parent / ".edgemodels-policy.yaml").write_text("policyFiles: [policies/*.yaml]\n")
    monkeypatch.chdir(tree.parent)
    assert run_validate(tree.name) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[:2] for line in out if " P0" in line] == [
        ["lrt/models/anomaly-scorer.yaml:5:29:", "P001"],
        ["policies/m.yaml:8:44:", "P003"],
    ]
    monkeypatch.chdir(tree.parent.parent)  # the tree given as a longer relative path
    run_validate(f"{tree.parent.name}/{tree.name}")
    assert f"\n{tree.parent.name}/policies/m.yaml:8:44: P003" in capsys.readouterr().out


def test_a_config_finding_names_the_config_from_the_working_folder(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tree.parent / ".edgemodels-policy.yaml").write_text("rules: {P1240: off}\n")
    monkeypatch.chdir(tree.parent)
    run_validate(tree.name)  # a warning or, stopping the run, an error
    captured = capsys.readouterr()
    (line,) = [t for t in (captured.out + captured.err).splitlines() if "P006" in t]
    assert line.lstrip().startswith(".edgemodels-policy.yaml:1:"), line


REPLICAS_POLICY = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: m}
rules:
  - code: P603
    name: one-replica
    appliesTo: {manifests: [{apiVersions: [apps/v1], kinds: [Deployment]}]}
    validations:
      - expression: "object.spec.replicas <= 1"
        messageExpression: "'replicas ' + string(object.spec.replicas)"
        fieldPath: .spec.replicas
"""


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_a_field_an_overlay_set_is_located_in_the_overlay(
    tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lrt-non-arm overlay of anomaly-scorer patches replicas to 2: the base file says 1."""
    (tree.parent / "policies").mkdir()
    (tree.parent / "policies" / "m.yaml").write_text(REPLICAS_POLICY)
    (tree.parent / ".edgemodels-policy.yaml").write_text("policyFiles: [policies/*.yaml]\n")
    overlay = "models/anomaly-scorer/overlays/lrt-non-arm/kustomization.yaml"
    line = (tree / overlay).read_text().splitlines().index("      value: 2") + 1
    monkeypatch.chdir(tree.parent)
    assert run_validate(tree.name) == 1
    found = [t for t in capsys.readouterr().out.splitlines() if " P603 " in t]
    assert found == [
        f"{tree.name}/{overlay}:{line}:14: P603 replicas 2 "
        "(from lrt/models/anomaly-scorer.yaml#models/anomaly-scorer/overrides/lrt-non-arm)"
    ]


OVERRIDDEN = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
metadata: {name: plant}
spec:
  git: {url: https://git.example/plant.git, branch: deploy, path: ""}
  hub: {namespace: plant, placementKind: Placement, clusterSets: [default]}
  defaults: {namespace: plant}
  targets:
    edge: {matchLabels: {tier: edge}}
    core: {matchLabels: {tier: core}}
  models:
    - name: api
      version: 1.0.0
      wrapper: http
      packaging: kustomize
      image: registry.example/api:1.0.0@sha256:56bc6e7df478d35aa86b8c7f73e91c3debd211d9bd0af0d024da767439e0dab5
      targets: [edge, core]
      http: {port: 9000, healthPath: /healthz, readinessPath: /ready}
      resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
      overrides:
        core: {env: {A: "1"}}
        edge: {replicas: 3}
"""


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
@pytest.mark.parametrize(
    ("edit", "origin"),
    [
        ((), "c.yaml:22:9"),  # the model's overrides for the overlay's target
        (("        edge: {replicas: 3}\n", ""), "c.yaml:12:7"),  # none: the model's entry
    ],
)
def test_a_finding_in_a_target_overlay_comes_from_the_targets_overrides(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, str],
    origin: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "m.yaml").write_text(REPLICAS_POLICY)
    (tmp_path / ".edgemodels-policy.yaml").write_text("policyFiles: [policies/*.yaml]\n")
    text = OVERRIDDEN.replace(*edit) if edit else OVERRIDDEN
    if edit:  # the target's own overrides set replicas instead
        text = text.replace(
            "edge: {matchLabels: {tier: edge}}",
            "edge: {matchLabels: {tier: edge}, overrides: {replicas: 3}}",
        )
    Path("c.yaml").write_text(text)
    run_generate(Path("c.yaml"), Path("deploy"))
    capsys.readouterr()
    assert run_validate("deploy") == 1
    (found,) = [t for t in capsys.readouterr().out.splitlines() if " P603 " in t]
    assert found.startswith("deploy/models/api/overlays/edge/kustomization.yaml:")
    assert found.endswith(f"P603 replicas 3 (from {origin})")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
@pytest.mark.parametrize("line", ["    - name: api\n", "        edge: {replicas: 3}\n"])
def test_a_target_overlays_finding_is_suppressed_on_its_overrides_or_its_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "m.yaml").write_text(REPLICAS_POLICY)
    (tmp_path / ".edgemodels-policy.yaml").write_text("policyFiles: [policies/*.yaml]\n")
    ignored = line.replace("\n", "  # edgemodels: ignore[P603]\n")
    Path("c.yaml").write_text(OVERRIDDEN.replace(line, ignored))
    run_generate(Path("c.yaml"), Path("deploy"))
    capsys.readouterr()
    assert run_validate("deploy") == 0, capsys.readouterr().out


ARM_FILES = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
metadata: {name: plant}
spec:
  git: {url: https://git.example/plant.git, branch: deploy, path: ""}
  hub: {namespace: plant, placementKind: Placement, clusterSets: [default]}
  defaults: {namespace: plant, helperImage: "registry.example/busybox:1.36.1-musl@sha256:DIGEST"}
  targets:
    arm: {matchLabels: {tier: edge, kubernetes.io/arch: arm64}}
    other: {matchLabels: {tier: core}, overrides: {image: "registry.example/w-x:2.0.0@sha256:DIGEST"}}
  models:
    - name: weights
      version: 2.0.0
      wrapper: container
      packaging: kustomize
      image: registry.example/w:2.0.0@sha256:DIGEST
      images: {arm64: "registry.example/w-arm:2.0.0@sha256:DIGEST"}
      container: {size: 1Gi}
      targets: [arm, other]
""".replace("DIGEST", "56bc6e7df478d35aa86b8c7f73e91c3debd211d9bd0af0d024da767439e0dab5")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_a_copy_job_renamed_for_another_image_is_no_idle_patch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target's own image gives the copy Job a new name (its template changed), which the
    overlay's patch sets: the patch selects the base's Job, so it is no K212."""
    monkeypatch.chdir(tmp_path)
    Path("c.yaml").write_text(ARM_FILES)
    run_generate(Path("c.yaml"), Path("deploy"))
    capsys.readouterr()
    assert run_validate("deploy") == 0
    assert capsys.readouterr().out.strip().endswith("no findings")


def test_unknown_kinds_fail_unless_skipped(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "hub" / "widget.yaml").write_text(WIDGET)
    assert run_validate(str(tree)) == 1
    assert "K106" in capsys.readouterr().out
    assert run_validate(str(tree), "--skip-kind", "Widget") == 0
    assert run_validate(str(tree), "--skip-kind", "example.com/v1/Widget") == 0


def test_kubernetes_version(generated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_validate(str(generated), "--kubernetes-version", "1.31") == 0
    capsys.readouterr()
    assert run_validate(str(generated), "--kubernetes-version", "1.99") == 2
    err = capsys.readouterr().err
    assert "no Kubernetes schemas for version '1.99'" in err and "1.37.0" in err


def test_missing_tools_exit_2(
    generated: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither kubectl nor kubeconform
    assert run_validate(str(generated), "--validator", "kubeconform") == 2
    assert "kubeconform not found" in capsys.readouterr().err
    assert run_validate(str(generated), "--require-all") == 2
    assert "kubectl not found" in capsys.readouterr().err
    assert run_validate(str(generated)) == 0  # without --require-all: a note, not a failure
    assert "K207 [warning] kubectl not found" in capsys.readouterr().out


def test_help_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        command.main(["--help"], prog_name="edgemodels validate")
    out = capsys.readouterr().out
    assert "Example:" in out and "edgemodels validate deploy/" in out


def test_an_invalid_policy_config_exits_2_as_the_help_says(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tree.parent / "policy.yaml"
    config.write_text("rules: {P120: warnin}\n")
    assert run_validate(str(tree), "--policy-config", str(config)) == 2
    assert "P006" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        command.main(["--help"], prog_name="edgemodels validate")
    helptext = " ".join(capsys.readouterr().out.split())
    assert "2 on a bad option, an invalid policy config, a missing tool" in helptext


@pytest.mark.parametrize(
    "golden", sorted((REPO / "tests" / "cases").glob("*/expected")), ids=lambda p: p.parent.name
)
def test_every_golden_tree_validates(golden: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The generator's golden trees (both delivery modes, migration) are valid as committed."""
    assert run_validate(str(golden)) == 0, capsys.readouterr().out


def test_the_hub_subscription_must_find_its_folder_in_the_tree(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """hub/subscription.yaml applies hub/synced/ to the hub: the folder must be there."""
    shutil.rmtree(tree / "hub" / "synced")
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out
    sub = (tree / "hub/subscription.yaml").read_text().splitlines()
    line = next(i for i, t in enumerate(sub, 1) if "/git-path:" in t)
    assert f"{tree.as_posix()}/hub/subscription.yaml:{line}:" in out
    assert "K308 Subscription lrt-hub: path 'hub/synced' does not exist in the tree" in out


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")
def test_a_service_name_that_starts_with_a_digit_is_an_error(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Service name must be a DNS-1035 label, in a rendered chart and in a built overlay
    alike; the schemas do not check name syntax per kind (check refuses such models: R225)."""
    chart = tree / "models/sktime/chart/templates/service.yaml"
    include = '{{- include "edgemodels.metadata" $ctx | nindent 2 }}'
    chart.write_text(chart.read_text().replace(include, "name: 3d-sktime"))
    base = tree / "models/anomaly-scorer/base/service.yaml"
    base.write_text(base.read_text().replace("  name: anomaly-scorer\n", "  name: 9-anomaly\n", 1))
    assert run_validate(str(tree), "--no-policies") == 1
    out = capsys.readouterr().out
    assert "K328 Service 3d-sktime: Service name '3d-sktime' is not a DNS-1035 label" in out
    assert "K328 Service 9-anomaly: Service name '9-anomaly' is not a DNS-1035 label" in out


def test_a_missing_folder_says_to_generate_the_tree_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_validate("out") == 2
    err = capsys.readouterr().err
    assert "out: no such folder; generate the tree first: edgemodels generate -o out" in err


@pytest.mark.parametrize("packaging", ["helm", "kustomize"])
def test_a_tree_with_a_claims_storage_class_validates(
    packaging: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalogue = Path(shutil.copytree(EXAMPLE, tmp_path / "catalogue"))
    model = catalogue / "models" / "defect-detector.yaml"
    text = model.read_text()
    old = "packaging: kustomize\n"
    container = "container: {modelPath: /model, size: 2Gi}"
    assert old in text and container in text
    text = text.replace(old, f"packaging: {packaging}\n")
    model.write_text(text.replace(container, container[:-1] + ", storageClassName: longhorn}"))
    out = run_generate(catalogue, tmp_path / "deploy")
    claims = (out / "models/defect-detector").rglob("claim.yaml")
    assert [c for c in claims if b"storageClassName: " in c.read_bytes()]
    capsys.readouterr()
    assert run_validate(str(out)) == 0
    assert capsys.readouterr().out.strip().endswith("no findings")
