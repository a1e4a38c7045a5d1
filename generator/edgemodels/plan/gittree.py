"""A revision's catalogue files written into a folder that stands for the repository root.

The git objects are read as the working copy's walk (catalogue/walk.py) reads the file
system: in git a symlink is a blob holding its target's path, resolved here within the
revision's tree. Each regular file is written at its own path, and each symlink the walk
would follow (one to a folder, one named like a catalogue file leading to a file) as a
symlink straight to what it leads to, whose files are written too. `discover` then walks
the written folder by the working copy's rules: the same files, named the same way (a file
in a linked folder by the link's path), each real file once.

A link whose path leaves the repository, by an absolute target (`/home/me/repo/shared`) or
by `..` above its root, is followed on this machine's folders as the OS follows it in the
working copy: if it comes back into the work tree, the rest of its path is followed in the
revision's tree, as the equivalent relative link (catalogue/linkpath.py; the working copy
warns of it, Y019). What git cannot give is refused, never guessed: a link leading out of
the repository for good (its content at that revision is not in git), and a submodule the
catalogue holds or a link leads into (its files are in the submodule's own history). A link
to nothing, or to a folder holding it, is not written: the working copy reads neither (Y016).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from edgemodels.catalogue.linkpath import enter_repository
from edgemodels.errors import InputError

YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILES = 100_000
MAX_BYTES = 512 * 1024 * 1024
SYMLINK_MODE = 0o120000
MAX_LINKS = 40  # as Linux's ELOOP: a longer chain is a loop, and the OS gives no file
GENERATED_MARK = ".edgemodels/manifest.json"  # as catalogue.walk.GENERATED_MARK


class LeavesRepository(Exception):
    """A symlink whose target is outside the repository: link, target."""


class InSubmodule(Exception):
    """A path that is, or leads into, a submodule: the path, the submodule's path."""


def lookup(top: Any, parts: tuple[str, ...] | list[str]) -> Any | None:
    """The object at `parts` below the tree `top`, following symlinks on the way and at the
    end as the file system would; None when there is none (missing, dangling, a loop).
    A path that leaves the tree, by an absolute target or by `..` at its root, is followed
    on this machine's folders as the working copy's is, and back in the tree if it comes
    back into the work tree (catalogue/linkpath.py); else LeavesRepository."""
    todo, here, found, links = list(parts), list[str](), top, 0
    link = ("", "")  # the last symlink followed, for the message when it leads out
    while todo:
        part = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not here:
                todo = _back_in(top, link, os.path.dirname(_work_tree(top)), todo)
                continue
            here.pop()
            found = top.join("/".join(here)) if here else top
            continue
        if found.type != "tree":
            return None
        try:
            child = found.join(part)
        except KeyError:
            return None
        if child.type == "blob" and child.mode == SYMLINK_MODE:
            links += 1
            link = (child.path, os.fsdecode(child.data_stream.read()))
            if links > MAX_LINKS:
                return None
            if link[1].startswith("/"):
                todo, here, found = _back_in(top, link, "/", link[1].split("/") + todo), [], top
                continue
            todo = link[1].split("/") + todo  # relative to the link's folder, `here`
            continue
        if child.type == "submodule":
            raise InSubmodule(link[0] or child.path, child.path)
        here.append(part)
        found = child
    return found


def _back_in(top: Any, link: tuple[str, str], here: str, todo: list[str]) -> list[str]:
    """The parts left to follow from the tree's root once `todo`, followed from the folder
    `here` outside the work tree, comes back into it; LeavesRepository when it does not."""
    rest = enter_repository(here, todo, _work_tree(top))
    if rest is None:
        raise LeavesRepository(*link)
    return rest


def _work_tree(top: Any) -> str:
    return os.path.realpath(str(top.repo.working_tree_dir))


def write_catalogue(
    top: Any, found: Any, relative: PurePosixPath, root: Path, stand_in: Path
) -> dict[str, bytes]:
    """Write the catalogue `found` (a tree or a blob, at `relative` in the revision) below
    `root`, with the files and folders its symlinks lead to, within the limits. The bytes
    of each file written, by its path below `root` (posix), are returned, and the file on
    disk is `stand_in` (an empty file on the same file system) linked there: the walk
    needs a file at each path, the loader reads the bytes, and a new hard link costs a
    folder entry where a new file costs an inode too (on some disks a tenth of a
    millisecond, most of reading a revision of 1,000 files)."""
    writer = _Writer(top, root, stand_in)
    if found.type == "blob":  # the catalogue is one file: read whatever its name
        writer.place(relative.as_posix(), found.data_stream.read())
        return writer.contents
    if found.type != "tree":
        return writer.contents
    writer.tree(found)
    if found.path != relative.as_posix() and relative.parts:  # reached through a link
        _link(root.joinpath(*relative.parts), root.joinpath(*PurePosixPath(found.path).parts))
    while writer.todo:
        writer.tree(writer.todo.pop(0))
    return writer.contents


@dataclass
class _Writer:
    top: Any  # the revision's whole tree
    root: Path
    stand_in: Path
    contents: dict[str, bytes] = field(default_factory=dict)  # files written, by path
    written: set[str] = field(default_factory=set)  # trees written, by path
    todo: list[Any] = field(default_factory=list)  # trees links lead to, not yet written
    files: int = 0
    total: int = 0

    def tree(self, tree: Any) -> None:
        if any(_within(tree.path, done) for done in self.written):
            return
        self.written.add(tree.path)
        for entry in tree.traverse():
            if entry.type == "submodule" and not _hidden(entry.path, tree.path):
                raise InSubmodule(entry.path, entry.path)
            if entry.type != "blob" or not _safe(entry.path):
                continue  # a crafted tree entry must not write outside the folder
            if entry.mode == SYMLINK_MODE:
                self.link(entry)
            elif entry.path.endswith(YAML_SUFFIXES):
                self.blob(entry)
            elif entry.path == GENERATED_MARK or entry.path.endswith("/" + GENERATED_MARK):
                self.path(entry.path).parent.mkdir(parents=True, exist_ok=True)
                self.path(entry.path).touch()  # its presence is all `discover` looks at

    def link(self, entry: Any) -> None:
        try:
            found = lookup(self.top, entry.path.split("/"))
        except (LeavesRepository, InSubmodule):
            if entry.path.endswith(YAML_SUFFIXES) or self._folder_here(entry.path):
                raise
            return  # not a catalogue file, nor a folder here: the walk passes it by
        if found is None or found.type not in ("tree", "blob"):
            return  # to nothing: the working copy reads nothing there either (Y016)
        folder = os.path.dirname(entry.path)
        if found.type == "tree":
            if _within(folder, found.path):
                return  # a loop: the working copy does not follow it (Y016)
            self.todo.append(found)
        elif entry.path.endswith(YAML_SUFFIXES):
            self.blob(found)
        else:
            return
        _link(self.path(entry.path), self.path(found.path))

    def blob(self, blob: Any) -> None:
        if blob.path in self.contents:
            return
        data = blob.data_stream.read()  # its size comes with it: no call of git's for it
        self.files += 1
        self.total += len(data)
        if self.files > MAX_FILES or self.total > MAX_BYTES:
            raise InputError(
                f"--base: the catalogue at this revision has more than {MAX_FILES} files "
                f"or {MAX_BYTES} bytes of YAML"
            )
        self.place(blob.path, data)

    def place(self, posix: str, data: bytes) -> None:
        """The file at `posix` holding `data`: its bytes kept, the stand-in linked there
        (written out where the file system takes no more links to it, or none)."""
        self.contents[posix] = data
        target = self.path(posix)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.stand_in, target)
        except OSError:
            target.write_bytes(data)

    def path(self, posix: str) -> Path:
        return self.root.joinpath(*PurePosixPath(posix).parts)

    def _folder_here(self, posix: str) -> bool:
        """A link out of the repository leads to a folder in the working copy: one the
        walk follows there (git knows nothing of where it leads)."""
        work_tree = Path(self.top.repo.working_tree_dir)
        return work_tree.joinpath(*PurePosixPath(posix).parts).is_dir()


def _link(at: Path, to: Path) -> None:
    at.parent.mkdir(parents=True, exist_ok=True)
    if not os.path.lexists(at):
        os.symlink(os.path.relpath(to, at.parent), at)


def _hidden(path: str, below: str) -> bool:
    """A part of `path` below the folder `below` starts with '.': the walk skips it."""
    rel = path[len(below) + 1 :] if below else path
    return any(part.startswith(".") for part in rel.split("/"))


def _safe(path: str) -> bool:
    return not any(part in ("", ".", "..") for part in path.split("/"))


def _within(path: str, folder: str) -> bool:
    """`path` is `folder` or below it (paths in the revision's tree; "" is its root)."""
    return not folder or path == folder or path.startswith(folder + "/")
