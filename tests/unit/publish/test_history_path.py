"""The publish commit's `Catalogue path:` line: written so that it reads back as the same
path from the commit message, and a path that would leave the repository is not taken."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from edgemodels.gitpublish.history import path_in, path_line, source_in


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("catalogue", "Catalogue path: catalogue"),
        (".", "Catalogue path: ."),
        ("plant models/catalogue.yaml", "Catalogue path: plant models/catalogue.yaml"),
        ("usine/modèles", "Catalogue path: usine/modèles"),
        ("ends with a blank ", 'Catalogue path: "ends with a blank "'),
        ("two\nlines", 'Catalogue path: "two\\nlines"'),
        ('"quoted"', 'Catalogue path: "\\"quoted\\""'),
        ("latin1-\udce9", 'Catalogue path: "latin1-\\udce9"'),  # bytes that are not UTF-8
    ],
)
def test_a_path_reads_back_as_written(path: str, line: str) -> None:
    assert path_line(path) == line
    said = f"edgemodels: publish lrt\n\nCatalogue source commit: {'a' * 40}\n{line}\n"
    assert path_in(said) == PurePosixPath(path)


@pytest.mark.parametrize(
    "line",
    [
        "Catalogue path: /etc",
        "Catalogue path: ../elsewhere",
        "Catalogue path: a/../../b",
        'Catalogue path: "unclosed',
        'Catalogue path: ""',
        "Catalogue path: ",
    ],
)
def test_a_path_publish_would_not_write_is_not_taken(line: str) -> None:
    assert path_in(f"subject\n\n{line}\n") is None


def test_a_message_without_the_line_names_no_path() -> None:
    assert path_in("edgemodels: publish lrt\n\nPublished by edgemodels 0.2.0\n") is None


def test_the_trailer_is_read_not_a_message_extra_before_it() -> None:
    """--message-extra is a paragraph before the trailer, and may quote another publish."""
    ours, quoted = "a" * 40, "b" * 40
    said = (
        "edgemodels: publish lrt\n\n"
        f"Undoes the publish of Catalogue source commit: {quoted}\n"
        f"Catalogue source commit: {quoted}\nCatalogue path: old\n\n"
        f"Catalogue source commit: {ours}\nCatalogue path: new\nPublished by edgemodels 0.2.0\n"
    )
    assert source_in(said) == ours
    assert path_in(said) == PurePosixPath("new")


def test_a_trailer_from_no_commit_is_not_read_past() -> None:
    """A publish from outside git: its trailer names no commit, whatever the paragraph
    before it quotes."""
    said = (
        "edgemodels: publish lrt\n\n"
        f"Catalogue source commit: {'b' * 40}\nCatalogue path: old\n\n"
        "Catalogue source commit: not a git checkout\nPublished by edgemodels 0.2.0\n"
    )
    assert source_in(said) is None
