"""pycsync's performance benchmark: API calls, wall time, memory, scan and hashing speed.

    python bench/run.py [--quick] [--only NAME[,NAME...]] [--keep DIR]

Every sync runs the real CLI (``python -m pycsync``-equivalent) in a subprocess against the
bundled emulator, itself in another subprocess, over HTTP on 127.0.0.1; API calls are counted
by the emulator. Libraries are real JPEGs: one small image made with Pillow, copied with a
different JPEG comment segment per file so that every file's content (and SHA-256) differs.

Benchmarks (``--only`` names):

* ``library``  initial upload of N photos in M albums, initial download into an empty folder,
  the settle run after each, a no-change sync, a sync after k local changes and one after k
  changes on Flickr (calls and wall time).
* ``jobs``     an initial upload with 50 ms of emulator latency on every call, --jobs 1 vs 8.
* ``network``  an initial upload, then a pull, of 100 photos of 2 MB over the emulator's network
  model (20 Mbit/s shared both ways, 100 ms latency, 1,500 ms of processing per upload): wall
  time against the link limit (bytes / bandwidth) for --jobs 1, 4, 8 and auto.
* ``budget``   a first upload spanning many windows of a scaled call budget (250 calls per 10 s;
  the emulator allows the key 300, as Flickr 3600 an hour to pycsync's 3000), on a terminal:
  the calls per window against the budget, the ETA the live display shows at 10% and 50%
  against the time the run took; then one stopped by SIGINT half way and run again: its calls
  before the first new upload.
* ``scan``     a 100,000-file library (seeded straight into the emulator's store and linked by
  a first sync): the no-change sync's local part against a bare os.scandir+stat walk of the
  same tree, its API calls and its peak RSS (VmHWM of the pycsync process).
* ``large``    uploading and downloading one large video: the pycsync process's peak RSS
  against the same sync of a small file.
* ``hash``     pycsync's file hashing against hashlib.file_digest on the same (cached) file.
* ``metadata`` the calls metadata costs: an upload of photos whose metadata is in the files
  (title, caption, keywords, date, GPS, as a camera and an editor leave them) and of photos whose
  date and place are only in XMP sidecars; a no-change sync; k sidecar edits (every field); k
  edits on Flickr (title, caption, tag, place). Photos and sidecars are made with exiv2.

Results go to bench/results.json and bench/RESULTS.md, each figure with the commit, date and
machine it was measured on; the README's figures are taken from there. A run of every benchmark
replaces them; ``--only`` replaces just the figures it measured. ``--quick`` makes the libraries
smaller (see QUICK below) and the large file 200 MB (the 100,000-file scan stays at 100,000) and
writes bench/results-quick.json and bench/RESULTS-quick.md instead: a quick run never overwrites
the full run's figures.

Every target is fixed in advance (by the README's formulas and promises): none is computed from
another measurement.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import io
import json
import math
import os
import platform
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable

FULL = {
    "n": 1500,
    "albums": 15,
    "loose": 50,
    "k": 20,
    "jobs_n": 480,
    "meta_n": 200,
    "scan_n": 100_000,
    "scan_albums": 200,
    "large_mb": 512,
    "net_n": 100,
    "net_pull_n": 50,
    "net_serial_n": 16,
    "budget_n": 1500,
    "budget_albums": 10,
    "resume_n": 400,
}
QUICK = {
    "n": 600,
    "albums": 12,
    "loose": 30,
    "k": 10,
    "jobs_n": 240,
    "meta_n": 100,
    "scan_n": 100_000,
    "scan_albums": 200,
    "large_mb": 200,
    "net_n": 40,
    "net_pull_n": 20,
    "net_serial_n": 8,
    "budget_n": 500,
    "budget_albums": 10,
    "resume_n": 300,
}


# --------------------------------------------------------------------------- child modes


def serve_emulator(data_dir: str, latency_ms: float, port: int = 0, network: str = "{}") -> None:
    """Child: run the emulator until SIGTERM; print its info as one JSON line. ``network``: JSON
    of more settings (the network model's bandwidth_mbps, upload_processing_ms, latency_ms; the
    key's call budget, rate_limit and rate_limit_window)."""
    from pycsync.emulator import EmulatorServer

    emu = EmulatorServer(
        port=port,
        data_dir=data_dir,
        max_video_bytes=8 * 2**30,
        max_photo_bytes=8 * 2**30,
        **{"latency_ms": latency_ms, **json.loads(network)},
    )
    emu.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(json.dumps(emu.info()), flush=True)
    while not stop.wait(0.2):
        pass
    emu.stop()


def run_pycsync(out: str, argv: list[str]) -> None:
    """Child: run the pycsync CLI; at exit write its peak RSS and the run's timings to ``out``."""
    from pycsync import cli

    found: dict = {}
    real_sync = cli.sync

    def spy(*args, **kwargs):
        result = real_sync(*args, **kwargs)
        found["timings"] = dict(result.timings)
        found["seconds"] = result.seconds
        found["concurrency"] = result.outcome.concurrency if result.outcome is not None else None
        return result

    cli.sync = spy
    window = os.environ.get(SCALED_WINDOW)
    if window:  # the hour of the client's budget scaled down, as the emulator's is (bench_budget)
        import functools

        from pycsync.flickr import client

        client.RateLimiter = functools.partial(client.RateLimiter, window=float(window))  # type: ignore[misc]

    def report() -> None:
        status = proc_status("self")
        Path(out).write_text(json.dumps({**found, "vmhwm": status.get("VmHWM", 0), "vmrss": status.get("VmRSS", 0)}))

    atexit.register(report)
    cli.main(argv, prog_name="pycsync")


#: environment variable naming the seconds the bench's pycsync processes count as their budget's hour
SCALED_WINDOW = "PYCSYNC_BENCH_BUDGET_WINDOW"


def proc_status(pid) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


# --------------------------------------------------------------------------- helpers


_LIVE: set = set()  # emulators still running: stopped at exit whatever happens


class Emulator:
    def __init__(self, data_dir: Path, latency_ms: float = 0, port: int = 0, network: dict | None = None):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [PY, __file__, "--serve-emulator", str(data_dir), str(latency_ms), str(port), json.dumps(network or {})],
            stdout=subprocess.PIPE,
            text=True,
        )
        _LIVE.add(self)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator did not start")
        self.info = json.loads(line)
        self.endpoint = self.info["endpoint"]

    def _control(self, path: str, post: bool = False) -> dict:
        import requests

        url = f"{self.endpoint}/__emulator__/{path}"
        r = requests.post(url, json={}, timeout=60) if post else requests.get(url, timeout=600)
        r.raise_for_status()
        return r.json()

    def calls(self) -> dict[str, int]:
        return self._control("calls")["counts"]

    def reset(self) -> None:
        self._control("reset", post=True)

    def rate_limited(self) -> int:
        """Calls refused by the key's budget since the last reset."""
        return self._control("calls")["rate_limited"]

    def recent(self) -> list[dict]:
        """The latest calls (up to 200), oldest first."""
        return self._control("calls")["recent"]

    def client(self):
        from pycsync.flickr import Credentials, Endpoints, FlickrClient

        i = self.info
        creds = Credentials(i["api_key"], i["api_secret"], i["oauth_token"], i["oauth_token_secret"])
        return FlickrClient(Endpoints.for_base(self.endpoint), creds, calls_per_hour=None)

    def stop(self) -> None:
        _LIVE.discard(self)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Runner:
    """Runs `pycsync sync` in a subprocess against one emulator; counts calls per run.
    ``window``: the seconds its budget of ``rate_limit`` calls counts as an hour (bench_budget)."""

    def __init__(self, emu: Emulator, work: Path, rate_limit: int | None = 10**6, window: float | None = None):
        self.emu = emu
        self.config = work / "config"
        self.out = work / "child.json"
        self.rate_limit = rate_limit
        self.window = window

    def env(self) -> dict[str, str]:
        i = self.emu.info
        env = {
            **os.environ,
            "PYCSYNC_ENDPOINT": self.emu.endpoint,
            "FLICKR_API_KEY": i["api_key"],
            "FLICKR_API_SECRET": i["api_secret"],
            "FLICKR_OAUTH_TOKEN": i["oauth_token"],
            "FLICKR_OAUTH_TOKEN_SECRET": i["oauth_token_secret"],
            "PYCSYNC_CONFIG_DIR": str(self.config),
            "PYTHONPATH": str(REPO / "src"),
        }
        if self.rate_limit:
            env["PYCSYNC_RATE_LIMIT"] = str(self.rate_limit)
        if self.window:
            env[SCALED_WINDOW] = str(self.window)
        return env

    def argv(self, root: Path, *args: str) -> list[str]:
        return [PY, __file__, "--run-pycsync", str(self.out), "--", "sync", str(root), *args]

    def sync(self, root: Path, *args: str) -> dict:
        self.emu.reset()
        t0 = time.perf_counter()
        p = subprocess.run(self.argv(root, "--json", *args), env=self.env(), capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            raise RuntimeError(f"pycsync sync failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
        child = json.loads(self.out.read_text())
        calls = self.emu.calls()
        return {
            "summary": json.loads(p.stdout),
            "wall": wall,
            "calls": calls,
            "api_calls": sum(v for k, v in calls.items() if k.startswith("flickr.")),
            "transfers": {k: v for k, v in calls.items() if not k.startswith("flickr.")},
            **child,
        }

    def on_terminal(self, root: Path, *args: str) -> tuple[list[tuple[float, int, int, float, bool]], float]:
        """`pycsync sync` on a pseudo-terminal, its live display as a user sees it: every
        progress line shown, as (seconds since the start, files done, files, the ETA shown in
        seconds, whether the API budget set it), and the seconds the run took."""
        import fcntl
        import pty
        import re
        import termios

        shown = re.compile(r"(\d+)/(\d+) files[^\r\n]*?ETA (\d+):(\d\d):(\d\d)( \(API budget\))?")
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 220, 0, 0))
        t0 = time.monotonic()
        proc = subprocess.Popen(
            self.argv(root, *args), env=self.env(), stdin=subprocess.DEVNULL, stdout=slave, stderr=slave
        )
        os.close(slave)
        lines: list[tuple[float, int, int, float, bool]] = []
        carry = ""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            now = time.monotonic() - t0
            text = carry + chunk.decode("utf-8", "replace")
            for m in shown.finditer(text):
                h, mi, sec = int(m[3]), int(m[4]), int(m[5])
                lines.append((now, int(m[1]), int(m[2]), h * 3600 + mi * 60 + sec, bool(m[6])))
            carry = text[-300:]
        os.close(master)
        if proc.wait() != 0:
            raise RuntimeError(f"pycsync sync on a terminal failed ({proc.returncode})")
        return lines, time.monotonic() - t0


class CallRate:
    """Samples an emulator's API call count (static files aside) twice a second, on a thread."""

    def __init__(self, emu: Emulator):
        self.emu = emu
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.t0 = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            counts = self.emu.calls()
            self.samples.append((time.monotonic() - self.t0, sum(v for k, v in counts.items() if k != "static")))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def per_window(self, window: float) -> list[int]:
        """Calls in each whole window of ``window`` seconds from the first sample with calls past
        the first run's start-up to the last sample before the count stopped growing."""
        moving = [(t, c) for t, c in self.samples if c > self.samples[0][1]]
        last = max(c for _, c in self.samples)
        ending = next(t for t, c in self.samples if c == last)
        start = moving[0][0]
        out = []
        while start + window <= ending:
            at = [c for t, c in self.samples if t <= start][-1]
            end = [c for t, c in self.samples if t <= start + window][-1]
            out.append(end - at)
            start += window
        return out


_JPEG: bytes | None = None


def jpeg(seed: int) -> bytes:
    """A real JPEG whose comment segment carries ``seed``: distinct content, no re-encoding."""
    global _JPEG
    if _JPEG is None:
        from PIL import Image

        img = Image.new("RGB", (24, 16))
        img.putdata([((x * 11) % 256, (y * 17) % 256, (x * y) % 256) for y in range(16) for x in range(24)])
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        _JPEG = buf.getvalue()
    payload = f"pycsync bench {seed:012d}".encode()
    return _JPEG[:2] + b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload + _JPEG[2:]


def make_library(root: Path, albums: int, per_album: int, loose: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """``albums`` folders of ``per_album`` photos and ``loose`` photos in the root."""
    files = []
    n = seed
    for a in range(albums):
        folder = root / f"album_{a:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_album):
            n += 1
            files.append((f"album_{a:04d}/IMG_{i:05d}.jpg", jpeg(n)))
    for i in range(loose):
        n += 1
        files.append((f"loose_{i:05d}.jpg", jpeg(n)))
    for key, data in files:
        (root / key).write_bytes(data)
    return files


#: API calls of a sync with nothing to do, whatever the library's size (README, Performance)
NO_CHANGE_CALLS = 3


def ceil500(n: int) -> int:
    return max(1, math.ceil(n / 500))


def mb(n: float) -> float:
    return round(n / 2**20, 1)


def wait_past_overlap(started: float, label: str) -> None:
    """Wait until a sync begun at ``started`` is older than the listing's recentlyUpdated overlap,
    so that the next runs measure the steady state, not the re-read of that overlap."""
    from pycsync import remote

    wait = remote.PHOTO_OVERLAP + 3 - (time.monotonic() - started)
    if wait > 0:
        log(f"{label}: waiting {wait:.0f}s for recentlyUpdated's overlap to pass")
        time.sleep(wait)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- benchmarks


def bench_library(work: Path, p: dict, results: dict, later: list) -> None:
    n_albums, loose = p["albums"], p["loose"]
    per_album = (p["n"] - loose) // n_albums
    n = per_album * n_albums + loose
    emu = Emulator(work / "emu")
    try:
        run = Runner(emu, work)
        src = work / "library"
        make_library(src, n_albums, per_album, loose)
        log(f"library: initial upload of {n} photos in {n_albums} albums (+{loose} loose), --jobs 8")
        up = run.sync(src, "--jobs", "8")
        assert up["summary"]["uploaded"] == n, up["summary"]
        # + one people.getPhotos per 500 uploads: Flickr's upload answer has no secrets, so the run
        # reads its new photos' original secrets back in one listing; + 2 sign-in checks, 2 listing
        # calls and the account read before the first upload (people.getInfo, getLimits): README
        target = n + 2 * n_albums + ceil500(n) + 6
        total = sum(up["calls"].values())
        results["initial_upload"] = {
            "figure": f"initial upload, N={n} photos, M={n_albums} albums: API calls incl. uploads",
            "target": f"<= N + 2M + ceil(N/500) + 6 = {target}",
            "measured": total,
            "ratio": round(total / target, 3),
            "ok": total <= target,
            "calls": up["calls"],
            "seconds": round(up["wall"], 2),
        }
        time.sleep(3)  # past the listing's overlap: the next run's album reads are the last
        settle = run.sync(src)
        target = ceil500(n) + 2
        results["settle_after_upload"] = {
            "figure": "the run after the initial upload: recognises the albums it made, reads its new photos back",
            "target": f"<= ceil(N/500) recentlyUpdated + 2 = {target}",
            "measured": settle["api_calls"],
            "ratio": round(settle["api_calls"] / target, 3),
            "ok": settle["api_calls"] <= target,
            "calls": settle["calls"],
            "seconds": round(settle["wall"], 2),
        }
        dst = work / "download"
        dst.mkdir()
        log("library: initial download into an empty folder")
        down = run.sync(dst, "--jobs", "8")
        assert down["summary"]["downloaded"] == n, down["summary"]
        target = ceil500(n_albums) + n_albums * ceil500(per_album) + ceil500(loose) + 2
        per_photo = {k: v for k, v in down["calls"].items() if k in ("flickr.photos.getInfo", "flickr.photos.getSizes")}
        results["initial_download"] = {
            "figure": f"initial download, N={n}: API calls (originals fetched by URL)",
            "target": f"<= ceil(M/500) + sum ceil(n/500) + ceil(unsorted/500) + 2 = {target}, 0 per photo",
            "measured": down["api_calls"],
            "ratio": round(down["api_calls"] / target, 3),
            "ok": down["api_calls"] <= target and not per_photo,
            "calls": down["calls"],
            "seconds": round(down["wall"], 2),
            "bytes_down": down["summary"]["bytes_down"],
        }
        time.sleep(3)
        run.sync(dst)
        started = time.monotonic()

        def finish() -> None:
            wait_past_overlap(started, "library")
            # the first run after the wait still re-reads what changed within PHOTO_OVERLAP of
            # the last listing (recentlyUpdated, 500 a page); the one after it is the steady state
            overlap = [run.sync(src), run.sync(dst)]
            quiet = run.sync(src)
            quiet2 = run.sync(dst)
            results["no_change"] = {
                "figure": f"no-change sync, N={n} (upload side / download side): API calls",
                "target": f"constant in N ({NO_CHANGE_CALLS}: getList, recentlyUpdated, getInfo)",
                "measured": f"{quiet['api_calls']} / {quiet2['api_calls']}",
                "ratio": round(max(quiet["api_calls"], quiet2["api_calls"]) / NO_CHANGE_CALLS, 3),
                "ok": max(quiet["api_calls"], quiet2["api_calls"]) <= NO_CHANGE_CALLS
                and quiet["summary"]["files_hashed"] == 0,
                "calls": quiet["calls"],
                "seconds": round(quiet["wall"], 2),
                "files_hashed": quiet["summary"]["files_hashed"],
                "first_run_after_the_overlap_calls": [o["api_calls"] for o in overlap],
            }
            k = p["k"]
            log(f"library: {k} local changes")
            for i in range(k // 2):  # new photos in the first album
                (src / "album_0000" / f"NEW_{i:03d}.jpg").write_bytes(jpeg(10**9 + i))
            for i in range(k - k // 2):  # edits spread over albums
                (src / f"album_{(i + 1) % n_albums:04d}" / f"IMG_{i:05d}.jpg").write_bytes(jpeg(2 * 10**9 + i))
            local = run.sync(src)
            extra = local["api_calls"] - quiet["api_calls"]
            target = NO_CHANGE_CALLS + 6 * k
            results["k_change_local"] = {
                "figure": f"sync after k={k} local changes ({k // 2} new, {k - k // 2} edited): "
                "API calls incl. uploads",
                "target": f"no-change + O(k): <= {NO_CHANGE_CALLS} + 6k = {target}",
                "measured": sum(local["calls"].values()),
                "ratio": round(sum(local["calls"].values()) / target, 3),
                "ok": sum(local["calls"].values()) <= target,
                "calls": local["calls"],
                "extra_api_calls_per_change": round(extra / k, 2),
            }
            run.sync(dst)  # the download side takes those in first
            client = emu.client()
            try:
                state = client.call("flickr.photosets.getList", per_page=500)["photosets"]["photoset"]
                ids = [a["id"] for a in state]
                for i in range(k):  # retitles and replaces on the website, spread over albums
                    members = client.call("flickr.photosets.getPhotos", photoset_id=ids[i % len(ids)], per_page=5)[
                        "photoset"
                    ]["photo"]
                    pid = members[i // len(ids) % len(members)]["id"]
                    if i % 2:
                        client.set_meta(pid, title=f"retitled {i}")
                    else:
                        tmp = work / f"replace_{i}.jpg"
                        tmp.write_bytes(jpeg(3 * 10**9 + i))
                        client.replace(tmp, pid)
            finally:
                client.close()
            time.sleep(1)
            remote_run = run.sync(dst)
            target = NO_CHANGE_CALLS + k
            results["k_change_remote"] = {
                "figure": f"sync after k={k} changes on Flickr ({k // 2} replaced, {k // 2} retitled): API calls "
                f"({remote_run['transfers'].get('static', 0)} originals fetched by URL)",
                "target": f"no-change + O(k): <= {NO_CHANGE_CALLS} + k = {target}",
                "measured": remote_run["api_calls"],
                "ratio": round(remote_run["api_calls"] / target, 3),
                "ok": remote_run["api_calls"] <= target,
                "calls": remote_run["calls"],
            }
            emu.stop()

        later.append(finish)
    except BaseException:
        emu.stop()
        raise


def bench_metadata(work: Path, p: dict, results: dict, later: list) -> None:
    sys.path.insert(0, str(REPO))  # the tests' photo maker: real EXIF/IPTC/XMP, written by exiv2
    from tests.support.photos import photo, sidecar

    n, k, albums = p["meta_n"], p["k"], 4
    emu = Emulator(work / "emu")
    try:
        run = Runner(emu, work)
        src = work / "library"
        half = n // 2
        log(f"metadata: {n} photos in {albums} albums, {half} with it all in the file, {n - half} with sidecars")
        for i in range(n):
            path = src / f"album_{i % albums}" / f"IMG_{i:05d}.jpg"
            if i < half:
                photo(
                    path,
                    i,
                    title=f"Title {i}",
                    description=f"Caption {i}",
                    keywords=["alps", f"k{i}"],
                    taken="2019:07:01 10:00:00",
                    gps=(46.5, 7.9),
                )
            else:  # the date and the place only in the sidecar: Flickr cannot read them from the upload
                photo(path, i)
                sidecar(
                    path.with_name(path.name + ".xmp"),
                    Xmp_dc_title=f'lang="x-default" Side {i}',
                    Xmp_dc_subject=["lake", "old"],
                    Xmp_exif_DateTimeOriginal="2019-07-01T10:00:00",
                    Xmp_exif_GPSLatitude="46,30.0N",
                    Xmp_exif_GPSLongitude="7,54.0E",
                )
        up = run.sync(src, "--jobs", "8")
        assert up["summary"]["uploaded"] == n, up["summary"]
        meta_calls = {m: c for m, c in up["calls"].items() if m in METADATA_METHODS}
        pixels = n + 2 * albums + ceil500(n) + 6  # what the same upload costs without metadata
        target = pixels + 2 * (n - half)
        total = sum(up["calls"].values())
        results["metadata_upload"] = {
            "figure": f"upload of N={n} photos with metadata, {half} of them with it all in the file, "
            f"{n - half} with the date and place in a sidecar: API calls incl. uploads",
            "target": f"<= the pixels-only bound N + 2M + ceil(N/500) + 6 = {pixels}, + 1 setDates and "
            f"1 setLocation per sidecar-only photo = {target}",
            "measured": f"{total} ({meta_calls})",
            "ratio": round(total / target, 3),
            "ok": total <= target,
            "calls": up["calls"],
        }
        time.sleep(3)
        run.sync(src)
        started = time.monotonic()

        def finish() -> None:
            wait_past_overlap(started, "metadata")
            run.sync(src)
            quiet = run.sync(src)
            results["metadata_no_change"] = {
                "figure": f"no-change sync of N={n} photos with metadata: API calls",
                "target": f"the same as without metadata ({NO_CHANGE_CALLS})",
                "measured": quiet["api_calls"],
                "ratio": round(quiet["api_calls"] / NO_CHANGE_CALLS, 3),
                "ok": quiet["api_calls"] <= NO_CHANGE_CALLS and quiet["summary"]["metadata"] == 0,
                "calls": quiet["calls"],
            }
            log(f"metadata: {k} sidecars edited (title, a tag added and one removed, date, place)")
            for i in range(half, half + k):
                path = src / f"album_{i % albums}" / f"IMG_{i:05d}.jpg.xmp"
                sidecar(
                    path,
                    Xmp_dc_title=f'lang="x-default" Retitled {i}',
                    Xmp_dc_subject=["lake", "new"],
                    Xmp_exif_DateTimeOriginal="2020-08-02T11:00:00",
                    Xmp_exif_GPSLatitude="45,30.0N",
                    Xmp_exif_GPSLongitude="6,54.0E",
                )
            edited = run.sync(src)
            extra = {m: c for m, c in edited["calls"].items() if m in METADATA_METHODS}
            per_photo = sum(extra.values()) / k
            results["metadata_local_edits"] = {
                "figure": f"sync after k={k} sidecar edits, every field changed: metadata API calls per photo",
                "target": "<= 6 (setMeta, addTags, getInfo + removeTag, setDates, setLocation); no upload",
                "measured": f"{per_photo:g} ({extra})",
                "ratio": round(per_photo / 6, 3),
                "ok": per_photo <= 6 and edited["summary"]["metadata"] == k and "upload" not in edited["calls"],
                "calls": edited["calls"],
            }
            client = emu.client()
            try:
                listed = client.call("flickr.people.getPhotos", user_id="me", per_page=k, extras="")
                for i, rec in enumerate(listed["photos"]["photo"]):
                    client.set_meta(rec["id"], title=f"On Flickr {i}", description="Edited on the website")
                    client.add_tags(rec["id"], ["From The Web"])
                    client.set_location(rec["id"], 44.0, 5.0, 12)
            finally:
                client.close()
            time.sleep(1)
            remote_run = run.sync(src)
            extra = {m: c for m, c in remote_run["calls"].items() if m in METADATA_METHODS}
            downloads = remote_run["transfers"].get("static", 0)
            results["metadata_remote_edits"] = {
                "figure": f"sync after k={k} metadata edits on Flickr (title, caption, tag, place): "
                "metadata API calls (written to sidecars; no original fetched again)",
                "target": "0 per photo (1 tags.getListUserRaw per run, to spell new tags as typed), 0 downloads",
                "measured": f"{sum(extra.values())} ({extra}), {downloads} downloads",
                "ratio": round(sum(extra.values()) / 1, 3),
                "ok": sum(extra.values()) <= 1 and downloads == 0 and remote_run["summary"]["metadata"] == k,
                "calls": remote_run["calls"],
            }
            bench_album_meta(emu, run, src / "album_0", n // albums, results)
            emu.stop()

        later.append(finish)
    except BaseException:
        emu.stop()
        raise


def bench_album_meta(emu: Emulator, run: Runner, folder: Path, members: int, results: dict) -> None:
    """An album's description changed in its folder's .pycsync.toml, then on Flickr's website."""
    (folder / ".pycsync.toml").write_text('[album]\ndescription = "Written here"\n')
    here = run.sync(folder.parent)
    time.sleep(1)  # (an edit in the very second of the run's own would pass for the run's)
    client = emu.client()
    try:
        (album,) = [a for a in client.list_albums() if a.title == folder.name]
        client.edit_album_meta(album.album_id, album.title, "Written on Flickr")
    finally:
        client.close()
    there = run.sync(folder.parent)
    target_there = NO_CHANGE_CALLS + ceil500(members)
    results["metadata_album"] = {
        "figure": f"an album's description changed here, then on Flickr (an album of {members} photos): API calls "
        "of each sync",
        "target": f"here: {NO_CHANGE_CALLS} + 1 photosets.editMeta; on Flickr: {NO_CHANGE_CALLS} + "
        f"{ceil500(members)} photosets.getPhotos (the album read again), no write",
        "measured": f"here {here['api_calls']}, on Flickr {there['api_calls']}",
        "ratio": round((here["api_calls"] + there["api_calls"]) / (NO_CHANGE_CALLS + 1 + target_there), 3),
        "ok": here["api_calls"] == NO_CHANGE_CALLS + 1
        and here["calls"].get("flickr.photosets.editMeta") == 1
        and there["api_calls"] == target_there
        and (folder / ".pycsync.toml").read_text() == '[album]\ndescription = "Written on Flickr"\n',
        "calls": {"here": here["calls"], "on_flickr": there["calls"]},
    }


# the calls that read or write a photo's metadata (beyond the listing's extras)
METADATA_METHODS = frozenset(
    {
        "flickr.photos.setMeta",
        "flickr.photos.addTags",
        "flickr.photos.removeTag",
        "flickr.photos.setTags",
        "flickr.photos.setDates",
        "flickr.photos.geo.setLocation",
        "flickr.photos.geo.removeLocation",
        "flickr.photos.getInfo",
        "flickr.tags.getListUserRaw",
    }
)


def bench_jobs(work: Path, p: dict, results: dict) -> None:
    n_albums = 4
    per_album = p["jobs_n"] // n_albums
    times, walls, calls = {}, {}, {}
    for jobs in (1, 8):
        emu = Emulator(work / f"emu-jobs{jobs}", latency_ms=50)
        try:
            run = Runner(emu, work / f"jobs{jobs}", rate_limit=None)  # the default budget (3000/hour)
            (work / f"jobs{jobs}").mkdir(exist_ok=True)
            src = work / f"jobs{jobs}" / "library"
            make_library(src, n_albums, per_album, 0)
            log(f"jobs: initial upload of {per_album * n_albums} photos at 50 ms latency, --jobs {jobs}")
            r = run.sync(src, "--jobs", str(jobs))
            times[jobs] = r["seconds"]  # the sync itself, from listing to the last album edit
            walls[jobs] = r["wall"]  # plus starting Python and importing pycsync (~0.5 s)
            calls[jobs] = sum(r["calls"].values())
        finally:
            emu.stop()
    speedup = times[1] / times[8]
    results["jobs"] = {
        "figure": f"initial upload of {per_album * n_albums} photos in {n_albums} albums at 50 ms latency: "
        "--jobs 8 vs --jobs 1 (sync duration; with process start-up in brackets)",
        "target": ">= 6x faster, within the 3000 calls/hour budget",
        "measured": f"{speedup:.2f}x ({times[1]:.1f}s -> {times[8]:.1f}s, {calls[8]} calls) "
        f"[{walls[1] / walls[8]:.2f}x]",
        "ratio": round(speedup / 6, 3),
        "ok": speedup >= 6 and calls[8] <= 3000,
        "seconds_jobs1": round(times[1], 2),
        "seconds_jobs8": round(times[8], 2),
        "wall_jobs1": round(walls[1], 2),
        "wall_jobs8": round(walls[8], 2),
    }


#: the modelled network: a user's line to Flickr and Flickr's time per upload
NETWORK = {"bandwidth_mbps": 20.0, "latency_ms": 100.0, "upload_processing_ms": 1500.0}
NET_PHOTO_BYTES = 2_000_000
NET_JOBS = ("1", "4", "8", "auto")


def big_jpeg(seed: int, size: int) -> bytes:
    """A real JPEG of ``size`` bytes: the small one with comment segments of random bytes
    (incompressible, so no layer can shrink it) until it is that large."""
    import random

    base = jpeg(seed)
    rng = random.Random(seed)
    segments = []
    room = size - len(base)
    while room > 4:
        n = min(65533, room - 4)
        segments.append(b"\xff\xfe" + struct.pack(">H", n + 2) + rng.randbytes(n))
        room -= n + 4
    return base[:2] + b"".join(segments) + base[2:] + b"\x00" * max(0, room)


def bench_network(work: Path, p: dict, results: dict) -> None:
    """Upload ``net_n`` photos of 2 MB over the modelled network, then pull ``net_pull_n`` of them,
    for each --jobs; one at a time, ``net_serial_n`` each way (its share of the link is the same
    for every photo: one photo's send, processing and round trip, then the next)."""
    from pycsync.config import SETTINGS

    default_jobs = str(SETTINGS["jobs"].default)
    size = NET_PHOTO_BYTES
    src = work / "library"
    for i in range(p["net_n"]):
        path = src / f"album_{i % 4:04d}" / f"IMG_{i:05d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(big_jpeg(i + 1, size))
    serial = work / "serial"  # the first net_serial_n of them, for --jobs 1
    for path in sorted(src.rglob("*.jpg"))[: p["net_serial_n"]]:
        (serial / path.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
        os.link(path, serial / path.relative_to(src))
    # the pull takes the first of the 4 albums uploaded, as many as make net_pull_n photos
    pulled = p["net_pull_n"] // (p["net_n"] // 4)
    leave_out = [arg for a in range(pulled, 4) for arg in ("--exclude", f"album_{a:04d}/")]
    rows: dict[str, dict] = {"up": {}, "down": {}}
    counts: dict[str, dict[str, int]] = {"up": {}, "down": {}}
    for jobs in NET_JOBS:
        emu = Emulator(work / f"emu-net-{jobs}", network=NETWORK)
        one = jobs == "1"
        n_up = p["net_serial_n"] if one else p["net_n"]
        n_down = p["net_serial_n"] if one else p["net_pull_n"]
        try:
            run = Runner(emu, work / f"net-{jobs}", rate_limit=None)  # the default budget
            (work / f"net-{jobs}").mkdir(exist_ok=True)
            library = serial if one else src
            shutil.rmtree(library / ".pycsync", ignore_errors=True)  # a first sync each time
            log(f"network: upload of {n_up} x 2 MB over {NETWORK}, --jobs {jobs}")
            up = run.sync(library, "--jobs", jobs)
            assert up["summary"]["uploaded"] == n_up, up["summary"]
            dst = work / f"net-{jobs}" / "pull"
            dst.mkdir()
            log(f"network: pull of {n_down} of them into an empty folder, --jobs {jobs}")
            down = run.sync(dst, "--jobs", jobs, *([] if one else leave_out))
            assert down["summary"]["downloaded"] == n_down, down["summary"]
            shutil.rmtree(dst, ignore_errors=True)
        finally:
            emu.stop()
        for way, r, count in (("up", up, n_up), ("down", down, n_down)):
            link = count * size * 8 / (NETWORK["bandwidth_mbps"] * 1e6)  # seconds: the bytes at the link's rate
            counts[way][jobs] = count
            rows[way][jobs] = {
                "photos": count,
                "seconds": round(r["seconds"], 1),
                "link_seconds": round(link, 1),
                "of_link": round(link / r["seconds"], 3),
                "api_calls": r["api_calls"],
                "concurrency": r.get("concurrency"),
            }
    for way, name, verb in (("up", "network_upload", "initial upload"), ("down", "network_pull", "pull")):
        by = rows[way]
        default = by[default_jobs]
        many = counts[way][default_jobs]
        shown = ", ".join(
            f"--jobs {j}: {r['seconds']}s = {r['of_link'] * 100:.0f}%"
            + (f" of {r['photos']}" if r["photos"] != many else "")
            + (f" (reached {r['concurrency']} at once)" if j == "auto" and r["concurrency"] else "")
            for j, r in by.items()
        )
        results[name] = {
            "figure": f"{verb} of {many} photos x 2 MB (--jobs 1: {counts[way]['1']}) over "
            f"{NETWORK['bandwidth_mbps']:g} Mbit/s, {NETWORK['latency_ms']:g} ms latency"
            + (f", {NETWORK['upload_processing_ms']:g} ms processing per upload" if way == "up" else "")
            + f": wall time vs the link limit ({default['link_seconds']:.0f}s; {by['1']['link_seconds']:.0f}s)",
            "target": f">= 90% of the link with the default (--jobs {default_jobs})",
            "measured": shown,
            "ratio": round(default["of_link"] / 0.9, 3),
            "ok": default["of_link"] >= 0.9,
            "runs": by,
        }


#: the budget, scaled: Flickr allows the key BUDGET_FLICKR calls in any BUDGET_WINDOW seconds and
#: pycsync spends BUDGET_PYCSYNC of them (3600 : 3000, as an hour's real budget and the default)
BUDGET_WINDOW = 10.0
BUDGET_FLICKR = 300
BUDGET_PYCSYNC = 250


def bench_budget(work: Path, p: dict, results: dict) -> None:
    """A first upload that spans many budget windows, on a terminal: the rate it keeps, the ETA
    its live display shows at 10% and 50% against when it ended; then another stopped half way
    (SIGINT) and run again: the calls spent before its first new upload."""
    n, albums = p["budget_n"], p["budget_albums"]
    budget = {"rate_limit": BUDGET_FLICKR, "rate_limit_window": BUDGET_WINDOW}
    rate = BUDGET_PYCSYNC / BUDGET_WINDOW
    emu = Emulator(work / "emu", network=budget)
    try:
        run = Runner(emu, work, rate_limit=BUDGET_PYCSYNC, window=BUDGET_WINDOW)
        src = work / "library"
        make_library(src, albums, n // albums, 0)
        log(f"budget: initial upload of {n} photos at {BUDGET_PYCSYNC} calls per {BUDGET_WINDOW:g}s, on a terminal")
        emu.reset()
        sampler = CallRate(emu)
        try:
            lines, took = run.on_terminal(src, "--jobs", "8")
        finally:
            sampler.stop()
        calls = emu.calls()
        refused = emu.rate_limited()
        total = sum(v for k, v in calls.items() if k != "static")
        assert calls.get("upload") == n, calls
        windows = sampler.per_window(BUDGET_WINDOW)
        achieved = sum(windows) / (len(windows) * BUDGET_WINDOW)
        eta = {}
        for share in (0.1, 0.5):
            at, done, files, left, by_budget = next(line for line in lines if line[1] >= share * line[2])
            eta[f"{share:.0%}"] = {
                "at_seconds": round(at, 1),
                "shown_seconds_left": left,
                "actual_seconds_left": round(took - at, 1),
                "error": round(left / (took - at) - 1, 3),
                "set_by_the_budget": by_budget,
            }
    finally:
        emu.stop()
    resume = _stopped_and_resumed(work, p, budget)
    worst_eta = max(abs(e["error"]) for e in eta.values())
    results["budget"] = {
        "figure": f"first upload of {n} photos in {albums} albums under a scaled budget ({BUDGET_PYCSYNC} calls per "
        f"{BUDGET_WINDOW:g} s window; Flickr's {BUDGET_FLICKR}): rate per window, ETA shown at 10% / 50% vs the "
        "time the run took",
        "target": ">= 95% of the budget in every whole window, no 429; ETA within 10%",
        "measured": f"{total} calls in {took:.0f}s, {len(windows)} windows: {min(windows)}-{max(windows)} calls "
        f"each = {achieved / rate:.0%} of the budget, {refused} refused; ETA at 10%: "
        f"{eta['10%']['shown_seconds_left']}s shown, {eta['10%']['actual_seconds_left']:.0f}s taken "
        f"({eta['10%']['error']:+.0%}); at 50%: {eta['50%']['shown_seconds_left']}s, "
        f"{eta['50%']['actual_seconds_left']:.0f}s ({eta['50%']['error']:+.0%})",
        "ratio": round(min(windows) / (BUDGET_PYCSYNC * 0.95), 3),
        "ok": min(windows) >= 0.95 * BUDGET_PYCSYNC and not refused and worst_eta <= 0.1,
        "calls": calls,
        "seconds": round(took, 1),
        "per_window": windows,
        "eta": eta,
    }
    results["budget_resume"] = resume


def _stopped_and_resumed(work: Path, p: dict, budget: dict) -> dict:
    """A first upload stopped by Ctrl-C (SIGINT) half way, then run again: its calls before
    the first new upload, per album (the listing; nothing done is checked again)."""
    n, albums = p["resume_n"], p["budget_albums"]
    emu = Emulator(work / "emu-resume", network=budget)
    try:
        run = Runner(emu, work / "resume", rate_limit=BUDGET_PYCSYNC, window=BUDGET_WINDOW)
        (work / "resume").mkdir(exist_ok=True)
        src = work / "resume" / "library"
        make_library(src, albums, n // albums, 0, seed=10**6)
        log(f"budget: a first upload of {n} photos stopped by SIGINT half way, then run again")
        emu.reset()
        first = subprocess.Popen(
            run.argv(src, "--json", "--jobs", "8"), env=run.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        while emu.calls().get("upload", 0) < n // 2:
            time.sleep(0.05)
        first.send_signal(signal.SIGINT)
        out, err = first.communicate(timeout=120)
        assert first.returncode == 130, (first.returncode, err[-2000:])
        done = json.loads(out)["uploaded"]
        emu.reset()
        again = subprocess.Popen(
            run.argv(src, "--json", "--jobs", "8"), env=run.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        before: list[str] | None = None
        while before is None:
            recent = [c["name"] for c in emu.recent()]
            if "upload" in recent:
                before = recent[: recent.index("upload")]
            else:
                time.sleep(0.02)
        out, err = again.communicate(timeout=600)
        assert again.returncode == 0, err[-2000:]
        summary = json.loads(out)
        assert summary["uploaded"] == n - done, (summary["uploaded"], n, done)
        calls = emu.calls()
    finally:
        emu.stop()
    per_album = len(before) / albums
    return {
        "figure": f"the same, {n} photos in {albums} albums, stopped by SIGINT after {done} uploads and run again: "
        "calls before the first new upload",
        "target": "<= 3 + ceil(done/500) (the listing), i.e. a few per album at most",
        "measured": f"{len(before)} ({', '.join(before)}) = {per_album:.2f} per album; then {summary['uploaded']} "
        f"uploads, {sum(calls.values())} calls in all",
        "ratio": round(len(before) / (3 + ceil500(done)), 3),
        "ok": len(before) <= 3 + ceil500(done),
        "calls": calls,
        "before_first_upload": before,
        "done_before_the_stop": done,
    }


def seed_emulator(data_dir: Path, files: list[tuple[str, str, int]], lastupdate: int) -> None:
    """Put photos straight into the emulator's store, as if uploaded by pycsync long ago.

    ``files``: (key, sha256, size). Folders become albums titled with their path.
    """
    from pycsync import naming
    from pycsync.emulator.store import Store, new_secret
    from pycsync.emulator.tags import parse_tag_string
    from pycsync.flickr import format_tags

    store = Store(data_dir)
    try:
        owner = store.default_user()["nsid"]
        base_id = int(store.get_meta("next_photo_id"))
        photos, tags, albums = [], [], {}
        for i, (key, sha, size) in enumerate(files):
            pid = base_id + i
            folder, _, name = key.rpartition("/")
            stamp = lastupdate - len(files) + i
            photos.append(
                (
                    pid,
                    owner,
                    name.rpartition(".")[0],
                    new_secret(10),
                    new_secret(10),
                    sha,
                    size,
                    stamp,
                    time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)),
                    stamp,
                    name,
                )
            )
            for t in parse_tag_string(format_tags([naming.hash_tag(sha), naming.name_tag(name)])):
                tags.append((pid, owner, t.raw, t.clean, int(t.machine)))
            if folder:
                albums.setdefault(folder, []).append(pid)
        with store.tx():
            store.db.executemany(
                "INSERT INTO photos(id, owner, title, secret, originalsecret, server, farm, format, mime, media,"
                " sha256, size, width, height, dateupload, datetaken, takenunknown, lastupdate, filename, visible_at)"
                " VALUES (?,?,?,?,?,'65535',66,'jpg','image/jpeg','photo',?,?,24,16,?,?,1,?,?,0)",
                photos,
            )
            store.db.executemany("INSERT INTO tags(photo_id, author, raw, clean, machine) VALUES (?,?,?,?,?)", tags)
            set_id = int(store.get_meta("next_set_id"))
            for sort, (folder, members) in enumerate(sorted(albums.items())):
                sid = str(set_id + sort * 7)
                store.db.execute(
                    "INSERT INTO sets(id, owner, title, description, primary_id, date_create, date_update, sort)"
                    " VALUES (?,?,?,'',?,?,?,?)",
                    (sid, owner, folder, members[0], lastupdate, lastupdate, sort),
                )
                store.db.executemany(
                    "INSERT INTO set_photos(set_id, photo_id, pos) VALUES (?,?,?)",
                    [(sid, m, pos) for pos, m in enumerate(members)],
                )
            store.set_meta("next_photo_id", base_id + len(files) + 1)
            store.set_meta("next_set_id", set_id + len(albums) * 7 + 1)
    finally:
        store.close()


def bare_walk(root: Path) -> tuple[float, int]:
    """os.scandir + stat of every file, breadth first: the floor for any scan."""
    t0 = time.perf_counter()
    count = 0
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat()
                    count += 1
    return time.perf_counter() - t0, count


def bench_scan(work: Path, p: dict, results: dict) -> None:
    n, n_albums = p["scan_n"], p["scan_albums"]
    per_album = n // n_albums
    root = work / "big"
    log(f"scan: writing {n} files in {n_albums} folders")
    files = make_library(root, n_albums, per_album, 0, seed=5 * 10**9)
    meta = [(key, hashlib.sha256(data).hexdigest(), len(data)) for key, data in files]
    del files
    log("scan: seeding the emulator's store")
    seed_emulator(work / "emu-big", meta, int(time.time()) - 3600)
    del meta
    emu = Emulator(work / "emu-big")
    try:
        run = Runner(emu, work)
        log("scan: first sync (links every file to its photo; full listing)")
        first = run.sync(root, "--jobs", "4")
        assert first["summary"]["linked"] == n and first["summary"]["uploaded"] == 0, first["summary"]
        time.sleep(3)
        log("scan: no-change syncs and bare walks, interleaved")
        runs, walks = [], []
        for _ in range(2):
            walks.append(bare_walk(root))
            runs.append(run.sync(root))
        walks.append(bare_walk(root))
        assert walks[0][1] == n
        walk = min(w[0] for w in walks)
        local = min(r["timings"]["local"] for r in runs)
        base = min(r["timings"]["base"] for r in runs)
        quiet = runs[-1]
        results["scan"] = {
            "figure": f"no-change sync of {n} files: its local part (the folder scan as the sync runs it) "
            "vs a bare os.scandir+stat walk; in brackets: with loading the base from the state DB",
            "target": "<= 2x",
            "measured": f"{local:.2f}s vs {walk:.2f}s = {local / walk:.2f}x [{(local + base) / walk:.2f}x]",
            "ratio": round(local / walk / 2, 3),
            "ok": local <= 2 * walk,
            "timings": quiet["timings"],
            "bare_walk_seconds": round(walk, 3),
            "base_load_seconds": round(base, 3),
            "first_sync_seconds": round(first["wall"], 1),
        }
        peak = max(r["vmhwm"] for r in runs)
        results["memory"] = {
            "figure": f"peak RSS of a no-change sync of {n} photos (pycsync process, VmHWM)",
            "target": "<= 250 MB",
            "measured": f"{mb(peak)} MB",
            "ratio": round(peak / (250 * 2**20), 3),
            "ok": peak <= 250 * 2**20,
            "first_sync_vmhwm_mb": mb(first["vmhwm"]),
        }
        results["no_change_100k"] = {
            "figure": f"no-change sync of {n} photos: API calls",
            "target": f"constant in N ({NO_CHANGE_CALLS})",
            "measured": quiet["api_calls"],
            "ratio": round(quiet["api_calls"] / NO_CHANGE_CALLS, 3),
            "ok": quiet["api_calls"] <= NO_CHANGE_CALLS,
            "calls": quiet["calls"],
            "seconds": round(quiet["wall"], 2),
        }
    finally:
        emu.stop()


def make_video(path: Path, size: int) -> None:
    """An MP4-looking file (ftyp + one mdat box) of ``size`` bytes, written in 8 MB chunks."""
    ftyp_payload = b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    ftyp = struct.pack(">I", 8 + len(ftyp_payload)) + b"ftyp" + ftyp_payload
    body = size - len(ftyp) - 8
    chunk = os.urandom(8 * 2**20)
    with open(path, "wb") as f:
        f.write(ftyp + struct.pack(">I", 8 + body) + b"mdat")
        left = body
        while left:
            f.write(chunk[: min(left, len(chunk))])
            left -= min(left, len(chunk))


def bench_large(work: Path, p: dict, results: dict) -> Path:
    """Upload then download one large video, and the same with a 64 KB one (the baseline), each
    pair against its own emulator: the RSS a transfer adds is the difference of the peaks."""
    size = p["large_mb"] * 2**20
    runs = {}
    for label, nbytes in (("small", 64 * 1024), ("big", size)):
        emu = Emulator(work / f"emu-{label}")
        try:
            run = Runner(emu, work / label)
            src, dst = work / label / "up", work / label / "down"
            (src / "v").mkdir(parents=True)
            dst.mkdir()
            if label == "big":
                log(f"large: writing a {p['large_mb']} MB video, uploading it, downloading it")
            make_video(src / "v" / f"{label}.mp4", nbytes)
            up = run.sync(src)
            assert up["summary"]["uploaded"] == 1, up["summary"]
            down = run.sync(dst)
            assert down["summary"]["downloaded"] == 1, down["summary"]
            assert (dst / "v" / f"{label}.mp4").stat().st_size == nbytes
            runs[label] = (up, down)
        finally:
            emu.stop()
    (small_up, small_down), (up, down) = runs["small"], runs["big"]
    grow_up = up["vmhwm"] - small_up["vmhwm"]
    grow_down = down["vmhwm"] - small_down["vmhwm"]
    results["large_file"] = {
        "figure": f"RSS added by a {p['large_mb']} MB upload / download (VmHWM vs the same sync of a 64 KB file)",
        "target": "< 50 MB each",
        "measured": f"{mb(grow_up)} MB / {mb(grow_down)} MB",
        "ratio": round(max(grow_up, grow_down) / (50 * 2**20), 3),
        "ok": grow_up < 50 * 2**20 and grow_down < 50 * 2**20,
        "upload_seconds": round(up["wall"], 1),
        "download_seconds": round(down["wall"], 1),
        "vmhwm_mb": {
            "small_up": mb(small_up["vmhwm"]),
            "big_up": mb(up["vmhwm"]),
            "small_down": mb(small_down["vmhwm"]),
            "big_down": mb(down["vmhwm"]),
        },
    }
    return work / "big" / "up" / "v" / "big.mp4"


def bench_hash(path: Path, results: dict) -> None:
    """The hashing the scan does (local._hash_stable: open without blocking, hash, check the file
    did not change meanwhile) against hashlib.file_digest alone, best of 3, interleaved."""
    from pycsync import local

    size = path.stat().st_size

    def ref() -> None:
        with open(path, "rb") as f:
            hashlib.file_digest(f, "sha256")

    def ours() -> None:
        local._hash_stable(str(path))

    ref()  # warm the page cache
    t_ref, t_ours = [], []
    for _ in range(3):
        t_ref.append(_timed(ref))
        t_ours.append(_timed(ours))
    ours_rate, theirs = size / min(t_ours), size / min(t_ref)
    results["hashing"] = {
        "figure": f"SHA-256 throughput on a cached {mb(size):.0f} MB file: the scan's hashing vs hashlib.file_digest",
        "target": ">= 80%",
        "measured": f"{mb(ours_rate):.0f} vs {mb(theirs):.0f} MB/s = {ours_rate / theirs:.0%}",
        "ratio": round((ours_rate / theirs) / 0.8, 3),
        "ok": ours_rate >= 0.8 * theirs,
    }


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# --------------------------------------------------------------------------- report

LIMITS = {
    "initial_upload": "one upload call per file (Flickr has no batch upload); per album one create (the first "
    "photo as primary) and one editPhotos with every member in order (addPhoto for a second photo): safe only "
    "because the run created the album",
    "settle_after_upload": "the upload run recorded what its album writes did, so no album is read again; "
    "recentlyUpdated still returns the new photos, 500 a call (they changed after the listing before them)",
    "initial_download": "listing pages of 500; originals come by URL (not API calls), videos by their "
    "owner-only play/orig URL built without a call",
    "no_change": "getList (1 per 500 albums), recentlyUpdated (1 per 500 photos changed around the last "
    "listing), people.getInfo (photo count check); the token's user and permission are known from the first run",
    "k_change_local": "the transfers and album edits themselves: one addPhoto per new photo of an existing album "
    "(editPhotos would drop what joined it since the listing), a replace also reads the photo's tags to retag it "
    "(4 calls), a rename retags the exact-name tag (getInfo, addTags, removeTag, and setMeta when the title was "
    "the file name's); the next run recognises the albums they touched without reading them",
    "k_change_remote": "downloads go by URL; an album changed within 2 s of the last listing is read again",
    "jobs": "CPU per upload on 2 cores shared with the emulator (OAuth signing, multipart encoding, and the "
    "emulator's own parsing), each process under one GIL; listing and start-up are serial",
    "network_upload": "the link: 200 MB at 20 Mbit/s is 80 s. One upload at a time leaves it idle while Flickr "
    "processes each photo (1.5 s) and the answer comes back (100 ms): 31% (measured on 16 photos: the share is "
    "the same for each). On average 1 + 1.6 s x 2.5 MB/s / 2 MB = 3 uploads at once would fill it, but uploads "
    "that share the link finish sending together and then all wait together, so the link idles in each wait: 4 "
    "reach 79%, 8 reach 92% (the default). --jobs auto climbs one step while a step pays half its ideal gain and "
    "stops at 5-6 here (87%). What remains at 8: the waits that still line up, the listing, album calls and "
    "people.getPhotos (round trips of 100 ms) and the last upload's processing. Sending one body at a time "
    "(pipelining) would need 3 at once for the full link",
    "network_pull": "the link: 50 photos (100 MB) at 20 Mbit/s is 40 s. A download waits 100 ms for its first "
    "byte, so one at a time leaves the link idle about a quarter of the time here (76% on 16 photos) and 4 or "
    "more fill it; what remains (3%) is starting the run and the listing's round trips, a larger share of 40 s "
    "than it was of the 80 s of 100 photos",
    "budget": "the budget itself: once a run needs more calls than the window has left, pycsync spends it evenly "
    "(a burst of a hundredth, then one call every window/budget seconds), so every whole window holds the "
    "budget give or take the calls in flight, and never Flickr's limit; the machine alone went 4x faster. The "
    "ETA is when the budget lets the plan's last call start (the rate limiter's own schedule); what it leaves "
    "out is the run's end after that call (recording the state, the summary, the process's exit: about 2 s)",
    "budget_resume": "the listing: getList, recentlyUpdated (which returns the photos the stopped run uploaded, "
    "500 a call) and people.getInfo; the run's identity and the account's limits were kept by the stopped run, "
    "and nothing done is checked again",
    "scan": "Python work per file beyond the stat (name checks, the size+mtime check against the base, one "
    "object per file); loading 100,000 base items from SQLite is another ~0.2 s",
    "memory": "about 2 KB per photo: the base, the local and remote listings (~600 B of strings per photo) "
    "and the planner's per-file indexes",
    "no_change_100k": "as for no-change: nothing in it grows with the number of photos",
    "large_file": "transfers stream in 1 MB chunks and downloads are hashed while written",
    "hashing": "hashlib.file_digest itself (the scan uses it, plus an fstat before and a stat after)",
    "metadata_upload": "title, caption and tags ride in the upload; Flickr reads the date and GPS from the file "
    "itself and the read of the new photos after the uploads tells what it took: one setDates and one "
    "setLocation only where it could not (a sidecar's date and place)",
    "metadata_no_change": "a file and its sidecar unchanged since they synced are not opened; Flickr's side comes "
    "in the listing's extras (description, tags, geo, date_taken): nothing per photo",
    "metadata_local_edits": "Flickr has one call per kind of field (setMeta takes title and description "
    "together); removeTag takes the tag's full id, which only getInfo tells",
    "metadata_remote_edits": "the listing's extras say what changed; the listing gives tags in their clean form "
    "only, so one tags.getListUserRaw per run spells new tags as they were typed",
    "metadata_album": "photosets.getList, read every run, carries every album's title and description; an edit on "
    "Flickr moves the album's last update, which the listing cannot tell from a change of its members",
}

ORDER = [
    "initial_upload",
    "settle_after_upload",
    "initial_download",
    "no_change",
    "k_change_local",
    "k_change_remote",
    "jobs",
    "network_upload",
    "network_pull",
    "budget",
    "budget_resume",
    "scan",
    "memory",
    "no_change_100k",
    "large_file",
    "hashing",
    "metadata_upload",
    "metadata_no_change",
    "metadata_local_edits",
    "metadata_remote_edits",
    "metadata_album",
]


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem:.0f} GB, {cpu or platform.machine()}, Python {platform.python_version()}"


def commit() -> str:
    """The checked-out commit, with "+changes" when the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty.stdout.strip() else "")


def write_report(results: dict, params: dict, quick: bool, elapsed: float, complete: bool) -> Path:
    """Record ``results`` (each figure stamped with commit, date and machine) and render the
    Markdown table. A full run of everything replaces the file; ``--only`` replaces only the
    figures it measured; a quick run writes its own files."""
    stamp = {"commit": commit(), "date": time.strftime("%Y-%m-%d"), "machine": machine()}
    suffix = "-quick" if quick else ""
    path = HERE / f"results{suffix}.json"
    old = json.loads(path.read_text()) if path.exists() and not complete else {}
    merged = dict(old.get("results", {}))
    merged.update({name: {**r, **stamp} for name, r in results.items()})
    doc = {
        "mode": "quick" if quick else "full",
        "params": params,
        "seconds": round(elapsed, 1) if complete else old.get("seconds"),
        "results": {name: merged[name] for name in ORDER if name in merged},
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    lines = [
        "# pycsync benchmark results",
        "",
        f"`python bench/run.py{' --quick' if quick else ''}`"
        + (f" took {elapsed / 60:.1f} minutes for every figure" if complete else "")
        + "; each figure with the commit and machine it was measured on. Calls are counted by the emulator; a "
        "ratio is measured / target (<= 1 meets it, except for speed-ups and throughput, where >= 1 meets it).",
        "",
        "| figure | target | measured | ratio | ok | commit | date | machine |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ORDER:
        r = doc["results"].get(name)
        if r is None:
            continue
        lines.append(
            f"| {r['figure']} | {r['target']} | {r['measured']} | {r['ratio']} | "
            f"{'yes' if r['ok'] else '**no**'} | {r.get('commit', 'unknown')[:12]} | {r.get('date', '')} | "
            f"{', '.join(r.get('machine', '').split(', ')[:2])} |"
        )
    lines += [
        "",
        "Parameters: " + ", ".join(f"{k}={v}" for k, v in params.items()),
        "",
        "## What limits each figure",
        "",
    ]
    lines += [f"- **{r['figure'].split(':')[0]}**: {LIMITS[name]}" for name, r in doc["results"].items()]
    lines += [""]
    (HERE / f"RESULTS{suffix}.md").write_text("\n".join(lines))
    return path


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-emulator":
        serve_emulator(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--run-pycsync":
        run_pycsync(sys.argv[2], sys.argv[4:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller libraries and a 200 MB large file")
    ap.add_argument("--only", default="", help="comma-separated: library,jobs,network,budget,scan,large,hash,metadata")
    ap.add_argument("--keep", default=None, help="work in this folder and keep it")
    args = ap.parse_args()
    params = QUICK if args.quick else FULL
    everything = {"library", "jobs", "network", "budget", "scan", "large", "hash", "metadata"}
    only = set(filter(None, args.only.split(","))) or everything
    work = Path(args.keep or tempfile.mkdtemp(prefix="pycsync-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    later: list = []
    started = time.monotonic()
    try:
        if "library" in only:
            bench_library(work / "lib", params, results, later)
        if "metadata" in only:
            bench_metadata(work / "meta", params, results, later)
        if "jobs" in only:
            bench_jobs(work / "jobs", params, results)
        if "network" in only:
            bench_network(work / "network", params, results)
        if "budget" in only:
            bench_budget(work / "budget", params, results)
        big = None
        if "large" in only:
            big = bench_large(work / "large", params, results)
        if "hash" in only:
            if big is None:
                big = work / "hash.bin"
                big.parent.mkdir(parents=True, exist_ok=True)
                make_video(big, 256 * 2**20)
            bench_hash(big, results)
        for finish in later:
            finish()
        if "scan" in only:
            bench_scan(work / "scan", params, results)
    finally:
        for emu in list(_LIVE):
            emu.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    complete = only == everything
    written = write_report(results, params, args.quick, elapsed, complete)
    print(f"recorded in {written.relative_to(REPO)}")
    for name in ORDER:
        if name in results:
            r = results[name]
            print(f"{'ok ' if r['ok'] else 'NO '} {r['figure']}: {r['measured']} (target {r['target']})")
            if not r["ok"] and "calls" in r:
                print(f"     calls: {r['calls']}")
    print(f"{elapsed:.0f}s")


if __name__ == "__main__":
    main()
