"""`pycsync watch` as users run it: a real process, real filesystem events (inotify), the emulator
over HTTP. Every wait is for a condition, with a timeout.

The figures (seconds from a change to the other side, calls per idle hour, CPU and memory of an
idle watch over 100,000 files) are measured by bench/watch.py, not asserted here.
"""

from __future__ import annotations

import json
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.calls import NO_CHANGE, calls_started, write_calls
from tests.support.cli import PYCSYNC, emulator_env, process_env
from tests.support.convergence import assert_converged
from tests.support.files import sha
from tests.support.media import make_jpeg_bytes
from tests.support.photos import photo, read_xmp, sidecar

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify: the events these tests time")

# no poll is ever slowed by the budget here, except where the budget is the point
NO_BUDGET = ("--rate-limit", "100000000")


class WatchProcess:
    """`python -m pycsync watch ROOT --json ...`, its JSON documents and log lines collected as
    they come."""

    def __init__(self, env: dict[str, str], root: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [*PYCSYNC, "watch", str(root), "--json", *args],
            env=process_env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.docs: list[dict] = []
        self.log: list[str] = []
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self._doc), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.log.append), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _doc(self, line: str) -> None:
        self.docs.append(json.loads(line))

    def _read(self, stream, keep: Callable[[str], None]) -> None:
        for line in stream:
            with self._changed:
                keep(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, condition: Callable[[], object], what: str, timeout: float = 20) -> float:
        """Seconds it took until ``condition()`` held (checked on every line and every 50 ms)."""
        started = time.monotonic()
        deadline = started + timeout
        with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                assert left > 0, f"never: {what}\n" + "\n".join(self.log[-30:])
                assert self.proc.poll() is None or condition(), (
                    f"the watch ended ({self.proc.returncode}): {what}\n" + "\n".join(self.log[-30:])
                )
                self._changed.wait(min(left, 0.05))
        return time.monotonic() - started

    def runs(self, n: int, timeout: float = 20) -> list[dict]:
        """Wait until ``n`` runs have reported; returns their documents."""
        self.wait_for(lambda: len(self.docs) >= n, f"{n} runs", timeout)
        return self.docs[:n]

    def said(self, text: str) -> list[str]:
        return [line for line in self.log if text in line]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> tuple[int, float]:
        """Send ``sig``; (exit status, seconds it took to exit)."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        for reader in self._readers:
            reader.join(5)
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def watch(cli_env, root):
    """``watch(*args, root=root, env=cli_env)``: start a watch; killed after the test if still running."""
    started: list[WatchProcess] = []

    def start(*args: str, folder: Path = root, env: dict[str, str] = cli_env) -> WatchProcess:
        process = WatchProcess(env, folder, *args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def photos(emulator) -> list[dict]:
    return emulator.state()["photos"]


def with_sha(emulator, data: bytes) -> list[dict]:
    return [p for p in photos(emulator) if p["sha256"] == sha(data)]


def put(path: Path, data: bytes) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def video(size: int) -> bytes:
    """An MP4-looking file (an ftyp box, then an mdat box of random bytes) of about ``size``."""
    ftyp = struct.pack(">I", 20) + b"ftypisom" + struct.pack(">I", 512) + b"isom"
    return ftyp + struct.pack(">I", 8 + size) + b"mdat" + os.urandom(size)


# ---------------------------------------------------------------------- both directions


def test_a_new_local_file_is_on_flickr_within_seconds_and_logged(emulator, root, watch, cli_env, tmp_path):
    log_file = tmp_path / "logs" / "watch.log"
    w = watch("--settle", "0.5", "--log-file", str(log_file), *NO_BUDGET)
    assert w.runs(1)[0]["watch"]["trigger"] == "start"
    data = put(root / "Trips" / "beach.jpg", make_jpeg_bytes(seed=1))
    w.wait_for(lambda: with_sha(emulator, data), "the file is on Flickr", timeout=10)
    run = w.runs(2)[1]
    assert run["uploaded"] == 1 and run["watch"]["trigger"] == "local" and run["watch"]["local_changes"] == 1
    assert len(photos(emulator)) == 1
    code, _ = w.stop()
    assert code == 0
    lines = log_file.read_text().splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
    assert all(re.match(stamp, line) for line in lines), lines
    assert any(re.match(stamp + r"uploaded +Trips/beach\.jpg$", line) for line in lines), lines
    assert any(
        re.match(stamp + r"run 2 \(1 local change\): done: 1 uploaded; \d+ Flickr API calls", line) for line in lines
    )
    text = log_file.read_text()
    for secret in (emulator.api_secret, emulator.oauth_token, emulator.oauth_token_secret):
        assert secret not in text
    assert w.log == []  # with --log-file, nothing on stderr


def test_a_photo_added_on_flickr_arrives_within_one_interval(emulator, root, watch, web):
    w = watch("--interval", "3", "--settle", "0.5", *NO_BUDGET)
    w.runs(1)
    data = make_jpeg_bytes(seed=2)
    web.upload(data, "sunset", album="Trips")
    took = w.wait_for(lambda: (root / "Trips" / "sunset.jpg").exists(), "the photo is in the folder", timeout=3 + 5)
    assert took <= 3 + 2  # an interval, and the run
    assert (root / "Trips" / "sunset.jpg").read_bytes() == data
    # the download's own events start no run: the next runs are the polls
    n = len(w.docs)
    w.runs(n + 2, timeout=15)
    assert [d["watch"]["trigger"] for d in w.docs[1:]] == ["flickr"] * (len(w.docs) - 1)
    assert w.stop()[0] == 0


def test_a_file_written_slowly_is_uploaded_once_and_complete(emulator, root, watch):
    """A copy that takes seconds: polls of Flickr every second leave it out until it is
    complete; then it is uploaded once."""
    w = watch("--interval", "1", "--settle", "1", *NO_BUDGET)
    w.runs(1)
    data = make_jpeg_bytes(seed=3, size=(600, 400))
    target = root / "Video" / "clip.jpg"
    target.parent.mkdir()
    emulator.reset_calls()
    pieces = 10
    with open(target, "wb") as f:
        for i in range(pieces):  # (the pace of the writer is the scenario, not a wait for pycsync)
            f.write(data[i * len(data) // pieces : (i + 1) * len(data) // pieces])
            f.flush()
            time.sleep(0.4)
    w.wait_for(lambda: with_sha(emulator, data), "the complete file is on Flickr", timeout=15)
    assert emulator.calls().get("upload") == 1
    assert len(photos(emulator)) == 1
    assert any(d["watch"]["held_back"] for d in w.docs), "a run while it was written left it out"
    assert not any(d["failed"] for d in w.docs), [d["failures"] for d in w.docs]
    assert w.stop()[0] == 0


def test_a_burst_of_500_files_is_one_or_two_runs(emulator, root, watch):
    w = watch("--settle", "1", "--jobs", "8", *NO_BUDGET)
    w.runs(1)
    files = [make_jpeg_bytes(seed=1000 + i, size=(16, 12)) for i in range(500)]
    for i, data in enumerate(files):
        put(root / "Import" / f"IMG_{i:04}.jpg", data)
    w.wait_for(lambda: len(photos(emulator)) == 500, "500 photos on Flickr", timeout=120)
    w.wait_for(lambda: sum(d.get("uploaded", 0) for d in w.docs) == 500, "the runs reported", timeout=20)
    local = [d for d in w.docs if d["watch"]["trigger"] == "local"]
    assert 1 <= len(local) <= 2, [d["watch"] for d in w.docs]
    assert sum(d["watch"]["local_changes"] for d in local) == 500
    assert w.stop()[0] == 0


# ---------------------------------------------------------------------- stopping


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_while_idle_exits_0_within_seconds(root, watch, sig):
    w = watch("--settle", "0.5", *NO_BUDGET)
    w.runs(1)
    code, took = w.stop(sig)
    assert code == 0 and took < 5, w.log
    assert w.said("stopped watching") and not any("Traceback" in line for line in w.log), w.log
    assert not (root / ".pycsync" / "lock").exists() and not (root / ".pycsync" / "watch.lock").exists()


@pytest.mark.parametrize("moment", ["answer awaited", "body in flight"])
def test_sigterm_during_a_transfer_exits_0_and_the_next_run_converges(emulator, root, watch, sync_json, moment):
    w = watch("--settle", "0.5", *NO_BUDGET)
    w.runs(1)
    if moment == "answer awaited":  # the body has left: the upload is let finish
        data = make_jpeg_bytes(seed=4)
        emulator.set_faults([{"match": "upload", "max": 1, "action": {"latency_ms": 2000}}])
    else:  # the body is still going out (more than the sockets' buffers hold): it is abandoned
        data = video(16 << 20)
        emulator.set_network(bandwidth_mbps=8)
    put(root / "A" / ("big.jpg" if moment == "answer awaited" else "big.mp4"), data)
    w.wait_for(lambda: calls_started(emulator, "upload"), "the upload started")
    code, took = w.stop()
    assert code == 0, w.log
    assert took < 5
    assert not any("Traceback" in line for line in w.log), w.log
    stopped = w.docs[-1]
    assert stopped["error"]["kind"] == "interrupted"
    # an upload whose body had left is finished and recorded; one still being sent is abandoned
    assert stopped["uploaded"] == (1 if moment == "answer awaited" else 0)
    assert not (root / ".pycsync" / "lock").exists() and not (root / ".pycsync" / "watch.lock").exists()
    emulator.set_faults([])
    emulator.set_network(bandwidth_mbps=0)
    emulator.reset_calls()
    sync_json(root)
    assert emulator.calls().get("upload", 0) == (0 if moment == "answer awaited" else 1)
    assert emulator.calls().get("flickr.photos.search", 0) == 0  # nothing left unknown to look for
    assert len(with_sha(emulator, data)) == 1 and len(photos(emulator)) == 1
    assert_converged(emulator, sync_json, root)


def test_a_killed_watch_loses_nothing_and_the_next_watch_takes_its_place(emulator, root, watch, sync_json):
    """A crash (SIGKILL) while an upload's answer is awaited: the locks it leaves behind hold
    nobody off, and the next watch finds the photo whose answer was lost instead of uploading
    it again."""
    w = watch("--settle", "0.5", *NO_BUDGET)
    w.runs(1)
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"latency_ms": 1500}}])
    data = put(root / "A" / "crash.jpg", make_jpeg_bytes(seed=9))
    w.wait_for(lambda: calls_started(emulator, "upload"), "the upload started")
    w.kill()
    assert (root / ".pycsync" / "watch.lock").exists() and (root / ".pycsync" / "lock").exists()
    emulator.set_faults([])
    again = watch("--settle", "0.5", *NO_BUDGET)
    [start] = again.runs(1, timeout=60)
    assert start["error"] is None and start["uploaded"] == 0, start
    assert len(with_sha(emulator, data)) == 1 and len(photos(emulator)) == 1
    assert emulator.calls().get("upload") == 1
    assert again.stop()[0] == 0
    assert_converged(emulator, sync_json, root)


# ---------------------------------------------------------------------- offline, budget


@pytest.fixture
def restartable(tmp_path):
    """An emulator that keeps its accounts and photos across a stop and a start on its port."""
    data = tmp_path / "emulator-data"
    emu = EmulatorServer(host="127.0.0.1", port=0, data_dir=data).start()
    servers = [emu]

    def restart() -> EmulatorServer:
        servers.append(EmulatorServer(host="127.0.0.1", port=emu.port, data_dir=data).start())
        return servers[-1]

    yield emu, restart
    for server in servers:
        server.stop()


def test_offline_then_back_recovers_without_a_restart(restartable, root, watch, tmp_path):
    emu, restart = restartable
    w = watch("--interval", "2", "--settle", "0.5", *NO_BUDGET, env=emulator_env(emu, tmp_path))
    w.runs(1)
    emu.stop()  # the network is gone
    data = put(root / "A" / "offline.jpg", make_jpeg_bytes(seed=5))
    w.wait_for(lambda: any((d.get("error") or {}).get("kind") == "unreachable" for d in w.docs), "a run failed")
    w.wait_for(lambda: w.said("trying again in 5 s"), "it backs off")
    emu = restart()
    w.wait_for(lambda: with_sha(emu, data), "the file is on Flickr once the network is back", timeout=20)
    w.wait_for(lambda: w.docs[-1]["error"] is None and w.docs[-1]["uploaded"] == 1, "the run reported")
    assert w.proc.poll() is None
    assert len(photos(emu)) == 1
    assert w.stop()[0] == 0


def test_an_idle_poll_costs_exactly_what_a_sync_with_nothing_to_do_costs(emulator, root, watch):
    """Every call the emulator answered belongs to a run the watch reported, and a poll that finds
    nothing makes the calls of a no-change sync (tests/performance), no more."""
    for i in range(3):
        put(root / "A" / f"a{i}.jpg", make_jpeg_bytes(seed=20 + i, size=(16, 12)))
        put(root / "B" / "C" / f"c{i}.jpg", make_jpeg_bytes(seed=30 + i, size=(16, 12)))
    # (3 s: a poll starting within the listing's 2 s overlap of Flickr's clock after the albums
    # were last changed reads them again, as any sync would)
    w = watch("--interval", "3", *NO_BUDGET)
    assert w.runs(1)[0]["uploaded"] == 6
    w.runs(4, timeout=30)  # the start run, then 3 polls
    assert w.stop()[0] == 0
    reported: dict[str, int] = {}
    for doc in w.docs:
        for method, n in doc["api_calls"].items():
            reported[method] = reported.get(method, 0) + n
    assert {m: n for m, n in reported.items() if n} == emulator.calls(), "no call outside a run"
    polls = [d for d in w.docs[1:] if d["error"] is None]
    assert len(polls) >= 3 and all(d["watch"]["trigger"] == "flickr" for d in polls)
    for poll in polls:  # (the first too: the albums the start run made are known as its own writes)
        assert {m: n for m, n in poll["api_calls"].items() if n} == NO_CHANGE
        assert poll["uploaded"] == poll["downloaded"] == poll["files_hashed"] == 0


def test_idle_polls_stay_within_their_share_of_the_budget(emulator, root, watch):
    """A scaled budget: --rate-limit 900000 with --poll-share 1 allows 9000 calls an hour (2.5 a
    second), so an idle poll (3 calls) may run every 1.2 s however short the interval."""
    w = watch("--interval", "1", "--rate-limit", "900000", "--poll-share", "1")
    w.runs(1)
    emulator.reset_calls()
    started = time.monotonic()
    w.runs(5, timeout=20)
    elapsed = time.monotonic() - started
    api = sum(n for name, n in emulator.calls().items() if name.startswith("flickr."))
    assert api <= 2.5 * elapsed + 5, (api, elapsed)  # its share, and at most one poll more
    polls = w.docs[1:5]
    assert all(d["watch"]["trigger"] == "flickr" and d["api_calls_total"] == sum(NO_CHANGE.values()) for d in polls)
    assert len(w.said("idle polls may spend 1% of the 900000 calls an hour")) == 1
    assert w.stop()[0] == 0


# ---------------------------------------------------------------------- the folder's lock


def test_one_watch_per_folder(root, watch):
    w = watch("--settle", "0.5", *NO_BUDGET)
    w.runs(1)
    second = watch(*NO_BUDGET)
    assert second.proc.wait(20) == 5
    second.wait_for(lambda: second.docs, "its error document")
    assert second.docs[0]["error"]["kind"] == "locked"
    assert "already watches this folder" in second.docs[0]["error"]["message"]
    assert w.stop()[0] == 0


def test_a_manual_sync_during_a_watch_run_exits_5_and_status_works_between_runs(emulator, root, watch, cli):
    w = watch("--settle", "0.5", *NO_BUDGET)
    w.runs(1)
    emulator.reset_calls()
    emulator.set_faults([{"match": "flickr.photosets.getList", "max": 1, "action": {"latency_ms": 3000}}])
    a = put(root / "A" / "a.jpg", make_jpeg_bytes(seed=6))
    w.wait_for(lambda: calls_started(emulator, "flickr.photosets.getList"), "the watch run is listing")
    busy = cli("sync", str(root), "--json")
    assert busy.exit_code == 5, busy.output
    assert json.loads(busy.stdout)["error"]["kind"] == "locked"
    assert "another pycsync run" in busy.stderr
    w.wait_for(lambda: len(w.docs) == 2, "the watch run ended")
    assert w.docs[1]["uploaded"] == 1 and len(with_sha(emulator, a)) == 1
    status = cli("status", str(root), "--json")
    assert status.exit_code == 0 and json.loads(status.stdout)["in_sync"] is True
    assert w.stop()[0] == 0


def test_a_watch_run_waits_for_a_manual_sync_and_nothing_is_uploaded_twice(emulator, root, watch, cli_env, sync_json):
    w = watch("--settle", "2", *NO_BUDGET)
    w.runs(1)
    # a manual sync that holds the folder for 5 s (its upload is slow), started as the file appears
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"latency_ms": 5000}}])
    data = put(root / "B" / "b.jpg", make_jpeg_bytes(seed=7))
    manual_sync = subprocess.run(
        [*PYCSYNC, "sync", str(root), "--json"],
        env=process_env(cli_env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert manual_sync.returncode == 0, manual_sync.stderr
    assert json.loads(manual_sync.stdout)["uploaded"] == 1
    w.wait_for(lambda: w.said("waiting: another pycsync run"), "the watch run found the folder busy")
    w.wait_for(lambda: len(w.docs) >= 2 and w.docs[-1]["error"] is None, "the watch ran once it was free")
    assert [d["uploaded"] for d in w.docs] == [0, 0]
    assert len(with_sha(emulator, data)) == 1
    assert w.stop()[0] == 0
    assert_converged(emulator, sync_json, root)


def test_without_events_the_folder_is_scanned(emulator, root, watch):
    w = watch("--force-scan", "--scan-interval", "1", "--settle", "0", *NO_BUDGET)
    w.runs(1)
    assert w.said("scanning the folder every 1 s for changes (--force-scan)")
    data = put(root / "A" / "scanned.jpg", make_jpeg_bytes(seed=8))
    w.wait_for(lambda: with_sha(emulator, data), "the file is on Flickr", timeout=10)
    assert w.stop()[0] == 0


# ---------------------------------------------------------------------- metadata and folder settings


def test_a_sidecar_edit_alone_wakes_the_watch_and_only_the_changed_field_is_pushed(emulator, root, watch, flickr):
    """Editing a photo's XMP sidecar in an editor (digiKam, darktable) touches no photo file: the
    sidecar's own event starts the run, which writes the title and nothing else."""
    photo(root / "Paris" / "IMG_1.jpg", 1)
    w = watch("--settle", "0.5", *NO_BUDGET)
    assert w.runs(1)[0]["uploaded"] == 1
    (photo_id,) = [p["id"] for p in photos(emulator)]
    emulator.reset_calls()
    sidecar(root / "Paris" / "IMG_1.jpg.xmp", Xmp_dc_title='lang="x-default" Eiffel at night')
    w.wait_for(lambda: flickr.photo_info(photo_id).title == "Eiffel at night", "the title is on Flickr", timeout=10)
    run = w.runs(2)[1]
    assert run["watch"]["trigger"] == "local" and run["watch"]["local_changes"] == 1
    assert run["metadata"] == 1
    assert write_calls(emulator) == {"flickr.photos.setMeta": 1}
    assert w.stop()[0] == 0


def test_a_sidecar_the_run_writes_starts_no_run_of_its_own(emulator, root, watch, flickr):
    """A title edited on Flickr is written into the sidecar by a poll; that write is the run's
    own, so the runs after it are polls, not local changes."""
    photo(root / "Paris" / "IMG_1.jpg", 1)
    w = watch("--interval", "2", "--settle", "0.5", *NO_BUDGET)
    w.runs(1)
    (photo_id,) = [p["id"] for p in photos(emulator)]
    flickr.set_meta(photo_id, title="Seine", description="")
    written = root / "Paris" / "IMG_1.jpg.xmp"
    w.wait_for(written.exists, "the sidecar is written", timeout=10)
    n = len(w.docs)
    w.runs(n + 2, timeout=15)
    assert [d["watch"]["trigger"] for d in w.docs[1:]] == ["flickr"] * (len(w.docs) - 1)
    assert read_xmp(written)["Xmp.dc.title"] == "Seine"
    assert w.stop()[0] == 0


def test_a_folder_settings_edit_wakes_the_watch(emulator, root, watch, flickr):
    photo(root / "Portfolio" / "IMG_1.jpg", 1)
    w = watch("--settle", "0.5", *NO_BUDGET)
    w.runs(1)
    (photo_id,) = [p["id"] for p in photos(emulator)]
    emulator.reset_calls()
    (root / "Portfolio" / ".pycsync.toml").write_text('tags = ["portfolio"]\n')
    w.wait_for(
        lambda: "portfolio" in [t.clean for t in flickr.photo_info(photo_id).tags], "the tag is on Flickr", timeout=10
    )
    run = w.runs(2)[1]
    assert run["watch"]["trigger"] == "local"
    assert write_calls(emulator) == {"flickr.photos.addTags": 1}
    assert w.stop()[0] == 0
