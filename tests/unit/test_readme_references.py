"""Messages that send the user to a section of edgemodels' README.

They are read inside a catalogue repository, which has a README of its own (`init` writes
it) beside a generated tree with another: a bare "README" reads as that repository's. Every
such reference names edgemodels' own README, and the section it names is in it."""

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# "README" (not a README.md file), and the quoted section that follows it, if any.
REFERENCE = re.compile(r"README(?!\.md)(?:, \"([^\"]+)\")?")
OWN = "edgemodels' own README"


def _python_strings() -> Iterator[tuple[str, str]]:
    """String literals of the package that are not docstrings (those are read by developers
    in edgemodels' own repository)."""
    for path in sorted((REPO / "generator" / "edgemodels").rglob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and id(node) not in docstrings:
                yield str(path.relative_to(REPO)), node.value


def _policy_texts() -> Iterator[tuple[str, str]]:
    """The policy files' messages and documentation, comments left out, lines joined."""
    for path in sorted((REPO / "policies").glob("*.yaml")):
        lines = [
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        ]
        text = re.sub(r"\s+", " ", " ".join(lines)).replace('\\"', '"')
        yield str(path.relative_to(REPO)), text


def _schema_texts() -> Iterator[tuple[str, str]]:
    """The schema's descriptions, which `init` copies into every catalogue repository."""
    path = REPO / "schemas" / "catalogue.schema.json"
    yield str(path.relative_to(REPO)), json.dumps(json.loads(path.read_text()))


def _sections() -> set[str]:
    """Headings of the README and the bold lead-ins that open its paragraphs."""
    text = (REPO / "README.md").read_text()
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    leads = re.findall(r"^\*\*([^*]+?)\.?\*\*", text, re.MULTILINE)
    return {*headings, *leads}


def _references() -> list[tuple[str, str, str | None]]:
    found = []
    for where, text in [*_python_strings(), *_policy_texts(), *_schema_texts()]:
        text = text.replace('\\"', '"')
        for match in REFERENCE.finditer(text):
            before = text[max(0, match.start() - len(OWN) + len("README")) : match.start()]
            found.append((where, before + text[match.start() : match.end()], match.group(1)))
    return found


def test_messages_name_edgemodels_own_readme() -> None:
    references = _references()
    assert len(references) >= 6
    assert [(where, said) for where, said, _ in references if not said.startswith(OWN)] == []
    # Each names its section right after the README, as `edgemodels' own README, "Policies"`.
    assert [(where, said) for where, said, section in references if section is None] == []


def test_the_sections_named_are_in_the_readme() -> None:
    sections = _sections()
    missing = [
        (where, section)
        for where, _, section in _references()
        if section and not any(s.startswith(section) for s in sections)
    ]
    assert missing == []


# Markdown files the docs name that are not files of this repository: the report
# `plan --format markdown -o plan.md` writes, the field reference `init` copies, and a
# model's README in a generated tree.
NOT_OURS = {"plan.md", "schemas/catalogue.md", "models/<m>/README.md"}


def test_every_markdown_file_the_docs_name_is_in_the_repository() -> None:
    """A reader can open what the docs cite; a note kept outside the repository is no
    reference for them."""
    named = {
        (str(doc.relative_to(REPO)), name)
        for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
        for name in re.findall(r"[\w./<>-]+\.md\b", doc.read_text())
    }
    files = {path.name for path in REPO.rglob("*.md") if ".venv" not in path.parts}
    assert len(named) >= 5
    missing = {
        (doc, name)
        for doc, name in named
        if name not in NOT_OURS
        and not (REPO / name).exists()
        and not (REPO / doc / ".." / name).resolve().exists()
        and name not in files
    }
    assert missing == set()


def _slugs(text: str) -> set[str]:
    """GitHub's anchors of a markdown file's headings."""
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_every_relative_link_of_the_docs_resolves() -> None:
    docs = [REPO / "README.md", REPO / "repo-template" / "README.md"]
    docs += sorted((REPO / "docs").glob("*.md"))
    broken = []
    for doc in docs:
        text = doc.read_text()
        for link in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", link):
                continue
            path, _, anchor = link.partition("#")
            target = (doc.parent / path).resolve() if path else doc
            if not target.exists() or (
                target.suffix == ".md" and anchor and anchor not in _slugs(target.read_text())
            ):
                broken.append((doc.name, link))
    assert broken == []
