"""Golden trees: what `edgemodels generate` writes for reference catalogues.

Refresh after an intended change with `pytest tests/acceptance --update-golden` and review
the diff of tests/cases/ like any other change.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from generate_helpers import CASES, REPO, files_of, run_generate, save_golden

GOLDEN = {
    "generate-seed": CASES / "generate-seed" / "catalogue.yaml",
    "generate-lrt": REPO / "examples" / "lrt",
    "generate-rules": CASES / "generate-rules" / "catalogue",
}
MAX_DIFF_LINES = 60


def describe(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    lines = []
    for path in sorted(set(expected) | set(actual)):
        if path not in actual:
            lines.append(f"missing: {path}")
        elif path not in expected:
            lines.append(f"unexpected: {path}")
        elif expected[path] != actual[path]:
            diff = difflib.unified_diff(
                expected[path].decode().splitlines(),
                actual[path].decode().splitlines(),
                f"expected/{path}",
                f"actual/{path}",
                lineterm="",
            )
            lines.extend(diff)
        if len(lines) > MAX_DIFF_LINES:
            lines = [*lines[:MAX_DIFF_LINES], "... (diff cut)"]
            break
    return "\n".join(lines)


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_generated_tree_matches_golden(case: str, tmp_path: Path, update_golden: bool) -> None:
    out = tmp_path / "out"
    assert run_generate(str(GOLDEN[case]), "-o", str(out)) == 0
    actual = files_of(out)
    expected_dir = CASES / case / "expected"
    if update_golden:
        save_golden(out, expected_dir)
    assert expected_dir.is_dir(), f"no golden tree for {case}: run pytest with --update-golden"
    expected = files_of(expected_dir)
    assert actual == expected, describe(expected, actual)


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_golden_tree_is_up_to_date_for_check(case: str) -> None:
    """The committed golden folder passes the stale-output gate (and --check writes nothing)."""
    expected_dir = CASES / case / "expected"
    before = files_of(expected_dir)
    assert run_generate(str(GOLDEN[case]), "-o", str(expected_dir), "--check") == 0
    assert files_of(expected_dir) == before
