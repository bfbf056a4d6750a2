"""One run per root at a time (another run exits with its own status, 5); a lock left by a
dead run is taken over."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time

from pycsync.state import RootLock
from tests.support.cli import PYCSYNC, process_env
from tests.support.convergence import assert_converged
from tests.support.files import sha, write_jpeg
from tests.support.media import jpeg
from tests.support.waiting import wait_until


def _owner(lock) -> int | None:
    try:
        return json.loads(lock.read_text()).get("pid")
    except (FileNotFoundError, ValueError):
        return None


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_second_concurrent_run_fails_with_a_clear_message(emulator, root, cli, cli_env, sync_json):
    for i in range(6):
        write_jpeg(root / f"A/{i}.jpg", i)
    emulator.config.latency_ms = 100  # the first run takes a few seconds
    first = subprocess.Popen(
        [*PYCSYNC, "sync", str(root), "--jobs", "1"],
        env=process_env(cli_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lock = root / ".pycsync" / "lock"
    wait_until(lock.exists, "the first run took the lock", 20)
    second = cli("sync", str(root))
    assert second.exit_code == 5, second.output
    assert "another pycsync run" in second.stderr and str(first.pid) in second.stderr
    assert "is syncing this folder" in second.stderr
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err.decode()
    assert not lock.exists(), "released at the end"
    emulator.config.latency_ms = 0
    assert len(emulator.state()["photos"]) == 6
    assert_converged(emulator, sync_json, root)


def test_lock_held_in_this_process_refuses_a_run(emulator, root, cli):
    write_jpeg(root / "a.jpg", 1)
    (root / ".pycsync").mkdir()
    with RootLock(root / ".pycsync" / "lock"):
        result = cli("sync", str(root))
        assert result.exit_code == 5 and "another pycsync run" in result.stderr
        as_json = cli("sync", str(root), "--json")
        assert as_json.exit_code == 5
        assert json.loads(as_json.stdout)["error"]["kind"] == "locked"
    assert emulator.calls().get("upload", 0) == 0, "nothing was done"


def test_stale_lock_from_a_dead_pid_is_taken_over(emulator, root, cli):
    write_jpeg(root / "a.jpg", 1)
    (root / ".pycsync").mkdir()
    lock = root / ".pycsync" / "lock"
    lock.write_text(json.dumps({"pid": _dead_pid(), "host": socket.gethostname()}))
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.stderr
    assert len(emulator.state()["photos"]) == 1
    assert not lock.exists()


def test_half_written_lock_is_taken_over(emulator, root, cli):
    write_jpeg(root / "a.jpg", 1)
    (root / ".pycsync").mkdir()
    lock = root / ".pycsync" / "lock"
    lock.write_text('{"pid": 12')  # a crash while writing it
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.stderr
    assert "another pycsync run" not in result.stderr
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(1))], "the run did its work"
    assert not lock.exists(), "and released the lock it took over"


def test_lock_of_a_killed_run_is_taken_over(emulator, root, cli_env, cli):
    write_jpeg(root / "a.jpg", 1)
    emulator.config.latency_ms = 200
    proc = subprocess.Popen(
        [*PYCSYNC, "sync", str(root)],
        env=process_env(cli_env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lock = root / ".pycsync" / "lock"
    deadline = time.monotonic() + 20
    while _owner(lock) != proc.pid:  # the run holds the lock (and waits 200 ms per request)
        assert proc.poll() is None and time.monotonic() < deadline, "the run never took the lock"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "killed while it ran, not finished"
    assert _owner(lock) == proc.pid, "the lock of the killed run is left behind"
    emulator.config.latency_ms = 0
    result = cli("sync", str(root))
    assert result.exit_code == 0, result.stderr
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(1))]
    assert not lock.exists()


def test_lock_from_another_host_is_respected(emulator, root, cli):
    write_jpeg(root / "a.jpg", 1)
    (root / ".pycsync").mkdir()
    lock = root / ".pycsync" / "lock"
    lock.write_text(json.dumps({"pid": 1, "host": "some-other-machine"}))
    result = cli("sync", str(root))
    assert result.exit_code == 5
    assert "some-other-machine" in result.stderr and "delete" in result.stderr
    assert lock.exists() and emulator.calls().get("upload", 0) == 0


def test_two_runs_never_both_take_over_one_stale_lock(root, monkeypatch):
    """Both runs find the same stale lock; each decides it is stale only once the other has
    looked too (the worst interleaving). At most one may end up holding the root."""
    import threading

    import pycsync.state.lock as lock_module

    (root / ".pycsync").mkdir()
    lock = root / ".pycsync" / "lock"
    lock.write_text(json.dumps({"pid": _dead_pid(), "host": socket.gethostname()}))
    both_looked = threading.Barrier(2)

    def alive_once_both_looked(pid: int) -> bool:
        try:
            both_looked.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass  # the other run never got this far
        return False

    monkeypatch.setattr(lock_module, "_alive", alive_once_both_looked)
    holders, refused = [], []
    locks = [RootLock(lock), RootLock(lock)]

    def take(one: RootLock) -> None:
        try:
            one.acquire()
            holders.append(one)
        except lock_module.LockedError as exc:
            refused.append(str(exc))

    runs = [threading.Thread(target=take, args=(one,)) for one in locks]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=10)
    try:
        assert len(holders) == 1, f"{len(holders)} runs hold the root at once"
        assert len(refused) == 1 and "another pycsync run" in refused[0]
    finally:
        for one in holders:
            one.release()
    assert not lock.exists()
