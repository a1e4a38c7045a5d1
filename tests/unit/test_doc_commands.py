"""The command lines the documentation shows are ones the CLI accepts.

Where the command lines are found: doccommands.py (README.md, docs/, repo-template/,
.pre-commit-hooks.yaml, the examples in `--help`); how each is checked, with click's own
parser and without running it: doccheck.py. An option renamed or removed in the code fails
here where the docs still show it."""

from __future__ import annotations

import pytest

from .doccheck import check
from .doccommands import (
    all_commands,
    markdown_commands,
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
