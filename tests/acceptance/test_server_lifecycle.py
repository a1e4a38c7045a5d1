"""`edgemodels server`: start, stop, status, the idle timeout, and every way a server can be
missing, dead, out of date or not to be trusted. Real processes; each test has a runtime
folder (XDG_RUNTIME_DIR) of its own and stops its server however it ends."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from closed_pipe import run_into_closed_pipe
from served import (
    Server,
    edgemodels,
    environment,
    remove,
    running_server,
    runtime_folder,
)

from edgemodels.server import wire
from edgemodels.server.control import ask
from edgemodels.server.place import place_of

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Unix sockets and signals")

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "lrt"
RAW_CLIENT = Path(__file__).with_name("raw_client.py")
# What a Ctrl-C prints, as on its own: while click parses the command line, click first ends
# the line.
INTERRUPTED = ("edgemodels: interrupted\n", "\nedgemodels: interrupted\n")


@pytest.fixture
def runtime() -> Iterator[Path]:
    folder = runtime_folder()
    try:
        yield folder
    finally:
        pid = _recorded_pid(folder)
        if pid is not None and _alive(pid):  # a daemon a failed test left running
            os.kill(pid, signal.SIGTERM)
        remove(folder)


@pytest.fixture
def server(runtime: Path) -> Iterator[Server]:
    with running_server(runtime) as running:
        yield running


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "lrt")
    return tmp_path


def _recorded_pid(runtime: Path) -> int | None:
    try:
        return int((runtime / "edgemodels" / "server.pid").read_text())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _same(a: subprocess.CompletedProcess[str], b: subprocess.CompletedProcess[str]) -> None:
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)


# --- start, status, stop ---------------------------------------------------------------


def test_start_status_stop_in_the_background(runtime: Path, work: Path) -> None:
    env = environment(runtime)
    started = edgemodels(["server", "start"], work, env)
    assert started.returncode == 0, started.stderr
    where = place_of(env)
    match = re.fullmatch(
        rf"edgemodels server listening on {re.escape(where.socket)} \(pid (\d+); stops after 30m idle\)\n",
        started.stdout,
    )
    assert match, started.stdout
    pid = int(match[1])
    assert _recorded_pid(runtime) == pid
    assert oct(os.stat(where.folder).st_mode & 0o777) == "0o700"
    assert oct(os.stat(where.socket).st_mode & 0o777) == "0o600"

    again = edgemodels(["server", "start"], work, env)
    assert again.returncode == 2
    assert again.stderr == f"edgemodels: error: a server already runs (pid {pid}, {where.socket})\n"

    assert edgemodels(["check", "lrt"], work, env).returncode == 0
    status = edgemodels(["server", "status"], work, env)
    assert status.returncode == 0
    assert status.stdout.startswith(f"edgemodels server: running, pid {pid}, edgemodels ")
    assert "  commands  1\n" in status.stdout
    assert f"  socket    {where.socket}\n" in status.stdout
    assert re.search(r"  memory    \d+\.\d MiB resident\n", status.stdout)

    stopped = edgemodels(["server", "stop"], work, env)
    assert (stopped.returncode, stopped.stdout) == (0, f"edgemodels server stopped (pid {pid})\n")
    assert not _alive(pid) or _zombie(pid)
    assert not os.path.exists(where.socket) and not os.path.exists(where.pid)


def test_stop_returns_once_the_server_process_has_ended(
    runtime: Path, work: Path, tmp_path: Path
) -> None:
    """The server's last steps after its log's "stopped" line (leaving its command, the
    process's exit) take a while on a loaded host: `server stop` says "stopped" only once the
    process is gone. Here its exit is made 1.5 s slow."""
    slow = tmp_path / "slow-exit"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(
        "import os, time\n"
        "_exit = os._exit\n"
        "def _slow(code):\n"
        "    time.sleep(1.5)\n"
        "    _exit(code)\n"
        "os._exit = _slow\n"
    )
    started = edgemodels(["server", "start"], work, environment(runtime, PYTHONPATH=str(slow)))
    assert started.returncode == 0, started.stderr
    pid = _recorded_pid(runtime)
    assert pid is not None
    stopped = edgemodels(["server", "stop"], work, environment(runtime))  # its own exit quick
    assert (stopped.returncode, stopped.stdout) == (0, f"edgemodels server stopped (pid {pid})\n")
    assert not _alive(pid) or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return False


def test_stop_and_status_when_no_server_runs(runtime: Path, work: Path) -> None:
    env = environment(runtime)
    where = place_of(env)
    stopped = edgemodels(["server", "stop"], work, env)
    assert (stopped.returncode, stopped.stdout) == (2, "")
    assert (
        stopped.stderr
        == f"edgemodels: error: no server runs (no server listens on {where.socket})\n"
    )
    status = edgemodels(["server", "status"], work, env)
    assert status.returncode == 1
    assert status.stdout == f"edgemodels server: not running (nothing listens on {where.socket})\n"


def test_an_idle_server_ends_and_removes_its_socket(runtime: Path, work: Path) -> None:
    with running_server(runtime, "--idle-timeout", "1s") as server:
        assert server.run(["check", "lrt"], work).returncode == 0
        assert len(server.wait_for_commands(1)) == 1
        assert server.wait_for_exit() == 0
        assert "stopping: idle for 1 s" in server.log_text()
        assert not os.path.exists(server.place.socket)


def test_sigterm_stops_the_server(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    assert server.wait_for_exit() == 0
    assert not os.path.exists(server.place.socket)
    assert not os.path.exists(server.place.pid)


# --- which commands are served ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["check", "lrt", "--help"], ["check", "-"], ["rules"], ["--version"]],
    ids=["help", "stdin", "other command", "version"],
)
def test_run_on_their_own(server: Server, work: Path, args: list[str]) -> None:
    _same(server.run(args, work), server.run(args, work, served=False))
    assert server.commands() == []


def test_edgemodels_server_off_runs_on_its_own(server: Server, work: Path) -> None:
    _same(
        server.run(["check", "lrt"], work, EDGEMODELS_SERVER="off"),
        server.run(["check", "lrt"], work, served=False),
    )
    assert server.commands() == []


def test_what_a_served_generate_learned_is_written_when_commands_pause(
    server: Server, work: Path
) -> None:
    """The server keeps its cache in memory while commands come (resident.py), and writes
    it into the output folder once they pause, for the runs made without it."""
    assert server.run(["generate", "lrt", "-o", "deploy"], work).returncode == 0
    cache = work / "deploy" / ".edgemodels" / "cache"
    deadline = time.monotonic() + 60
    while not cache.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache.is_file(), server.log_text()
    again = server.run(["generate", "lrt", "-o", "deploy"], work, served=False)
    assert again.returncode == 0 and "0 added, 0 changed, 0 removed" in again.stdout


# --- a server missing, dead, out of date or not to be trusted --------------------------


def test_a_dead_servers_socket_is_removed_and_the_command_runs_here(
    server: Server, work: Path
) -> None:
    server.process.kill()  # no chance to remove its socket
    server.process.wait()
    assert os.path.exists(server.place.socket)
    _same(server.run(["check", "lrt"], work), server.run(["check", "lrt"], work, served=False))
    assert not os.path.exists(server.place.socket)
    assert not os.path.exists(server.place.pid)


def test_a_socket_nobody_listens_on_is_kept_while_its_pid_lives(runtime: Path, work: Path) -> None:
    where = place_of(environment(runtime))
    os.mkdir(where.folder, 0o700)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        dead.bind(where.socket)
    finally:
        os.umask(old)
    dead.close()  # bound, never listening: connecting is refused
    Path(where.pid).write_text(f"{os.getpid()}\n")  # a live process (this one)
    env = environment(runtime)
    local = edgemodels(["check", "lrt"], work, environment(runtime, served=False))
    _same(edgemodels(["check", "lrt"], work, env), local)
    assert os.path.exists(where.socket)
    Path(where.pid).write_text("999999999\n")  # no such process
    _same(edgemodels(["check", "lrt"], work, env), local)
    assert not os.path.exists(where.socket)


def test_a_server_that_ends_during_the_command_leaves_it_to_the_client(
    runtime: Path, work: Path
) -> None:
    where = place_of(environment(runtime))
    os.mkdir(where.folder, 0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(where.socket)
    finally:
        os.umask(old)
    listener.listen(1)

    def dies_after_some_output() -> None:
        conn, _ = listener.accept()
        wire.receive(conn)
        wire.send(conn, {"started": True})
        wire.send(conn, {"out": "half a report\n", "n": 1})
        wire.receive(conn)  # the ack
        conn.close()  # as a killed server's connection ends

    fake = threading.Thread(target=dies_after_some_output)
    fake.start()
    try:
        served = edgemodels(["check", "lrt"], work, environment(runtime))
    finally:
        fake.join(timeout=30)
        listener.close()
    local = edgemodels(["check", "lrt"], work, environment(runtime, served=False))
    assert served.returncode == local.returncode
    assert served.stdout == "half a report\n" + local.stdout
    warning = "edgemodels: warning: the server ended before the command did; running it here\n"
    assert served.stderr == warning + local.stderr


def test_a_client_with_other_interpreter_settings_runs_the_command_itself(
    server: Server, work: Path
) -> None:
    env = server.env()
    command = [sys.executable, "-X", "dev", "-m", "edgemodels", "check", "lrt"]
    other = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=60)
    alone = subprocess.run(
        command, cwd=work, env=server.env(served=False), capture_output=True, text=True, timeout=60
    )
    _same(other, alone)
    assert "check lrt: not run: other interpreter settings" in server.log_text()
    assert server.process.poll() is None  # still serving the others
    assert server.run(["check", "lrt"], work).returncode == 0
    assert len(server.wait_for_commands(1)) == 1


def test_a_server_whose_code_changed_stops_and_the_command_runs_here(
    runtime: Path, tmp_path: Path, work: Path
) -> None:
    copy = tmp_path / "install"
    shutil.copytree(
        REPO / "generator", copy / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    for data in ("schemas", "policies"):
        shutil.copytree(REPO / data, copy / data)
    env = environment(runtime, PYTHONPATH=str(copy / "generator"))
    with running_server(runtime, env=env) as server:
        assert edgemodels(["check", "lrt"], work, env).returncode == 0
        assert len(server.wait_for_commands(1)) == 1
        changed = copy / "generator" / "edgemodels" / "output.py"
        os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))
        local = edgemodels(["check", "lrt"], work, {**env, "EDGEMODELS_SERVER": "off"})
        _same(edgemodels(["check", "lrt"], work, env), local)
        assert server.wait_for_exit() == 0
        assert "stop requested: edgemodels' files have changed" in server.log_text()
        assert str(changed) in server.log_text()
        assert not os.path.exists(server.place.socket)


def test_a_folder_open_to_others_is_not_used(server: Server, work: Path) -> None:
    os.chmod(server.place.folder, 0o755)
    try:
        served = server.run(["check", "lrt"], work)
        local = server.run(["check", "lrt"], work, served=False)
        warning = f"edgemodels: warning: not using the server: {server.place.folder} is open to other users (mode 0755)\n"
        assert (served.returncode, served.stdout, served.stderr) == (
            local.returncode,
            local.stdout,
            warning + local.stderr,
        )
        assert server.commands() == []
        refused = server.run(["server", "start"], work)
        assert refused.returncode == 2
        assert (
            refused.stderr
            == f"edgemodels: error: not starting a server: {server.place.folder} is open to other users (mode 0755)\n"
        )
    finally:
        os.chmod(server.place.folder, 0o700)


def test_a_socket_open_to_others_is_not_used(server: Server, work: Path) -> None:
    os.chmod(server.place.socket, 0o666)
    served = server.run(["check", "lrt"], work)
    assert served.returncode == 0
    assert (
        served.stderr
        == f"edgemodels: warning: not using the server: {server.place.socket} is open to other users (mode 0666)\n"
    )
    assert server.commands() == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user takes root")
def test_a_folder_of_another_user_is_not_used(server: Server, work: Path) -> None:
    os.chown(server.place.folder, 65534, -1)
    try:
        served = server.run(["check", "lrt"], work)
        assert served.returncode == 0
        assert served.stderr == (
            f"edgemodels: warning: not using the server: {server.place.folder} belongs to uid 65534, not to uid 0\n"
        )
        assert server.commands() == []
    finally:
        os.chown(server.place.folder, 0, -1)


# --- two clients, Ctrl-C, a client that leaves, a closed stdout ------------------------


@contextlib.contextmanager
def holding(server: Server, work: Path) -> Iterator[subprocess.Popen[str]]:
    """A raw client whose `check lrt` has started and holds the server until its stdin
    closes; stopped however the test ends."""
    holder = subprocess.Popen(
        [sys.executable, str(RAW_CLIENT), "hold", "check", "lrt"],
        cwd=work,
        env=server.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline() == "started\n"
        yield holder
    finally:
        stop_popen(holder)


def test_clients_wait_their_turn(server: Server, work: Path) -> None:
    with holding(server, work) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline() in ("n out\n", "err n\n")  # the command now waits
        second = subprocess.Popen(
            [sys.executable, "-m", "edgemodels", "check", "lrt", "--format", "json"],
            cwd=work,
            env=server.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_until_relaying(second)
        time.sleep(1.0)  # time for it to run, were it not queued
        assert second.poll() is None  # queued behind the held command
        holder.stdin.close()  # the first client goes: its command ends, the second's runs
        out, err = second.communicate(timeout=60)
    alone = server.run(["check", "lrt", "--format", "json"], work, served=False)
    assert (second.returncode, out, err) == (alone.returncode, alone.stdout, alone.stderr)
    lines = server.wait_for_commands(2)
    assert [line.split(" ", 2)[2] for line in lines][1].startswith(
        "check lrt --format json: exit 0"
    )


def stop_popen(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def test_a_client_that_leaves_stops_its_command(server: Server, work: Path) -> None:
    leaver = subprocess.run(
        [sys.executable, str(RAW_CLIENT), "leave", "check", "lrt"],
        cwd=work,
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert leaver.stdout == "started\n"
    (line,) = server.wait_for_commands(1)
    assert re.search(r" check lrt: exit 143 in [0-9.]+ s$", line), line  # as by SIGTERM
    assert server.run(["check", "lrt"], work).returncode == 0  # and serves the next one


def _interrupted(server: Server, args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run `edgemodels ARGS` through the server and press Ctrl-C once the server runs it:
    (exit code, stdout, stderr)."""
    client = subprocess.Popen(
        [sys.executable, "-m", "edgemodels", *args],
        cwd=cwd,
        env=server.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_running(server)
        client.send_signal(signal.SIGINT)
        out, err = client.communicate(timeout=60)
    finally:
        stop_popen(client)
    return client.returncode, out, err


def test_ctrl_c_stops_the_command_as_it_would_stop_it_alone(server: Server, tmp_path: Path) -> None:
    catalogue = _fleet(tmp_path, models=150)
    returncode, out, err = _interrupted(server, ["check", str(catalogue)], tmp_path)
    assert (returncode, out) == (130, "")
    assert err in INTERRUPTED
    (line,) = server.wait_for_commands(1)
    assert ": exit 130 in " in line
    assert server.process.poll() is None


def test_ctrl_c_during_generate_leaves_no_half_written_tree(server: Server, tmp_path: Path) -> None:
    catalogue = _fleet(tmp_path, models=60)
    out = tmp_path / "deploy"
    returncode, _, err = _interrupted(
        server, ["generate", str(catalogue), "-o", str(out)], tmp_path
    )
    # 0: the commit had begun, and it is never cut short
    assert (returncode, err) == (0, "") or (returncode == 130 and err in INTERRUPTED)
    check = server.run(
        ["generate", str(catalogue), "-o", str(out), "--check"], tmp_path, served=False
    )
    if (out / ".edgemodels" / "manifest.json").exists():  # a tree: the whole of it
        assert check.returncode == 0, check.stdout
    else:
        assert returncode == 130
    again = server.run(["generate", str(catalogue), "-o", str(out)], tmp_path)
    assert again.returncode == 0, again.stderr


def _fleet(folder: Path, models: int) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import synth
    finally:
        sys.path.pop(0)
    return synth.write(
        synth.Spec(models=models, targets=10, sites=50, workloads=5), folder / "fleet"
    )


def _wait_until_running(server: Server, seconds: float = 30.0) -> None:
    """Until the server has run a command for 50 ms: its client has heard it started (a
    Ctrl-C before that leaves the client at once, and the server then stops the command as
    for a client that has gone)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = ask(server.place, "status")
        if answer and answer["status"]["running"] and answer["status"]["running"][1] > 0.05:
            return
        assert time.monotonic() < deadline, server.log_text()
        time.sleep(0.002)


def _wait_until_relaying(client: subprocess.Popen[str], seconds: float = 60.0) -> None:
    """Until the client has sent its request and waits in its relay loop, asleep in
    select() (Linux: /proc/PID/wchan). Python starts slowly on a loaded host: a Ctrl-C
    before its handlers are in place kills it by the signal, or with a traceback from an
    import, which is not what a queued client does. Where wchan says nothing, a second."""
    proc = Path(f"/proc/{client.pid}")
    deadline = time.monotonic() + seconds
    while True:
        assert client.poll() is None, client.communicate()
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            where = (proc / "wchan").read_text()
        except OSError:
            state, where = "S", "0"  # no /proc: not Linux
        if "poll" in where or "select" in where:
            return
        if state == "S" and where == "0":  # asleep, and the kernel does not say where
            time.sleep(1.0)
            return
        assert time.monotonic() < deadline, f"the client is still starting ({state} {where})"
        time.sleep(0.005)


@pytest.mark.parametrize("args", [["check", "lrt"], ["check", "lrt", "--format", "json"]])
def test_a_closed_output_ends_the_command_quietly(
    server: Server, work: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """`edgemodels check | head -1` with the reader gone: 141 and nothing on stderr, as alone."""
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(server.runtime))
    alone = run_into_closed_pipe(args)
    monkeypatch.delenv("EDGEMODELS_SERVER")
    served = run_into_closed_pipe(args)
    assert (served.returncode, served.stderr) == (alone.returncode, alone.stderr) == (141, "")
    assert len(server.wait_for_commands(1)) == 1


def test_a_malformed_request_is_refused_and_the_server_goes_on(server: Server, work: Path) -> None:
    answers = []
    for message in ({"v": 1, "argv": "check lrt"}, {"v": 1}, {"control": "dance"}, {"v": 2}):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(server.place.socket)
            wire.send(sock, message)
            answers.append(wire.receive(sock))
    assert answers == [{"stale": "another protocol"}] * 2 + [None, {"stale": "another protocol"}]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(server.place.socket)
        sock.sendall(b"\xff\xff\xff\xff not a frame")
        with contextlib.suppress(ConnectionResetError):  # closed with the rest unread
            assert sock.recv(10) == b""
    assert server.run(["check", "lrt"], work).returncode == 0
    assert len(server.wait_for_commands(1)) == 1
    assert "dropped a connection: ConnectionError: frame of 4294967295 bytes" in server.log_text()


def test_ctrl_c_while_waiting_its_turn_leaves_at_once(server: Server, work: Path) -> None:
    with holding(server, work) as holder:
        assert holder.stdin is not None
        waiting = subprocess.Popen(
            [sys.executable, "-m", "edgemodels", "check", "lrt"],
            cwd=work,
            env=server.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_until_relaying(waiting)  # started, and queued
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=60)  # the held command runs till stdin closes
        assert (waiting.returncode, out, err) == (130, "", "edgemodels: interrupted\n")
        holder.stdin.close()
    assert len(server.wait_for_commands(1)) == 1
    assert server.run(["check", "lrt"], work).returncode == 0
    assert len(server.wait_for_commands(2)) == 2  # the client that left was not run
