"""Measuring one command as a whole process: wall time, CPU time and peak resident memory.

The peak RSS is GNU time's `%M` (`/usr/bin/time -f %M`): the maximum RSS of the measured
process and its descendants. Asking the kernel directly from here (`os.wait4`,
`getrusage(RUSAGE_CHILDREN)`) would be wrong: Linux charges a child with the RSS of the
process it was forked from, as it stood when the child called exec, so every figure
would be at least the harness's own size. `time` is a few MiB; without it we fall back to
`wait4` and the figure is an upper bound (noted in the result).

The CPU time is user + system of the process and every descendant it waited for (kubectl,
a build process): on two cores, a run that keeps both busy shows about twice its wall
time, which says whether a case is bound by CPU or by waiting.

Commands run without PYTHONDONTWRITEBYTECODE, as on a user's machine: Python then keeps
the bytecode of the modules it compiles (the warm-up run writes it). Where the variable is
set, as on the machine these figures come from, every run of edgemodels (installed
editable, from its source tree) compiled its own modules again (0.06 s of a 0.6 s
regenerate), while the peers, installed from wheels, had theirs compiled at install time.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

KIB = 1024


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mib: float
    returncode: int
    cpu_s: float


@dataclass
class Result:
    """All samples of one command; the median is what the table shows."""

    name: str
    command: list[str]
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def rss(self) -> float:
        return statistics.median(s.rss_mib for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu_s for s in self.samples)

    def as_json(self) -> dict[str, object]:
        return {
            "command": self.command,
            "error": self.error,
            "median_s": round(self.median, 4) if self.ok else None,
            "min_s": round(min(s.seconds for s in self.samples), 4) if self.ok else None,
            "max_s": round(max(s.seconds for s in self.samples), 4) if self.ok else None,
            "peak_rss_mib": round(max(s.rss_mib for s in self.samples), 1) if self.ok else None,
            "median_cpu_s": round(self.cpu, 3) if self.ok else None,
            "samples": [
                {
                    "s": round(s.seconds, 4),
                    "cpu_s": round(s.cpu_s, 3),
                    "rss_mib": round(s.rss_mib, 1),
                    "rc": s.returncode,
                }
                for s in self.samples
            ],
        }


GNU_TIME = "/usr/bin/time"


def user_environment() -> dict[str, str]:
    """This environment as a user's shell has it: bytecode is written (see above)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(
    command: Sequence[str], cwd: Path, log: Path, env: Mapping[str, str | None] | None = None
) -> Sample:
    """Run `command` to completion; its output goes to `log` (kept for the last run). `env`
    changes the environment (None removes a variable)."""
    environment = user_environment()
    for key, value in (env or {}).items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    peak_file = log.with_suffix(".rss")
    timed = os.access(GNU_TIME, os.X_OK)
    argv = [GNU_TIME, "-f", "%M", "-o", str(peak_file), *command] if timed else list(command)
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=environment
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    kib = usage.ru_maxrss
    if timed:
        lines = peak_file.read_text(encoding="utf-8").split()
        kib = int(lines[-1]) if lines and lines[-1].isdigit() else kib
    cpu = usage.ru_utime + usage.ru_stime  # GNU time's own share is a millisecond or two
    return Sample(seconds, kib / KIB, proc.returncode, cpu)


@dataclass(frozen=True)
class Command:
    """One command of a case; `before(i)` prepares run i and is not timed."""

    name: str
    argv: Sequence[str]
    cwd: Path
    expect: frozenset[int] = frozenset({0})
    before: Callable[[int], None] | None = None
    env: Mapping[str, str | None] | None = None  # changes to the environment


def measure(commands: Sequence[Command], logs: Path, *, runs: int, warmup: int) -> list[Result]:
    """`warmup` unrecorded rounds, then `runs` recorded ones, the commands interleaved.

    Interleaving (A B A B ...) rather than A A A B B B makes a case and its peer share
    whatever else the machine is doing at the time, so their ratio holds on a busy host.
    Dirty pages are synced before every run so one run's writes are not paid by the next.
    """
    results = [Result(c.name, list(c.argv)) for c in commands]
    for i in range(warmup + runs):
        for command, result in zip(commands, results, strict=True):
            if result.error is not None:
                continue
            if command.before is not None:
                command.before(i)
            os.sync()
            log = logs / f"{command.name.replace(' ', '_').replace('/', '_')}.log"
            sample = run_once(command.argv, command.cwd, log, command.env)
            if sample.returncode not in command.expect:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                result.error = (
                    f"exit {sample.returncode} (expected {sorted(command.expect)}): {tail}"
                )
            elif i >= warmup:
                result.samples.append(sample)
    return results


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    cpu = ""
    mem_kib = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / KIB / KIB, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
