"""How many objects `edgemodels validate TREE` checks: plain files, rendered charts, built
overlays. It runs validate once with a counter on the schema step, prints `objects: N`, and
serves the validate case as its warm-up run.

    python benchmarks/validate_count.py TREE

The count is read from `schema_findings` as `edgemodels.validate.checker` calls it (the
built-in schemas: every object reaches it once) and as `edgemodels.validate.pipeline` does
(kubeconform: all objects in one call); if those internal names move, the harness falls
back to counting the tree's files.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import edgemodels.validate.checker as validate_checker
import edgemodels.validate.pipeline as validate_pipeline
from edgemodels.cli import main as cli_main

COUNTED = [0]
_schema_findings = validate_pipeline.schema_findings


def _counting(manifests: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
    COUNTED[0] += len(manifests)
    return _schema_findings(manifests, *args, **kwargs)


def main(argv: list[str]) -> int:
    validate_checker.schema_findings = _counting  # type: ignore[assignment]
    validate_pipeline.schema_findings = _counting  # type: ignore[assignment]
    rc = cli_main(["validate", *argv])
    print(f"objects: {COUNTED[0]}")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
