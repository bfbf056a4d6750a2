"""Ctrl-C at any moment, start-up included: exit status 130, one line and no traceback, the
lock released, nothing half-written; the next run carries on without duplicates.

`python -m pycsync` runs as a real process and gets a real SIGINT, at moments chosen by what
it is doing: importing its modules, listing Flickr, uploading.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.calls import calls_started
from tests.support.cli import PYCSYNC, process_env
from tests.support.convergence import assert_converged, assert_same_both_sides
from tests.support.files import sha, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import duplicates
from tests.support.waiting import wait_until

pytestmark = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc to time the signal")


def start(cli_env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*PYCSYNC, *args],
        env=process_env(cli_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def loaded(proc: subprocess.Popen, library: str) -> bool:
    """Whether the process has mapped a C extension (a sign of how far its imports got)."""
    try:
        return library in Path(f"/proc/{proc.pid}/maps").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False


def interrupt(proc: subprocess.Popen) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err


def assert_clean_interrupt(code: int, err: str) -> None:
    assert code == 130, (code, err)
    assert "Traceback" not in err and "Aborted" not in err, err
    assert [line for line in err.splitlines() if line.startswith("pycsync:")] == [
        "pycsync: interrupted; everything finished before is kept, run again to go on"
    ], err


@pytest.mark.parametrize("library", ["_ssl", "_sqlite3"], ids=["importing-the-network", "importing-the-state"])
def test_ctrl_c_while_pycsync_is_still_starting_up(emulator, root, cli_env, sync_json, library):
    write_jpeg(root / "A/a.jpg", 1)
    proc = start(cli_env, "sync", str(root))
    wait_until(lambda: loaded(proc, library) or proc.poll() is not None, f"{library} loaded")
    code, _, err = interrupt(proc)
    if code == 0:  # (the machine was fast enough to finish first: that is not a failure to report)
        pytest.skip("the run ended before the signal")
    assert_clean_interrupt(code, err)
    sync_json(root)
    assert_same_both_sides(root, emulator, {"A/a.jpg": sha(jpeg(1))})


def test_ctrl_c_while_listing_flickr(emulator, root, cli_env, sync_json):
    write_jpeg(root / "A/a.jpg", 1)
    emulator.set_faults([{"match": "flickr.photosets.getList", "max": 1, "action": {"latency_ms": 3000}}])
    proc = start(cli_env, "sync", str(root), "--json")
    wait_until(lambda: calls_started(emulator, "flickr.photosets.getList"), "the listing started")
    code, out, err = interrupt(proc)
    assert_clean_interrupt(code, err)
    assert json.loads(out)["error"] == {
        "kind": "interrupted",
        "message": "interrupted; everything finished before is kept, run again to go on",
        "exit_status": 130,
    }
    assert not (root / ".pycsync" / "lock").exists(), "the lock is released"
    emulator.set_faults([])
    sync_json(root)
    assert_same_both_sides(root, emulator, {"A/a.jpg": sha(jpeg(1))})


def test_ctrl_c_while_uploading_keeps_what_finished_and_reports_it(emulator, root, cli_env, sync_json):
    for i in range(10):
        write_jpeg(root / f"A/{i}.jpg", i)
    # the third upload is held; Ctrl-C comes while it is in flight
    emulator.set_faults([{"match": "upload", "after": 2, "max": 1, "action": {"latency_ms": 1500}}])
    proc = start(cli_env, "sync", str(root), "--jobs", "1", "--json")
    wait_until(lambda: calls_started(emulator, "upload") >= 3, "the third upload started")
    code, out, err = interrupt(proc)
    assert_clean_interrupt(code, err)
    summary = json.loads(out)  # what was done before the stop, and why it stopped
    assert summary["error"]["kind"] == "interrupted" and summary["failed"] == 0
    assert calls_started(emulator, "upload") == 3, "nothing new was started after Ctrl-C"
    assert summary["uploaded"] == len(emulator.state()["photos"]) >= 2
    meta = root / ".pycsync"
    assert not (meta / "lock").exists() and list((meta / "tmp").glob("*")) == []
    emulator.set_faults([])
    sync_json(root)
    assert duplicates(emulator.state()) == {}
    assert_same_both_sides(root, emulator, {f"A/{i}.jpg": sha(jpeg(i)) for i in range(10)})
    assert_converged(emulator, sync_json, root)


def test_a_second_ctrl_c_stops_at_once_and_the_next_run_recovers(emulator, root, cli_env, sync_json):
    """A second Ctrl-C does not wait for anything: the process ends like a crash, which loses
    nothing either. (With --jobs 1 the first one already stops the upload being answered; the
    second may then come while Python is shutting down, when its default action ends the
    process: a death by SIGINT, which a shell reports as 130 too.)"""
    for i in range(4):
        write_jpeg(root / f"A/{i}.jpg", i)
    emulator.set_faults([{"match": "upload", "after": 1, "max": 1, "action": {"latency_ms": 8000}}])
    proc = start(cli_env, "sync", str(root), "--jobs", "1")
    wait_until(lambda: calls_started(emulator, "upload") >= 2, "the second upload started")
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)  # (the user presses again: the first one is being handled)
    started = time.monotonic()
    code, _, err = interrupt(proc)
    assert time.monotonic() - started < 5, "the second Ctrl-C did not wait for the upload"
    assert code in (130, -signal.SIGINT) and "Traceback" not in err, (code, err)
    emulator.set_faults([])
    sync_json(root)  # takes over the lock the process left, finds the upload in flight
    assert duplicates(emulator.state()) == {}
    assert_same_both_sides(root, emulator, {f"A/{i}.jpg": sha(jpeg(i)) for i in range(4)})
