"""The plan made from a branch's git objects is the plan made on a checkout of it."""

from __future__ import annotations

import os
from pathlib import Path

import git as gitpython
import pytest

from edgemodels.branchplan import BranchFolder, blob_id, manifest_of, plan_branch
from edgemodels.folderplan import plan_tree
from edgemodels.gitpublish.destination import Destination
from edgemodels.gitpublish.objects import branch_entries, read_blobs
from edgemodels.treemanifest import Provenance, finalize_tree, read_manifest

from .conftest import git

PROVENANCE = Provenance("0.0.1", "c", "d" * 64)
MERGED = b"<<<<<<< ours\na: 1\n=======\na: 2\n>>>>>>> theirs\n"


def generated(version: str) -> dict[str, bytes]:
    return finalize_tree(
        {
            "README.md": f"# c {version}\n".encode(),
            "models/a/chart/Chart.yaml": f"appVersion: {version}\n".encode(),
            "models/a/chart/values.yaml": b"replicas: 1\n",
            "models/b/base/deployment.yaml": f"image: b:{version}\n".encode(),
            "models/c/base/deployment.yaml": f"image: c:{version}\n".encode(),
            "models/d/base/deployment.yaml": f"image: d:{version}\n".encode(),
            "models/e/base/deployment.yaml": f"image: e:{version}\n".encode(),
            "models/f/base/deployment.yaml": b"image: f\n",
            "hub/kustomization.yaml": b"resources: []\n",
        },
        PROVENANCE,
    )


def commit_tree(repo: Path, folder: str, files: dict[str, bytes]) -> str:
    """Commit `files` under `folder` (b'->target' makes a symlink), everything else kept."""
    for path, data in files.items():
        target = repo / folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_file():
            target.unlink()
        if data.startswith(b"->"):
            os.symlink(data[2:].decode(), target)
        else:
            target.write_bytes(data)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "state", cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo)


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_the_plan_from_objects_is_the_plan_on_a_checkout(tmp_path: Path, force: bool) -> None:
    repo = tmp_path / "deploy"
    git("init", "-q", "-b", "acm-dev", str(repo))
    git("config", "user.email", "t@example.com", cwd=repo)
    git("config", "user.name", "t", cwd=repo)
    old = generated("1.0")
    commit_tree(repo, "fleet", old)
    (repo / "fleet" / "models" / "f" / "base" / "deployment.yaml").unlink()
    (repo / "fleet" / "models" / "f" / "base" / "deployment.yaml").mkdir()
    base = commit_tree(
        repo,
        "fleet",
        {
            "models/b/base/deployment.yaml": b"image: b:1.0\n# tuned by hand\n",  # hand edit
            "models/c/base/deployment.yaml": MERGED,  # a merge left its markers
            "models/d/base/deployment.yaml": b"->../../a/chart/values.yaml",  # a symlink
            "models/e/base/extra.yaml": b"kind: ConfigMap\n",  # not ours, not in the way
            "models/f/base/deployment.yaml/x": b"a folder where a file goes\n",
            "hub/new.yaml": b"not ours, in the way\n",
            "models/a/chart/run.sh": b"#!/bin/sh\n",
        },
    )
    os.chmod(repo / "fleet" / "models" / "a" / "chart" / "values.yaml", 0o755)
    base = commit_tree(repo, "fleet", {})
    new = generated("2.0")
    del new["models/e/base/deployment.yaml"]  # no longer generated: removed
    new["hub/new.yaml"] = b"kind: Namespace\n"
    new = finalize_tree(
        {k: v for k, v in new.items() if not k.startswith(".edgemodels/")}, PROVENANCE
    )

    on_disk = plan_tree(repo / "fleet", new, force)
    clone = gitpython.Repo(str(repo))
    entries, attributes = branch_entries(clone, Destination(str(repo), "acm-dev", "fleet"), base)
    folder = BranchFolder(entries, new, lambda oids: read_blobs(clone, oids))
    manifest = manifest_of(folder, "fleet/.edgemodels/manifest.json")
    assert manifest == read_manifest(repo / "fleet")
    from_objects = plan_branch(folder, new, manifest, force)
    clone.close()

    assert from_objects == on_disk
    assert attributes == ""
    assert on_disk.conflicts or force  # the cases are there to be found
    kinds = {c.path: c.kind for c in on_disk.conflicts}
    if not force:
        assert kinds == {
            "models/b/base/deployment.yaml": "hand-edited",
            "models/c/base/deployment.yaml": "merged",
            "models/d/base/deployment.yaml": "hand-edited",
            "models/f/base/deployment.yaml": "blocked",
            "hub/new.yaml": "unowned",
        }


def test_blob_ids_are_gits(tmp_path: Path) -> None:
    data = b"apiVersion: v1\n\x00binary too\n"
    (tmp_path / "f").write_bytes(data)
    assert blob_id(data) == git("hash-object", "--no-filters", str(tmp_path / "f"))
    assert blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
