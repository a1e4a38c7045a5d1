"""Run one `edgemodels.cli.<command>` module that the CLI group does not register yet.

    python benchmarks/cli_shim.py plan --inventory sites.yaml catalogue/

The command object is the one `edgemodels COMMAND` will run once registered, with the same
imports (`edgemodels.cli` is imported first), so the figures carry over. run.py uses this
only for a command whose module exists but is absent from `edgemodels --help`, and says so.
"""

from __future__ import annotations

import importlib
import sys


def main(argv: list[str]) -> int:
    module = importlib.import_module(f"edgemodels.cli.{argv[0]}")
    rv = module.command.main(
        args=argv[1:], prog_name=f"edgemodels {argv[0]}", standalone_mode=False
    )
    return int(rv) if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
