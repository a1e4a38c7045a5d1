"""`publish --inventory`: plan's removal guards (D101, D102; D116 and D118, which run without
it too: test_publish_hub_guards.py) on what a publish changes since the branch's last
publish, whose catalogue is read from the catalogue's git repository; D309 when it cannot be. Catalogues in real git repositories, a bare deploy repository on
disk."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from .conftest import EXAMPLE, git
from .test_publish import message, publish
from .test_publish_order import commit

SITES = EXAMPLE.parent / "sites.yaml"  # lrt-site-01..03 and paint-01


@pytest.fixture
def published(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> tuple[str, ...]:
    """The catalogue committed and published once, with the guard: the publish arguments."""
    git("init", "-q", "-b", "main", cwd=catalogue)
    commit(catalogue, "catalogue")
    args = (str(catalogue), "--repo", str(bare_repo), "--branch", "acm-dev")
    rc, out, err = publish(capsys, *args, "-i", str(SITES))
    assert rc == 0, out + err
    # The first publish removes nothing a publish deployed, and says it did not check.
    assert ".edgemodels/manifest.json:1:1: D309 [info] the branch has no earlier" in out
    return args


def retire(catalogue: Path, model: str) -> str:
    (catalogue / "models" / f"{model}.yaml").unlink()
    return commit(catalogue, f"retire {model}")


def test_a_mass_removal_is_refused_and_nothing_is_pushed(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, published: tuple[str, ...]
) -> None:
    before = message(bare_repo)
    retire(catalogue, "sktime")  # from lrt-site-01..03: 3 of 4 sites
    rc, out, err = publish(capsys, *published, "-i", str(SITES))
    assert rc == 1, out + err
    assert "D101 models are removed from 3 of 4 sites (75%), over the limit" in out
    assert "lrt-site-02, lrt-site-03; pass --allow-removals if this is intended" in out
    assert message(bare_repo) == before  # nothing pushed
    assert publish(capsys, *published, "-i", str(SITES), "--dry-run")[0] == 1
    # As plan: a higher limit, or removals allowed (a warning), lets it through.
    assert publish(capsys, *published, "-i", str(SITES), "--max-removals", "3", "--dry-run")[0] == 0
    rc, out, _ = publish(capsys, *published, "-i", str(SITES), "--allow-removals")
    assert rc == 0 and "D101 [warning] models are removed from 3 of 4 sites" in out
    assert "removed sktime" in message(bare_repo)


def test_the_guard_compares_with_the_last_publish_not_the_previous_commit(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, published: tuple[str, ...]
) -> None:
    """A removal pushed without publishing (a pipeline that failed) is still a removal for
    the sites at the next publish, whatever commits came after it."""
    workloads = catalogue / "workloads.yaml"  # its paint-monitor uses paint-inspector
    workloads.write_text(workloads.read_text().split("    - name: paint-monitor")[0])
    retire(catalogue, "paint-inspector")  # paint-01's only model
    (catalogue / "catalogue.yaml").write_text((catalogue / "catalogue.yaml").read_text() + "\n")
    commit(catalogue, "an unrelated change")
    rc, out, err = publish(capsys, *published, "-i", str(SITES))
    assert rc == 1, out + err
    assert "D102 1 site is left with none of the models it had: paint-01" in out
    assert "D101" not in out  # one site is never "many"
    # Without --inventory, publish goes ahead as it always did.
    rc, out, err = publish(capsys, *published)
    assert rc == 0, out + err
    assert "removed paint-inspector" in message(bare_repo)
    # Once published, the next publish compares with that: nothing more is removed.
    rc, out, err = publish(capsys, *published, "-i", str(SITES))
    assert rc == 0 and "D10" not in out, out + err


def test_the_inventory_from_stdin(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    published: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    retire(catalogue, "sktime")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(SITES.read_bytes())))
    rc, out, err = publish(capsys, *published, "-i", "-", "--format", "json")
    assert rc == 1, out + err
    doc = json.loads(out)
    assert doc["publish"]["status"] == "findings"
    found = [
        (f["code"], f["severity"], f.get("sites")) for f in doc["findings"] if f["code"][0] == "D"
    ]
    assert found == [("D101", "error", ["lrt-site-01", "lrt-site-02", "lrt-site-03"])]  # as plan's


def test_a_last_source_the_clone_lacks_is_said_not_guessed(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    published: tuple[str, ...],
    tmp_path: Path,
) -> None:
    """A shallow CI clone that lacks the commit the branch was published from: the guard
    cannot read what the sites have, so it refuses until fetched or allowed."""
    retire(catalogue, "anomaly-scorer")
    shallow = tmp_path / "shallow"
    git("clone", "-q", "--depth", "1", f"file://{catalogue}", str(shallow))
    args = (str(shallow), *published[1:], "-i", str(SITES))
    before = message(bare_repo)
    rc, out, err = publish(capsys, *args)
    assert rc == 1, out + err
    first = git("rev-list", "--max-parents=0", "HEAD", cwd=catalogue)
    assert "acm-dev:.edgemodels/manifest.json:1:1: D309 the branch was last " in out
    assert f"from catalogue commit {first[:12]}, which the catalogue's repository" in out
    assert "pass --allow-removals to publish without the check" in out
    # one finding for the one missing commit: the guard's, which says the order check's too
    ours = git("rev-parse", "HEAD", cwd=shallow)[:12]
    assert (
        f"so removals are not checked, and if it is newer than {ours}, this publish undoes "
        "its changes (D308); fetch it"
    ) in out
    assert "D308" not in out.replace("(D308)", "") and out.count(first[:12]) == 1
    rc, out, err = publish(capsys, *args, "--allow-removals", "--dry-run")
    assert rc == 0 and "D309 [warning] the branch was last" in out, out + err
    assert "D308" not in out.replace("(D308)", "")
    assert message(bare_repo) == before
    git("fetch", "-q", "--unshallow", cwd=shallow)  # as told: then the guard runs
    rc, out, err = publish(capsys, *args)
    assert rc == 1 and "D101 models are removed from 3 of 4 sites" in out, out + err
    rc, out, err = publish(capsys, *args, "--allow-removals")
    assert rc == 0 and "D101 [warning]" in out, out + err


def test_a_last_publish_from_no_commit_is_unchecked(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path, tmp_path: Path
) -> None:
    """The branch was published from a catalogue outside git: nothing to read it from."""
    args = ("--repo", str(bare_repo), "--branch", "acm-dev", "-i", str(SITES))
    assert publish(capsys, str(catalogue), *args)[0] == 0  # not a git checkout
    git("init", "-q", "-b", "main", cwd=catalogue)
    commit(catalogue, "catalogue")
    rc, out, err = publish(capsys, str(catalogue), *args)
    assert rc == 1, out + err
    assert "D309 the branch was last published from a catalogue that no commit" in out
    rc, out, err = publish(capsys, str(catalogue), *args, "--allow-removals")
    assert rc == 0 and "D309 [warning]" in out, out + err


def test_the_removal_limit_needs_the_inventory(
    capsys: pytest.CaptureFixture[str], catalogue: Path, bare_repo: Path
) -> None:
    """--allow-removals needs none: it relaxes D116 and D118 too, which run without -i."""
    rc, out, err = publish(capsys, str(catalogue), "--repo", str(bare_repo), "--max-removals", "3")
    assert rc == 2, out + err
    assert "--max-removals needs -i/--inventory" in err
    assert git("--git-dir", str(bare_repo), "branch", "--list") == ""


def test_a_last_source_whose_catalogue_does_not_load_is_unchecked(
    capsys: pytest.CaptureFixture[str],
    catalogue: Path,
    bare_repo: Path,
    published: tuple[str, ...],
    tmp_path: Path,
) -> None:
    """The branch names a commit whose catalogue this edgemodels cannot load (one another
    version published, or a commit rewritten by hand): said, with plan's reason, not an
    exit 2 about a --base nobody gave."""
    good = git("rev-parse", "HEAD", cwd=catalogue)
    model = catalogue / "models" / "sktime.yaml"
    text = model.read_text()
    model.write_text("spec: [unclosed\n")
    broken = commit(catalogue, "broken")
    model.write_text(text)
    commit(catalogue, "fixed")  # includes the broken one: no D308
    clone = tmp_path / "deploy-clone"
    git("clone", "-q", "-b", "acm-dev", str(bare_repo), str(clone))
    said = git("log", "-1", "--format=%B", cwd=clone).replace(good, broken)
    git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--amend",
        "-m",
        said,
        cwd=clone,
    )
    git("push", "-q", "--force", "origin", "acm-dev", cwd=clone)
    rc, out, err = publish(capsys, *published, "-i", str(SITES))
    assert rc == 1, out + err
    assert f"D309 the catalogue at commit {broken[:12]}, which the branch was last" in out
    assert "cannot be read (the catalogue at that revision does not load" in out
    assert "--base" not in out
    assert publish(capsys, *published, "-i", str(SITES), "--allow-removals")[0] == 0
