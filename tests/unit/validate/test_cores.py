"""The two processes of a validate run share the cores: each keeps to its share while both
work, and the one that finishes first hands its share to the other."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest

from edgemodels.validate import cores, kubectl, offload
from edgemodels.validate.cores import Gate
from edgemodels.validate.discover import discover

from .trees import add_overlays, stand_in

pytestmark = pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for kubectl")


def test_the_shares_leave_every_process_a_core() -> None:
    assert [cores.split(n) for n in (1, 2, 3, 4, 8)] == [(1, 1), (1, 1), (2, 1), (2, 2), (4, 4)]


def test_a_gate_lets_in_by_arrival_and_widens() -> None:
    gate, order, inside, most = Gate(1), [], [0], [0]
    lock = threading.Lock()

    def hold(n: int) -> None:
        with gate:
            with lock:
                order.append(n)
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    threads = []
    for n in range(6):  # each arrives after the one before it has taken its turn's ticket
        threads.append(threading.Thread(target=hold, args=(n,)))
        threads[-1].start()
        deadline = time.monotonic() + 60
        while gate._next_ticket <= n:  # a loaded host may not have run the thread yet
            assert time.monotonic() < deadline
            time.sleep(0.001)
    for thread in threads:
        thread.join()
    assert order == list(range(6)) and most[0] == 1
    gate.widen(2)
    assert gate.width == 3


@pytest.mark.parametrize("available", [1, 2, 4])
def test_renders_keep_to_their_share_until_the_build_process_answers(
    tree: Path, monkeypatch: pytest.MonkeyPatch, available: int
) -> None:
    monkeypatch.setattr(offload.cores, "available", lambda: available)
    monkeypatch.setattr(offload, "PROCESS_MIN_TARGETS", 1)  # a process, but on one core
    with offload.building(tree, policies=False) as builds:
        builds.use(discover(tree))
        gate = builds.render_gate()
        assert gate.width == (cores.split(available)[0] if available > 1 else 1)
        builds.result(None)
        deadline = time.monotonic() + 10  # the answer's callback may run just after
        while gate.width < available and time.monotonic() < deadline:
            time.sleep(0.01)
        assert gate.width == available


def test_without_a_build_process_renders_use_every_core(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offload.cores, "available", lambda: 2)  # the tree is small: a thread
    with offload.building(tree, policies=False) as builds:
        builds.use(discover(tree))
        assert builds.render_gate().width == 2
        builds.result(None)


# Says how many builds run as it starts one, then takes a while; builds nothing.
COUNTING_KUBECTL = """#!/bin/sh
touch "$KUBECTL_RUNNING/$$"
ls "$KUBECTL_RUNNING" | wc -l >> "$KUBECTL_LOG"
sleep 0.3
rm "$KUBECTL_RUNNING/$$"
"""


@pytest.mark.skipif(cores.available() < 2, reason="one core: no build process")
def test_the_build_process_keeps_to_its_share_until_renders_are_done(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = cores.split(cores.available())[1]
    add_overlays(tree, 3 * share + 4, distinct=True)  # an aggregate each
    running, log = tmp_path / "running", tmp_path / "log"
    running.mkdir()
    monkeypatch.setenv("PATH", stand_in(tmp_path, "kubectl", COUNTING_KUBECTL))
    monkeypatch.setenv("KUBECTL_RUNNING", str(running))
    monkeypatch.setenv("KUBECTL_LOG", str(log))
    monkeypatch.setattr(offload, "PROCESS_MIN_TARGETS", 1)

    def counts() -> list[int]:
        return [int(n) for n in log.read_text().split()] if log.exists() else []

    with offload.building(tree, policies=False) as builds:
        builds.use(discover(tree))
        deadline = time.monotonic() + 30
        while len(counts()) < share + 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        before = counts()
        builds.renders_done()
        builds.result(None)
    after = counts()[len(before) :]
    assert len(before) >= share + 2 and max(before) <= share
    assert after and max(after) > share  # every core builds now


KUBECTL_BY_MEMBER = """#!/bin/sh
# kubectl kustomize FOLDER: 10 ms and one ConfigMap per member of FOLDER
n=$(grep -c '^- ' "$2/kustomization.yaml")
echo "$(basename "$2") $n" >> "$(dirname "$0")/log"
sleep "$(awk "BEGIN { print $n / 100 }")"
sed -n 's/^- //p' "$2/kustomization.yaml" | while read -r e; do printf -- '---\\nname: %s\\n' "$e"; done
"""


def _aggregate(folder: Path, members: list[str]) -> Path:
    folder.mkdir()
    (folder / "kustomization.yaml").write_text("".join(f"- {m}\n" for m in members))
    return folder


def test_the_last_build_is_made_two_when_another_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # g0 (40 members) and g1 (80) start together; when g0 ends, g1 has about 40 members'
    # time left, so g2 (100) is made two: about 70 now, 30 when g1 ends, both ending
    # together, instead of all of it on one core after g1 is done. (With 60 members, the
    # 50 to build now was on the bound of the 10 the second part needs: a loaded host's
    # slower start of g1 made it no split.)
    monkeypatch.setenv("PATH", stand_in(tmp_path, "kubectl", KUBECTL_BY_MEMBER))
    monkeypatch.setattr(kubectl.cores, "available", lambda: 2)
    members = {
        f"g{n}": [f"g{n}-{m:02d}" for m in range(size)] for n, size in enumerate((40, 80, 100))
    }
    folders = [_aggregate(tmp_path / name, names) for name, names in members.items()]

    def split(folder: Path, first: int) -> tuple[Path, Path]:
        names = members[folder.name]
        return (
            _aggregate(folder.with_name(f"{folder.name}a"), names[:first]),
            _aggregate(folder.with_name(f"{folder.name}b"), names[first:]),
        )

    sizes = [len(names) for names in members.values()]
    builds = list(kubectl.run_all("kubectl", folders, None, sizes, split))
    assert [[size for size, _ in parts] for parts in builds][:2] == [[40], [80]]
    outcomes = [[outcome() for _, outcome in parts] for parts in builds]
    assert all(ok for parts in outcomes for ok, _ in parts)
    names = [
        [n for _, text in parts for n in re.findall(r"name: (\S+)", text)] for parts in outcomes
    ]
    assert names == list(members.values())
    (first, a), (second, b) = builds[2]
    assert (first, second) == (len(re.findall("name:", a()[1])), len(re.findall("name:", b()[1])))
    built = dict(line.split() for line in (tmp_path / "bin" / "log").read_text().splitlines())
    assert set(built) == {"g0", "g1", "g2a", "g2b"}
    assert int(built["g2a"]) + int(built["g2b"]) == 100
    assert int(built["g2a"]) > int(built["g2b"]) >= kubectl.MIN_PART


KUBECTL_HELD = """#!/bin/sh
# kubectl kustomize FOLDER: a folder named ...b says it started (the file "started"),
# then waits (up to 10 s) for the file "go"
here=$(dirname "$0")
case "$2" in *b)
  touch "$here/started"
  for i in $(seq 100); do [ -e "$here/go" ] && break; sleep 0.1; done
  [ -e "$here/go" ] || { echo "not let go" >&2; exit 1; } ;;
esac
echo "built: $(basename "$2")"
"""


def test_the_first_part_comes_while_the_second_still_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The caller handles a build's first part as soon as it is built: here the second part
    # is held until the first has come (it would never come if the two came together).
    monkeypatch.setenv("PATH", stand_in(tmp_path, "kubectl", KUBECTL_HELD))
    monkeypatch.setattr(kubectl._Pace, "first_part", lambda self, size: 30)
    folders = [_aggregate(tmp_path / "g0", [f"m{n}" for n in range(40)])]

    def split(folder: Path, first: int) -> tuple[Path, Path]:
        return _aggregate(tmp_path / "g0a", []), _aggregate(tmp_path / "g0b", [])

    builds = kubectl.run_all("kubectl", folders, None, [40], split)  # kept: closing it waits
    ((first, a), (rest, b)) = next(builds)
    assert (first, rest) == (30, 10)
    assert a() == (True, "built: g0a\n")
    # The caller may take every build before it asks for a second part's outcome: the part
    # still building is not stopped when the builds run out (only when the caller stops).
    deadline = time.monotonic() + 10
    while not (tmp_path / "bin" / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    threading.Timer(0.3, (tmp_path / "bin" / "go").touch).start()
    assert next(builds, None) is None
    assert b() == (True, "built: g0b\n")


def test_the_first_part_is_sized_by_the_time_the_running_build_has_left() -> None:
    pace = kubectl._Pace()
    assert pace.first_part(100) is None  # no build done yet: no pace known
    pace.timed(10, lambda: (time.sleep(0.1), (True, ""))[1])  # ~10 ms a member
    assert pace.first_part(100) is None  # none running: every core is free
    release, started = threading.Event(), threading.Event()

    def held() -> tuple[bool, str]:
        started.set()
        release.wait()
        return True, ""

    other = threading.Thread(target=pace.timed, args=(10, held))
    other.start()
    started.wait()
    try:
        # About 10 members' time left: 55 now, 45 when it ends, so both end together.
        assert 50 <= (pace.first_part(100) or 0) <= 60
        assert pace.first_part(15) is None  # 12 and 3: too small a part for a kubectl
    finally:
        release.set()
        other.join()
    assert pace.first_part(100) is None
