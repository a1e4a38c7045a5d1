"""The command lines the documentation shows are ones the CLI accepts, every option the
CLI has is documented, and every option the docs name exists.

Where the command lines are found: doccommands.py (README.md, docs/, repo-template/,
.pre-commit-hooks.yaml, the examples in `--help`); how each is checked, with click's own
parser and without running it: doccheck.py. An option renamed or removed in the code fails
here where the docs still show it; one added without a word in the docs fails too."""

from __future__ import annotations

import re

import click
import pytest

from edgemodels.cli import main

from .doccheck import check
from .doccommands import (
    REPO,
    all_commands,
    command_tree,
    documentation,
    file_commands,
    markdown_commands,
    template_files,
    yaml_commands,
)

COMMANDS = all_commands()


def test_every_documented_command_line_parses() -> None:
    problems = [
        f"{command}\n    {problem}" for command in COMMANDS for problem in check(command).problems
    ]
    assert not problems, "\n".join(problems)


def test_the_command_lines_are_found_wherever_they_are() -> None:
    """The extraction finds what it should: a regression in it would pass every line."""
    places = {command.where.split(":")[0] for command in COMMANDS}
    assert {
        "README.md",
        "docs/plan.md",
        "docs/validate.md",
        "docs/workflow.md",
        "repo-template/README.md",
        "repo-template/.gitlab-ci.yml",
        "repo-template/.github/workflows/edgemodels.yml",
        "repo-template/.pre-commit-config.yaml",
        ".pre-commit-hooks.yaml",
        "`edgemodels plan --help`",
    } <= places
    whole = [command for command in COMMANDS if command.whole]
    assert len(whole) >= 150, len(whole)
    assert sum(not command.whole for command in COMMANDS) >= 30


# Where each command is described: its README section and docs pages, and the pages of
# the options several commands share. An option is documented when a command line or a
# mention of its command in README.md or docs/ gives it, or when these places name it.
SERVER = "docs/workflow.md#A server for the commands typed by hand (optional)"
REPORTS = "docs/workflow.md#Report formats"
EXITS = "docs/findings.md#Exit codes"
POLICY_CONFIG = "docs/policies.md#Configuring the pack: `.edgemodels-policy.yaml`"
POLICIES = ["README.md#Policies", "docs/policies.md"]
DESCRIBED: dict[str, list[str]] = {
    "edgemodels": ["README.md#What it does"],
    "edgemodels init": ["README.md#Quick start: your own catalogue", "docs/workflow.md"],
    "edgemodels check": [
        "README.md#The catalogue",
        "docs/catalogue-guide.md",
        REPORTS,
        EXITS,
        POLICY_CONFIG,
    ],
    "edgemodels generate": ["README.md#The generated tree", "docs/generated-tree.md", REPORTS],
    "edgemodels validate": [
        "README.md#Validate: prove the tree will apply, offline",
        "docs/validate.md",
        REPORTS,
        EXITS,
        POLICY_CONFIG,
    ],
    "edgemodels plan": ["README.md#Plan: what a merge does to each site", "docs/plan.md", REPORTS],
    "edgemodels publish": [
        "README.md#Publish to the deploy branch",
        "docs/publish.md",
        REPORTS,
        POLICY_CONFIG,
    ],
    "edgemodels rules": [*POLICIES, "docs/findings.md", REPORTS],
    "edgemodels rule": [*POLICIES, "docs/findings.md"],
    "edgemodels policy": POLICIES,
    "edgemodels policy export": POLICIES,
    "edgemodels server": [SERVER],
    "edgemodels server run": [SERVER],
    "edgemodels server start": [SERVER],
    "edgemodels server status": [SERVER],
    "edgemodels server stop": [SERVER],
}
LISTED = re.compile(r"^  (?:-\w, )?(--[\w-]+)(?: / (--[\w-]+))?", re.MULTILINE)


def described_text(command: str) -> str:
    text = ""
    for place in DESCRIBED[command]:
        page, _, heading = place.partition("#")
        body = (REPO / page).read_text()
        if heading:
            start = body.index(f"\n## {heading}\n")
            end = body.find("\n## ", start + 1)
            body = body[start : end if end > 0 else None]
        text += body
    return text


def listed_options(path: list[str], capsys: pytest.CaptureFixture[str]) -> list[list[str]]:
    """The options `--help` lists, each with its --no- form; the help option left out: the
    README's `edgemodels COMMAND --help` names it for every command."""
    assert main([*path[1:], "--help"]) == 0
    out = capsys.readouterr().out
    options = out[out.index("\nOptions:\n") :]
    listed = [[name for name in found if name] for found in LISTED.findall(options)]
    return [names for names in listed if names != ["--help"]]


def documented_lines() -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()
    for path in documentation():
        for command in file_commands(path):
            used |= check(command).used
    return used


def undocumented(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], int]:
    """The options `--help` lists that README.md and docs/ do not name (see DESCRIBED),
    and how many were looked at. An option meant to stay internal is hidden in click (as
    `server run --ready-fd`): `--help` does not list it."""
    used = documented_lines()
    missing = []
    seen = 0
    for path, command, ctx in command_tree():
        shown = " ".join(path)
        params = {
            opt: param
            for param in command.get_params(ctx)
            for opt in param.opts + param.secondary_opts
        }
        text = described_text(shown)
        listed = listed_options(path, capsys)
        assert {names[0] for names in listed} == {
            next(opt for opt in param.opts if opt.startswith("--"))
            for param in command.get_params(ctx)
            if isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts
        }
        for names in listed:
            seen += 1
            if (shown, params[names[0]].name) in used:
                continue
            if not any(re.search(re.escape(name) + r"(?![\w-])", text) for name in names):
                missing.append(f"{shown} {' / '.join(names)}")
    return missing, seen


def test_every_option_of_every_command_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    assert any("COMMAND --help" in str(command) for command in file_commands(REPO / "README.md"))
    missing, seen = undocumented(capsys)
    assert seen > 60
    assert not missing, (
        "undocumented (say what they do where the command is described):\n" + "\n".join(missing)
    )


def test_an_undocumented_option_is_found(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    [(_, cli, ctx), *_] = command_tree()
    check_command = cli.get_command(ctx, "check")
    assert check_command is not None
    added = click.Option(["--fast-and-loose"], is_flag=True, help="New, not in the docs.")
    monkeypatch.setattr(check_command, "params", [*check_command.params, added])
    assert undocumented(capsys)[0] == ["edgemodels check --fast-and-loose"]


def test_every_command_says_where_it_is_described() -> None:
    assert sorted(DESCRIBED) == sorted(" ".join(path) for path, _, _ in command_tree())
    for command in DESCRIBED:
        assert described_text(command)


# Options of other programs that the docs name, and the program.
OTHER_PROGRAMS = {
    "--assume-unchanged": "git update-index",
    "--bare": "git init",
    "--cached": "git diff",
    "--continue": "git rebase",
    "--depth": "git clone",
    "--disable": "k3s server",
    "--disable-pip-version-check": "pip",
    "--fail": "curl",
    "--find-renames": "git diff",
    "--header": "curl",
    "--init": "git submodule update",
    "--jq": "gh api",
    "--max-request-bytes": "kube-apiserver",
    "--max-time": "curl",
    "--pdb": "pytest",
    "--quick": "benchmarks/run.py",
    "--quiet": "pip, git fetch",
    "--recurse-submodules": "git clone",
    "--silent": "curl",
    "--single-branch": "git clone",
    "--skip-worktree": "git update-index",
    "--unshallow": "git fetch",
    "--update-golden": "pytest (tests/conftest.py)",
}
NAMED = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def test_every_option_the_docs_name_exists() -> None:
    """In the prose too (`--max-removals 20` in a CI comment): an option no command has
    any more, nor another program, is a renamed or removed one."""
    ours = {
        opt
        for _, command, ctx in command_tree()
        for param in command.get_params(ctx)
        for opt in param.opts + param.secondary_opts
    }
    paths = [*documentation(), *template_files(), REPO / ".pre-commit-hooks.yaml"]
    named = {
        (str(path.relative_to(REPO)), option)
        for path in paths
        for option in NAMED.findall(path.read_text())
    }
    assert len(named) > 100
    unknown = sorted(
        f"{path}: {option}" for path, option in named if option not in ours | set(OTHER_PROGRAMS)
    )
    assert not unknown, "\n".join(unknown)
    assert sorted(set(OTHER_PROGRAMS) - {option for _, option in named}) == []


WRONG = [
    ("`edgemodels plan --inventori sites.yaml`", "No such option '--inventori'"),
    ("`edgemodels check -x`", "No such option '-x'"),
    ("`edgemodels plan catalogue/ --base`", "Option '--base' requires an argument"),
    ("`edgemodels check --format yaml`", "'yaml' is not one of"),
    ("`edgemodels policy export --failure-policy fail`", "'fail' is not one of 'Fail', 'Ignore'"),
    ("`edgemodels publish --retries many`", "'many' is not a valid integer"),
    ("`edgemodels generat catalogue/`", "no command 'generat'"),
    ("`edgemodels server begin`", "edgemodels server: no command 'begin'"),
    ("`edgemodels plan catalogue/ sites.yaml`", "unexpected extra argument 'sites.yaml'"),
    ("`edgemodels COMMAND --verbose`", "edgemodels rules: No such option '--verbose'"),
    ("`edgemodels --versoin`", "No such option '--versoin'"),
    ("`publish --branch/--folder`", "No such option '--folder'"),
    ("`plan --base ... --base-catalog OLD_PATH`", "No such option '--base-catalog'"),
    ("```sh\nX=1 edgemodels check \\\n  --formt json | head\n```\n", "No such option '--formt'"),
    ("```console\n$ edgemodels rules --al\noutput\n```\n", "No such option '--al'"),
    ("```\nls\n$ edgemodels rules --al\n```\n", "No such option '--al'"),
    (
        "```bash\ncd x && edgemodels validate --strictly generated/  # c\n```\n",
        "No such option '--strictly'",
    ),
    ("```sh\nv=$(edgemodels rules --formt json)\n```\n", "No such option '--formt'"),
    (
        "```yaml\nrepos:\n  - repo: x\n    hooks:\n      - id: edgemodels-chek\n```\n",
        "no command 'no-such-hook:edgemodels-chek'",
    ),
    (
        "```yaml\nhooks:\n  - id: edgemodels-validate\n    args: [--strikt, generated]\n```\n",
        "No such option '--strikt'",
    ),
]


@pytest.mark.parametrize(("doc", "said"), WRONG, ids=[doc for doc, _ in WRONG])
def test_a_wrong_command_line_in_a_doc_is_found(doc: str, said: str) -> None:
    [command] = [
        command for command in markdown_commands(doc, "fake.md") if check(command).problems
    ]
    assert any(said in problem for problem in check(command).problems), check(command).problems


RIGHT = [
    "`edgemodels plan [--inventory SITES] [--base REV]`",
    "`edgemodels server start\\|stop\\|status`",
    '`edgemodels check "$CATALOGUE" --format "$FORMAT" $EXTRA_ARGS`',
    "`edgemodels plan -i <sites> --base REV --format markdown -o plan.md ...`",
    "`edgemodels validate --skip-kind A --skip-kind B --no-strict -o report.json DIR`",
    '`edgemodels publish --author "Model CI <ci@example.com>" --retries 5 --timeout 30`',
    "`edgemodels rules --all | head -1`",
    "`edgemodels COMMAND --help`",
    "```sh\nA=1 B='x y' edgemodels generate \\\n  catalogue/ -o out 2>&1 >/dev/null && git add out  # --not-an-option\n```\n",
]


@pytest.mark.parametrize("doc", RIGHT)
def test_shell_and_synopsis_syntax_pass(doc: str) -> None:
    commands = markdown_commands(doc, "fake.md")
    assert commands
    assert [problem for command in commands for problem in check(command).problems] == []


def test_a_ci_script_is_read_as_the_shell_reads_it() -> None:
    text = "job:\n  script:\n    - edgemodels check\n    - |\n      edgemodels generate \\\n        --chek\n"
    [first, second] = yaml_commands(text, "fake.yml")
    assert (first.where, second.where) == ("fake.yml:3", "fake.yml:4")
    assert check(first).problems == []
    assert check(second).problems == [
        "edgemodels generate: No such option '--chek'. (Did you mean one of: '--check', '--help', '--no-cache'?)"
    ]
