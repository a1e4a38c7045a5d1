"""Symlinks drawn at random in a real git repository: `plan --base` reads, at the commit of
the working copy, the files the working copy's walk reads, by the same names, or refuses
only a link out of the repository.

Each link is relative, absolute, absolute through a symlinked name of the repository, or
climbing above the repository's root and back in by its folder's name; to a file, a folder,
another link or nothing; a few lead out of the repository. The working copy follows them
all as the OS does; the base follows them through git objects (plan/gittree.py).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgemodels.catalogue.walk import discover
from edgemodels.errors import InputError
from edgemodels.plan.gitrev import catalogue_at

from .conftest import FIGURES, FUZZ_EXAMPLES

FOLDERS = ("catalogue", "catalogue/models", "shared", "shared/deep", "")
TARGETS = ("m0.yaml", "m1.yaml", "m2.yaml", "l0", "l1.yaml", "")  # "" the folder itself
KINDS = ("relative", "absolute", "alias", "climbing", "out")

Link = tuple[str, str, str, str, str]  # folder, name, kind, target folder, target name
links = st.lists(
    st.tuples(
        st.sampled_from(FOLDERS[:-1]),
        st.sampled_from(("l0", "l1.yaml", "l2", "l3.yaml")),
        st.sampled_from(KINDS),
        st.sampled_from(FOLDERS),
        st.sampled_from(TARGETS),
    ),
    min_size=1,
    max_size=6,
)
files = st.lists(st.tuples(st.sampled_from(FOLDERS[:-1]), st.integers(0, 2)), max_size=5)


@settings(
    max_examples=max(20, FUZZ_EXAMPLES), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(links, files)
def test_the_base_reads_what_the_working_copy_reads(
    drawn: list[Link], models: list[tuple[str, int]]
) -> None:
    with tempfile.TemporaryDirectory(prefix="edgemodels-links-") as tmp:
        work = Path(tmp)
        root = _repository(work, drawn, models)
        here = _read(root / "catalogue")
        try:
            with catalogue_at(root / "catalogue", "HEAD") as snapshot:
                there = _read(snapshot.path, snapshot.bytes_of) if snapshot.path is not None else {}
        except InputError as exc:
            assert "outside the repository" in str(exc), str(exc)
            assert any(kind == "out" for _, _, kind, _, _ in drawn), (str(exc), drawn)
            FIGURES["links: layouts refused at the base (a link out of the repository)"] += 1
            return
        assert there == here, drawn
        FIGURES["links: layouts read alike at the base and in the working copy"] += 1


def _repository(work: Path, drawn: list[Link], models: list[tuple[str, int]]) -> Path:
    root = work / "repo"
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    (work / "outside").mkdir()
    (work / "outside" / "m0.yaml").write_text("outside: 0\n")
    os.symlink(root, work / "alias")
    for folder, number in models:
        (root / folder / f"m{number}.yaml").write_text(f"{folder}: {number}\n")
    for folder, name, kind, to_folder, to_name in drawn:
        link = root / folder / name
        if not os.path.lexists(link):
            os.symlink(_target(work, root / folder, kind, to_folder, to_name), link)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--allow-empty", "-m", "x"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def _target(work: Path, folder: Path, kind: str, to_folder: str, to_name: str) -> str:
    dest = os.path.join(to_folder, to_name) if to_name else to_folder or "."
    if kind == "relative":
        return os.path.relpath(work / "repo" / dest, folder)
    if kind == "absolute":
        return os.path.join(work / "repo", dest)
    if kind == "alias":
        return os.path.join(work / "alias", dest)
    if kind == "climbing":
        return os.path.join(os.path.relpath(work, folder), "repo", dest)
    return os.path.join(work / "outside", to_name or ".")


def _read(
    catalogue: Path, read: Callable[[Path], bytes | None] = Path.read_bytes
) -> dict[str, bytes | None]:
    """The catalogue's files as the walk names them, with their bytes as `read` gives them
    (at the base, from git: the files on disk are stand-ins)."""
    return {os.path.relpath(p, catalogue): read(p) for p in discover(catalogue).files}
