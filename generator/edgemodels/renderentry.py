"""A model's render as the regenerate cache holds it (treecache.py): its files listed as one
string, and the digest its index entry is checked against."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from hashlib import sha256

SEP = "\0"  # between the fields of a render's listing: no generated path holds it


@dataclass(frozen=True)
class Entry:
    """One model's render in the blob: its files, one after another from `at`."""

    at: int
    files: tuple[tuple[str, int, str], ...]  # path, length, sha256 hex of its bytes


def listing(files: Mapping[str, bytes], digest: Callable[[str, bytes], str]) -> str | None:
    """A render's files as the index lists them (None: a path cannot be listed)."""
    if any(SEP in path for path in files):
        return None
    return SEP.join(f"{p}{SEP}{len(d)}{SEP}{digest(p, d)}" for p, d in files.items())


def entry_digest(table: str, data: bytes | memoryview) -> str:
    """What a render's index entry is checked against: its listing and its bytes."""
    check = sha256(table.encode())
    check.update(SEP.encode())
    check.update(data)
    return check.hexdigest()
