"""Small edges of the command line, run through `main` as a user runs it, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.cli import main

UNMATCHED_IGNORE = 'ignore: [{rule: P103, paths: ["nope/*.yaml"]}]\n'


def test_explaining_a_code_prints_no_config_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rule D101` printed the config's P006 warning (an `ignore:` path matching no file),
    which says nothing about the code explained; `rules`, which lists what a run uses,
    still prints it."""
    (tmp_path / ".edgemodels-policy.yaml").write_text(UNMATCHED_IGNORE, encoding="utf-8")
    heads = {
        "D101": "D101 mass-removal",
        "mass-removal": "D101 mass-removal",
        "p101": "P101 image-pinned-by-digest",
        "image-tag-not-latest": "P102 image-tag-not-latest",
    }
    for typed, head in heads.items():
        assert main(["rule", typed, "--catalogue", str(tmp_path)]) == 0
        out, err = capsys.readouterr()
        assert out.startswith(f"{head}\n") and err == "", typed
    assert main(["rules", "--catalogue", str(tmp_path)]) == 0
    assert "P006 [warning] ignore: 'nope/*.yaml' matches no file" in capsys.readouterr().err


def test_a_code_outside_the_policies_is_explained_whatever_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No policy config changes D101, so an invalid one (exit 2 for `rules`) does not stop
    its explanation; a policy rule's, which the config can change, still does."""
    (tmp_path / ".edgemodels-policy.yaml").write_text("rules: {P101: loud}\n", "utf-8")
    assert main(["rule", "D101", "--catalogue", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("D101 mass-removal\n") and err == ""
    assert main(["rule", "P101", "--catalogue", str(tmp_path)]) == 2
    assert "the policy config is invalid" in capsys.readouterr().err
