"""The benchmark cases of issue 8, each with its peer and its bar.

Every case is a whole process measured by `measure.measure`; a row of the table pairs
edgemodels with the peer run in the same benchmark run on the same input, so the figure
that carries the bar is a ratio (or a rate), not an absolute time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import floor
import hubexport
import synth
from measure import Command, Result, measure, user_environment

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCHEMA = REPO / "schemas" / "catalogue.schema.json"
MIB_LIMIT = 1024


@dataclass(frozen=True)
class Sizes:
    scale: tuple[int, ...]  # models of the check (and memory) case, split one per file
    gen_models: int
    gen_targets: int
    plan_sites: int
    plan_models: int
    plan_targets: int


FULL = Sizes((500, 1000, 5000), 1000, 20, 5000, 500, 50)
QUICK = Sizes((10, 20), 8, 3, 40, 10, 4)


@dataclass
class Bench:
    """What every case needs: where to work, how to run each command, how often."""

    work: Path
    sizes: Sizes
    runs: int
    warmup: int
    commands: dict[str, list[str] | None]  # command -> argv prefix, None when absent
    notes: list[str] = field(default_factory=list)

    def run(
        self, *commands: Command, runs: int | None = None, warmup: int | None = None
    ) -> list[Result]:
        logs = self.work / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        names = ", ".join(c.name for c in commands)
        print(f"  running {names} ...", file=sys.stderr, flush=True)
        runs = self.runs if runs is None else min(runs, self.runs)
        warmup = self.warmup if warmup is None else warmup
        return measure(commands, logs, runs=runs, warmup=warmup)


@dataclass
class Row:
    case: str
    size: str
    ours: Result | None
    peer_name: str = ""
    peer: Result | None = None
    figure: str = ""
    bar: str = ""
    verdict: str = ""  # ok, MISS, skipped, error
    note: str = ""
    value: float | None = None  # the figure the bar is judged on

    def as_json(self) -> dict[str, object]:
        return {
            "case": self.case,
            "size": self.size,
            "edgemodels": self.ours.as_json() if self.ours else None,
            "peer_name": self.peer_name,
            "peer": self.peer.as_json() if self.peer else None,
            "figure": self.figure,
            "value": self.value,
            "bar": self.bar,
            "verdict": self.verdict,
            "note": self.note,
        }


def _failed(*results: Result | None) -> str | None:
    for r in results:
        if r is not None and not r.ok:
            return f"{r.name}: {r.error}"
    return None


def _judge(row: Row, value: float, passed: bool, figure: str) -> Row:
    row.value, row.figure = value, figure
    row.verdict = "ok" if passed else "MISS"
    return row


def _skipped(case: str, size: str, bar: str, why: str) -> Row:
    return Row(case, size, None, bar=bar, verdict="skipped", note=why)


# --- check ---------------------------------------------------------------------------------


def check_cases(bench: Bench) -> list[Row]:
    rows = []
    cjs = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    cjs = cjs or shutil.which("check-jsonschema")
    for n in bench.sizes.scale:
        spec = synth.Spec(n, min(50, max(2, n // 5)), 50, max(1, n // 25), seed=n, split=True)
        cat = synth.write(spec, bench.work / f"check-{n}")
        size = f"{n:,} models, 1 per file"
        bar = "<= 1.5x check-jsonschema"
        argv = bench.commands.get("check")
        if argv is None:
            rows.append(_skipped("check", size, bar, "edgemodels check is not available"))
            continue
        commands = [Command(f"check {n}", [*argv, str(cat)], bench.work)]
        if cjs:
            files = sorted(str(p) for p in cat.rglob("*.yaml"))
            peer = [cjs, "--schemafile", str(SCHEMA), *files]
            commands.append(Command(f"check-jsonschema {n}", peer, bench.work))
        results = bench.run(*commands)
        row = Row("check", size, results[0], bar=bar)
        if cjs:
            row.peer_name, row.peer = "check-jsonschema", results[1]
        else:
            row.note = "check-jsonschema not installed (pip install check-jsonschema)"
        rows.append(_finish_ratio(row, 1.5))
    return rows


def _finish_ratio(row: Row, limit: float) -> Row:
    error = _failed(row.ours, row.peer)
    if error:
        row.verdict, row.note = "error", error
        return row
    if row.peer is None or row.ours is None:
        row.verdict = row.verdict or "no peer"
        return row
    ratio = row.ours.median / row.peer.median
    return _judge(row, ratio, ratio <= limit, f"{ratio:.2f}x")


def memory_row(rows: list[Row]) -> Row:
    """Peak RSS of check over the scale sizes: under 1 GiB and about linear."""
    points = [
        (int(r.size.split()[0].replace(",", "")), r.ours.rss) for r in rows if r.ours and r.ours.ok
    ]
    size = " / ".join(f"{n:,}" for n, _ in points) + " models"
    bar = f"< {MIB_LIMIT} MiB, linear"
    if len(points) < 2:
        return _skipped("memory (check)", size, bar, "needs two check sizes")
    (n0, m0), (n1, m1) = points[0], points[-1]
    slope = (m1 - m0) / (n1 - n0) * 1000
    figure = " / ".join(f"{m:.0f}" for _, m in points) + f" MiB ({slope:.1f} MiB per 1,000 models)"
    row = Row("memory (check)", size, None, bar=bar)
    # Linear: the middle points lie within 25% (or 10 MiB) of the straight line.
    linear = all(
        abs(m - (m0 + (n - n0) * (m1 - m0) / (n1 - n0))) <= max(10.0, 0.25 * m) for n, m in points
    )
    return _judge(row, m1, m1 < MIB_LIMIT and linear, figure)


# --- generate, regenerate, validate ---------------------------------------------------------


TMPFS = Path("/dev/shm")


def generate_cases(bench: Bench) -> list[Row]:
    """On disk, as users run it; again in memory (tmpfs) when there is one, where file
    creation is cheap and what remains is edgemodels' own work (this VM's disk makes
    creating 10,000 files cost seconds, for generate and floor alike)."""
    s = bench.sizes
    size = f"{s.gen_models:,} models x {s.gen_targets} targets"
    gen = bench.commands.get("generate")
    if gen is None:
        why = "edgemodels generate is not available yet"
        return [
            _skipped("generate", size, "<= 3x floor (PyYAML C dumper)", why),
            _skipped("regenerate, 1 model changed", size, "<= 10% of generate", why),
            *validate_cases(bench, None, size),
        ]
    spec = synth.Spec(s.gen_models, s.gen_targets, 50, max(1, s.gen_models // 25), seed=7)
    rows, tree = _generate_rows(bench, gen, spec, bench.work / "gen", size, "")
    if TMPFS.is_dir() and os.access(TMPFS, os.W_OK):
        memory = Path(tempfile.mkdtemp(prefix="edgemodels-bench-", dir=TMPFS))
        try:
            rows += _generate_rows(bench, gen, spec, memory / "gen", size, ", tmpfs")[0]
        finally:
            _rm(memory)
    return rows + validate_cases(bench, tree, size)


def _generate_rows(
    bench: Bench, gen: list[str], spec: synth.Spec, base: Path, size: str, where: str
) -> tuple[list[Row], Path | None]:
    cat, out = synth.write(spec, base), base / "out"
    argv = [*gen, str(cat), "-o", str(out)]
    # One untimed generate gives the tree the floor re-dumps.
    first = subprocess.run(argv, cwd=base, capture_output=True, text=True, check=False)
    if first.returncode != 0:
        row = Row(f"generate{where}", size, None, bar="<= 3x floor", verdict="error")
        row.note = f"exit {first.returncode}: {(first.stdout + first.stderr)[-2000:]}"
        return [row], None
    pickled, floor_out = base / "floor.pickle", base / "floor-out"
    docs, files = floor.prepare(out, pickled)
    model_file = cat / "models" / f"{synth.model_name(min(7, spec.models - 1))}.yaml"
    # Each round: a full generate into an empty folder, the floor, then the same folder
    # regenerated after one model changed (the full generate just left it up to date), then
    # the regenerate's floor on that folder.
    served = _Server.start(gen, base, [*gen, str(cat), "-o", str(base / "out-server")])
    commands = [
        Command(f"generate{where}", argv, base, before=lambda _: _rm(out)),
        Command(
            f"floor{where}",
            [sys.executable, str(HERE / "floor.py"), str(pickled), str(floor_out)],
            base,
            before=lambda _: _rm(floor_out),
        ),
        Command(
            f"regenerate{where}",
            argv,
            base,
            before=lambda i: synth.bump_version(model_file, i + 1),
        ),
        Command(
            f"regenerate floor{where}",
            [sys.executable, str(HERE / "regen_floor.py"), str(cat), str(out)],
            base,
        ),
    ]
    if served is not None:  # the same change, regenerated by a running `edgemodels server`
        commands.append(
            Command(
                f"regenerate, server{where}",
                served.argv,
                base,
                before=lambda i: synth.bump_version(model_file, 1000 + i),
                env=served.env,
            )
        )
    try:
        full, low, again, least, *by_server = bench.run(*commands)
    finally:
        held = served.stop() if served is not None else None
    row = Row(f"generate{where}", size, full, "floor: C dumper only", low, bar="<= 3x floor")
    row.note = f"{files:,} files, {docs:,} YAML documents"
    rows = [_finish_ratio(row, 3.0)]
    bar = "<= 10% of generate"
    row = Row(f"regenerate, 1 model changed{where}", size, again, "generate", full, bar=bar)
    error = _failed(again, full, least)
    if error:
        row.verdict, row.note = "error", error
    else:
        share = again.median / full.median
        _judge(row, share, share <= 0.10, f"{share:.0%}")
        row.note = (
            f"floor {least.median:.2f} s ({least.median / full.median:.0%} of generate): "
            "start, import click, stat every catalogue and generated file (regen_floor.py)"
        )
    rows.append(row)
    if served is None:
        why = "edgemodels has no `server` command, or it did not start"
        rows.append(_skipped(f"regenerate, 1 model changed, server{where}", size, bar, why))
    else:
        sent = 1 + bench.warmup + bench.runs  # its priming generate, then every round's
        rows.append(_server_row(by_server[0], full, least, held, sent, size, where))
    return rows, out if full.ok else None


def _server_row(
    served: Result,
    full: Result,
    least: Result,
    held: _Held | None,
    sent: int,
    size: str,
    where: str,
) -> Row:
    """The regenerate of a running server: the command typed is the same, the process that
    runs is the client; the server's own memory is in the note. An error when the server
    did not run every one of them (a client it refuses runs the command on its own)."""
    bar = "<= 10% of generate"
    row = Row(f"regenerate, 1 model changed, server{where}", size, served, "generate", full)
    row.bar = bar
    error = _failed(served, full, least)
    if error is None and (held is None or held.commands != sent):
        ran = "an unknown number" if held is None else str(held.commands)
        refused = f": {held.refused}" if held is not None and held.refused else ""
        error = f"the server ran {ran} of the {sent} commands sent to it{refused}"
    if error:
        row.verdict, row.note = "error", error
        return row
    memory = held.memory if held is not None else None
    share = served.median / full.median
    _judge(row, share, share <= 0.10, f"{share:.0%}")
    held = f"{memory:.0f} MiB" if memory is not None else "not known"
    row.note = (
        "`edgemodels generate` while `edgemodels server` runs: the client sends the command "
        f"to the server, which keeps the last run in memory (server's resident memory: {held})"
    )
    return row


@dataclass
class _Server:
    """A private `edgemodels server` for the server rows: its own runtime folder, so it is
    neither a user's server nor taken by the other rows (run.py turns servers off)."""

    exe: str
    runtime: Path
    argv: list[str]

    @property
    def env(self) -> dict[str, str | None]:
        return {"EDGEMODELS_SERVER": None, "XDG_RUNTIME_DIR": str(self.runtime)}

    @classmethod
    def start(cls, gen: list[str], base: Path, argv: list[str]) -> _Server | None:
        """Started, with one generate run by it into its own folder (the first, a full
        one, is not measured), or None when there is no server command."""
        if len(gen) != 2 or gen[1] != "generate":
            return None  # run through cli_shim.py: no console script to be a client
        runtime = Path(tempfile.mkdtemp(prefix="edgemodels-bench-run-"))
        runtime.chmod(0o700)
        server = cls(gen[0], runtime, argv)
        # Not "0" (never): a server that starts after `server start` has given up on it
        # (a loaded host) is in a folder removed below, and must not run on for ever.
        if server._call("server", "start", "--idle-timeout", "30m").returncode != 0:
            _rm(runtime)
            return None
        first = subprocess.run(
            argv, cwd=base, capture_output=True, env=server._environment(), check=False
        )
        if first.returncode != 0:
            server.stop()
            return None
        return server

    def stop(self) -> _Held:
        """Stop it; what `server status` last said of it, and why it refused commands."""
        status = self._call("server", "status")
        memory = re.search(r"([0-9.]+) MiB", status.stdout)
        commands = re.search(r"^\s*commands\s+(\d+)$", status.stdout, re.M)
        self._call("server", "stop")
        log = self.runtime / "edgemodels" / "server.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        refused = [line.split(" ", 2)[2] for line in text.splitlines() if ": not run: " in line]
        _rm(self.runtime)
        return _Held(
            float(memory[1]) if memory else None,
            int(commands[1]) if commands else -1,
            refused[-1][:500] if refused else "",
        )

    def _call(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.exe, *args],
            capture_output=True,
            text=True,
            env=self._environment(),
            check=False,
            timeout=120,
        )

    def _environment(self) -> dict[str, str]:
        """The measured commands' environment (measure.run_once): a server takes only the
        commands of clients started with its own interpreter settings, and without
        PYTHONDONTWRITEBYTECODE is one of them."""
        environment = {k: v for k, v in user_environment().items() if k != "EDGEMODELS_SERVER"}
        return {**environment, "XDG_RUNTIME_DIR": str(self.runtime)}


@dataclass(frozen=True)
class _Held:
    """What a stopped server said of itself."""

    memory: float | None  # resident MiB
    commands: int  # commands it ran (-1: not known)
    refused: str  # the last `not run:` line of its log


def _rm(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def count_manifests(tree: Path) -> int:
    """Fallback count: YAML documents with a kind outside templates and kustomizations."""
    count = 0
    for path in tree.rglob("*.yaml"):
        if "templates" in path.parts or path.name == "kustomization.yaml":
            continue
        text = path.read_text(encoding="utf-8")
        count += sum(1 for line in text.splitlines() if line.startswith("kind: "))
    return count


def count_validated(tree: Path) -> tuple[int, str]:
    """Objects validate checks, from one counting run of it (untimed; the case warms up too)."""
    argv = [sys.executable, str(HERE / "validate_count.py"), str(tree)]
    done = subprocess.run(argv, cwd=tree.parent, capture_output=True, text=True, check=False)
    last = done.stdout.strip().splitlines()[-1:] or [""]
    if done.returncode in (0, 1) and last[0].startswith("objects: "):
        return int(last[0].split()[1]), "objects validated"
    return count_manifests(tree), "objects in the tree's plain files (validate_count.py failed)"


def validate_cases(bench: Bench, tree: Path | None, size: str) -> list[Row]:
    """The full validate (no result cache: the bar is on the whole job), the first run
    with the cache (it writes it), and the run after one model changed (it takes the
    others from it)."""
    bar = ">= 2,000 manifests/s"
    argv = bench.commands.get("validate")
    rows = []
    if argv is None or tree is None:
        why = "edgemodels validate is not available yet" if argv is None else "no generated tree"
        rows.append(_skipped("validate (builtin)", size, bar, why))
    else:
        rows += _validate_rows(bench, argv, tree, size, bar)
    if shutil.which("kubeconform") is None:
        rows.append(
            _skipped("validate vs kubeconform", size, ">= kubeconform", "kubeconform not on PATH")
        )
    return rows


def _validate_rows(bench: Bench, argv: list[str], tree: Path, size: str, bar: str) -> list[Row]:
    objects, what = count_validated(tree)
    builtin = [*argv, "--validator", "builtin", str(tree)]
    cache = bench.work / "validate-cache"  # the schemas and, for the last two, the results
    env = {"EDGEMODELS_CACHE_DIR": str(cache)}
    commands = [
        Command("validate", [*builtin, "--no-cache"], bench.work, frozenset({0, 1}), env=env)
    ]
    gen, cat = bench.commands.get("generate"), tree.parent / "catalogue"
    cached = "--no-cache" in _help(argv) and gen is not None and cat.is_dir()
    if cached:
        model_file = cat / "models" / f"{synth.model_name(3)}.yaml"
        regenerate = [*gen, str(cat), "-o", str(tree)]

        def one_changed(i: int) -> None:  # untimed: the tree as generate leaves it
            synth.bump_version(model_file, 5000 + i)
            subprocess.run(regenerate, cwd=bench.work, capture_output=True, check=True)

        commands += [
            Command(
                "validate, cache written",
                builtin,
                bench.work,
                frozenset({0, 1}),
                before=lambda _: _rm(cache / "validate"),
                env=env,
            ),
            Command("validate again", builtin, bench.work, frozenset({0, 1}), one_changed, env),
        ]
    full, *more = bench.run(*commands)
    row = Row("validate (builtin)", size, full, bar=bar)
    if not full.ok:
        row.verdict, row.note = "error", full.error or ""
        return [row]
    rate = objects / full.median
    row.note = f"{objects:,} {what}; --no-cache: the whole job"
    rows = [_judge(row, rate, rate >= 2000, f"{rate:,.0f}/s")]
    if not cached:
        why = "validate has no result cache (--no-cache), or no catalogue to change"
        return [*rows, _skipped("validate again, 1 model changed", size, "", why)]
    written, again = more
    first = Row("validate, first run with the cache", size, written, "validate", full)
    first.note = "it writes the cache: a run on a tree it has not seen"
    rows.append(_ratio_row(first, written, full))
    row = Row("validate again, 1 model changed", size, again, "validate", full)
    row.note = "the other models' results taken from the cache of the run before"
    rows.append(_ratio_row(row, again, full))
    return rows


def _ratio_row(row: Row, ours: Result, full: Result) -> Row:
    if not ours.ok:
        row.verdict, row.note = "error", ours.error or ""
        return row
    share = ours.median / full.median
    row.value, row.figure, row.verdict = share, f"{share:.0%}", "info"  # no bar set
    return row


def _help(argv: list[str]) -> str:
    done = subprocess.run([*argv, "--help"], capture_output=True, text=True, check=False)
    return done.stdout


# --- plan ----------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", *ident, *args], cwd=cwd, check=True, capture_output=True)


def prepare_plan(bench: Bench) -> tuple[Path, Path]:
    """A git repo whose HEAD holds the catalogue and whose work tree changes 5% of models."""
    s = bench.sizes
    spec = synth.Spec(s.plan_models, s.plan_targets, s.plan_sites, max(1, s.plan_models // 10), 3)
    base = bench.work / "plan"
    _rm(base)
    cat = synth.write(spec, base)
    _git(base, "init", "-q")
    _git(base, "add", "-A")
    _git(base, "commit", "-q", "-m", "base")
    for i in range(0, s.plan_models, 20):
        synth.bump_version(cat / "models" / f"{synth.model_name(i)}.yaml", 1)
    return cat, base / "sites.yaml"


def plan_cases(bench: Bench) -> list[Row]:
    s = bench.sizes
    size = f"{s.plan_sites:,} sites x {s.plan_models} models x {s.plan_targets} targets, --base"
    bar = "< 1 s beyond loading"
    argv = bench.commands.get("plan")
    if argv is None:
        return [_skipped("plan", size, bar, "edgemodels plan is not available yet")]
    cat, sites = prepare_plan(bench)
    cwd = cat.parent
    plan_argv = [*argv, "--inventory", str(sites), "--base", "HEAD", str(cat)]
    load_argv = [sys.executable, str(HERE / "plan_load.py"), str(sites), str(cat), "HEAD"]
    ours, loading = bench.run(
        Command("plan", plan_argv, cwd, expect=frozenset({0, 1})),
        Command("plan: loading only", load_argv, cwd),
    )
    row = Row("plan", size, ours, "loading only", loading, bar=bar)
    error = _failed(ours, loading)
    if error:
        row.verdict, row.note = "error", error
        return [row]
    beyond = ours.median - loading.median
    return [_judge(row, beyond, beyond < 1.0, f"{beyond:.2f} s beyond loading")]


def hub_export_cases(bench: Bench) -> list[Row]:
    """The plan's sites read from a hub export (`kubectl get managedclusters -o yaml`, and
    `-o json`) against the same plan reading the SiteInventory of the same sites: what
    reading an export costs beyond the sites themselves (a ManagedCluster is some 6 KB of
    YAML, a site 0.2 KB)."""
    s = bench.sizes
    argv = bench.commands.get("plan")
    sites = s.plan_sites * 3 // 5  # 3,000 at full size
    size = f"{sites:,} clusters, {s.plan_models} models x {s.plan_targets} targets"
    if argv is None:
        return [_skipped("plan, hub export", size, "", "edgemodels plan is not available")]
    base = bench.work / "hub"
    _rm(base)
    spec = synth.Spec(s.plan_models, s.plan_targets, sites, max(1, s.plan_models // 10), 3)
    cat = synth.write(spec, base)
    exports = [
        hubexport.write(base / f"clusters.{kind}", sites, spec.seed, kind == "json")
        for kind in ("yaml", "json")
    ]
    commands = [
        Command(f"plan -i {path.name}", [*argv, "-i", str(path), str(cat)], base, frozenset({0, 1}))
        for path in (base / "sites.yaml", *exports)
    ]
    inventory, *by_export = bench.run(*commands)
    rows = []
    for path, ours in zip(exports, by_export, strict=True):
        kind = path.suffix[1:].upper()
        row = Row(f"plan, hub export ({kind})", size, ours, "SiteInventory", inventory)
        row.note = (
            f"{path.stat().st_size / 2**20:.1f} MiB export against "
            f"{(base / 'sites.yaml').stat().st_size / 2**20:.1f} MiB of SiteInventory"
        )
        rows.append(_ratio_row(row, ours, inventory))
    return rows


CASES: dict[str, Callable[[Bench], list[Row]]] = {
    "check": check_cases,
    "generate": generate_cases,
    "plan": plan_cases,
    "hub export": hub_export_cases,
}
