"""A case folder built from the real examples, and the CLI run in-process with a time bound.

Layout of a case folder (every input kind edgemodels reads, copied from the repository):

    cat/                      examples/lrt (the catalogue files)
    sites.yaml                examples/sites.yaml (the inventory)
    export.yaml               a WorkloadPlacement for the example's workloads
    .edgemodels-policy.yaml   a policy config that uses the copies below instead of the pack
    policies/*.yaml           copies of the default policy files
    out/                      the tree generated from the unmutated catalogue
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from edgemodels.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "lrt"
SITES = REPO / "examples" / "sites.yaml"
POLICIES = REPO / "policies"

CONFIG = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicyConfig
extends: none
policyFiles: [policies/*.yaml]
rules: {P101: warning, image-tag-not-latest: error}
ignore:
  - {rule: P103, paths: ["cat/legacy/*.yaml"]}
registries: {allow: [registry.gitlab.com/i4q], public: [docker.io, quay.io]}
params: {maxReplicas: 5, owners: [plant-it]}
"""

EXPORT = """\
apiVersion: edgemodels.io/v1alpha1
kind: WorkloadPlacement
metadata: {name: scheduler-export}
workloads:
  - name: quality-inspection
    sites: [lrt-site-01, lrt-site-02]
  - name: paint-monitor
    sites: [paint-01]
"""

# The installed program, started as a fresh interpreter (what a user or CI runs).
EDGEMODELS = (
    sys.executable,
    "-c",
    "import sys; from edgemodels.cli import main; sys.exit(main(sys.argv[1:]))",
)

# Seconds one in-process command may take on a mutated input (the suite's time bound).
CASE_SECONDS = float(os.environ.get("EDGEMODELS_FUZZ_CASE_SECONDS", "20"))


def build_case(root: Path, generate: bool = True) -> Path:
    """A fresh case folder under `root` (which must not exist)."""
    shutil.copytree(EXAMPLE, root / "cat")
    shutil.copy(SITES, root / "sites.yaml")
    (root / "export.yaml").write_text(EXPORT, encoding="utf-8")
    (root / ".edgemodels-policy.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "policies").mkdir()
    for path in sorted(POLICIES.glob("*.yaml")):
        shutil.copy(path, root / "policies" / path.name)
    if generate:
        result = run(["generate", str(root / "cat"), "-o", str(root / "out")])
        assert result.code == 0, result.err
    return root


def input_files(case: Path) -> list[str]:
    """Every mutable input of a case, relative to the case folder."""
    found = sorted(p.relative_to(case).as_posix() for p in (case / "cat").rglob("*.yaml"))
    found += ["sites.yaml", "export.yaml", ".edgemodels-policy.yaml"]
    found += sorted(f"policies/{p.name}" for p in (case / "policies").glob("*.yaml"))
    return found


def commands_for(case: Path, mutated: str) -> list[list[str]]:
    """The commands that read `mutated` (all of them for a catalogue file)."""
    cat, out = str(case / "cat"), str(case / "out")
    config = str(case / ".edgemodels-policy.yaml")
    plan = ["plan", "-i", str(case / "sites.yaml"), "--workload-sites", str(case / "export.yaml")]
    if mutated.startswith("cat/"):
        return [
            ["check", cat, "--policy-config", config],
            ["generate", cat, "-o", out],
            ["generate", cat, "-o", out, "--check"],
            [*plan, cat],
        ]
    if mutated in ("sites.yaml", "export.yaml"):
        return [[*plan, cat], [*plan, cat, "--format", "json"]]
    return [
        ["check", cat, "--policy-config", config],
        ["rules", "--config", config, "--catalogue", cat],
        ["rule", "P110", "--config", config, "--catalogue", cat],
        ["policy", "export", "--config", config, "--catalogue", cat],
    ]


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    code: int
    out: str
    err: str
    seconds: float


class CaseTimeout(BaseException):
    """Raised by the alarm: a BaseException, so `guarded` cannot turn it into exit 3."""


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout(f"still running after {seconds:.0f} s")

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(args: Sequence[str], seconds: float = CASE_SECONDS, cwd: Path | None = None) -> Result:
    """`edgemodels ARGS` in this process, capturing its output, within `seconds`."""
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    here = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with _alarm(seconds), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(here)
    return Result(tuple(args), code, out.getvalue(), err.getvalue(), time.monotonic() - start)


def describe(result: Result) -> str:
    tail = (result.err or result.out)[-1500:]
    return f"edgemodels {' '.join(result.args)} -> exit {result.code}\n{tail}"
