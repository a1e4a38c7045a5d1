"""Run every scale benchmark of edgemodels next to its peer; print a table, write JSON.

    .venv/bin/python benchmarks/run.py            # the sizes of issue 8 (about 6 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # tiny sizes: proves the harness works

Each case is a whole process (wall time, peak RSS from wait4), run `--warmup` times
unrecorded and `--runs` times recorded; the table shows medians. A bar is judged on a
ratio against a peer measured in the same run on the same input (absolute times drift on
a shared machine). This is not a test: nothing here fails on a time; the exit status is
1 only when a command did not run as expected.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from measure import machine

from cases import CASES, FULL, HERE, QUICK, Bench, Row, memory_row

COMMANDS = ("check", "generate", "validate", "plan")


def registered_commands(exe: str) -> set[str]:
    """Commands listed by `edgemodels --help`."""
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False).stdout
    section = out.split("Commands:", 1)[1] if "Commands:" in out else ""
    return {m.group(1) for m in re.finditer(r"^\s{2}([a-z][a-z-]*)\s", section, re.M)}


def resolve_commands(notes: list[str]) -> dict[str, list[str] | None]:
    """argv prefix per command: the console script, else the module through cli_shim.py."""
    exe = shutil.which("edgemodels", path=str(Path(sys.executable).parent)) or shutil.which(
        "edgemodels"
    )
    found: dict[str, list[str] | None] = dict.fromkeys(COMMANDS)
    listed = registered_commands(exe) if exe else set()
    for name in COMMANDS:
        if exe and name in listed:
            found[name] = [exe, name]
        elif importlib.util.find_spec(f"edgemodels.cli.{name}") is not None:
            found[name] = [sys.executable, str(HERE / "cli_shim.py"), name]
            notes.append(f"`{name}` is not registered in the CLI yet: run through cli_shim.py")
        else:
            notes.append(f"`{name}` does not exist yet: its cases are skipped")
    return found


def revision() -> str:
    """The commit measured, with `+dirty` when the work tree had uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD")
    return head + ("+dirty" if head and git("status", "--porcelain", "--", "generator") else "")


def versions(commands: dict[str, list[str] | None]) -> dict[str, str]:
    def ask(argv: list[str]) -> str:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        return (done.stdout or done.stderr).strip().splitlines()[-1] if done.returncode == 0 else ""

    exe = Path(sys.executable).parent
    cjs = shutil.which("check-jsonschema", path=str(exe))
    return {
        "edgemodels": ask([str(exe / "edgemodels"), "--version"]),
        "check-jsonschema": ask([cjs, "--version"]) if cjs else "",
        "PyYAML": f"{yaml.__version__} (libyaml {'yes' if yaml.__with_libyaml__ else 'no'})",
        "commit": revision(),
    }


def _cell(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.2f}"


def table(rows: list[Row]) -> str:
    head = (
        "| case | input | edgemodels s | CPU s | peak RSS MiB | peer | peer s | figure | bar "
        "| verdict |"
    )
    lines = [head, "|" + " --- |" * 10]
    for r in rows:
        ours = r.ours if r.ours and r.ours.ok else None
        peer = r.peer if r.peer and r.peer.ok else None
        lines.append(
            f"| {r.case} | {r.size} | {_cell(ours.median if ours else None)} | "
            f"{_cell(ours.cpu if ours else None)} | {f'{ours.rss:.0f}' if ours else ''} | "
            f"{r.peer_name} | "
            f"{_cell(peer.median if peer else None)} | {r.figure} | {r.bar} | {r.verdict} |"
        )
    notes = [f"- {r.case}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes, 1 run, no warm-up")
    p.add_argument("--runs", type=int, help="recorded runs per command (default 5; quick 1)")
    p.add_argument("--warmup", type=int, help="unrecorded runs first (default 1; quick 0)")
    p.add_argument("--only", choices=sorted(CASES), action="append", help="run only this group")
    p.add_argument("--work", type=Path, help="folder for inputs and outputs (default: temp)")
    p.add_argument("--json", type=Path, help="where to write the results (default: results/)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    runs = args.runs or (1 if args.quick else 5)
    warmup = args.warmup if args.warmup is not None else (0 if args.quick else 1)
    kind = "quick" if args.quick else "full"
    work = args.work or Path(tempfile.mkdtemp(prefix=f"edgemodels-bench-{kind}-"))
    notes: list[str] = []
    # Every command runs on its own, as in CI: a user's `edgemodels server` must not take
    # them. The server's own rows say otherwise for their commands (cases.py).
    os.environ["EDGEMODELS_SERVER"] = "off"
    commands = resolve_commands(notes)
    bench = Bench(work, QUICK if args.quick else FULL, runs, warmup, commands, notes)
    started, load_before = time.time(), [round(x, 2) for x in os.getloadavg()]
    rows: list[Row] = []
    for name in args.only or list(CASES):
        rows += CASES[name](bench)
        if name == "check":
            rows.append(memory_row([r for r in rows if r.case == "check"]))
    report = {
        "kind": kind,
        "runs": runs,
        "warmup": warmup,
        "machine": {**machine(), "load_average_at_start": load_before},
        "versions": versions(commands),
        "seconds": round(time.time() - started, 1),
        "notes": notes,
        "rows": [r.as_json() for r in rows],
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.json or HERE / "results" / f"{stamp}-{kind}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    m = report["machine"]
    print(table(rows))
    print(f"\nmachine: {m}\nversions: {report['versions']}")  # type: ignore[index]
    print("\n".join(["", *(f"note: {n}" for n in notes)]) if notes else "")
    print(f"runs: {runs} after {warmup} warm-up; median shown; JSON: {out}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if any(r.verdict == "error" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
