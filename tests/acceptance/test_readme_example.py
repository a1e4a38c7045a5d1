"""The README's first catalogue example is what a new user copies: it must pass `check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edgemodels.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"
DIGEST = "sha256:" + "0" * 64  # the README shortens digests to `sha256:...`


def catalogue_example() -> str:
    text = README.read_text()
    section = text[text.index("## The catalogue") :]
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found and "kind: ModelCatalogue" in found[1]
    return found[1].replace("sha256:...", DIGEST)


def test_the_readme_catalogue_example_passes_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "catalogue.yaml").write_text(catalogue_example())
    assert main(["check", str(tmp_path / "catalogue.yaml")]) == 0
    codes = re.findall(r":\d+:\d+: ([A-Z]\d{3}) ", capsys.readouterr().out)
    assert codes == ["P112"]  # Subscription delivery is deprecated: the only advice left
    assert main(["generate", str(tmp_path / "catalogue.yaml"), "-o", str(tmp_path / "out")]) == 0
