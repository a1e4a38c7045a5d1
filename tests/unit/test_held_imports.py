"""A stop (SIGTERM, Ctrl-C) that comes while a command imports a module late (only when it
needs it) waits for the import to end: raised inside it, the exception stopped the import
half way, which a resident server would then meet in later commands, or was lost in the
import system's clean-up. Each case raises SIGTERM from the late import's own find_spec."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parents[1] / "cases"

_STOPPED_IN_IMPORT = """
import importlib.abc, signal, sys
from edgemodels.errors import raise_on_sigterm
from edgemodels.cli import main

NAME, ATTRIBUTE = sys.argv[1], sys.argv[2]

class Stop(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == NAME:
            signal.raise_signal(signal.SIGTERM)
        return None

assert NAME not in sys.modules
raise_on_sigterm()
sys.meta_path.insert(0, Stop())
code = main(sys.argv[3:])
made = sys.modules.get(NAME)
print(code, "whole" if hasattr(made, ATTRIBUTE) else "half made")
"""


@pytest.mark.parametrize(
    ("module", "attribute", "command"),
    [
        # the explaining validator, imported for a catalogue file with a schema error
        ("jsonschema", "Draft202012Validator", ["check", "{bad}"]),
        # Argo CD rendering, imported for a catalogue that delivers with it
        ("edgemodels.render.argocd", "with_argocd", ["generate", "{argocd}", "-o", "{out}"]),
    ],
)
def test_a_stop_during_a_late_import_waits_for_it(
    tmp_path: Path, module: str, attribute: str, command: list[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    text = (CASES / "delivery-subscription" / "catalogue.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("version: ", "version: 7  #", 1), encoding="utf-8")
    paths = {
        "bad": str(bad),
        "argocd": str(CASES / "delivery-argocd" / "catalogue.yaml"),
        "out": str(tmp_path / "out"),
    }
    args = [part.format(**paths) for part in command]
    run = subprocess.run(
        [sys.executable, "-c", _STOPPED_IN_IMPORT, module, attribute, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "EDGEMODELS_SERVER": "off"},
        timeout=120,
    )
    assert run.stdout.splitlines()[-1:] == ["143 whole"], run.stderr
