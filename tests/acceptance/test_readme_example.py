"""What a new user copies from the docs: the catalogue guide's example must pass `check`,
and the README's quick start must run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from edgemodels.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"
GUIDE = README.parent / "docs" / "catalogue-guide.md"
DIGEST = "sha256:" + "0" * 64  # the README shortens digests to `sha256:...`


def catalogue_example() -> str:
    text = GUIDE.read_text()
    section = text[text.index("## An example") :]
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found and "kind: ModelCatalogue" in found[1]
    return found[1].replace("sha256:...", DIGEST)


def test_the_catalogue_guide_example_passes_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "catalogue.yaml").write_text(catalogue_example())
    assert main(["check", str(tmp_path / "catalogue.yaml")]) == 0
    codes = re.findall(r":\d+:\d+: ([A-Z]\d{3}) ", capsys.readouterr().out)
    assert codes == ["P112"]  # Subscription delivery is deprecated: the only advice left
    assert main(["generate", str(tmp_path / "catalogue.yaml"), "-o", str(tmp_path / "out")]) == 0


QUICK_START = "## Quick start: your own catalogue"
BIN = Path(sys.executable).parent
PRINTS = re.compile(r"#\s*prints: (.+)$", re.MULTILINE)


def quick_start_blocks() -> list[tuple[str, str]]:
    """(language, text) of each fenced block of the quick start, in order."""
    text = README.read_text()
    section = text[text.index(QUICK_START) :]
    section = section[: section.index("\n## ", len(QUICK_START))]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.DOTALL)


def write_block(folder: Path, block: str) -> None:
    """A YAML block names its file on its first line: the whole file, or with `from
    `targets:` to the end`, the part of it from that key on."""
    head, body = block.split("\n", 1)
    name = head.removeprefix("# ").split(",")[0]
    path = folder / name
    if "from `targets:` to the end" in head:
        text = path.read_text()
        body = text[: text.index("  targets:\n")] + body
    path.write_text(body)


def printed(line: str) -> re.Pattern[str]:
    """A `# prints:` line as a pattern: `<...>` stands for any text."""
    parts = re.split(r"<[^>]+>", line.rstrip())
    return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$", re.MULTILINE)


def test_the_quick_start_runs_as_written(tmp_path: Path) -> None:
    """From init to a publish into a bare repository, each command as the README shows it,
    each `# prints:` among what the command printed."""
    folder = tmp_path
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1"}
    blocks = quick_start_blocks()
    assert [lang for lang, _ in blocks] == ["sh", "yaml", "yaml", "yaml", "sh"]
    for lang, block in blocks:
        if lang == "yaml":
            write_block(folder, block)
            continue
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            done = subprocess.run(
                ["bash", "-c", line.split("  #")[0]],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, (line, done.stdout, done.stderr)
            if line.startswith("cd "):
                folder = folder / line.removeprefix("cd ").strip()
            expected = PRINTS.findall(line) or PRINTS.findall(next_comment(block, line))
            for text in expected:
                assert printed(text).search(done.stdout), (line, text, done.stdout)
    log = subprocess.run(
        ["git", "--git-dir", str(tmp_path / "deploy.git"), "log", "--format=%B", "acm-dev"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "added scorer 1.0.0" in log


def next_comment(block: str, line: str) -> str:
    """The comment line right after `line`, where a long command's `# prints:` goes."""
    lines = block.splitlines()
    after = lines[lines.index(line) + 1 :]
    return after[0] if after and after[0].startswith("#") else ""


def test_the_quick_start_links_to_pages_that_exist() -> None:
    """Its "Details" links lead to the docs pages (or README sections) of each step."""
    text = README.read_text()
    section = text[text.index(QUICK_START) : text.index("## What it does")]
    links = re.findall(r"\]\(([^)#\s]*)(?:#([^)]+))?\)", section)
    assert len(links) == 6
    for path, anchor in links:
        target = README.parent / path if path else README
        assert target.is_file(), path
        slugs = {
            re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", target.read_text(), re.MULTILINE)
        }
        assert not anchor or anchor in slugs, (path, anchor)


def test_the_daily_flow_runs_as_written_up_to_validate(tmp_path: Path) -> None:
    """The README's "flow a team runs every day", typed line by line in one shell up to
    `validate` (plan compares with origin/main, publish pushes to the deploy repository)."""
    text = README.read_text()
    after = text[text.index("The flow a team runs every day:") :]
    found = re.search(r"```sh\n(.*?)```", after, re.DOTALL)
    assert found
    lines = [line for line in found[1].splitlines() if not line.startswith("#")]
    upto = next(n for n, line in enumerate(lines) if line.startswith("edgemodels validate"))
    script = "\n".join(["set -e", f"export PATH={BIN}:$PATH", *lines[: upto + 1]])
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "validated generated: no findings" in done.stdout
