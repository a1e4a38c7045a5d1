"""One writer per output folder: the lock file in its state folder, which write_tree and
save_later (treewrite.py) take, and make_dirs, which makes the state folder for it and
which treewrite.py shares.
"""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from edgemodels.errors import OutputError
from edgemodels.tree import LOCK_PATH, STATE_DIR


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """One writer per folder: a second run stops at once instead of interleaving. The lock
    file stays in a folder holding a tree; one left holding nothing else (no tree was
    written: a file in the way, an interruption) is removed, as edgemodels owns nothing
    there. A run whose lock file was removed so before it got the lock tries again."""
    for _ in range(3):
        fd = _open_lock(out)
        if fd is None:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            break
        if _is_lock_file(out, fd):
            try:
                yield
            finally:
                _remove_lone_lock(out)  # while holding it: a run waiting retries
                os.close(fd)  # closing releases the lock
            return
        os.close(fd)
    raise OutputError(
        f"another edgemodels run is writing {out} (it holds {LOCK_PATH}); "
        "wait for it to finish and run again"
    )


def _open_lock(out: Path) -> int | None:
    """The lock file, opened (made when missing); None when the state folder went between
    making it and opening the file (a run that wrote no tree removed it: try again)."""
    make_dirs(out, STATE_DIR)
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(out / LOCK_PATH, flags, 0o644)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot open the lock file {out / LOCK_PATH}: {exc.strerror}") from exc


def _is_lock_file(out: Path, fd: int) -> bool:
    """Whether `fd` is still the folder's lock file, not one a run removed meanwhile."""
    try:
        now = os.lstat(out / LOCK_PATH)
    except OSError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _remove_lone_lock(out: Path) -> None:
    with suppress(OSError):
        if os.listdir(out / STATE_DIR) == [LOCK_PATH.rsplit("/", 1)[1]]:
            os.unlink(out / LOCK_PATH)
            os.rmdir(out / STATE_DIR)


def make_dirs(root: Path, rel: str) -> None:
    """mkdir -p of `rel` under `root`, refusing to pass through a symlink or a file."""
    current = root
    for part in rel.split("/"):
        current = current / part
        try:
            os.mkdir(current)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(current).st_mode):
                raise OutputError(f"{current} is a symlink or a file where a folder goes") from None
        except OSError as exc:
            raise OutputError(f"cannot create {current}: {exc.strerror}") from exc
