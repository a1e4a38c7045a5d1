"""Whether a command line of the documentation is one the CLI accepts, without running it.

click's own parser for the command reads the words: the command exists, every option
given exists for it, an option that takes a value has one, nothing is left over. A value
given literally (not `$VAR`, `<path>`, `DIR` or `...`) is converted by the option's type
when that is pure (a choice, a number); a path's type may look at the filesystem, and no
callback runs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import click

from .doccommands import DocCommand, command_tree
from .shellwords import Word

# Written for the reader to fill in: `$VAR`, `${{ x }}`, `<path>`, `...`, `DIR`.
PLACEHOLDER = re.compile(r"\$|<[^>]+>|\.\.\.|…|^[A-Z][A-Z0-9_]*$")
# Value types whose conversion is pure: a path's may look at the filesystem.
CONVERTED = (click.Choice, click.types.IntParamType, click.types.FloatParamType)


class Checked(NamedTuple):
    problems: list[str]
    used: set[tuple[str, str]]  # (command path, parameter name) the line gives


def check(command: DocCommand) -> Checked:
    [(path, cli, ctx), *_] = command_tree()
    if not command.whole:
        return _check_mention(command.words)
    return _check(cli, ctx, list(command.words), " ".join(path))


def _check(command: click.Command, ctx: click.Context, words: list[Word], path: str) -> Checked:
    if isinstance(command, click.Group):
        return _check_group(command, ctx, words, path)
    texts = _argv(command, ctx, words)
    try:
        opts, extra, order = command.make_parser(ctx).parse_args(texts)
    except click.UsageError as exc:
        return Checked([f"{path}: {exc.format_message()}"], set())
    problems = [f"{path}: unexpected extra argument {arg!r}" for arg in extra]
    for param in dict.fromkeys(order):
        problems += [f"{path}: {problem}" for problem in _value_problems(param, opts, ctx)]
    return Checked(problems, {(path, param.name or "") for param in order})


def _argv(command: click.Command, ctx: click.Context, words: list[Word]) -> list[str]:
    """The words as arguments: an unquoted `$ARGS` that is no option's value stands for
    any number of words and is left out, as is a `...`."""
    valued = {
        opt
        for param in command.get_params(ctx)
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for opt in param.opts
    }
    return [
        word.text
        for index, word in enumerate(words)
        if word.text not in ("...", "…")
        and not (word.spreads and (index == 0 or words[index - 1].text not in valued))
    ]


def _check_group(group: click.Group, ctx: click.Context, words: list[Word], path: str) -> Checked:
    try:
        _, args, order = group.make_parser(ctx).parse_args([word.text for word in words])
    except click.UsageError as exc:
        return Checked([f"{path}: {exc.format_message()}"], set())
    used = {(path, param.name or "") for param in order}
    if not args or args[0].startswith("$"):
        return Checked([], used)
    names = group.list_commands(ctx)
    if PLACEHOLDER.search(args[0]):  # `edgemodels COMMAND --help`: whatever the command
        chosen = names
    elif args[0] in names:
        chosen = [args[0]]
    else:
        return Checked([f"{path}: no command {args[0]!r}"], used)
    problems: list[str] = []
    for name in chosen:
        sub = group.get_command(ctx, name)
        assert sub is not None
        subctx = click.Context(sub, info_name=name, parent=ctx, **sub.context_settings)
        done = _check(sub, subctx, words[len(words) - len(args) + 1 :], f"{path} {name}")
        problems += done.problems
        used |= done.used
    return Checked(problems, used)


def _value_problems(
    param: click.Parameter, opts: dict[str, object], ctx: click.Context
) -> list[str]:
    if not isinstance(param.type, CONVERTED) or param.name not in opts:
        return []
    given = opts[param.name]
    values = given if isinstance(given, list | tuple) else [given]
    problems = []
    for value in values:
        if isinstance(value, str) and not PLACEHOLDER.search(value):
            try:
                param.type.convert(value, param, ctx)
            except click.BadParameter as exc:
                problems.append(f"{param.opts[-1]}: {exc.format_message()}")
    return problems


def _check_mention(words: Sequence[Word]) -> Checked:
    """`plan --base`, `publish --branch/--path`: the options' names, for that command."""
    found = next(
        (
            (path, command, ctx)
            for path, command, ctx in command_tree()
            if path[1:] == [word.text for word in words[: len(path) - 1]]
            and not isinstance(command, click.Group)
        ),
        None,
    )
    if found is None:
        return Checked([f"no command {words[0].text!r}"], set())
    path, command, ctx = found
    params = {
        opt: param.name or ""
        for param in command.get_params(ctx)
        for opt in param.opts + param.secondary_opts
    }
    shown = " ".join(path)
    named = [
        part.split("=")[0]
        for word in words
        if word.text.startswith("-") and not PLACEHOLDER.search(word.text)
        for part in word.text.split("/")
    ]
    problems = [f"{shown}: No such option {name!r}." for name in named if name not in params]
    return Checked(problems, {(shown, params[name]) for name in named if name in params})
