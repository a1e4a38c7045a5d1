"""The one place that imports `cel` (the common-expression-language package).

`cel/__init__.py` imports its command-line tool, which pulls in typer, rich and
prompt_toolkit: 0.6 s on every edgemodels run that loads policies (a pre-commit hook runs
on every commit). We never use that tool, so an empty `cel.cli` module stands in for it;
the evaluator (the Rust extension) and `cel.stdlib` are untouched.
"""

from __future__ import annotations

import sys
import types

if "cel" not in sys.modules:
    sys.modules.setdefault("cel.cli", types.ModuleType("cel.cli"))

import cel
from cel import stdlib

__all__ = ["cel", "stdlib"]
