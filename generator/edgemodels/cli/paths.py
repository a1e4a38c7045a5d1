"""The type of every path argument and option: click's Path, keeping what pathlib drops.

`Path("catalogue.yaml/")` is `catalogue.yaml`: the trailing `/`, which names a folder, is
gone before any command sees it, so `check catalogue.yaml/` checked the file that the
system (`cat catalogue.yaml/`: Not a directory) and git refuse under that name. It is
refused here, from the name as typed, in the words click uses for a path of the wrong
kind, naming the option.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from edgemodels.display import quoted


class PathParam(click.Path):
    """click.Path (to pathlib.Path) that also refuses a name the system would refuse as
    "Not a directory" (a file followed by `/`), and a name ending in `/` where a file is
    wanted (the system opens no file by it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(path_type=Path, **kwargs)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = os.fsdecode(value) if isinstance(value, str | bytes | os.PathLike) else None
        if text is not None and not (self.allow_dash and text == "-"):
            problem = self._through_a_file(text) or self._folder_for_a_file(text)
            if problem:
                self.fail(problem, param, ctx)
        return super().convert(value, param, ctx)

    def _through_a_file(self, text: str) -> str | None:
        """Which file stands where a folder must be, when the system refuses `text` as
        "Not a directory"."""
        try:
            os.stat(text)
        except NotADirectoryError:
            pass
        except (OSError, ValueError):  # missing, no permission, a NUL: click or the command
            return None
        else:
            return None
        parts = text.split("/")
        head = next(
            (h for h in ("/".join(parts[:n]) for n in range(1, len(parts))) if os.path.isfile(h)),
            text,
        )
        name = f"{self.name.title()} {quoted(text)}"
        if head == text.rstrip("/"):
            return f"{name} ends in '/', but {quoted(head)} is a file."
        return f"{name} goes through {quoted(head)}, which is a file."

    def _folder_for_a_file(self, text: str) -> str | None:
        if self.dir_okay or not text.endswith("/") or os.path.isdir(text):
            return None  # an existing folder: click's own "is a directory"
        return f"File {quoted(text)} ends in '/', which names a folder."
