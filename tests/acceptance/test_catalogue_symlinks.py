"""Symlinks in a catalogue folder as `check`, `generate` and `publish` read them: a link to a
file or a folder is read, each real file once; a link to nothing, or to a folder holding it,
is not, and says so (Y016); files read through a link out of the git repository are a
warning (Y017), and from a submodule (Y018). Real git repositories and submodules."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from edgemodels.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lrt"


def _repository(tmp_path: Path, git: bool = True) -> Path:
    """A repository holding the example catalogue in catalogue/ (git init'ed when `git`)."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "catalogue")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    os.chdir(root)
    code = main(["check", "catalogue", *args])
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture(autouse=True)
def _back_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path.cwd())  # each test changes into its repository


def _share_models(root: Path, *links: str) -> None:
    """catalogue/models moves to shared-models/ beside the catalogue, and each of `links`
    (names in catalogue/) becomes a link to it."""
    (root / "catalogue" / "models").rename(root / "shared-models")
    for name in links:
        os.symlink("../shared-models", root / "catalogue" / name)


def test_a_symlinked_models_folder_in_the_repository_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was skipped without a word (a publish then removed its models from every site),
    then refused (Y016): a shared models folder linked into a catalogue is a normal layout."""
    plain = _repository(tmp_path)
    assert main(["generate", str(plain / "catalogue"), "-o", str(tmp_path / "plain")]) == 0
    capsys.readouterr()
    root = _repository(tmp_path / "linked")
    _share_models(root, "models")
    assert _check(root, capsys) == (0, ["checked catalogue: no findings"])
    assert main(["generate", "catalogue", "-o", str(tmp_path / "out")]) == 0
    # named by the same paths, the same files: the same tree, the catalogue's digest too
    assert _files(tmp_path / "out") == _files(tmp_path / "plain")
    # an edit in the linked folder is seen by the regenerate's cache
    model = root / "shared-models" / "sktime.yaml"
    model.write_text(model.read_text().replace("version: 1.4.2", "version: 1.4.3"))
    assert main(["generate", "catalogue", "-o", str(tmp_path / "out"), "--check"]) == 1
    assert main(["generate", "catalogue", "-o", str(tmp_path / "out")]) == 0
    chart = tmp_path / "out" / "models" / "sktime" / "chart" / "Chart.yaml"
    assert "1.4.3" in chart.read_text()
    capsys.readouterr()
    # findings name a file by the path through the link, as the user sees it
    model.write_text(model.read_text().replace("version: 1.4.3", "versio: 1.4.3"))
    code, out = _check(root, capsys)
    assert code == 1
    assert out[0].startswith("catalogue/models/sktime.yaml:7:7: S001 unknown field 'versio'")


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith("cache")
    }


def test_a_file_reached_by_two_paths_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """By its own path when the catalogue holds it, else by the first link in the
    catalogue's order: no model is defined twice by a second path to its file."""
    root = _repository(tmp_path)
    for name, target in [("also", "models"), ("again", "models"), ("one.yaml", "models/x.yaml")]:
        os.symlink(target, root / "catalogue" / name)
    model = root / "catalogue" / "models" / "sktime.yaml"
    model.write_text(model.read_text().replace("version: 1.4.2", "versio: 1.4.2"))
    code, out = _check(root, capsys)
    assert (code, out[0].split(": S001")[0]) == (1, "catalogue/models/sktime.yaml:7:7")
    assert "R101" not in "\n".join(out)  # duplicate-model
    # no path without a link: two links to one folder, the first in order names its files
    shutil.rmtree(root / "catalogue")
    _repository(tmp_path)
    _share_models(root, "zz-shared", "shared", "b-shared")
    (root / "shared-models" / "inner").mkdir()
    os.symlink("../../shared-models/sktime.yaml", root / "shared-models" / "inner" / "x.yaml")
    model = root / "shared-models" / "sktime.yaml"
    model.write_text(model.read_text().replace("version: 1.4.2", "versio: 1.4.2"))
    code, out = _check(root, capsys)
    assert (code, [line.split(": S001")[0] for line in out[:-1]]) == (
        1,
        ["catalogue/b-shared/sktime.yaml:7:7"],
    )


def test_a_symlink_to_a_folder_holding_it_is_a_loop_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path)
    _share_models(root, "models")
    os.symlink("..", root / "catalogue" / "up")  # the repository, which holds the catalogue
    os.symlink(".", root / "catalogue" / "here")
    os.symlink("../catalogue", root / "shared-models" / "back")  # round through two links
    (root / "other").mkdir()
    os.symlink("../shared-models", root / "other" / "models")  # a loop of three
    os.symlink("../other", root / "shared-models" / "other")
    code, out = _check(root, capsys)
    assert code == 1
    found = [line.split(", which holds")[0] for line in out if " Y016 " in line]
    assert found == [
        "catalogue/here:1:1: Y016 a symlink to the folder '.'",
        "catalogue/models/back:1:1: Y016 a symlink to the folder '../catalogue'",
        "catalogue/models/other/models:1:1: Y016 a symlink to the folder '../shared-models'",
        "catalogue/up:1:1: Y016 a symlink to the folder '..'",
    ]
    assert "a loop: the path through it never ends" in out[0]
    assert not [line for line in out if " Y016 " not in line and " R" in line]  # no duplicates


def test_a_folder_link_out_of_the_repository_is_read_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path)
    (root / "catalogue" / "models").rename(tmp_path / "outside")
    os.symlink(tmp_path / "outside", root / "catalogue" / "models")
    code, out = _check(root, capsys)
    assert code == 0
    assert out[0].startswith(
        f"catalogue/models:1:1: Y017 [warning] a symlink to the folder '{tmp_path / 'outside'}'"
        f", outside the repository {os.path.realpath(root)}: read here"
    )
    assert len(out) == 2
    assert _check(root, capsys, "--strict")[0] == 1
    # in a clone, the link leads to nothing: an error, not models gone without a word
    (tmp_path / "outside").rename(tmp_path / "gone")
    code, out = _check(root, capsys)
    assert code == 1
    assert out[0].startswith(
        f"catalogue/models:1:1: Y016 a symlink to '{tmp_path / 'outside'}', which leads to "
        "no file or folder here"
    )


def _submodule(tmp_path: Path, root: Path, path: str) -> None:
    """A repository holding the example's models, added to `root` as a submodule at `path`."""
    common = tmp_path / "common"
    if not common.exists():
        shutil.copytree(EXAMPLE / "models", common / "models")
        subprocess.run(["git", "init", "-q", str(common)], check=True)
        _git(common, "add", "-A")
        _git(common, "commit", "-q", "-m", "models")
    _git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(common), path)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_links_into_a_submodule_and_a_submodule_folder_are_read_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A submodule is inside the repository's folder, but a clone has its files only once
    it is initialised: the nearest `.git` above the catalogue is the repository."""
    root = _repository(tmp_path)
    shutil.rmtree(root / "catalogue" / "models")
    _submodule(tmp_path, root, "libs/common")
    os.symlink("../libs/common/models", root / "catalogue" / "models")
    code, out = _check(root, capsys)
    assert code == 0
    assert out[0].startswith(
        "catalogue/models:1:1: Y018 [warning] a symlink into 'libs/common', a git checkout "
        "of its own (a submodule): read here, but a clone of the repository has its files "
        "only once it is initialised"
    )
    assert len(out) == 2
    # a submodule in the catalogue folder itself
    os.unlink(root / "catalogue" / "models")
    _submodule(tmp_path, root, "catalogue/vendor")
    code, out = _check(root, capsys)
    assert code == 0
    assert out[0].startswith("catalogue/vendor:1:1: Y018 [warning] the folder 'catalogue/vendor'")
    # a catalogue in a submodule: the submodule is its repository, the rest is outside
    inner = root / "libs" / "common"
    os.symlink("../../../catalogue/vendor/models/sktime.yaml", inner / "models" / "link.yaml")
    os.chdir(inner)
    (inner / "models" / "sktime.yaml").unlink()
    assert main(["check", "models"]) == 1  # no catalogue settings there: findings, not a crash
    out = [line for line in capsys.readouterr().out.splitlines() if " Y01" in line]
    assert out[0].startswith(
        "models/link.yaml:1:1: Y017 [warning] a symlink to "
        "'../../../catalogue/vendor/models/sktime.yaml', outside the repository"
    )


def test_the_policy_config_ignores_link_warnings_by_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A submodule CI initialises (Y018), a link out of the repository to a folder every
    checkout has (Y017): kept on purpose, their warnings failed `check --strict` for good, as
    a link or a folder has no line for `# edgemodels: ignore[...]`. The config's `ignore:`
    takes them by path (by code or name), and nothing else of theirs."""
    root = _repository(tmp_path)
    shutil.rmtree(root / "catalogue" / "models")
    _submodule(tmp_path, root, "catalogue/vendor")
    (tmp_path / "outside").mkdir()
    os.symlink(str(tmp_path / "outside"), root / "catalogue" / "mounted")
    code, out = _check(root, capsys, "--strict")
    assert code == 1
    assert [line.split(" ", 2)[:2] for line in out[:-1]] == [
        ["catalogue/mounted:1:1:", "Y017"],
        ["catalogue/vendor:1:1:", "Y018"],
    ]
    config = root / ".edgemodels-policy.yaml"
    config.write_text(
        "ignore:\n"
        "  - {rule: catalogue-in-submodule, paths: [catalogue/vendor]}\n"
        "  - {rule: Y017, paths: ['catalogue/mount*']}\n"
    )
    assert _check(root, capsys, "--strict") == (0, ["checked catalogue: no findings"])
    os.chdir(root / "catalogue")  # the finding names `mounted`, matched from the config's folder
    assert main(["check", ".", "--strict"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    # each entry ignores its own finding only
    config.write_text("ignore: [{rule: Y017, paths: [catalogue/vendor, catalogue/mounted]}]\n")
    code, out = _check(root, capsys, "--strict")
    assert code == 1 and [line.split(" ", 2)[1] for line in out[:-1]] == ["Y018"]
    # an error is no warning to ignore: the config is refused, with what can be
    config.write_text("ignore: [{rule: Y016, paths: [catalogue/vendor]}]\n")
    assert main(["check", "catalogue"]) == 2
    assert "ignore: Y016 (unread-symlink) is not a rule: of the other findings, only the " in (
        capsys.readouterr().err
    )
    config.write_text("ignore: [{rule: y017, paths: [catalogue/mounted]}]\n")
    assert main(["check", "catalogue"]) == 2
    assert "ignore: no rule with code or name 'y017'; did you mean 'Y017'?" in (
        capsys.readouterr().err
    )


def test_a_symlink_to_no_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link to a file outside the repository is what a clone (CI) holds: a dangling one."""
    root = _repository(tmp_path)
    os.symlink("../../../elsewhere/extra.yaml", root / "catalogue" / "models" / "extra.yaml")
    os.symlink("loop-b.yaml", root / "catalogue" / "loop-a.yaml")
    os.symlink("loop-a.yaml", root / "catalogue" / "loop-b.yaml")
    code, out = _check(root, capsys)
    assert code == 1
    found = sorted(line.split(" a symlink")[0] for line in out if " Y016 " in line)
    assert found == [
        "catalogue/loop-a.yaml:1:1: Y016",
        "catalogue/loop-b.yaml:1:1: Y016",
        "catalogue/models/extra.yaml:1:1: Y016",
    ]
    assert "'../../../elsewhere/extra.yaml', which leads to no file or folder here" in "\n".join(
        out
    )


def test_a_file_link_out_of_the_repository_is_read_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    model = root / "catalogue" / "models" / "sktime.yaml"
    model.rename(outside / "sktime.yaml")
    os.symlink(outside / "sktime.yaml", model)
    code, out = _check(root, capsys)
    assert code == 0  # read: the model is there, no R104 or R105
    assert out[0].startswith(
        f"catalogue/models/sktime.yaml:1:1: Y017 [warning] a symlink to "
        f"'{outside / 'sktime.yaml'}', outside the repository {os.path.realpath(root)}"
    )
    assert _check(root, capsys, "--strict")[0] == 1
    # one inside the repository is read as the file, without a word
    shutil.move(outside / "sktime.yaml", root / "sktime.yaml")
    model.unlink()
    os.symlink("../../sktime.yaml", model)
    assert _check(root, capsys) == (0, ["checked catalogue: no findings"])


def test_outside_git_a_file_link_is_read_without_a_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path, git=False)
    outside = tmp_path / "outside"
    outside.mkdir()
    model = root / "catalogue" / "models" / "sktime.yaml"
    model.rename(outside / "sktime.yaml")
    os.symlink(outside / "sktime.yaml", model)
    assert _check(root, capsys) == (0, ["checked catalogue: no findings"])


def test_a_symlink_to_a_generated_tree_is_skipped_as_the_tree_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path)
    assert main(["generate", str(root / "catalogue"), "-o", str(root / "generated")]) == 0
    os.symlink("../generated", root / "catalogue" / "generated")
    capsys.readouterr()
    code, out = _check(root, capsys)
    assert code == 0
    assert out[0].startswith("catalogue/generated:1:1: Y015 [warning]")


def test_a_folder_of_nothing_but_a_link_in_a_loop_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "catalogue").mkdir()
    os.symlink("..", tmp_path / "catalogue" / "models")
    assert main(["check", str(tmp_path / "catalogue")]) == 2
    err = capsys.readouterr().err
    assert "no catalogue files (*.yaml) found (Y014)" in err
    assert (
        "not read (symlinks to no file, or to a folder holding them): "
        f"{tmp_path / 'catalogue' / 'models'}"
    ) in err


def _shared_sktime(root: Path) -> Path:
    """sktime's file moves to shared/ at the repository's root; catalogue/models/sktime.yaml
    is left for a link."""
    (root / "shared").mkdir()
    model = root / "catalogue" / "models" / "sktime.yaml"
    model.rename(root / "shared" / "sktime.yaml")
    return model


@pytest.mark.parametrize(
    ("target", "how"),
    [
        ("{root}/shared/sktime.yaml", "an absolute path"),
        ("{alias}/shared/sktime.yaml", "an absolute path"),  # the repository by another name
        ("../../../repo/shared/sktime.yaml", "a path that climbs above the repository's root"),
    ],
)
def test_a_link_into_the_repository_by_a_path_outside_it_is_read_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, how: str
) -> None:
    """Read as the relative link would be (the same generated tree), with Y019: git stores
    the target as written, and another clone resolves it elsewhere."""
    relative = _repository(tmp_path / "relative")
    os.symlink("../../shared/sktime.yaml", _shared_sktime(relative))
    assert _check(relative, capsys) == (0, ["checked catalogue: no findings"])
    assert main(["generate", "catalogue", "-o", str(tmp_path / "relative.out")]) == 0
    root = _repository(tmp_path)
    os.symlink(root, tmp_path / "alias")
    written = target.format(root=root, alias=tmp_path / "alias")
    os.symlink(written, _shared_sktime(root))
    capsys.readouterr()
    code, out = _check(root, capsys)
    assert (code, out[1:]) == (0, ["checked catalogue: 0 errors, 1 warning"])
    assert out[0] == (
        f"catalogue/models/sktime.yaml:1:1: Y019 [warning] a symlink to {written!r}, {how}"
        f"{' and back in' if how.startswith('a path') else ''}: read here as "
        "'shared/sktime.yaml' of the repository, but git stores the path as written, so "
        "another clone (CI, a colleague's) finds nothing there, or another copy's file; "
        "link by a path from its folder ('../../shared/sktime.yaml')"
    )
    assert _check(root, capsys, "--strict")[0] == 1
    assert main(["generate", "catalogue", "-o", str(tmp_path / "out")]) == 0
    assert _files(tmp_path / "out") == _files(tmp_path / "relative.out")


def test_a_link_through_an_absolute_link_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A relative link in the catalogue that leads through an absolute one beside it is as
    bound to this clone's place: the finding is at the catalogue's link, naming the other."""
    root = _repository(tmp_path)
    _share_models(root, "models")
    os.symlink(root / "shared-models", root / "common")
    os.unlink(root / "catalogue" / "models")
    os.symlink("../common", root / "catalogue" / "models")
    code, out = _check(root, capsys)
    assert code == 0
    assert out[0].startswith(
        "catalogue/models:1:1: Y019 [warning] a symlink to '../common', which leads through "
        f"the symlink 'common' to '{root / 'shared-models'}', an absolute path: read here as "
        "'shared-models' of the repository"
    )
    assert out[0].endswith("make 'common' a link by a path from its folder ('shared-models')")
    assert len(out) == 2


def test_an_absolute_link_leads_elsewhere_in_a_clone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What Y019 warns of: a clone's link names the first clone's file (outside the clone,
    Y017), or nothing once that is gone (Y016, which says why)."""
    root = _repository(tmp_path)
    model = _shared_sktime(root)
    os.symlink(root / "shared" / "sktime.yaml", model)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "models")
    _git(tmp_path, "clone", "-q", str(root), "clone")
    clone = tmp_path / "clone"
    code, out = _check(clone, capsys)
    assert (code, out[0].split(" [warning] ")[0]) == (0, "catalogue/models/sktime.yaml:1:1: Y017")
    shutil.rmtree(root)
    code, out = _check(clone, capsys)
    assert code == 1
    assert out[0].startswith(
        f"catalogue/models/sktime.yaml:1:1: Y016 a symlink to '{root / 'shared' / 'sktime.yaml'}'"
    )
    assert out[0].endswith(
        "; an absolute path names a place on the machine that made the link: link by a path "
        "from the link's folder"
    )


def test_a_hard_link_is_two_files_as_in_every_clone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Git stores each name of a hard link as a file of its own: a clone has two files,
    edited apart. Read as two here too, their models are defined twice (R101), here as in
    the clone, rather than found only once the clone's copies differ."""
    root = _repository(tmp_path)
    os.link(root / "catalogue" / "models" / "sktime.yaml", root / "catalogue" / "again.yaml")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "models")
    _git(tmp_path, "clone", "-q", str(root), "clone")
    clone = tmp_path / "clone"
    assert (clone / "catalogue" / "again.yaml").stat().st_nlink == 1  # two files there
    here, there = _check(root, capsys), _check(clone, capsys)
    assert here == there
    assert here[0] == 1
    assert [line.split(" is defined twice")[0] for line in here[1][:-1]] == [
        "catalogue/models/sktime.yaml:5:13: R101 model 'sktime'"
    ]
