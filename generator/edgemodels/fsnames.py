"""Names (paths, URLs, a commit's author) between the program's text and the system.

A name the system gave (the command line, the environment, a folder's listing, git's
output read by GitPython) is decoded with the locale's encoding and surrogateescape: under
an ASCII locale (LC_ALL=C without Python's locale coercion) `café` is `caf\\udcc3\\udca9`.
A name read from a UTF-8 file (the catalogue) is `café` itself. Both stand for the same
bytes, and git and the file system take bytes: `os_form` makes either the string Python
hands to the system as those bytes (an argument, an environment variable, a path), and
`text_form` the text written into files and into git's trees and commit messages (UTF-8).
Under a UTF-8 locale both return their argument. As display.py does, this takes the
locale's encoding to be UTF-8 or ASCII: under any other, the program runs in Python's
UTF-8 mode (launch.py).
"""

from __future__ import annotations

import os


def name_bytes(name: str) -> bytes:
    """The bytes `name` stands for, whichever form it is in."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte was decoded to (a "\\ud800" in YAML)
        return name.encode("utf-8", "backslashreplace")


def os_form(name: str) -> str:
    """`name` as Python passes it to the system (arguments, environment, paths)."""
    return name if name.isascii() else os.fsdecode(name_bytes(name))


def text_form(name: str) -> str:
    """`name` as text (bytes that are not UTF-8 stay surrogates, as git's paths do)."""
    return name if name.isascii() else name_bytes(name).decode("utf-8", "surrogateescape")


def same_name(one: str, other: str) -> bool:
    """Whether two names stand for the same bytes (a URL given, and the one git kept)."""
    return name_bytes(one) == name_bytes(other)
