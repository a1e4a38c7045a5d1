"""What the walk of a tree makes of each file and folder (discover.py)."""

from __future__ import annotations

import os
from pathlib import Path

from edgemodels.validate.discover import discover


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def test_entries_are_told_apart_as_files_or_folders_as_on_disk(tmp_path: Path) -> None:
    # The walk's own files and kustomize folders are known without a look at the disk; any
    # other entry (here a folder the walk does not enter: a symlink) is looked at.
    _write(
        tmp_path,
        {
            "hub/kustomization.yaml": "resources:\n- a.yaml\n- b.yaml\n",
            "hub/a.yaml": "kind: ConfigMap\n",
            "hub/b.yaml": "kind: ConfigMap\n",
            "linked/kustomization.yaml": "resources:\n- a.yaml\n- more\n",
            "linked/a.yaml": "kind: ConfigMap\n",
            "models/m/base/kustomization.yaml": "resources:\n- cm.yaml\n",
            "models/m/base/cm.yaml": "kind: ConfigMap\n",
            "models/m/overlays/o/kustomization.yaml": "resources:\n- ../../base\n",
            "stray.yaml": "kind: ConfigMap\n",
        },
    )
    os.symlink(tmp_path / "models/m/base", tmp_path / "linked/more")
    layout = discover(tmp_path)
    assert layout.listings == ("hub",)  # files of its own folder only
    assert layout.builds == ("linked", "models/m/overlays/o")  # a folder among its entries
    assert sorted(layout.plain_files) == ["hub/a.yaml", "hub/b.yaml", "stray.yaml"]
    assert layout.entries["linked"] == ["a.yaml", "more"]


BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
)  # 9**9 nodes once expanded: kustomize would expand it, for minutes and gigabytes

MODELS = {
    "hub/kustomization.yaml": "resources:\n- a.yaml\n",
    "hub/a.yaml": "kind: ConfigMap\n",
    "models/m/base/kustomization.yaml": "resources:\n- cm.yaml\n",
    "models/m/base/cm.yaml": "kind: ConfigMap\nschedule: '*/5 * * * *'\n",  # a `*`, no alias
    "models/m/overlays/o/kustomization.yaml": "resources:\n- ../../base\n",
    "models/m/overlays/p/kustomization.yaml": "resources:\n- ../../base\n",
    "models/n/base/kustomization.yaml": "resources:\n- cm.yaml\n",
    "models/n/base/cm.yaml": "kind: ConfigMap\n",
    "models/n/overlays/o/kustomization.yaml": "resources:\n- ../../base\n",
}


def test_a_kustomize_input_the_reader_refuses_is_reported_and_its_builds_are_not_made(
    tmp_path: Path,
) -> None:
    _write(tmp_path, {**MODELS, "models/m/base/cm.yaml": BOMB + "kind: ConfigMap\n"})
    layout = discover(tmp_path)
    assert layout.builds == ("models/n/overlays/o",)  # the other model's are made
    assert layout.listings == ("hub",)
    [refused] = layout.refused
    assert (refused.code, refused.path, refused.line) == ("K108", "models/m/base/cm.yaml", 1)
    assert "alias bomb" in refused.message and "not made" in refused.message


def test_a_refused_kustomization_or_shared_file_leaves_out_every_build_that_could_read_it(
    tmp_path: Path,
) -> None:
    _write(tmp_path, MODELS)
    assert discover(tmp_path).refused == ()  # a `*` alone is no alias
    assert len(discover(tmp_path).builds) == 3
    _write(tmp_path, {"models/n/overlays/o/kustomization.yaml": "loop: &l [*l]\n"})
    layout = discover(tmp_path)
    assert layout.builds == ("models/m/overlays/o", "models/m/overlays/p")
    assert [d.path for d in layout.refused] == ["models/n/overlays/o/kustomization.yaml"]
    _write(
        tmp_path, {"shared/cm.yaml": BOMB, "shared/kustomization.yaml": "resources: [cm.yaml]\n"}
    )
    _write(tmp_path, {"models/m/base/kustomization.yaml": "resources:\n- ../../../shared\n"})
    assert discover(tmp_path).builds == ()  # outside every model's folder: any could read it
    _write(tmp_path, {"hub/kustomization.yaml": BOMB})
    assert "hub" not in discover(tmp_path).listings
