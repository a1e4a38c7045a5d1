"""The loading part of `edgemodels plan`, alone: the reference the plan case subtracts.

    python benchmarks/plan_load.py INVENTORY CATALOGUE [BASE]

It reads the inventory, loads and checks the working catalogue and, with BASE, the
catalogue at that git revision, with the same functions `plan.core.run_plan` calls, and
stops before the evaluation (site index, placements, diff, guards, report). So
`plan - plan_load` is the time the plan spends beyond loading (the issue's bar: < 1 s).
It imports `edgemodels.cli` first, as `edgemodels plan` does, so the start-up of the
command line (every command's imports) is on both sides and not counted as evaluation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import edgemodels.cli  # noqa: F401  (the same start-up as `edgemodels plan`)
from edgemodels.catalogue import load
from edgemodels.inventory import load_inventory
from edgemodels.plan.atrevision import load_snapshot
from edgemodels.plan.gitrev import catalogue_at


def main(argv: list[str]) -> int:
    inventory, _ = load_inventory(Path(argv[0]))
    loaded = load(Path(argv[1]), Path.cwd())
    if inventory is None or loaded.catalogue is None:
        print("inputs do not load", file=sys.stderr)
        return 1
    if len(argv) > 2:
        with catalogue_at(Path(argv[1]), argv[2]) as snapshot:
            if (
                snapshot.path is not None
                and load_snapshot(snapshot, snapshot.path).catalogue is None
            ):
                print("base does not load", file=sys.stderr)
                return 1
    print(f"loaded {len(inventory.sites)} sites, {len(loaded.catalogue.models)} models")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
