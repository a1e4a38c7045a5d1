"""A resident server's generate (and check) gives what one in its own process gives, after
any edit.

The server keeps files, models, findings and renders of the runs before (resident.py,
recall.py). Each step below edits the catalogue (or the generated tree) the way people do,
then generates twice: with the state the server keeps, and without any. Exit code, output
and every file written must be the same.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from generate_helpers import REPO, files_of, sub_edit
from test_generate_incremental import count_parses, count_reads

from edgemodels import resident, serving
from edgemodels.cli import main
from edgemodels.tree import MANIFEST_PATH
from edgemodels.treecache import RACY_NS

Edit = Callable[[Path], None]


def _write(rel: str, text: str) -> Edit:
    return lambda cat: (cat / rel).write_text(text)


def _remove(rel: str) -> Edit:
    return lambda cat: (cat / rel).unlink()


def _rename(old: str, new: str) -> Edit:
    return lambda cat: (cat / old).rename(cat / new)


def _folder_with(rel: str, text: str) -> Edit:
    def edit(cat: Path) -> None:
        (cat / rel).parent.mkdir(parents=True, exist_ok=True)
        (cat / rel).write_text(text)

    return edit


def _link(rel: str, target: str) -> Edit:
    return lambda cat: (cat / rel).symlink_to(target)


def _outside(text: str | None) -> Edit:
    """Write (None: remove) a file beside the catalogue folder, where no watch sees it."""

    def edit(cat: Path) -> None:
        path = cat.parent / "outside.yaml"
        if text is None:
            path.unlink()
        else:
            path.write_text(text)

    return edit


def _hard_link(rel: str) -> Edit:
    """A second name for a catalogue file, outside the catalogue folder."""
    return lambda cat: os.link(cat / rel, cat.parent / "outside.yaml")


def _touch(rel: str) -> Edit:
    return lambda cat: (cat / rel).write_text((cat / rel).read_text())


NEW_MODEL = """apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
spec:
  models:
    - name: extra
      version: 0.1.0
      wrapper: http
      packaging: kustomize
      image: registry.gitlab.com/i4q/lrt/extra:0.1.0@sha256:3ff88d8252a1d379ee60f809fd7342bed3ca35e9e8a8184afdb1e62577c0ad5f
      targets: [lrt]
      http: {port: 8080, healthPath: /health}
"""

HEADER = "apiVersion: edgemodels.io/v1alpha1\nkind: ModelCatalogue\nspec:\n"
POLICY_CONFIG = """apiVersion: edgemodels.io/v1alpha1
kind: PolicyConfig
rules: {P101: warning}
"""

# (name, edit of the catalogue folder) in the order a session of work might go
STEPS: list[tuple[str, Edit]] = [
    ("version bump", sub_edit("models/sktime.yaml", r"version: 1\.4\.2", "version: 1.4.3")),
    ("comment shifts lines", sub_edit("catalogue.yaml", r"^", "# a new first line\n")),
    ("target description", sub_edit("targets.yaml", "Every site of the LRT line", "All LRT")),
    (
        "defaults namespace",
        sub_edit(
            "catalogue.yaml",
            r"namespace: i4q-lrt\n    imagePull",
            "namespace: other\n    imagePull",
        ),
    ),
    ("namespace back", sub_edit("catalogue.yaml", r"namespace: other\n", "namespace: i4q-lrt\n")),
    ("new model file", _write("models/extra.yaml", NEW_MODEL)),
    ("edit new model", sub_edit("models/extra.yaml", "0.1.0\n", "0.2.0\n")),
    ("syntax error", sub_edit("models/extra.yaml", r"targets: \[lrt\]", "targets: [lrt")),
    ("syntax fixed", sub_edit("models/extra.yaml", r"targets: \[lrt\n", "targets: [lrt]\n")),
    ("unknown field", sub_edit("models/extra.yaml", "wrapper: http", "wraper: http")),
    ("field fixed", sub_edit("models/extra.yaml", "wraper: http", "wrapper: http")),
    ("duplicate name", sub_edit("models/extra.yaml", "name: extra", "name: sktime")),
    ("duplicate fixed", sub_edit("models/extra.yaml", "name: sktime", "name: extra")),
    ("rename file", _rename("models/extra.yaml", "models/more.yaml")),
    ("touch unchanged", _touch("models/sktime.yaml")),
    ("a link to no file", _link("models/linked.yaml", "../../outside.yaml")),
    ("its file appears", _outside(NEW_MODEL.replace("extra", "linked"))),
    ("its file edited", _outside(NEW_MODEL.replace("extra", "linked2"))),
    ("its file gone", _outside(None)),
    ("the link removed", _remove("models/linked.yaml")),
    ("a second name outside", _hard_link("models/more.yaml")),
    ("edited by its own name", sub_edit("models/more.yaml", "0.2.0\n", "0.3.0\n")),
    ("edited by that name", _outside(NEW_MODEL.replace("0.1.0", "0.4.0"))),
    ("the second name removed", _outside(None)),
    (
        "over limit",
        sub_edit("models/sktime.yaml", "limits: {memory: 1Gi}", "limits: {memory: 256Mi}"),
    ),
    (
        "limit fixed",
        sub_edit("models/sktime.yaml", "limits: {memory: 256Mi}", "limits: {memory: 1Gi}"),
    ),
    (
        "target selector",
        sub_edit("targets.yaml", r"matchLabels: \{line: paint\}", "matchLabels: {line: paints}"),
    ),
    (
        "followed model unused",
        sub_edit("workloads.yaml", "uses: \\[defect-detector\\]", "uses: [paint-inspector]"),
    ),
    (
        "followed model used",
        sub_edit(
            "workloads.yaml",
            "uses: \\[paint-inspector\\]\n      matchLabels",
            "uses: [defect-detector]\n      matchLabels",
        ),
    ),
    (
        "workload uses",
        sub_edit(
            "workloads.yaml",
            "uses: \\[paint-inspector\\]",
            "uses: [paint-inspector, defect-detector]",
        ),
    ),
    (
        "placement rules",
        sub_edit(
            "catalogue.yaml",
            "placementKind: Placement\n    clusterSets: \\[default\\]",
            "placementKind: PlacementRule",
        ),
    ),
    (
        "placements back",
        sub_edit(
            "catalogue.yaml",
            "placementKind: PlacementRule",
            "placementKind: Placement\n    clusterSets: [default]",
        ),
    ),
    (
        "target limit below requests",
        sub_edit("targets.yaml", "limits: {memory: 256Mi}", "limits: {memory: 64Mi}"),
    ),
    (
        "target limit back",
        sub_edit("targets.yaml", "limits: {memory: 64Mi}", "limits: {memory: 256Mi}"),
    ),
    (
        "targets overlap",
        sub_edit("targets.yaml", "operator: NotIn, values: \\[arm64\\]", "operator: Exists"),
    ),
    (
        "targets disjoint",
        sub_edit(
            "targets.yaml", "arch, operator: Exists", "arch, operator: NotIn, values: [arm64]"
        ),
    ),
    ("git path", sub_edit("catalogue.yaml", 'path: ""', "path: deploy")),
    ("git path back", sub_edit("catalogue.yaml", "path: deploy", 'path: ""')),
    ("default packaging applies", sub_edit("models/sktime.yaml", "      packaging: helm\n", "")),
    (
        "default packaging kustomize",
        sub_edit("catalogue.yaml", "packaging: helm", "packaging: kustomize"),
    ),
    ("loose version", sub_edit("models/sktime.yaml", "version: 1.4.3", "version: v1.4.3")),
    (
        "default packaging helm",
        sub_edit("catalogue.yaml", "packaging: kustomize", "packaging: helm"),
    ),
    ("version fixed", sub_edit("models/sktime.yaml", "version: v1.4.3", "version: 1.4.3")),
    (
        "target named like a follow placement",
        sub_edit(
            "targets.yaml",
            "  targets:\n",
            "  targets:\n    follow-defect-detector: {matchLabels: {env: x}}\n",
        ),
    ),
    (
        "a model on it",
        sub_edit(
            "models/anomaly-scorer.yaml", "targets: \\[", "targets: [follow-defect-detector, "
        ),
    ),
    ("lines shift above the target", sub_edit("targets.yaml", r"^", "# one more line\n")),
    (
        "model off it",
        sub_edit("models/anomaly-scorer.yaml", "follow-defect-detector, ", ""),
    ),
    (
        "target gone",
        sub_edit("targets.yaml", "    follow-defect-detector: {matchLabels: {env: x}}\n", ""),
    ),
    (
        "default delivery copy",
        sub_edit("catalogue.yaml", "containerDelivery: auto", "containerDelivery: copy"),
    ),
    (
        "tag-only image",
        sub_edit("models/sktime.yaml", r"sktime:1\.4\.2@sha256:[0-9a-f]+", "sktime:1.4.2"),
    ),
    (
        "production target",
        sub_edit("targets.yaml", "    lrt:\n", "    lrt:\n      production: true\n"),
    ),
    ("policy config", _write(".edgemodels-policy.yaml", POLICY_CONFIG)),
    ("policy config removed", _remove(".edgemodels-policy.yaml")),
    (
        "no pull secrets",
        sub_edit("catalogue.yaml", "    imagePullSecrets: \\[i4qregistry\\]\n", ""),
    ),
    ("not production", sub_edit("targets.yaml", "      production: true\n", "", count=1)),
    ("remove model file", _remove("models/more.yaml")),
    ("a folder with a model in it", _folder_with("extra/deep/x.yaml", NEW_MODEL)),
    ("a generated tree in the catalogue", _folder_with("stray/.edgemodels/manifest.json", "{}")),
    ("its objects", _folder_with("stray/objects.yaml", "kind: ConfigMap\n")),
    ("editor swap file", _folder_with("models/.sktime.yaml.swp", "junk")),
    ("unknown target", sub_edit("models/sktime.yaml", r"targets: \[lrt\]", "targets: [lrtt]")),
    ("target fixed", sub_edit("models/sktime.yaml", r"targets: \[lrtt\]", "targets: [lrt]")),
    ("objects in a folder", _folder_with("later/objects.yaml", "kind: ConfigMap\n")),
    ("a tree begins there", _folder_with("later/.edgemodels/staging/objects.yaml", "")),
    ("its manifest", _write("later/.edgemodels/manifest.json", "{}")),
    ("its manifest removed", _remove("later/.edgemodels/manifest.json")),
]


def _run(args: list[str], cwd: Path, state: resident.Resident | None) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if state is None:
            code = main(args)
        else:
            with serving.active(state):
                code = main(args)
    return code, out.getvalue() + err.getvalue()


def _same(tmp: Path, state: resident.Resident, step: str, *extra: str, check: bool = True) -> None:
    time.sleep(RACY_NS / 1e9 * 1.2)  # the edit is no longer racy: the server may keep it
    warm = _run(["generate", "cat", "-o", "warm", *extra], tmp, state)
    cold = _run(["generate", "cat", "-o", "cold", *extra], tmp, None)
    assert (warm[0], warm[1].replace("warm", "OUT")) == (cold[0], cold[1].replace("cold", "OUT")), (
        step
    )
    assert files_of(tmp / "warm") == files_of(tmp / "cold"), step
    if check and not extra:
        warm = _run(["check", "cat"], tmp, state)
        assert warm == _run(["check", "cat"], tmp, None), f"check after {step}"


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    """examples/lrt with its targets in a file of their own: a change to the targets then
    leaves the catalogue's settings as they were, and the other way round."""
    cat = tmp_path / "cat"
    shutil.copytree(REPO / "examples" / "lrt", cat)
    text = (cat / "catalogue.yaml").read_text()
    settings, targets = text.split("  targets:\n")
    (cat / "catalogue.yaml").write_text(settings)
    (cat / "targets.yaml").write_text(f"{HEADER}  targets:\n{targets}")
    return tmp_path


def test_every_step_as_without_the_server(tmp: Path) -> None:
    state = resident.Resident()
    _same(tmp, state, "first run")
    _same(tmp, state, "nothing changed")
    for number, (name, edit) in enumerate(STEPS):
        edit(tmp / "cat")
        _same(tmp, state, name)
        if number % 4 == 0:  # all from memory now, the edited entries too
            _same(tmp, state, f"{name}, again")


@pytest.mark.parametrize("seed", [1])
def test_steps_in_a_random_order(tmp: Path, seed: int) -> None:
    """Edits that do not apply in the order drawn are skipped; the rest must agree."""
    state = resident.Resident()
    _same(tmp, state, "first run")
    steps = STEPS[:]
    random.Random(seed).shuffle(steps)
    for name, edit in steps:
        try:
            edit(tmp / "cat")
        except (AssertionError, FileNotFoundError, FileExistsError):
            continue
        _same(tmp, state, name, check=False)  # check is compared step by step above


def test_hand_edits_of_the_tree_are_found_as_without_the_server(tmp: Path) -> None:
    state = resident.Resident()
    _same(tmp, state, "first run")
    for out in ("warm", "cold"):
        with (tmp / out / "README.md").open("a") as f:
            f.write("a hand edit\n")
    _same(tmp, state, "hand-edited README")
    _same(tmp, state, "hand edit overwritten", "--force")
    for out in ("warm", "cold"):
        (tmp / out / "hub" / "channel.yaml").unlink()
    _same(tmp, state, "deleted file comes back")
    sub_edit("models/sktime.yaml", r"version: 1\.4\.2", "version: 1.4.3")(tmp / "cat")
    for out in ("warm", "cold"):
        chart = tmp / out / "models" / "sktime" / "chart" / "Chart.yaml"
        chart.write_text(chart.read_text() + "# edited\n")
    _same(tmp, state, "edited file the change rewrites")
    _same(tmp, state, "--check", "--check")


def _bump(cat: Path) -> None:
    path = cat / "models" / "sktime.yaml"
    version = re.search(r"version: 1\.4\.(\d+)", path.read_text())
    assert version is not None
    sub_edit("models/sktime.yaml", r"version: 1\.4\.\d+", f"version: 1.4.{int(version[1]) + 1}")(
        cat
    )


def test_a_version_bump_is_the_only_work_of_the_next_run(
    tmp: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = resident.Resident()
    assert _run(["generate", "cat", "-o", "out"], tmp, state)[0] == 0
    time.sleep(RACY_NS / 1e9 * 1.2)  # what the first run wrote is no longer racy
    assert _run(["generate", "cat", "-o", "out"], tmp, state)[0] == 0
    parsed = count_parses(monkeypatch)
    read = count_reads(monkeypatch)
    rendered.clear()
    _bump(tmp / "cat")
    time.sleep(RACY_NS / 1e9 * 1.2)
    assert _run(["generate", "cat", "-o", "out"], tmp, state)[0] == 0
    assert (rendered, [Path(p).name for p in parsed]) == (["sktime"], ["sktime.yaml"])
    assert set(read) == {MANIFEST_PATH}  # compared with the new one; the rest by their stat
    assert _run(["check", "cat"], tmp, state)[0] == 0
    catalogue_files = [p for p in parsed if p.startswith("cat/")]
    assert catalogue_files == ["cat/models/sktime.yaml"]  # check did not parse it again


def test_what_the_server_learned_is_written_for_the_runs_without_it(
    tmp: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = resident.Resident()
    assert _run(["generate", "cat", "-o", "out"], tmp, state)[0] == 0
    _bump(tmp / "cat")
    assert _run(["generate", "cat", "-o", "out"], tmp, state)[0] == 0
    time.sleep(RACY_NS / 1e9 * 1.2)
    state.flush()
    parsed = count_parses(monkeypatch)
    rendered.clear()
    assert _run(["generate", "cat", "-o", "out"], tmp, None)[0] == 0
    assert (rendered, parsed) == ([], [])
    assert files_of(tmp / "out") == _cold_tree(tmp)


def test_a_flush_waits_for_no_lock_and_never_writes_a_removed_tree(tmp: Path) -> None:
    state = resident.Resident()
    assert _run(["generate", "cat", "-o", "out"], tmp, state)[0] == 0
    shutil.rmtree(tmp / "out")
    state.flush()
    assert not (tmp / "out").exists()


def _cold_tree(tmp: Path) -> dict[str, bytes]:
    assert _run(["generate", "cat", "-o", "fresh", "--no-cache"], tmp, None)[0] == 0
    return files_of(tmp / "fresh")


def test_with_the_watch_unchanged_files_are_not_even_stat(
    tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = resident.Resident()
    for _ in range(2):  # the second run is the first with the watch on
        assert _run(["generate", "cat", "-o", "out"], tmp, state)[0] == 0
        time.sleep(RACY_NS / 1e9 * 1.2)  # what a run wrote is recorded by the next
    if state._outputs[os.path.realpath(tmp / "out")].watch is None:
        pytest.skip("no inotify watch on this filesystem")
    stat_taken: list[str] = []
    real = os.lstat

    def counting(path: str | os.PathLike[str], *args: object, **kwargs: object) -> os.stat_result:
        stat_taken.append(os.fspath(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", counting)
    _bump(tmp / "cat")
    assert _run(["generate", "cat", "-o", "out"], tmp, state)[0] == 0
    tree_files = [p.removeprefix("out/") for p in stat_taken if p.startswith("out/")]
    assert not [p for p in tree_files if p.startswith("models/paint-inspector/")]
    assert "models/sktime/chart/Chart.yaml" in tree_files  # rewritten: read back


def test_a_folder_reached_through_a_link_or_moved_from_above_is_not_trusted(tmp: Path) -> None:
    """The watches are on folders, the commands name paths: a link repointed, or a folder
    above the one watched moved or replaced, sends no event, yet the path leads elsewhere."""
    (tmp / "up").mkdir()
    shutil.move(tmp / "cat", tmp / "up" / "cat")
    (tmp / "cat").symlink_to("up/cat")
    (tmp / "w" / "warm").mkdir(parents=True)
    (tmp / "warm").symlink_to("w/warm")
    state = resident.Resident()
    _same(tmp, state, "first run")
    _same(tmp, state, "nothing changed")
    _bump(tmp / "up" / "cat")
    _same(tmp, state, "edit through the link")
    shutil.copytree(tmp / "up", tmp / "up2")
    _bump(tmp / "up2" / "cat")
    (tmp / "up").rename(tmp / "up.old")
    (tmp / "up2").rename(tmp / "up")
    _same(tmp, state, "the folder above replaced")
    shutil.copytree(tmp / "up" / "cat", tmp / "other")
    _bump(tmp / "other")
    (tmp / "cat").unlink()
    (tmp / "cat").symlink_to("other")
    _same(tmp, state, "the link repointed")
    shutil.copytree(tmp / "w", tmp / "w2")
    (tmp / "w2" / "warm" / "README.md").write_text("a hand edit\n")
    (tmp / "cold" / "README.md").write_text("a hand edit\n")
    (tmp / "w").rename(tmp / "w.old")
    (tmp / "w2").rename(tmp / "w")
    _same(tmp, state, "the output's folder above replaced")


def test_a_catalogue_file_through_a_link_whose_file_goes(tmp: Path) -> None:
    """A one-file catalogue that is a link: its file may go where no watch sees it."""
    one = tmp / "one"
    one.mkdir()
    (one / "catalogue.yaml").symlink_to(tmp / "elsewhere.yaml")
    (tmp / "elsewhere.yaml").write_text(_one_file(tmp / "cat"))
    state = resident.Resident()
    runs = []
    for _ in range(2):
        time.sleep(RACY_NS / 1e9 * 1.2)
        runs.append(_run(["check", "one/catalogue.yaml"], tmp, state))
    (tmp / "elsewhere.yaml").unlink()
    time.sleep(RACY_NS / 1e9 * 1.2)
    cold = _run(["check", "one/catalogue.yaml"], tmp, None)
    assert _run(["check", "one/catalogue.yaml"], tmp, state) == cold
    assert cold[0] != 0 and runs[0][0] == 0


def _one_file(cat: Path) -> str:
    """The catalogue's files as one file."""
    return (cat / "catalogue.yaml").read_text() + (cat / "targets.yaml").read_text().removeprefix(
        HEADER
    )


def test_a_catalogue_file_replaced_by_a_folder_of_that_name(tmp: Path) -> None:
    """The watch of a one-file catalogue looks at the entries of its folder only."""
    (tmp / "one.yaml").write_text(_one_file(tmp / "cat"))
    state = resident.Resident()
    for _ in range(2):
        time.sleep(RACY_NS / 1e9 * 1.2)
        assert _run(["check", "one.yaml"], tmp, state)[0] == 0
    (tmp / "one.yaml").unlink()
    shutil.copytree(tmp / "cat", tmp / "one.yaml")
    for edit in (None, _bump):
        if edit is not None:
            edit(tmp / "one.yaml")
        time.sleep(RACY_NS / 1e9 * 1.2)
        assert _run(["check", "one.yaml"], tmp, state) == _run(["check", "one.yaml"], tmp, None)
        warm = _run(["generate", "one.yaml", "-o", "warm"], tmp, state)
        cold = _run(["generate", "one.yaml", "-o", "cold"], tmp, None)
        assert (warm[0], warm[1].replace("warm", "OUT")) == (
            cold[0],
            cold[1].replace("cold", "OUT"),
        )
        assert files_of(tmp / "warm") == files_of(tmp / "cold")


def test_files_in_a_linked_folder_are_seen_to_change(tmp: Path) -> None:
    """The watches are on the catalogue's own folders: a folder a link leads to is not
    among them, yet its files are catalogue files, and their edits must be seen."""
    shared = tmp / "shared"
    (tmp / "cat" / "models").rename(shared)
    (tmp / "cat" / "models").symlink_to("../shared")
    state = resident.Resident()
    _same(tmp, state, "first run")
    _same(tmp, state, "nothing changed")
    _bump(tmp / "cat")  # through the link
    _same(tmp, state, "an edit in the linked folder")
    assert b"1.4.3" in files_of(tmp / "warm")["models/sktime/chart/Chart.yaml"]
    (shared / "extra.yaml").write_text(NEW_MODEL)
    _same(tmp, state, "a file added there")
    (shared / "extra.yaml").unlink()
    _same(tmp, state, "a file removed there")
    (shared / "inner").mkdir()
    (shared / "inner" / "more.yaml").write_text(NEW_MODEL)
    _same(tmp, state, "a folder with a file added there")
    _bump(tmp / "cat")
    _same(tmp, state, "another edit")


def test_an_absolute_link_is_read_and_warned_of_as_without_the_server(tmp: Path) -> None:
    """An absolute link to a folder of the repository is read as a relative one (its
    files' edits seen, each load) and warned of (Y019) by the server as by a plain run."""
    subprocess.run(["git", "init", "-q", str(tmp)], check=True)
    shared = tmp / "shared"
    (tmp / "cat" / "models").rename(shared)
    (tmp / "cat" / "models").symlink_to(shared)
    state = resident.Resident()
    _same(tmp, state, "first run")
    for step in ("nothing changed", "an edit through the link"):
        if step != "nothing changed":
            _bump(tmp / "cat")
        _same(tmp, state, step)
        code, out = _run(["check", "cat"], tmp, state)
        assert (code, out.split(" [warning] a symlink to ")[0]) == (0, "cat/models:1:1: Y019")
    assert b"1.4.3" in files_of(tmp / "warm")["models/sktime/chart/Chart.yaml"]
