"""A catalogue repository as `edgemodels init` makes it, with one edit that breaks the schema
and a reference at once: a misspelt target and a quantity Kubernetes refuses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MODEL = Path("catalogue/models/forecaster.yaml")
EDITS = (("targets: [all-sites]", "targets: [all-site]"), ("cpu: 100m", "cpu: 100mm"))
# What `check catalogue` says in the repository, in one run.
FOUND = [
    "catalogue/models/forecaster.yaml:13:17: R104 model 'forecaster' names target 'all-site', "
    "which is not in spec.targets; did you mean 'all-sites'?",
    "catalogue/models/forecaster.yaml:16:25: S004 spec.models[0].resources.requests.cpu: "
    "'100mm' is not a Kubernetes quantity such as 500m, 2, 256Mi",
]


def initialised_with_one_edit(folder: Path) -> Path:
    """`edgemodels init demo --name demo` in `folder`, the edit made: the repository."""
    env = {**os.environ, "EDGEMODELS_SERVER": "off"}
    done = subprocess.run(
        [sys.executable, "-m", "edgemodels", "init", "demo", "--name", "demo"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    model = folder / "demo" / MODEL
    text = model.read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    model.write_text(text, encoding="utf-8")
    return folder / "demo"
