"""The floor of a regenerate: what any `generate` into a tree it wrote before cannot skip.

    python benchmarks/regen_floor.py CATALOGUE OUT

It starts Python, imports click (every edgemodels command runs in it), takes the stat of
every catalogue file (to find the one that changed) and the lstat of every file the tree's
manifest lists (a file edited by hand must be found before anything is overwritten), and
nothing else: no parsing, no checks, no rendering, no writing. The regenerate rows report
it beside the bar, so the part of a regenerate that is edgemodels' own work shows in every
run. It is a note, not a peer the bar is judged against.
"""

from __future__ import annotations

import json
import os
import sys

import click  # noqa: F401  (imported for its cost: the CLI every command starts in)


def main(catalogue: str, out: str) -> int:
    found = 0
    for folder, _, names in os.walk(catalogue):
        for name in names:
            os.stat(os.path.join(folder, name))
            found += 1
    with open(os.path.join(out, ".edgemodels", "manifest.json"), "rb") as f:
        owned = json.load(f)["files"]
    for path in owned:
        os.lstat(os.path.join(out, path))
    return 0 if found and owned else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
