"""The commit made from git objects, without a checkout: which of git's settings it
follows, and whether the clone needs a checkout after all (`clone_setup`); the files of
the folder on the branch; blobs read and written; and the commit `git add` + `git commit`
would make, built in an index of its own (`commit_objects`).
"""

from __future__ import annotations

import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git

from edgemodels.branchplan import Entry, HashName, blob_id
from edgemodels.fsnames import name_bytes, os_form
from edgemodels.gitpublish.destination import Destination, GitSettings, PublishError

# Hooks a commit or a checkout runs: they expect a work tree (pre-commit looks at the files,
# commit-msg may rewrite the message), so a clone that has one is published through a
# checkout as before. A push's hooks (pre-push) run either way.
WORK_TREE_HOOKS = (
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "post-checkout",
    "post-index-change",
)
_CONFIG = r"^(commit\.(gpgsign|cleanup)|core\.(attributesfile|autocrlf)|extensions\.objectformat)$"
_SYSTEM_ATTRIBUTES = (Path("/etc/gitattributes"), Path("/usr/etc/gitattributes"))
INDEX_NAME = "edgemodels-index"  # in the clone's .git: the new commit's tree is built here
MESSAGE_NAME = "edgemodels-message"


@dataclass(frozen=True)
class CloneSetup:
    """What of git's configuration for the clone a commit made from objects follows as
    `git commit` would, and why the clone needs a checkout ("" when it does not)."""

    algorithm: HashName = "sha1"
    sign: bool = False  # commit.gpgsign
    cleanup: str = "default"  # commit.cleanup
    autocrlf: bool = False  # core.autocrlf true or input: CRLF is converted when added
    work_tree: str = ""


def clone_setup(repo: Any) -> CloneSetup:
    config = _config(repo)
    algorithm: HashName = "sha256" if config.get("extensions.objectformat") == "sha256" else "sha1"
    return CloneSetup(
        algorithm,
        _true(config.get("commit.gpgsign", "false")),
        config.get("commit.cleanup", "default").lower(),
        config.get("core.autocrlf", "false").lower() == "input"
        or _true(config.get("core.autocrlf", "false")),
        _hook_reason(repo) or _attributes_reason(repo, config.get("core.attributesfile")),
    )


def _config(repo: Any) -> dict[str, str]:
    try:
        raw = repo.git.config("-z", "--get-regexp", _CONFIG)
    except git.GitCommandError:
        return {}  # exit 1: none of them is set
    found = {}
    for item in filter(None, str(raw).split("\0")):
        key, _, value = item.partition("\n")
        found[key.lower()] = value
    return found


def _true(value: str) -> bool:
    return value.strip().lower() in ("true", "yes", "on", "1", "")


def _hook_reason(repo: Any) -> str:
    # git prints the hooks' folder relative to where it runs: the work tree, or the git
    # folder of a bare clone (whose commit hooks git itself could never run).
    top = repo.working_tree_dir or repo.git_dir
    hooks = Path(str(top), str(repo.git.rev_parse("--git-path", "hooks")))
    for name in WORK_TREE_HOOKS:
        if (hooks / name).is_file() and os.access(hooks / name, os.X_OK):
            return f"it has a {name} hook ({hooks / name})"
    return ""


def _attributes_reason(repo: Any, configured: str | None) -> str:
    """git attributes may convert what is checked in (eol, filters such as LFS, ident):
    only `git add` itself then says which bytes the branch holds."""
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    files = [
        Path(str(repo.git_dir)) / "info" / "attributes",
        Path(os.path.expanduser(configured)) if configured else Path(xdg) / "git" / "attributes",
        *([] if os.environ.get("GIT_ATTR_NOSYSTEM") else _SYSTEM_ATTRIBUTES),
    ]
    found = next((f for f in files if f.is_file() and f.stat().st_size), None)
    return f"git attributes apply ({found})" if found else ""


def branch_entries(repo: Any, dest: Destination, base: str | None) -> tuple[dict[str, Entry], str]:
    """The files of the folder `dest.path` at `base` (paths relative to it), and why the
    branch needs a checkout ("": it does not; a `.gitattributes` on the way to the folder
    or inside it does). PublishError when the folder, or one above it, is not a folder."""
    if base is None:
        return {}, ""
    path = dest.path
    above = [path.rsplit("/", n)[0] for n in range(path.count("/"), 0, -1)] if path else []
    specs = [path, ".gitattributes", *(f"{a}/.gitattributes" for a in above)] if path else []
    prefix = f"{path}/" if path else ""
    entries: dict[str, Entry] = {}
    attributes: list[str] = []
    is_folder = not path
    for mode, kind, oid, name in _ls_tree(repo, "-r -t", base, specs):
        if name in (path, *above):
            _require_folder(dest, name, kind)
            is_folder = is_folder or name == path
        elif name.startswith(prefix) and kind != "tree":
            entries[name[len(prefix) :]] = Entry(mode, oid)
        if name.rpartition("/")[2] == ".gitattributes" and kind == "blob":
            attributes.append(name)
    if not is_folder and above:  # a new folder: nothing that is not a folder on its way
        for _, kind, _, name in _ls_tree(repo, "", base, above):
            if name in above:
                _require_folder(dest, name, kind)
    reason = f"the branch has {attributes[0]}" if attributes else ""
    return entries, reason


def _ls_tree(repo: Any, flags: str, base: str, specs: list[str]) -> Iterator[tuple[str, ...]]:
    """(mode, type, object id, path) of `git ls-tree -z` (paths may be any bytes)."""
    args = [*flags.split(), "-z", "--full-tree", base, "--", *map(literal, specs)]
    raw = repo.git.ls_tree(*args, stdout_as_string=False)
    for record in filter(None, bytes(raw).split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        yield mode, kind, oid, name.decode("utf-8", "surrogateescape")


def literal(path: str) -> str:
    """`path` as a pathspec that names that path only: `:x` or `*` is a folder's name on
    the deploy branch, not pathspec magic or a pattern (a folder `:x` was read as `x`, so
    its files were never compared: hand edits in it were overwritten)."""
    return os_form(f":(literal){path}")


def _require_folder(dest: Destination, name: str, kind: str) -> None:
    if kind != "tree":
        what = "a submodule" if kind == "commit" else "a file or a symlink"
        raise PublishError(
            f"{dest.shown}: {name} is {what} on the branch, where the folder to publish "
            "to goes; nothing was published"
        )


def read_blobs(repo: Any, oids: Iterable[str]) -> dict[str, bytes]:
    """The blobs, read by one `git cat-file --batch` (GitPython's own reader takes only
    SHA-1 ids)."""
    with tempfile.TemporaryFile() as listing:
        listing.write("".join(f"{oid}\n" for oid in oids).encode())
        listing.seek(0)
        raw = repo.git.cat_file(
            "--batch", istream=listing, stdout_as_string=False, strip_newline_in_stdout=False
        )
    data = bytes(raw)
    found: dict[str, bytes] = {}
    at = 0
    while at < len(data):
        end = data.index(b"\n", at)
        header = data[at:end].decode().split(" ")  # "<id> blob <size>", or "<id> missing"
        if len(header) != 3 or header[1] != "blob":
            raise PublishError(f"cannot read {header[0]} from the clone: git says {header[1:]}")
        at = end + 1 + int(header[2])
        found[header[0]] = data[end + 1 : at]
        at += 1  # the newline after the content
    return found


def write_blobs(repo: Any, blobs: Iterable[bytes], algorithm: HashName) -> None:
    """Store each as a loose object, as `git hash-object -w --no-filters` does: zlib of
    `blob <size>\\0<data>`, named by its id, created complete (written aside, renamed)."""
    objects = Path(str(repo.git_dir)) / "objects"
    for data in blobs:
        oid = blob_id(data, algorithm)
        target = objects / oid[:2] / oid[2:]
        if target.exists():
            continue
        target.parent.mkdir(exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix="tmp_obj_", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(zlib.compress(b"blob %d\0" % len(data) + data))
            os.chmod(temp, 0o444)
            os.replace(temp, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(temp)
            raise


@dataclass(frozen=True)
class TreeChanges:
    """A new commit's changes to its parent, paths from the repository's root."""

    writes: Mapping[str, bytes]  # path -> content (a regular, non-executable file)
    removes: tuple[str, ...]


def commit_objects(
    repo: Any,
    dest: Destination,
    base: str | None,
    changes: TreeChanges,
    message: str,
    settings: GitSettings,
    setup: CloneSetup,
) -> str | None:
    """The commit `git add` + `git commit` would make of the changes on top of `base`,
    made from objects (an index of its own, `commit-tree`), set as the local branch.
    None when its tree is the parent's."""
    if not changes.writes and not changes.removes:
        return None
    write_blobs(repo, changes.writes.values(), setup.algorithm)
    git_dir = Path(str(repo.git_dir))
    index, note = git_dir / INDEX_NAME, git_dir / MESSAGE_NAME
    zero = "0" * (64 if setup.algorithm == "sha256" else 40)
    lines = [f"100644 {blob_id(d, setup.algorithm)}\t{p}" for p, d in changes.writes.items()]
    lines += [f"0 {zero}\t{p}" for p in changes.removes]
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        index.unlink(missing_ok=True)  # a killed run's
        repo.git.read_tree(base or "--empty", env=env)
        note.write_bytes("".join(f"{line}\0" for line in lines).encode("utf-8", "surrogateescape"))
        with note.open("rb") as listing:
            repo.git.update_index("-z", "--index-info", istream=listing, env=env)
        tree = str(repo.git.write_tree(env=env))
        if base is not None and tree == str(repo.git.rev_parse(f"{base}^{{tree}}")):
            return None
        _write_message(repo, note, message, setup.cleanup)
        args = _commit_args(tree, base, setup, note)
        sha = str(repo.git.commit_tree(*args, env=_author(settings)))
    finally:
        index.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
    repo.git.update_ref("-m", "edgemodels publish", f"refs/heads/{dest.branch}", sha, base or zero)
    return sha


def _commit_args(tree: str, base: str | None, setup: CloneSetup, note: Path) -> list[str]:
    # commit-tree leaves commit.gpgsign to its caller (it is plumbing); `git commit` signs.
    return [tree, *(["-p", base] if base else []), *(["-S"] if setup.sign else []), "-F", str(note)]


def _author(settings: GitSettings) -> dict[str, str]:
    name, mail = settings.author[:-1].split(" <", 1)
    return {"GIT_AUTHOR_NAME": os_form(name), "GIT_AUTHOR_EMAIL": os_form(mail)}


def _write_message(repo: Any, note: Path, message: str, cleanup: str) -> None:
    """The message as `git commit -m` leaves it: trailing whitespace and repeated blank
    lines removed (commit.cleanup `whitespace`, the default without an editor); `strip`
    also drops comment lines (git's own `stripspace` does that), `verbatim` nothing."""
    note.write_bytes(name_bytes(message))
    if cleanup == "strip":
        with note.open("rb") as text:
            cleaned = repo.git.stripspace(
                "-s", istream=text, stdout_as_string=False, strip_newline_in_stdout=False
            )
        note.write_bytes(bytes(cleaned))
    elif cleanup != "verbatim":
        note.write_bytes(name_bytes(stripspace(message)))


def stripspace(message: str) -> str:
    """`git stripspace`: lines without trailing whitespace, no leading, trailing or
    repeated blank lines, each line ended."""
    lines: list[str] = []
    blank = False
    for line in message.split("\n"):
        line = line.rstrip(" \t\r\n")
        if not line:
            blank = bool(lines)
            continue
        if blank:
            lines.append("")
        blank = False
        lines.append(line)
    return "".join(f"{line}\n" for line in lines)
