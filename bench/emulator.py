"""Benchmark the Flickr emulator.

1. REST throughput: signed ``flickr.test.login`` / ``flickr.photos.getInfo`` calls from 8
   client threads (one requests.Session + OAuth1 each), N calls in total.
2. Upload memory: the emulator's peak RSS growth (``VmHWM`` from /proc/<pid>/status) while it
   receives a large streamed multipart upload (requests-toolbelt MultipartEncoder).

The emulator runs in a subprocess (``python -m pycsync.emulator``), so its memory is measured
on its own.  Results are printed and written to ``bench/emulator-results.json``.

    python bench/emulator.py [--calls 3000] [--threads 8] [--upload-mb 300]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import requests
from oauthlib.oauth1 import Client
from requests_oauthlib import OAuth1
from requests_toolbelt import MultipartEncoder

HERE = Path(__file__).resolve().parent


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of a process in bytes."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def start_emulator(data_dir: str) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pycsync.emulator", "--port", "0", "--data", data_dir], stdout=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline()  # type: ignore[union-attr]
    if not line:
        raise RuntimeError("emulator did not start")
    return proc, json.loads(line)


def make_auth(info: dict) -> OAuth1:
    return OAuth1(info["api_key"], info["api_secret"], info["oauth_token"], info["oauth_token_secret"])


def upload_small(info: dict) -> str:
    """Upload a tiny JPEG-looking file so getInfo has something to read."""
    data = b"\xff\xd8\xff\xe0" + b"\x00" * 2000 + b"\xff\xd9"
    url = info["endpoint"] + "/services/upload/"
    return _signed_multipart(info, url, {"title": "bench"}, ("photo", "b.jpg", data))


def _signed_multipart(info: dict, url: str, fields: dict, file: tuple) -> str:
    client = Client(
        info["api_key"],
        client_secret=info["api_secret"],
        resource_owner_key=info["oauth_token"],
        resource_owner_secret=info["oauth_token_secret"],
    )
    _, headers, _ = client.sign(url, "POST", urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"})
    enc = MultipartEncoder(fields={**fields, file[0]: (file[1], file[2], "application/octet-stream")})
    r = requests.post(
        url,
        data=enc,
        headers={"Authorization": headers["Authorization"], "Content-Type": enc.content_type},
        timeout=600,
    )
    r.raise_for_status()
    root = ET.fromstring(r.content)
    if root.get("stat") != "ok":
        raise RuntimeError(r.text)
    return root.findtext("photoid")  # type: ignore[return-value]


def bench_rest(info: dict, method: str, total: int, threads: int, extra: dict | None = None) -> dict:
    per_thread = [total // threads + (1 if i < total % threads else 0) for i in range(threads)]
    errors: list[str] = []
    barrier = threading.Barrier(threads + 1)
    url = info["endpoint"] + "/services/rest/"

    def worker(n: int) -> None:
        s = requests.Session()
        auth = make_auth(info)
        params = {"method": method, "format": "json", "nojsoncallback": "1", **(extra or {})}
        barrier.wait()
        for _ in range(n):
            r = s.post(url, data=params, auth=auth, timeout=30)
            if r.status_code != 200 or '"stat":"ok"' not in r.text:
                errors.append(f"{r.status_code} {r.text[:200]}")

    ts = [threading.Thread(target=worker, args=(n,)) for n in per_thread]
    for t in ts:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    return {
        "method": method,
        "calls": total,
        "threads": threads,
        "seconds": round(elapsed, 3),
        "calls_per_second": round(total / elapsed, 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def bench_upload(info: dict, pid: int, size_mb: int, tmp: Path) -> dict:
    path = tmp / "big.mp4"
    header = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        f.write(header)
        for _ in range(size_mb):
            f.write(block)
    size = path.stat().st_size
    before = proc_status(pid)
    t0 = time.perf_counter()
    with open(path, "rb") as fh:
        photo_id = _signed_multipart(
            info, info["endpoint"] + "/services/upload/", {"title": "big", "is_public": "0"}, ("photo", "big.mp4", fh)
        )
    elapsed = time.perf_counter() - t0
    after = proc_status(pid)
    # verify the bytes landed intact (size via the state dump; a HEAD on the video URL)
    state = requests.get(info["endpoint"] + "/__emulator__/state", timeout=60).json()
    stored = next(p for p in state["photos"] if p["id"] == photo_id)
    path.unlink()
    return {
        "upload_bytes": size,
        "seconds": round(elapsed, 2),
        "mb_per_second": round(size / 2**20 / elapsed, 1),
        "rss_before_mb": round(before["VmRSS"] / 2**20, 1),
        "hwm_before_mb": round(before["VmHWM"] / 2**20, 1),
        "hwm_after_mb": round(after["VmHWM"] / 2**20, 1),
        "peak_rss_growth_mb": round((after["VmHWM"] - before["VmHWM"]) / 2**20, 1),
        "peak_over_baseline_rss_mb": round((after["VmHWM"] - before["VmRSS"]) / 2**20, 1),
        "stored_size_ok": stored["size"] == size,
        "media": stored["media"],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--upload-mb", type=int, default=300)
    ap.add_argument("--out", default=str(HERE / "emulator-results.json"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="emu-bench-") as tmp:
        proc, info = start_emulator(os.path.join(tmp, "data"))
        try:
            photo_id = upload_small(info)
            # warm up
            bench_rest(info, "flickr.test.login", 80, args.threads)
            results = {
                "cpu_count": os.cpu_count(),
                "python": sys.version.split()[0],
                "rest": [
                    bench_rest(info, "flickr.test.login", args.calls, args.threads),
                    bench_rest(info, "flickr.photos.getInfo", args.calls, args.threads, {"photo_id": photo_id}),
                ],
                "upload": bench_upload(info, proc.pid, args.upload_mb, Path(tmp)),
            }
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    results["targets"] = {
        "rest_calls_per_second>=500": all(r["calls_per_second"] >= 500 and not r["errors"] for r in results["rest"]),
        "upload_peak_rss_growth_mb<100": results["upload"]["peak_rss_growth_mb"] < 100,
    }
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    for r in results["rest"]:
        print(
            f"REST {r['method']}: {r['calls']} calls, {r['threads']} threads, {r['seconds']} s "
            f"-> {r['calls_per_second']} calls/s, errors={r['errors']}"
        )
    u = results["upload"]
    print(
        f"upload {u['upload_bytes'] / 2**20:.0f} MB in {u['seconds']} s ({u['mb_per_second']} MB/s); "
        f"emulator peak RSS growth {u['peak_rss_growth_mb']} MB (VmHWM {u['hwm_before_mb']} -> "
        f"{u['hwm_after_mb']} MB); stored intact: {u['stored_size_ok']}"
    )
    print("targets:", results["targets"])
    print(f"written to {args.out}")
    return 0 if all(results["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
