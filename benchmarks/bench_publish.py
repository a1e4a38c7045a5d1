"""A publish after one model's version changed, at fleet scale (not a test).

    .venv/bin/python benchmarks/bench_publish.py [--runs 5] [--models 1000] [--targets 20]
        [--workdir] [--peer-src /tmp/old/generator]

Makes the fleet with synth.py, publishes it to a bare repository on disk, changes one
model's version, then times that second publish as a whole process, each run on a fresh
copy of the repository (and of the kept clone, with --workdir): wall time, CPU time of it
and its git programs, and peak RSS, from GNU time. With --peer-src, the same command from
another source tree (PYTHONPATH) runs interleaved with it (A B A B ...), so a before/after
comparison sees the same machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from synth import bump_version

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "generator"
BRANCH = "deploy"


def run(args: list[str], src: Path, cwd: Path, timed: Path | None = None) -> None:
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, "-m", "edgemodels", *args]
    if timed is not None:
        command = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(timed), *command]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")


def prepare(work: Path, sides: dict[str, Path], models: int, targets: int, workdir: bool) -> None:
    """work/catalogue, a pristine repository holding it, with --workdir each side's clone
    of it as that side's publish leaves it; then one model's version changes."""
    fleet = work / "fleet"
    synth = [sys.executable, str(HERE / "synth.py"), "-o", str(fleet), "--models", str(models)]
    synth += ["--targets", str(targets), "--sites", "50", "--workloads", "40", "--seed", "7"]
    subprocess.run([*synth, "--split"], check=True, capture_output=True)
    shutil.move(fleet / "catalogue", work / "catalogue")
    bare = work / "pristine.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    publish = ["publish", "catalogue", "--repo", str(bare), "--branch", BRANCH]
    run(publish, SOURCE, work)
    subprocess.run(["git", "--git-dir", str(bare), "gc", "-q"], check=True)
    for side, src in sides.items() if workdir else ():
        run([*publish, "--workdir", str(work / f"pristine-{side}-clone")], src, work)
    bump_version(sorted((work / "catalogue" / "models").glob("m00005-*.yaml"))[0], 1)


def one_run(work: Path, side: str, src: Path, workdir: bool) -> tuple[float, ...]:
    repo, clone = work / f"{side}.git", work / f"{side}-clone"
    for path in (repo, clone):
        shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(work / "pristine.git", repo)
    args = ["publish", "catalogue", "--repo", str(repo), "--branch", BRANCH]
    if workdir:
        shutil.copytree(work / f"pristine-{side}-clone", clone, symlinks=True)
        subprocess.run(
            ["git", "-C", str(clone), "remote", "set-url", "origin", str(repo)], check=True
        )
        args += ["--workdir", str(clone)]
    timed = work / "time"
    run(args, src, work, timed)
    wall, user, system, rss = timed.read_text().split()[-4:]
    return float(wall), float(user) + float(system), float(rss) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--workdir", action="store_true", help="publish with a kept clone")
    parser.add_argument("--peer-src", type=Path, help="another source tree, run interleaved")
    options = parser.parse_args()
    sides = {"this": SOURCE, **({"peer": options.peer_src} if options.peer_src else {})}
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as temp:
        work = Path(temp)
        prepare(work, sides, options.models, options.targets, options.workdir)
        samples: dict[str, list[tuple[float, ...]]] = {side: [] for side in sides}
        for _ in range(options.runs):
            for side, src in sides.items():
                samples[side].append(one_run(work, side, src, options.workdir))
    print("| source | wall s (median, min-max) | CPU s with git | peak RSS MiB |")
    print("| --- | --- | --- | --- |")
    for side, rows in samples.items():
        walls = [r[0] for r in rows]
        print(
            f"| {sides[side]} | {statistics.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f})"
            f" | {statistics.median(r[1] for r in rows):.2f}"
            f" | {statistics.median(r[2] for r in rows):.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
