"""`edgemodels init`: a new catalogue repository from `repo-template/`.

The template is copied as is, the catalogue's identity (name, deploy repository, branch,
folder) is filled in by editing the YAML round-trip (ruamel.yaml) so every comment of the
template stays, the JSON Schemas the files' `yaml-language-server` lines point at are
copied beside them with the catalogue's field reference, the first tree is generated, and
`git init` stages it all. The result passes its own hooks and CI commands as created.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from edgemodels import __version__
from edgemodels.catalogue.settings import git_url_problem
from edgemodels.data import data_path, schema_path
from edgemodels.display import quoted
from edgemodels.errors import InputError, OutputError, UsageError
from edgemodels.fsnames import text_form
from edgemodels.names import DNS_LABEL, git_branch_problem, repo_folder_problem
from edgemodels.repofolders import up_to_repository_root
from edgemodels.toolsource import (
    refuse_missing_rev,
    refuse_moving_rev,
    requirement,
    tool_source,
)
from edgemodels.umask import current_umask

CATALOGUE_FILE = "catalogue/catalogue.yaml"
GENERATED_DIR = "generated"
SCHEMAS = ("catalogue.schema.json", "inventory.schema.json")
FIELD_REFERENCE = "catalogue.md"  # beside the schemas, from catalogue.schema.json
SKIPPED = frozenset({".keep", "__pycache__", ".DS_Store"})
# Where the template says edgemodels comes from; --tool-repo/--tool-rev replace them.
HOOKS_FILE = ".pre-commit-config.yaml"
CI_FILES = (".gitlab-ci.yml", ".github/workflows/edgemodels.yml")


@dataclass(frozen=True)
class InitOptions:
    directory: Path
    name: str | None = None  # default: the folder's name, as a DNS label
    git_url: str | None = None
    branch: str | None = None
    path: str | None = None
    tool_repo: str | None = None  # git URL of edgemodels, for hooks and CI installs
    tool_rev: str | None = None  # default v<version>
    generate: bool = True
    git: bool = True


@dataclass(frozen=True)
class InitResult:
    directory: Path
    name: str
    files: tuple[str, ...]
    inside: Path | None = None  # the work tree of another repository the new one is in


def default_name(directory: Path) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", directory.resolve().name.lower()).strip("-")
    return base[:63].strip("-") or "models"


def init_repository(options: InitOptions) -> InitResult:
    """Every argument is checked before anything is written; the repository is built in a
    temporary sibling folder and moved into place, so a failure leaves nothing behind."""
    target = options.directory
    _refuse_non_empty(target)
    name = options.name or default_name(target)
    _refuse_arguments(name, options)
    template = data_path("repo-template")
    if not (template / CATALOGUE_FILE).is_file():
        raise InputError(f"the catalogue template is missing from {template}")
    inside = _enclosing_repository(target) if options.git else None
    staging = _staging_folder(target)
    try:
        _fill(staging, template, name, options)
        files = tuple(
            sorted(
                rel
                for p in staging.rglob("*")
                if p.is_file()
                and not (rel := p.relative_to(staging).as_posix()).startswith(".git/")
            )
        )
        _move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return InitResult(target, name, files, inside)


def _enclosing_repository(target: Path) -> Path | None:
    """The root of the repository whose work tree `target` would be made in, if any."""
    start = target.absolute().parent
    while not start.is_dir() and start != start.parent:
        start = start.parent
    *_, (_, top) = up_to_repository_root(start)
    return top if (top / ".git").exists() else None


def _refuse_arguments(name: str, options: InitOptions) -> None:
    if not DNS_LABEL.match(name) or len(name) > 63:
        raise UsageError(
            f"--name {quoted(name)}: use lower-case letters, digits and '-' (a DNS label)"
        )
    if options.git_url is not None:
        problem = git_url_problem(options.git_url)
        if problem is not None:  # the URL is not shown: it may hold a password
            raise UsageError(f"--git-url: {problem[2]} ({problem[0]})")
    if options.tool_repo is not None and _has_credentials(options.tool_repo):
        raise UsageError(
            "--tool-repo carries credentials; they would be written to the hooks and CI "
            "files: use a git credential helper instead"
        )
    if options.tool_repo is not None:
        refuse_missing_rev(tool_source(options.tool_repo), options.tool_rev or f"v{__version__}")
    elif options.tool_rev is not None:
        refuse_moving_rev(options.tool_rev)
    if options.branch is not None and (problem_text := git_branch_problem(options.branch)):
        raise UsageError(f"--branch: {problem_text}")
    if options.path is not None and (problem_text := repo_folder_problem(options.path)):
        raise UsageError(f"--path {problem_text}")


def _has_credentials(url: str) -> bool:
    problem = git_url_problem(url)
    return problem is not None and problem[0] == "R209"


def _staging_folder(target: Path) -> Path:
    parent = target.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}: {exc.filename}") from exc


def _fill(staging: Path, template: Path, name: str, options: InitOptions) -> None:
    try:
        _copy_tree(template, staging)
        _copy_schemas(staging / "schemas")
    except OSError as exc:
        raise OutputError(f"cannot write {options.directory}: {exc.strerror}") from exc
    edit_yaml(staging / CATALOGUE_FILE, lambda doc: _set_identity(doc, name, options))
    _set_tool_source(staging, options)
    if options.generate:
        _first_generate(staging)
    if options.git:
        from edgemodels.gitpublish.source import init_worktree  # the git program, only when asked

        init_worktree(staging)


def _move_into_place(staging: Path, target: Path) -> None:
    """A new folder is the staging folder renamed, with the mode mkdir would give it (not
    a temporary folder's 0700). An existing empty one is kept and filled: replacing it
    would leave a shell in it in a deleted folder (`init .` could not replace it at all),
    and drop the mode and group a team gave it."""
    try:
        if target.is_dir():
            _move_entries(staging, target)
            return
        staging.chmod(0o777 & ~current_umask())
        staging.rename(target)
    except OSError as exc:
        raise OutputError(f"cannot create {target}: {exc.strerror}") from exc


def _move_entries(staging: Path, target: Path) -> None:
    """Each entry of `staging` renamed into `target`; all moved back if one cannot be (a
    file that arrived meanwhile is never replaced)."""
    moved: list[str] = []
    try:
        for entry in sorted(os.listdir(staging)):
            if os.path.lexists(target / entry):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target / entry))
            os.rename(staging / entry, target / entry)
            moved.append(entry)
    except OSError:
        for entry in reversed(moved):
            with suppress(OSError):
                os.rename(target / entry, staging / entry)
        raise


def _first_generate(target: Path) -> None:
    from edgemodels.generate import GenerateOptions, generate

    catalogue = target / "catalogue"
    result = generate(GenerateOptions(catalogue, target / GENERATED_DIR), cwd=target)
    if result.plan is None or result.plan.conflicts:
        problems = "; ".join(d.render() for d in result.findings[:5])
        raise UsageError(f"the new catalogue does not generate: {problems}")


def _refuse_non_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(f"{target} is not empty; edgemodels init only fills a new or empty folder")


def _copy_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        if entry.name in SKIPPED or entry.is_symlink():
            continue
        if entry.is_dir():
            _copy_tree(entry, target / entry.name)
        else:
            shutil.copyfile(entry, target / entry.name)


def _copy_schemas(folder: Path) -> None:
    """The schemas, and the field reference made from the catalogue's one: the repository's
    README points there, as the edgemodels documentation is not in the repository."""
    from edgemodels.schemadoc import render

    folder.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        shutil.copyfile(schema_path(name), folder / name)
    (folder / FIELD_REFERENCE).write_text(render(), encoding="utf-8")


# --- round-trip edits ----------------------------------------------------------------------


def _round_trip() -> YAML:
    yaml = YAML()  # round-trip: comments, order, quotes and flow style are kept
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    yaml = _round_trip()
    doc = yaml.load(path.read_text(encoding="utf-8"))
    change(doc)
    out = StringIO()
    yaml.dump(doc, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def _set_identity(doc: Any, name: str, options: InitOptions) -> None:
    doc["metadata"]["name"] = name
    git = doc["spec"]["git"]
    # text, not the command line's form of a name: under an ASCII locale that holds
    # surrogates, which the YAML dumper writes as escapes no YAML reader takes
    if options.git_url:
        git["url"] = text_form(options.git_url)
    if options.branch:
        git["branch"] = text_form(options.branch)
    if options.path is not None:
        git["path"] = text_form(options.path.strip("/"))


def _set_tool_source(target: Path, options: InitOptions) -> None:
    """Point the hooks and the CI installs at the edgemodels the user named."""
    if options.tool_repo is None and options.tool_rev is None:
        return
    rev = options.tool_rev or f"v{__version__}"
    source = tool_source(options.tool_repo) if options.tool_repo else None

    def hooks(doc: Any) -> None:
        first = doc["repos"][0]
        if source:
            first["repo"] = source.hooks_repo
        first["rev"] = rev

    edit_yaml(target / HOOKS_FILE, hooks)
    if source is None:
        return
    wanted = requirement(source, rev)
    edit_yaml(
        target / CI_FILES[0],
        lambda d: d["variables"].__setitem__("EDGEMODELS_REQUIREMENT", wanted),
    )
    edit_yaml(
        target / CI_FILES[1], lambda d: d["env"].__setitem__("EDGEMODELS_REQUIREMENT", wanted)
    )
