"""The folders from one up to the root of the git repository it lies in.

Three searches stop where the user's repository does: the policy config beside the
catalogue or above it, the catalogue a generated tree beside it came from, and the
generated tree a folder lies inside. Each walks the same way: the folder, then each one
above it, up to the first holding `.git` (the repository's root) or the file system's
root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


def up_to_repository_root(folder: Path) -> Iterator[tuple[Path, Path]]:
    """(the folder named from `folder` as given, its real path), for `folder` and each
    folder above it, the repository's root last."""
    shown, real = folder, folder.resolve()
    while True:
        yield shown, real
        if (real / ".git").exists() or real.parent == real:
            return
        shown, real = Path(os.path.normpath(shown / os.pardir)), real.parent
