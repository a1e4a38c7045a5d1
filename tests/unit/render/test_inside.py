"""`render.common.inside`: banner and digest paths relative to the catalogue's folder."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from edgemodels.render.common import inside

PARTS = st.sampled_from(["a", "b", "c", "..", ".", "", "models"])
FOLDERS = st.sampled_from(["/", "/a", "/a/b", "/c", "/a/b/c"])


@given(
    st.lists(PARTS, max_size=5),
    st.sampled_from(["m.yaml", "..x.yaml", "b"]),
    st.booleans(),
    FOLDERS,
    FOLDERS,
)
def test_inside_is_relpath_within_the_base(
    parts: list[str], name: str, absolute: bool, start: str, base: str
) -> None:
    path = ("/" if absolute else "") + "/".join([*parts, name])
    rel = posixpath.relpath(posixpath.normpath(posixpath.join(start, path)), base)
    expected = None if rel == ".." or rel.startswith("../") else rel
    assert inside(path, start, base) == expected


def test_a_path_with_two_leading_slashes_naming_the_base() -> None:
    """normpath keeps POSIX's leading "//"; relpath does not (found by hypothesis)."""
    assert inside("//a/b", "/", "/a/b") == "."


def test_a_folder_name_is_not_a_file() -> None:
    assert inside("a/..", "/", "/") is None
    assert inside("a/", "/", "/") is None
