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
