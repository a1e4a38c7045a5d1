"""helmlog: what Helm's Go code writes to stderr is caught per call, the rest passed on."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import helm_python
import pytest

from edgemodels.validate import golog, helmlog

CHART = "apiVersion: v2\nname: shapes\nversion: 0.1.0\n"
TEMPLATE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n"
SKIPPED = "warning: skipped value for shapes.port: Not a table."


def _chart(folder: Path, values: str) -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text(CHART)
    (folder / "values.yaml").write_text(values)
    (folder / "templates" / "cm.yaml").write_text(TEMPLATE)
    return folder


@pytest.fixture
def chart(tmp_path: Path) -> Iterator[helm_python.Chart]:
    loaded = helm_python.Chart.load(str(_chart(tmp_path / "shapes", "port: 80\n")))
    yield loaded
    loaded.close()


def test_a_calls_warnings_are_its_own_and_not_on_stderr(
    chart: helm_python.Chart, capfd: pytest.CaptureFixture[str]
) -> None:
    heard: list[str] = []
    helmlog.call(lambda: chart.render({"port": {"a": 1}}, name="r", namespace="n"), heard)
    assert heard == [SKIPPED]
    clean: list[str] = []
    helmlog.call(lambda: chart.render({}, name="r", namespace="n"), clean)
    assert clean == []
    assert capfd.readouterr().err == ""


def test_a_call_that_raises_still_gives_its_lines(tmp_path: Path) -> None:
    folder = _chart(tmp_path / "shapes", "port: 80\n")
    (folder / "templates" / "bad.yaml").write_text('a: {{ required "x" .Values.x }}\n')
    heard: list[str] = []
    with helm_python.Chart.load(str(folder)) as loaded, pytest.raises(helm_python.HelmError):
        helmlog.call(lambda: loaded.render({"port": {"a": 1}}, name="r", namespace="n"), heard)
    assert heard == [SKIPPED]


def test_what_is_not_helms_is_passed_on_in_order(
    chart: helm_python.Chart, capfd: pytest.CaptureFixture[str]
) -> None:
    # Written to fd 2 while the pipe is in place (as another thread would): on stderr still.
    def render() -> object:
        os.write(2, b"before, ")
        done = chart.render({"port": {"a": 1}}, name="r", namespace="n")
        os.write(2, b"12/200 no newline")  # a progress bar's end: may begin a date
        return done

    heard: list[str] = []
    helmlog.call(render, heard)
    print("after", file=sys.stderr)
    assert heard == [SKIPPED]
    assert capfd.readouterr().err == "before, 12/200 no newlineafter\n"


FOREIGN = b"2026/11/30 06:00:00 listening on :8080 (another thread's log)\n"


def test_a_line_shaped_like_gos_log_but_not_helms_is_passed_on_unchanged(
    chart: helm_python.Chart, capfd: pytest.CaptureFixture[str]
) -> None:
    # Another thread's (or child's) Go log line, written while a Helm call runs, is not
    # Helm's: only Helm's known messages are caught.
    def render() -> object:
        os.write(2, FOREIGN)
        done = chart.render({"port": {"a": 1}}, name="r", namespace="n")
        os.write(2, b"2026/11/30 06:00:01 warning: from another library\n")
        return done

    heard: list[str] = []
    helmlog.call(render, heard)
    assert heard == [SKIPPED]
    assert capfd.readouterr().err == (
        FOREIGN.decode() + "2026/11/30 06:00:01 warning: from another library\n"
    )


LATE = """
import os, time
time.sleep(0.5)
os.write(2, b"2026/11/30 06:00:00 WARN caf\\xe9 from a child\\n")
"""


def test_a_go_log_line_after_the_calls_is_passed_on_whole(
    chart: helm_python.Chart, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    # A child started during a call holds the pipe: what it writes once no call runs is
    # nobody's, and goes on as it was written (its date, bytes that are not UTF-8).
    children: list[subprocess.Popen[bytes]] = []

    def render() -> object:
        children.append(subprocess.Popen([sys.executable, "-c", LATE]))
        return chart.render({}, name="r", namespace="n")

    helmlog.call(render, [])
    children[0].wait(30)
    deadline = time.monotonic() + 10
    while not (err := capfdbinary.readouterr().err) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert err == b"2026/11/30 06:00:00 WARN caf\xe9 from a child\n"


def test_a_stderr_made_non_blocking_elsewhere_loses_nothing(chart: helm_python.Chart) -> None:
    # A pipe that a slow reader empties, set non-blocking (as some parent processes leave
    # a shared stderr): what is passed on waits for room rather than being dropped.
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    saved = os.dup(2)
    got = bytearray()

    def read_slowly() -> None:
        time.sleep(0.3)  # the pipe is full by then
        while chunk := os.read(read_end, 4096):
            got.extend(chunk)

    def render() -> object:
        os.write(2, b"x" * 150_000)  # more than the pipe holds
        return chart.render({}, name="r", namespace="n")

    reader = threading.Thread(target=read_slowly)
    reader.start()
    try:
        os.dup2(write_end, 2)
        helmlog.call(render, [])
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write_end)
    reader.join()
    os.close(read_end)
    assert len(got) == 150_000


def test_renders_side_by_side_each_get_exactly_their_own(
    chart: helm_python.Chart, capfd: pytest.CaptureFixture[str]
) -> None:
    # Threads share fd 2: lines read while two calls ran are made exact by running those
    # calls again alone.
    heard: dict[int, list[str]] = {}

    def work(i: int) -> None:
        mine: list[str] = []
        values = {"port": {"a": i}} if i % 3 == 0 else {}
        for _ in range(25):
            helmlog.call(lambda: chart.render(values, name="r", namespace="n"), mine)
        heard[i] = mine

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {i: len(lines) for i, lines in heard.items()} == {
        i: 25 if i % 3 == 0 else 0 for i in range(6)
    }
    assert {line for lines in heard.values() for line in lines} == {SKIPPED}
    assert capfd.readouterr().err == ""


def test_a_call_that_logs_more_than_a_pipe_holds_ends(tmp_path: Path) -> None:
    # 3,000 warnings, ~250 KiB: without the reader thread Helm's write would wait for ever.
    keys = [f"key{i:04d}" for i in range(3000)]
    folder = _chart(tmp_path / "shapes", "".join(f"{k}: 1\n" for k in keys))
    heard: list[str] = []
    done = threading.Event()

    def render() -> None:
        with helm_python.Chart.load(str(folder)) as loaded:
            values = {k: {"a": 1} for k in keys}
            helmlog.call(lambda: loaded.render(values, name="r", namespace="n"), heard)
        done.set()

    threading.Thread(target=render, daemon=True).start()
    assert done.wait(60), "the render never ended"
    assert {f"warning: skipped value for shapes.{k}: Not a table." for k in keys} <= set(heard)


def test_a_value_over_several_lines_is_one_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    folder = _chart(tmp_path / "shapes", "outer:\n  cfg: |\n    line1\n    line2\n")
    heard: list[str] = []
    values = {"outer": {"cfg": {"a": 1}}}
    with helm_python.Chart.load(str(folder)) as loaded:
        helmlog.call(lambda: loaded.render(values, name="r", namespace="n"), heard)
    assert heard == [
        "warning: destination for shapes.outer.cfg is a table. Ignoring non-table value "
        "(line1\nline2\n)"
    ]
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize(
    ("data", "kept"),
    [(b"plain text", b""), (b"text 2026/11/3", b"2026/11/3"), (b"progress 12", b"12")],
)
def test_what_may_begin_a_date_waits_for_the_rest(data: bytes, kept: bytes) -> None:
    assert data[golog.line_start(data) :] == kept


def test_a_line_not_yet_whole_waits() -> None:
    line = b"2026/11/30 04:22:20 warning: destination for a is a table. Ignoring non-table value (x"
    assert golog.line_end(line + b"\n", 20) is None  # its value goes on
    assert golog.line_end(line + b"\ny)\n", 20) == len(line) + 3
    assert golog.line_end(b"2026/11/30 04:22:20 INFO x", 20) is None


DIES_IN_A_CALL = """
import os
for _ in range(12):
    os.open(os.devnull, os.O_RDONLY)  # the pipe's descriptors above 9
from edgemodels.validate import golog, helmlog
helmlog.call(lambda: print("a line", flush=True), [])

def crash():
    os.write(2, b"fatal error: last words\\n")
    os._exit(2)  # as Go's runtime ends a process: no cleanup

helmlog.call(crash, [])
"""


def test_a_process_that_dies_inside_a_call_still_says_its_last_words() -> None:
    # The reader thread dies with the process: alone it passed them on in 4 of 20 runs.
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-c", DIES_IN_A_CALL], capture_output=True, timeout=60, check=False
        )
        assert (done.returncode, done.stdout, done.stderr) == (
            2,
            b"a line\n",
            b"fatal error: last words\n",
        )


FORKS_A_DAEMON = """
import os, sys, time
from edgemodels.validate import golog, helmlog
helmlog.call(lambda: print("a line", flush=True), [])
if os.fork() == 0:  # a daemon: its stdio elsewhere, alive after this process ends
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    time.sleep(120)
    os._exit(0)
helmlog.call(lambda: os.write(2, b"last words\\n"), [])
"""


def test_a_reader_of_its_stderr_does_not_wait_for_a_forked_child() -> None:
    # The keeper holds the stderr it was given until its lifeline closes: a child forked
    # without exec held that too, and a pipe reader waited for the child to end.
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", FORKS_A_DAEMON], capture_output=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, b"a line\n", b"last words\n")
    assert time.monotonic() - started < 60  # the daemon lives 120 s
