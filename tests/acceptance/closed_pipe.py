"""Running edgemodels with its stdout a pipe whose reader has already gone (`| head -1`)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_into_closed_pipe(args: list[str]) -> subprocess.CompletedProcess[str]:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "edgemodels", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
