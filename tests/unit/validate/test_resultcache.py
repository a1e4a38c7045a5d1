"""The result cache: what goes in, what is taken, and that a run taking it says the same."""

from __future__ import annotations

import os
import shutil
import stat
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edgemodels.validate import (
    chartrenders,
    checker,
    cores,
    helm,
    kubectl,
    offload,
    pipeline,
    resultcache,
    resultstore,
    unitbounds,
)
from edgemodels.validate.discover import discover
from edgemodels.validate.resultcache import folder_digest
from edgemodels.validate.resultstore import Store
from edgemodels.validate.run import ValidateOptions, validate_tree
from edgemodels.validate.unitbounds import stays_inside

from .trees import edit

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not on PATH")

CHART = "models/web/chart"
FAMILY = "models/batch"
OVERLAY = "models/batch/overlays/site-a/kustomization.yaml"


@pytest.fixture(autouse=True)
def _no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trees here are written just before each run: files older than the run are
    settled (what a run read stays true), with no margin for the coarse clock."""
    monkeypatch.setattr(unitbounds, "RACY_NS", 0)


def _findings(tree: Path, options: ValidateOptions) -> list[tuple[str, str, int, str]]:
    return [(d.code, d.path, d.line, d.message) for d in validate_tree(tree, options)]


def _calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[Any, ...]]:
    """The arguments of each call of `owner.name` from now on (still made)."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def _uncached(tree: Path, options: ValidateOptions) -> list[tuple[str, str, int, str]]:
    return _findings(tree, replace(options, result_cache=False))


# --- what a run takes ------------------------------------------------------------------------


@needs_kubectl
def test_a_second_run_renders_and_builds_nothing_and_says_the_same(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(tree, f"{FAMILY}/base/deployment.yaml", "replicas:", "bogus: 1\n  replicas:")
    first = _findings(tree, options)
    assert [f[0] for f in first] == ["K101"]
    renders = _calls(monkeypatch, chartrenders, "render_chart")
    builds = _calls(monkeypatch, kubectl, "run")
    assert _findings(tree, options) == first
    assert renders == [] and [b for b in builds if FAMILY in str(b[1])] == []


@needs_kubectl
def test_a_changed_chart_is_rendered_again_and_the_others_are_not(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    _findings(tree, options)
    edit(tree, f"{CHART}/templates/deployment.yaml", "replicas:", "replicas: {{ .Values.no.such }}")
    renders = _calls(monkeypatch, chartrenders, "render_chart")
    builds = _calls(monkeypatch, kubectl, "run")
    found = _findings(tree, options)
    assert [r[1] for r in renders] == [CHART]
    assert builds == []  # the kustomize family is taken
    assert found == _uncached(tree, options) and [f[0] for f in found] == ["K201"]


@needs_kubectl
def test_a_chart_is_rendered_again_when_only_the_values_a_placement_gives_change(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    _findings(tree, options)
    edit(tree, "hub/subscriptions/web--site-a.yaml", "replicas: 2", "replicas: many")
    renders = _calls(monkeypatch, chartrenders, "render_chart")
    found = _findings(tree, options)
    assert [r[1] for r in renders] == [CHART]
    assert found == _uncached(tree, options) and found


@needs_kubectl
def test_only_the_hub_files_that_changed_are_parsed_again(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    _findings(tree, options)
    edit(tree, "hub/placements/site-a.yaml", "spec:\n", "spec:\n  bogus: 1\n")
    parsed = _calls(monkeypatch, pipeline, "manifests_of")
    found = _findings(tree, options)
    assert [p[0] for p in parsed] == ["hub/placements/site-a.yaml"]
    assert [(f[0], f[1]) for f in found] == [("K101", "hub/placements/site-a.yaml")]
    parsed.clear()
    assert _findings(tree, options) == found
    assert parsed == []  # the finding taken with its file
    assert found == _uncached(tree, options)


@needs_kubectl
def test_new_checks_check_the_objects_taken_without_making_them_again(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(tree, f"{FAMILY}/base/deployment.yaml", "replicas:", "bogus: 1\n  replicas:")
    strict = _findings(tree, options)
    renders = _calls(monkeypatch, chartrenders, "render_chart")
    lenient = replace(options, strict=False)
    assert _findings(tree, lenient) == [] != strict  # unknown fields pass without --strict
    assert _findings(tree, options) == strict
    assert renders == []


@needs_kubectl
def test_the_policy_config_is_part_of_the_checks_key(
    tree: Path, options: ValidateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "policy.yaml"
    config.write_text("rules: {P120: warning}\n", encoding="utf-8")
    with_rules = replace(options, policies=True, policy_config=config)
    warned = _findings(tree, with_rules)
    assert {(f[0], f[1]) for f in warned} >= {("P120", f"{CHART}/templates/deployment.yaml")}
    renders = _calls(monkeypatch, chartrenders, "render_chart")
    config.write_text("rules: {P120: off}\n", encoding="utf-8")
    off = _findings(tree, with_rules)
    config.write_text("rules: {P120: warning}\n", encoding="utf-8")
    assert _findings(tree, with_rules) == warned
    assert renders == []
    config.write_text("rules: {P120: off}\n", encoding="utf-8")
    assert "P120" not in [f[0] for f in off] and off == _uncached(tree, with_rules)


@needs_kubectl
@pytest.mark.skipif(cores.available() < 2, reason="one core: no build process")
def test_a_policy_file_edited_before_the_build_process_read_it_keeps_nothing_new(
    tree: Path, options: ValidateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build process reads the policy files too, once its first build starts: on a
    busy machine after this process made the checks' key. What its rules found with the
    file edited since must not go in under the key of the file as it was."""
    config = tmp_path / "policy.yaml"
    config.write_text("rules: {P120: warning}\n", encoding="utf-8")
    with_rules = replace(options, policies=True, policy_config=config)
    real_use, real_key = offload.Builds.use, pipeline.checks_key
    late: list[tuple[offload.Builds, Any]] = []

    def edited_before_the_builds(*args: Any) -> str | None:
        key = real_key(*args)
        config.write_text("rules: {P120: error}\n", encoding="utf-8")
        for builds, layout in late:
            real_use(builds, layout)
        return key

    monkeypatch.setattr(offload, "PROCESS_MIN_TARGETS", 0)  # a build process for this tree
    monkeypatch.setattr(offload.Builds, "use", lambda *args: late.append(args))
    monkeypatch.setattr(pipeline, "checks_key", edited_before_the_builds)
    _findings(tree, with_rules)
    assert late
    monkeypatch.setattr(offload.Builds, "use", real_use)
    monkeypatch.setattr(pipeline, "checks_key", real_key)
    config.write_text("rules: {P120: warning}\n", encoding="utf-8")  # the first run's key
    found = validate_tree(tree, with_rules)
    assert ("P120", "warning") in [(d.code, d.severity) for d in found if FAMILY in d.path]
    assert found == validate_tree(tree, replace(with_rules, result_cache=False))


@needs_kubectl
def test_an_ignore_matched_from_the_working_folder_is_not_taken_from_another(
    tree: Path, options: ValidateOptions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An `ignore:` path is matched against the catalogue file a finding came from, which
    the generator named from its working folder: from the validate's working folder it is
    another file in another folder (the tree named by its absolute path both times)."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "catalogue.yaml").write_text("{}\n", encoding="utf-8")
    config = tmp_path / "policy.yaml"
    config.write_text("ignore: [{rule: P120, paths: [a/catalogue.yaml]}]\n", encoding="utf-8")
    with_rules = replace(options, policies=True, policy_config=config)
    found = {}
    for name in ("a", "b"):
        monkeypatch.chdir(tmp_path / name)
        found[name] = validate_tree(tree.absolute(), with_rules)
        assert found[name] == validate_tree(
            tree.absolute(), replace(with_rules, result_cache=False)
        )
    assert "P120" in [d.code for d in found["b"]] and "P120" not in [d.code for d in found["a"]]


@needs_kubectl
def test_without_kubectl_no_family_is_taken(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _findings(tree, options)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run there: no kubectl
    found = _findings(tree, options)
    assert "K207" in [f[0] for f in found]  # kubectl not found: not built
    assert found == _uncached(tree, options)


@needs_kubectl
def test_no_cache_neither_reads_nor_writes(tree: Path, options: ValidateOptions) -> None:
    assert options.cache_dir is not None
    store = Store.open(options.cache_dir, tree)
    assert store.path is not None and not store.path.exists()
    _uncached(tree, options)
    assert not store.path.exists()
    _findings(tree, options)
    assert store.path.exists()


@needs_kubectl
def test_a_family_reaching_outside_its_folder_is_built_every_time(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tree / "shared"
    shared.mkdir()
    (shared / "kustomization.yaml").write_text("resources:\n- extra.yaml\n", encoding="utf-8")
    extra = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"
    (shared / "extra.yaml").write_text(extra, encoding="utf-8")
    edit(tree, OVERLAY, "- ../../base\n", "- ../../base\n- ../../../../shared\n")
    assert _findings(tree, options) == []
    (shared / "extra.yaml").write_text(extra + "bogus: 1\n", encoding="utf-8")
    builds = _calls(monkeypatch, kubectl, "run")
    found = _findings(tree, options)
    assert builds and [f[0] for f in found] == ["K101"]
    assert found == _uncached(tree, options)


@needs_kubectl
def test_a_failed_build_is_built_again(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(tree, OVERLAY, "- ../../base\n", "- ../../base\n- missing.yaml\n")
    first = _findings(tree, options)
    assert "K206" in [f[0] for f in first]
    builds = _calls(monkeypatch, kubectl, "run")
    assert _findings(tree, options) == first
    assert builds


@needs_kubectl
def test_a_build_that_failed_for_a_reason_beyond_its_files_is_built_again(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A killed or timed-out kubectl fails a build its files would pass: its family is not
    # kept, though its other overlay built (the two are no twins: built apart).
    edit(tree, "models/batch/overlays/site-b/kustomization.yaml", "replicas: 2", "replicas: 3")
    real = kubectl.run

    def killed_once(binary: str, folder: Path, *rest: Any) -> tuple[bool, str]:
        if "overlays/site-a" in (folder / "kustomization.yaml").read_text():
            return False, "error: signal: killed"
        return real(binary, folder, *rest)

    monkeypatch.setattr(kubectl, "run", killed_once)
    assert [f[0] for f in _findings(tree, options)] == ["K206"]
    built: list[str] = []

    def spy(binary: str, folder: Path, *rest: Any) -> tuple[bool, str]:
        built.append((folder / "kustomization.yaml").read_text())
        return real(binary, folder, *rest)

    monkeypatch.setattr(kubectl, "run", spy)
    assert _findings(tree, options) == []
    assert sum("overlays/site-" in text for text in built) == 2


@needs_kubectl
def test_a_chart_edited_during_a_run_does_not_go_in(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Edited after the run hashed the chart and before it rendered it: the render is of
    # the edited chart, the key of the one before. Were it kept, the chart as it was
    # (the edit undone) would be taken with the edited chart's findings.
    template = tree / CHART / "templates" / "deployment.yaml"
    before = template.read_text(encoding="utf-8")
    real = pipeline.shared_lints

    def edited_meanwhile(*args: Any) -> dict[str, str]:
        found = real(*args)
        edit(tree, f"{CHART}/templates/deployment.yaml", "replicas:", "replicas: {{ .X.y }}")
        return found

    monkeypatch.setattr(pipeline, "shared_lints", edited_meanwhile)
    assert [f[0] for f in _findings(tree, options)] == ["K201"]
    monkeypatch.setattr(pipeline, "shared_lints", real)
    template.write_text(before, encoding="utf-8")
    assert _findings(tree, options) == []


def test_a_file_is_settled_once_older_than_the_run_by_the_clock_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unitbounds, "RACY_NS", 20_000_000)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.yaml").write_text("x: 1\n", encoding="utf-8")
    changed = max(
        p.stat().st_ctime_ns for p in (tmp_path, tmp_path / "a", tmp_path / "a" / "x.yaml")
    )
    assert not unitbounds.settled(str(tmp_path), changed + 10_000_000)  # within a tick
    assert unitbounds.settled(str(tmp_path), changed + 30_000_000)
    assert not unitbounds.settled(str(tmp_path / "gone"), changed + 30_000_000)


@needs_kubectl
def test_the_cache_of_a_moved_tree_is_its_own(tree: Path, options: ValidateOptions) -> None:
    first = _findings(tree, options)
    moved = tree.with_name("moved")
    shutil.copytree(tree, moved)
    assert _findings(moved, options) == first
    assert options.cache_dir is not None
    assert Store.open(options.cache_dir, moved).path != Store.open(options.cache_dir, tree).path


def test_a_finding_outside_every_unit_keeps_nothing_new(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A unit's check that names a file outside it would be lost when the unit is taken:
    # such a run keeps no unit it made.
    real = helm.render_chart

    def astray(*args: Any, **kwargs: Any) -> helm.Rendered:
        rendered = real(*args, **kwargs)
        return replace(rendered, manifests=[_elsewhere(m) for m in rendered.manifests])

    monkeypatch.setattr(chartrenders, "render_chart", astray)
    monkeypatch.setattr(checker, "name_findings", _one_finding_each)
    _findings(tree, options)
    assert options.cache_dir is not None
    store = Store.open(options.cache_dir, tree)
    kept = [store.get(key) for key in store.old]
    assert kept and all(isinstance(e.made, tuple) for e in kept if e)  # hub files only


def _elsewhere(m: Any) -> Any:
    return replace(m, source=replace(m.source, path="hub/elsewhere.yaml", template=None))


def _one_finding_each(manifests: list[Any]) -> list[Any]:
    from edgemodels.validate.report import finding

    return [finding(m, (), "K101", "test") for m in manifests]


# --- keys and the store --------------------------------------------------------------------


def test_a_folder_digest_holds_every_name_and_byte(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.yaml").write_text("x: 1\n", encoding="utf-8")
    first = folder_digest(str(tmp_path))
    (tmp_path / "a" / "x.yaml").write_text("x: 2\n", encoding="utf-8")
    second = folder_digest(str(tmp_path))
    (tmp_path / "a" / "x.yaml").rename(tmp_path / "a" / "y.yaml")
    third = folder_digest(str(tmp_path))
    (tmp_path / "b").mkdir()
    fourth = folder_digest(str(tmp_path))
    assert len({first, second, third, fourth}) == 4
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert folder_digest(str(tmp_path)) is None


@pytest.mark.parametrize(
    ("entry", "inside"),
    [
        ("resources:\n- ../../base\n", True),
        ("patches:\n- path: patch.yaml\n", True),
        ("patches:\n- path: ../../../shared/patch.yaml\n", False),
        ("configMapGenerator:\n- name: c\n  files:\n  - ../../../x.txt\n", False),
        ("resources:\n- github.com/org/repo//base?ref=v1\n", False),  # not here: a remote
        ("resources:\n- https://example.com/base.yaml\n", False),
        ("patches:\n- path: /etc/patch.yaml\n", False),
        ("images:\n- name: model\n  newName: quay.io/org/model\n", True),
        ("[unclosed\n", False),
    ],
)
def test_a_family_stays_inside_only_when_every_path_does(
    tmp_path: Path, entry: str, inside: bool
) -> None:
    home = tmp_path / "models" / "m"
    (home / "base").mkdir(parents=True)
    (home / "base" / "kustomization.yaml").write_text("resources: []\n", encoding="utf-8")
    overlay = home / "overlays" / "t"
    overlay.mkdir(parents=True)
    (overlay / "patch.yaml").write_text("{}\n", encoding="utf-8")
    (overlay / "kustomization.yaml").write_text(entry, encoding="utf-8")
    found = discover(tmp_path).kustomizations
    below = unitbounds.by_home(found, ["models/m"])["models/m"]
    assert sorted(below) == ["models/m/base", "models/m/overlays/t"]
    assert stays_inside(tmp_path, "models/m", below, found) is inside


ELF = b"\x7fELF\x02\x01\x01"  # the start of a binary, not a script


def _kubectl_in(tmp_path: Path, layout: str) -> str:
    """The kubectl on PATH of each kind of install."""
    folder = tmp_path / layout
    folder.mkdir()
    binary = folder / "kubectl"
    if layout == "plain":
        binary.write_bytes(ELF)
    elif layout == "gcloud":  # the dispatcher beside the kubectls it runs
        binary.write_bytes(ELF)
        (folder / "kubectl.1.27").write_bytes(ELF)
    elif layout == "shim":
        binary.write_text('#!/bin/sh\nexec asdf exec kubectl "$@"\n', encoding="utf-8")
    else:  # a link to a program that runs many tools (snap, mise, aqua-proxy)
        (folder / "snap").write_bytes(ELF)
        binary.symlink_to("snap")
    return str(binary)


@pytest.mark.parametrize(
    ("layout", "asked"), [("plain", False), ("gcloud", True), ("shim", True), ("snap", True)]
)
def test_a_kubectl_that_picks_another_is_keyed_by_the_one_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, asked: bool
) -> None:
    """gcloud's dispatcher runs the kubectl of the cluster's version (KUBECONFIG), a shim
    the one its configuration names: the same binary, another kubectl and kustomize."""
    binary = _kubectl_in(tmp_path, layout)
    says: list[str | None] = ["v1.32.4"]
    monkeypatch.setattr(resultcache, "client_version", lambda _: says[0])
    first = resultcache.kubectl_key(binary)
    says[0] = "v1.27.16"
    assert (resultcache.kubectl_key(binary) != first) is asked
    says[0] = None
    assert (resultcache.kubectl_key(binary) is None) is asked
    assert first is not None


LIBRARIES = ("helm_python", "jsonschema_rs", "yaml", "ruamel.yaml", "cel")


def test_the_libraries_findings_come_from_are_part_of_the_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgraded library (pip install -U: its files written anew) says other things:
    its messages, its parse errors. The Helm SDK's Go library is in its lib/ folder, or
    where HELM_C_LIB says."""
    import importlib.util
    from importlib.machinery import ModuleSpec

    real = importlib.util.find_spec
    site = tmp_path / "site"
    for name in LIBRARIES:
        (site / name / "lib").mkdir(parents=True)
        (site / name / "__init__.py").write_text("", encoding="utf-8")
        (site / name / "lib" / "native.so").write_bytes(b"1")

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        if name in LIBRARIES:
            return ModuleSpec(name, None, origin=str(site / name / "__init__.py"))
        return real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.delenv("HELM_C_LIB", raising=False)
    keys = [resultcache.program_key(tmp_path)]
    for name in LIBRARIES:
        (site / name / "lib" / "native.so").write_bytes(b"22")
        keys.append(resultcache.program_key(tmp_path))
    built = tmp_path / "libhelm_c.so"
    built.write_bytes(b"1")
    monkeypatch.setenv("HELM_C_LIB", str(built))
    keys.append(resultcache.program_key(tmp_path))
    built.write_bytes(b"22")
    keys.append(resultcache.program_key(tmp_path))
    assert len(set(keys)) == len(keys)


def test_the_store_keeps_this_runs_entries_only(tmp_path: Path) -> None:
    store = Store.open(tmp_path, tmp_path / "tree")
    entry = resultstore.Entry(None, (), resultstore.Checked("k", (), ()))
    store.keep("a", entry)
    store.keep("b", entry)
    store.save()
    again = Store.open(tmp_path, tmp_path / "tree")
    assert sorted(again.old) == ["a", "b"] and again.get("a") == entry
    again.keep("a")
    again.save()
    assert sorted(Store.open(tmp_path, tmp_path / "tree").old) == ["a"]


def test_a_killed_runs_half_written_file_goes_and_a_live_one_stays(tmp_path: Path) -> None:
    folder = tmp_path / "validate"
    folder.mkdir(mode=0o700)
    killed, live = folder / ".tmp-killed", folder / ".tmp-live"
    killed.write_bytes(b"half a pickle")
    live.write_bytes(b"being written")
    old = time.time() - resultstore.STALE_TMP_S - 60
    os.utime(killed, (old, old))
    store = Store.open(tmp_path, tmp_path / "tree")
    store.keep("a", resultstore.Entry(None, (), resultstore.Checked("k", (), ())))
    store.save()
    assert not killed.exists() and live.exists()


def test_a_store_others_could_write_is_not_read(tmp_path: Path) -> None:
    store = Store.open(tmp_path, tmp_path / "tree")
    store.keep("a", resultstore.Entry(None, (), resultstore.Checked("k", (), ())))
    store.save()
    assert store.path is not None
    os.chmod(store.path, stat.S_IMODE(store.path.stat().st_mode) | stat.S_IWOTH)
    assert Store.open(tmp_path, tmp_path / "tree").old == {}
    os.chmod(store.path, 0o600)
    os.chmod(store.path.parent, 0o777)
    assert Store.open(tmp_path, tmp_path / "tree").old == {}
    os.chmod(store.path.parent, 0o700)
    assert Store.open(tmp_path, tmp_path / "tree").old != {}


def test_the_stores_folder_is_made_the_users_own_again(tmp_path: Path) -> None:
    (tmp_path / "validate").mkdir(mode=0o777)
    os.chmod(tmp_path / "validate", 0o777)
    store = Store.open(tmp_path, tmp_path / "tree")
    store.keep("a", resultstore.Entry(None, (), resultstore.Checked("k", (), ())))
    store.save()
    assert stat.S_IMODE((tmp_path / "validate").stat().st_mode) == 0o700
    assert sorted(Store.open(tmp_path, tmp_path / "tree").old) == ["a"]


def test_a_broken_store_is_an_empty_one(tmp_path: Path) -> None:
    store = Store.open(tmp_path, tmp_path / "tree")
    assert store.path is not None
    store.path.parent.mkdir(mode=0o700)
    store.path.write_bytes(b"not a pickle")
    assert Store.open(tmp_path, tmp_path / "tree").old == {}


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "validate").write_text("a file where the folder goes", encoding="utf-8")
    store = Store.open(tmp_path, tmp_path / "tree")
    store.keep("a", resultstore.Entry(None, (), resultstore.Checked("k", (), ())))
    store.save()  # nothing raised


def test_only_the_trees_validated_last_keep_their_entries(tmp_path: Path) -> None:
    for n in range(resultstore.MAX_TREES + 3):
        store = Store.open(tmp_path, tmp_path / f"tree{n}")
        store.keep("a", resultstore.Entry(None, (), resultstore.Checked("k", (), ())))
        store.save()
        assert store.path is not None
        os.utime(store.path, ns=(n * 10**9, n * 10**9))
    kept = sorted(p.name for p in (tmp_path / "validate").iterdir())
    assert len(kept) == resultstore.MAX_TREES
    assert Store.open(tmp_path, tmp_path / "tree0").old == {}


@needs_kubectl
def test_the_tree_named_otherwise_is_validated_again(
    tree: Path, options: ValidateOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lint messages and template files are named from the path as given: a run naming the
    # tree from elsewhere would take findings naming it the first way.
    _findings(tree, options)
    monkeypatch.chdir(tree.parent)
    renders = _calls(monkeypatch, chartrenders, "render_chart")
    _findings(Path(tree.name), options)
    assert [r[1] for r in renders] == [CHART]
