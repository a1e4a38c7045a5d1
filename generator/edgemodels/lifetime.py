"""What a command leaves to the end of its process instead of freeing it.

The `edgemodels` program ends with os._exit right after its command (launch.py), and the
system takes the process's memory back at once. Freed the usual way, object by
object when `generate` returns, the catalogue, its parsed files, the tree and the cache's
index took 25-60 ms of a 0.7 s regenerate of 1,000 models. So launch.py marks such a
process, and `generate` hands what it built to `keep`. Any other process (a server running
commands one after another, a test, a command that goes on after calling `generate`) keeps
nothing.
"""

from __future__ import annotations

_kept: list[object] = []
_ends_after_command = False


def end_after_command() -> None:
    """This process ends with os._exit once its one command returns (launch.py)."""
    global _ends_after_command
    _ends_after_command = True


def keep(*objects: object) -> None:
    """Hold `objects` until the process ends, when it ends right after its command."""
    if _ends_after_command:
        _kept.extend(objects)
