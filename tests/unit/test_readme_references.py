"""Messages that send the user to a section of edgemodels' documentation.

They are read inside a catalogue repository, which has a README of its own (`init` writes
it) beside a generated tree with another, and no docs/ folder: a bare "README" or
"docs/plan.md" reads as that repository's. Every such reference names a file of
edgemodels' repository and a section of it, as `edgemodels' docs/argocd.md, "Moving from
Subscriptions to Argo CD"`, and the section is in that file."""

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# A reference: one of edgemodels' files (README.md, a page of docs/), the quoted section after it.
OWN = re.compile(r"edgemodels' ((?:docs/)?[\w-]+\.md)(?:, \"([^\"]+)\")?")
# What reads as the user's own files: "README" that is no README.md file name, or a docs/
# page, without edgemodels' before it.
BARE = re.compile(r"(?<!edgemodels' )\b(?:README(?!\.md)|docs/[\w-]+\.md)")
# In a command's help, which also names the README `init` writes: a "see" that points at a
# README or a docs/ page without naming edgemodels'.
BARE_HELP = re.compile(r"\bsee (?!edgemodels' )(?:README|docs/)")


def _docstring_ids(tree: ast.Module) -> set[int]:
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _help_ids(tree: ast.Module) -> set[int]:
    """The docstrings click shows as a command's help: those of decorated functions."""
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.decorator_list
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _python_strings() -> Iterator[tuple[str, str, re.Pattern[str]]]:
    """String literals of the package, with the pattern of a bare reference in each: the
    commands' help, and the strings that are not docstrings (the other docstrings are read
    by developers in edgemodels' own repository)."""
    for path in sorted((REPO / "generator" / "edgemodels").rglob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = _docstring_ids(tree)
        helps = _help_ids(tree) if "cli" in path.relative_to(REPO).parts else set()
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            where = str(path.relative_to(REPO))
            if id(node) in helps:
                yield where, node.value, BARE_HELP
            elif id(node) not in docstrings:
                yield where, node.value, BARE


def _policy_texts() -> Iterator[tuple[str, str, re.Pattern[str]]]:
    """The policy files' messages and documentation, comments left out, lines joined."""
    for path in sorted((REPO / "policies").glob("*.yaml")):
        lines = [
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        ]
        text = re.sub(r"\s+", " ", " ".join(lines)).replace('\\"', '"')
        yield str(path.relative_to(REPO)), text, BARE


def _schema_texts() -> Iterator[tuple[str, str, re.Pattern[str]]]:
    """The schema's descriptions, which `init` copies into every catalogue repository."""
    path = REPO / "schemas" / "catalogue.schema.json"
    yield str(path.relative_to(REPO)), json.dumps(json.loads(path.read_text())), BARE


def _template_texts() -> Iterator[tuple[str, str, re.Pattern[str]]]:
    """The files `init` copies into a catalogue repository, comments included (its README,
    which is that repository's own, aside), lines joined."""
    for path in sorted((REPO / "repo-template").rglob("*")):
        if path.is_file() and path.name != "README.md":
            text = re.sub(r"\s*\n\s*#?\s*", " ", path.read_text())
            yield str(path.relative_to(REPO)), text, BARE


def _texts() -> Iterator[tuple[str, str, re.Pattern[str]]]:
    yield from _python_strings()
    yield from _policy_texts()
    yield from _schema_texts()
    yield from _template_texts()


def _references() -> list[tuple[str, str, str | None]]:
    """(where, edgemodels' file, section) of every reference."""
    return [
        (where, match[1], match[2])
        for where, text, _ in _texts()
        for match in OWN.finditer(text.replace('\\"', '"'))
    ]


def _sections(path: Path) -> set[str]:
    """Headings of a markdown file and the bold lead-ins that open its paragraphs."""
    text = path.read_text()
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    leads = re.findall(r"^\*\*([^*]+?)\.?\*\*", text, re.MULTILINE)
    return {*headings, *leads}


def test_messages_name_edgemodels_files() -> None:
    references = _references()
    assert len(references) >= 8
    files = {file for _, file, _ in references}
    assert {"docs/argocd.md", "docs/policies.md", "docs/workflow.md"} <= files
    bare = [
        (where, match[0])
        for where, text, pattern in _texts()
        for match in pattern.finditer(text.replace("edgemodels' own README", "README"))
    ]
    assert bare == []
    # Each names its section right after the file, as `edgemodels' docs/policies.md, "Policies"`.
    assert [(where, file) for where, file, section in references if section is None] == []


def test_the_sections_named_are_in_the_files_named() -> None:
    missing = [
        (where, file, section)
        for where, file, section in _references()
        if not (REPO / file).is_file()
        or (section and not any(s.startswith(section) for s in _sections(REPO / file)))
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
    """README.md, the docs pages and the template's README link each other by relative
    paths and #anchors (GitHub's: the heading lowercased, punctuation dropped, spaces to
    `-`); every one leads to a file, and an anchor to a heading of it."""
    docs = [REPO / "README.md", REPO / "repo-template" / "README.md"]
    docs += sorted((REPO / "docs").glob("*.md"))
    broken = []
    anchors = 0
    for doc in docs:
        text = doc.read_text()
        for link in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", link):
                continue
            path, _, anchor = link.partition("#")
            target = (doc.parent / path).resolve() if path else doc
            anchors += bool(anchor)
            if not target.exists() or (
                target.suffix == ".md" and anchor and anchor not in _slugs(target.read_text())
            ):
                broken.append((str(doc.relative_to(REPO)), link))
    assert anchors >= 10
    assert broken == []


def test_the_readme_links_every_docs_page() -> None:
    """A page no one links to is a page no one finds: the README or the docs index names
    each."""
    linked = {
        (doc.parent / link.partition("#")[0]).resolve()
        for doc in [REPO / "README.md", REPO / "docs" / "README.md"]
        for link in re.findall(r"\]\(([^)\s#]+)[^)\s]*\)", doc.read_text())
    }
    pages = set((REPO / "docs").glob("*.md")) - {REPO / "docs" / "README.md"}
    assert len(pages) >= 10
    assert pages - linked == set()
