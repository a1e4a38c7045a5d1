"""The `edgemodels` command lines the documentation shows, wherever a user may copy one.

README.md and docs/*.md (not the generated catalogue reference): fenced shell blocks
(sh, bash, shell, console: its `$ ` lines), plain fenced blocks with a line that starts
with `edgemodels`, and inline code spans that are whole commands (`edgemodels plan
--base REV`; `[...]` and `a\\|b` as in a synopsis). Spans that name a command and an
option without the program (`plan --base`, `publish --branch/--path`) are mentions: their
option names are checked, not their values. repo-template/ (what `init` writes): its
README, its CI files' scripts, code spans in their comments, and its pre-commit
configuration with the hooks of .pre-commit-hooks.yaml; pre-commit configurations in the
docs' YAML blocks too. And the examples in each command's `--help`."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from ruamel.yaml import YAML

from edgemodels.cli import cli

from .shellwords import Word, simple_commands

REPO = Path(__file__).resolve().parents[2]
SHELL_BLOCKS = frozenset({"sh", "bash", "shell", "zsh", "console"})
FENCE = re.compile(r"^[ \t]*```(\w*)[^\n]*\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)
SPAN = re.compile(r"(?<!`)`([^`\n]+(?:\n[^`\n]+)*)`(?!`)")
# A line of a plain fenced block, or of a help text, that runs edgemodels.
RUNS = re.compile(r"^\s*(?:\$ )?(?:[A-Za-z_]\w*=\S* )*(?:\S*/)?edgemodels\s", re.MULTILINE)
COMMENT = re.compile(r"(?:^|\s)#(.*)")
SCRIPT_KEYS = frozenset({"script", "before_script", "after_script", "run"})


@dataclass(frozen=True)
class DocCommand:
    where: str  # path:line, or the command whose --help shows it
    words: tuple[Word, ...]  # after the program's name (a mention: from the command's name)
    whole: bool = True  # False: a mention, whose option names alone are checked

    def __str__(self) -> str:
        shown = " ".join(word.text for word in self.words)
        return f"{self.where}: {'edgemodels ' if self.whole else ''}{shown}"


def documentation() -> list[Path]:
    """README.md and docs/*.md: where an option counts as documented."""
    pages = sorted(path for path in (REPO / "docs").glob("*.md") if path.name != "catalogue.md")
    return [REPO / "README.md", *pages]


def template_files() -> list[Path]:
    return sorted(path for path in (REPO / "repo-template").rglob("*") if path.is_file())


def all_commands() -> list[DocCommand]:
    found: list[DocCommand] = []
    for path in [*documentation(), *template_files(), REPO / ".pre-commit-hooks.yaml"]:
        found += file_commands(path)
    return found + help_commands()


def file_commands(path: Path) -> list[DocCommand]:
    if not path.exists():
        return []
    shown = str(path.relative_to(REPO))
    text = path.read_text()
    if path.suffix == ".md":
        return markdown_commands(text, shown)
    if path.suffix in (".yml", ".yaml"):
        return [*yaml_commands(text, shown), *comment_commands(text, shown)]
    return []


def markdown_commands(text: str, shown: str) -> list[DocCommand]:
    found: list[DocCommand] = []
    for block in FENCE.finditer(text):
        first = text.count("\n", 0, block.start(2)) + 1
        found += block_commands(block[1], block[2], shown, first)
    outside = FENCE.sub(lambda block: "\n" * block[0].count("\n"), text)
    for span in SPAN.finditer(outside):
        line = outside.count("\n", 0, span.start()) + 1
        found += span_commands(span[1].replace("\n", " "), f"{shown}:{line}")
    return found


def block_commands(language: str, body: str, where: str, first: int) -> list[DocCommand]:
    if language == "yaml":
        return hook_commands(YAML().load(body), where, first) if "id: edgemodels" in body else []
    if language not in SHELL_BLOCKS and not (language == "" and RUNS.search(body)):
        return []
    return script_commands(prompted(body, language == "console"), where, first)


def prompted(body: str, console: bool) -> str:
    """A block's lines without their `$ ` prompt; in a console block, the output lines
    blank (the line count kept)."""
    lines = body.split("\n")
    if console:
        lines = [line if line.startswith("$ ") else "" for line in lines]
    return "\n".join(line.removeprefix("$ ") for line in lines)


def script_commands(script: str, where: str, first: int | None) -> list[DocCommand]:
    """With `first`, the line `script` starts at in the file `where` names."""
    return [
        DocCommand(
            where if first is None else f"{where}:{first + script.count(chr(10), 0, c.offset)}",
            tuple(c.words[1:]),
        )
        for c in simple_commands(script)
        if runs_edgemodels(c.words)
    ]


def runs_edgemodels(words: list[Word]) -> bool:
    program = words[0].text
    return program == "edgemodels" or program.endswith("/edgemodels")


def span_commands(span: str, where: str) -> list[DocCommand]:
    """A whole command (the program and a command, an option or a placeholder after it),
    or a mention: a command's name and an option. `start\\|stop` in a table: each of them."""
    found: list[DocCommand] = []
    for text in alternatives(span):
        for command in simple_commands(synopsis(text)):
            words = command.words
            if runs_edgemodels(words) and len(words) > 1 and re.match(r"[\w-]", words[1].text):
                found.append(DocCommand(where, tuple(words[1:])))
            elif words[0].text in COMMAND_NAMES and any(w.text.startswith("-") for w in words):
                found.append(DocCommand(where, tuple(words), whole=False))
    return found


def alternatives(span: str) -> list[str]:
    words = [word.split("\\|") for word in span.split(" ")]
    return [" ".join(choice) for choice in itertools.product(*words)]


def synopsis(text: str) -> str:
    """`[-o DIR]` and `[CATALOGUE]` of a synopsis, without their brackets."""
    return re.sub(r"(?<![^\s])\[|\](?![^\s])", "", text)


def yaml_commands(text: str, shown: str) -> list[DocCommand]:
    data = YAML().load(text)
    return [*hook_commands(data, shown, 1), *_scripts(data, shown)]


def _scripts(node: Any, where: str) -> Iterator[DocCommand]:
    """The shell scripts of a CI file: the values of `script:`, `run:` and their like."""
    if not isinstance(node, dict | list):
        return
    for key, value in node.items() if isinstance(node, dict) else enumerate(node):
        if key in SCRIPT_KEYS:
            line = node.lc.value(key)[0] + 1
            scripts = value if isinstance(value, list) else [value]
            for index, script in enumerate(scripts):
                if isinstance(value, list):
                    line = value.lc.item(index)[0] + 1
                yield from script_commands(str(script), where, line)
        else:
            yield from _scripts(value, where)


def comment_commands(text: str, shown: str) -> list[DocCommand]:
    """In a YAML file's comments, code spans (`edgemodels init --tool-repo URL`) and, in
    the words around them, a command's name and its options (`plan --base`: a mention)."""
    found: list[DocCommand] = []
    for number, line in enumerate(text.splitlines(), 1):
        if comment := COMMENT.search(line):
            for span in SPAN.finditer(comment[1]):
                found += span_commands(span[1], f"{shown}:{number}")
            for named in prose_mention().finditer(SPAN.sub("", comment[1])):
                words = tuple(Word(word) for word in named[0].split())
                found.append(DocCommand(f"{shown}:{number}", words, whole=False))
    return found


def published_hooks() -> dict[str, list[str]]:
    """Each hook of .pre-commit-hooks.yaml: its entry and its default args."""
    path = REPO / ".pre-commit-hooks.yaml"
    hooks = YAML(typ="safe").load(path.read_text()) if path.exists() else []
    return {hook["id"]: [hook["entry"], *hook.get("args", [])] for hook in hooks}


def hook_commands(node: Any, where: str, first: int) -> list[DocCommand]:
    """What pre-commit runs for each edgemodels hook in a hooks file or a configuration:
    the hook's entry, then the configuration's args or else the hook's own. A hook that
    does not exist is a command that does not exist."""
    found: list[DocCommand] = []
    hooks = published_hooks()
    for hook, line in _hook_entries(node):
        place = f"{where}:{first + line}"
        if "entry" in hook:
            found += script_commands(
                shlex_join([hook["entry"], *hook.get("args", [])]), place, None
            )
        elif hook["id"] not in hooks:
            found.append(DocCommand(place, (Word(f"no-such-hook:{hook['id']}"),)))
        else:
            entry, *defaults = hooks[hook["id"]]
            args = hook.get("args", defaults)
            found += script_commands(shlex_join([entry, *map(str, args)]), place, None)
    return found


def _hook_entries(node: Any) -> Iterator[tuple[dict[str, Any], int]]:
    if isinstance(node, dict):
        if str(node.get("id", "")).startswith("edgemodels") and "repo" not in node:
            yield node, node.lc.line
            return
        for value in node.values():
            yield from _hook_entries(value)
    elif isinstance(node, list):
        for value in node:
            yield from _hook_entries(value)


def shlex_join(parts: list[str]) -> str:
    """The entry is shell words already (pre-commit splits it); the args are one word each."""
    entry, *args = parts
    return " ".join([entry, *("'" + arg.replace("'", "'\\''") + "'" for arg in args)])


def help_commands() -> list[DocCommand]:
    """The examples in each command's --help."""
    found: list[DocCommand] = []
    for path, command, _ in command_tree():
        script = "\n".join(_example_lines((command.help or "").splitlines()))
        found += script_commands(script, f"`{' '.join(path)} --help`", None)
    return found


def _example_lines(lines: list[str]) -> Iterator[str]:
    going = False
    for line in lines:
        if RUNS.match(line + " ") or going:
            yield line
            going = line.endswith("\\")


def command_tree() -> Iterator[tuple[list[str], click.Command, click.Context]]:
    """Every command, groups included, with the context it runs in."""
    root = click.Context(cli, info_name="edgemodels", **cli.context_settings)
    pending: list[tuple[list[str], click.Command, click.Context]] = [(["edgemodels"], cli, root)]
    while pending:
        path, command, ctx = pending.pop(0)
        yield path, command, ctx
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                pending.append(
                    (
                        [*path, name],
                        sub,
                        click.Context(sub, info_name=name, parent=ctx, **sub.context_settings),
                    )
                )


@functools.cache
def prose_mention() -> re.Pattern[str]:
    """In a comment's words: a command (`policy export`, not `policy`) and its options,
    each with an ALL_CAPS value or none."""
    names = sorted(
        (
            " ".join(path[1:])
            for path, command, _ in command_tree()
            if not isinstance(command, click.Group)
        ),
        key=len,
        reverse=True,
    )
    leaves = "|".join(re.escape(name) for name in names)
    return re.compile(rf"\b(?:{leaves})(?: --?[a-z][\w-]*(?: [A-Z][A-Z0-9_]*(?!\w))?)+")


COMMAND_NAMES = frozenset(cli.list_commands(click.Context(cli)))
