"""`pycsync watch`'s figures: API calls per idle hour, seconds from a change to the other side,
and the CPU and memory of an idle watch over a 100,000-file tree.

    python bench/watch.py [--quick] [--only NAME[,NAME...]] [--keep DIR]

The watch runs as a real process (``python -m pycsync watch ... --json``) with real filesystem
events, against the bundled emulator in another process, over HTTP on 127.0.0.1; calls are
counted by the emulator, CPU and memory read from /proc (Linux). Benchmarks (``--only``):

* ``idle``     the API calls of an idle poll, and so of an idle hour at the default interval;
  then, under a scaled budget (--rate-limit 360000 --poll-share 1: 3,600 calls an hour, one a
  second) and --interval 1, the calls counted over a minute against that share.
* ``latency``  seconds from a new local file to the photo on Flickr (default --settle 2), and
  from a photo added on Flickr to the file on disk (--interval 10): each measured N times.
* ``tree``     an idle watch over a 100,000-file tree (seeded straight into the emulator's store
  and linked by a first sync, as bench/run.py's scan benchmark): its CPU time between polls and
  per poll (--interval 60), its resident memory idle and at its peak.

Results go to bench/watch-results.json and bench/WATCH.md. ``--quick`` takes fewer samples and
a 20,000-file tree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (bench/run.py: the emulator process, libraries, seeding)

PY = sys.executable
TICKS = os.sysconf("SC_CLK_TCK")


class Watch:
    """A `pycsync watch` process; its JSON documents collected as they come."""

    def __init__(self, emu: bench.Emulator, root: Path, work: Path, *args: str) -> None:
        i = emu.info
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("FLICKR_", "PYCSYNC_"))},
            "PYCSYNC_ENDPOINT": emu.endpoint,
            "FLICKR_API_KEY": i["api_key"],
            "FLICKR_API_SECRET": i["api_secret"],
            "FLICKR_OAUTH_TOKEN": i["oauth_token"],
            "FLICKR_OAUTH_TOKEN_SECRET": i["oauth_token_secret"],
            "PYCSYNC_CONFIG_DIR": str(work / "config"),
            "PYTHONPATH": str(bench.REPO / "src"),
        }
        self.log = open(work / "watch.log", "a")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [PY, "-m", "pycsync", "watch", str(root), "--json", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.docs: list[tuple[float, dict]] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._cond:
                self.docs.append((time.monotonic(), json.loads(line)))
                self._cond.notify_all()

    def runs(self, n: int, timeout: float = 600) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.docs) < n:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError(f"the watch did not report {n} runs (see {self.log.name})")
                self._cond.wait(min(left, 0.5))
        return [d for _, d in self.docs[:n]]

    def cpu(self) -> float:
        """CPU seconds used so far (user + system)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def memory(self) -> dict[str, int]:
        return bench.proc_status(self.proc.pid)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(60)
        self.log.close()
        return code


def until(condition, timeout: float, step: float = 0.01) -> float:
    """Seconds until ``condition()`` holds."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise RuntimeError("timed out")
        time.sleep(step)
    return time.monotonic() - started


def emulator_has(emu: bench.Emulator, digest: str) -> bool:
    state = emu._control("state")
    return any(p["sha256"] == digest for p in state["photos"])


def api_calls(calls: dict[str, int]) -> int:
    return sum(n for name, n in calls.items() if name.startswith("flickr.") or name in ("upload", "replace"))


# --------------------------------------------------------------------------- benchmarks


def bench_idle(work: Path, p: dict, results: dict) -> None:
    root = work / "photos"
    bench.make_library(root, 3, 10, 2, seed=7 * 10**9)
    emu = bench.Emulator(work / "emu")
    try:
        bench.Runner(emu, work).sync(root)
        watch = Watch(emu, root, work, "--interval", "1", "--rate-limit", "100000000")
        watch.runs(1)
        emu.reset()
        docs = watch.runs(1 + p["polls"])[1:]
        watch.stop()
        # (the first polls after a sync may read again what changed around its listing: Flickr's
        # index lags; the steady state is what an idle hour is made of)
        per_poll = [d["api_calls_total"] for d in docs]
        cost = per_poll[-1]
        by_method = docs[-1]["api_calls"]

        bench.log("idle: a minute at --interval 1 under a scaled budget (3600 calls an hour, 1 a second)")
        watch = Watch(emu, root, work, "--interval", "1", "--rate-limit", "360000", "--poll-share", "1")
        watch.runs(1)
        emu.reset()
        started = time.monotonic()
        time.sleep(p["budget_seconds"])
        scaled = api_calls(emu.calls())
        elapsed = time.monotonic() - started
        watch.stop()
    finally:
        emu.stop()
    default_hour = 3600 // 300 * cost
    results["idle"] = {
        "figure": "API calls of an idle poll; of an idle hour at the default --interval 300",
        "measured": f"{cost} per poll ({', '.join(f'{k} {v}' for k, v in sorted(by_method.items()))}); "
        f"{default_hour} an hour = {default_hour / 3000:.0%} of the default budget of 3000 (polls in a row: "
        f"{', '.join(map(str, per_poll))})",
        "per_poll": cost,
        "per_hour_default": default_hour,
        "share_cap_default": 300,
    }
    results["idle_share"] = {
        "figure": "--interval 1 under a scaled budget allowing polls 1 call a second: calls counted",
        "measured": f"{scaled} calls in {elapsed:.0f} s = {scaled / elapsed:.2f} a second (allowed: 1.00; one "
        f"poll of {cost} every {cost} s); at the real budget that is 300 calls an hour, whatever --interval",
        "calls": scaled,
        "seconds": round(elapsed, 1),
    }


def bench_latency(work: Path, p: dict, results: dict) -> None:
    root = work / "photos"
    bench.make_library(root, 2, 5, 0, seed=8 * 10**9)
    emu = bench.Emulator(work / "emu")
    try:
        bench.Runner(emu, work).sync(root)
        watch = Watch(emu, root, work, "--interval", "10", "--rate-limit", "100000000")
        watch.runs(1)
        up = []
        for n in range(p["samples"]):
            data = bench.jpeg(9 * 10**9 + n)
            digest = hashlib.sha256(data).hexdigest()
            started = time.monotonic()
            (root / "album_0000" / f"new_{n}.jpg").write_bytes(data)
            until(lambda digest=digest: emulator_has(emu, digest), 60, step=0.05)
            up.append(time.monotonic() - started)
            time.sleep(1)  # (one change at a time)
        client = emu.client()
        down = []
        source = work / "upload.jpg"
        phases = random.Random(12)
        for n in range(p["samples"]):
            source.write_bytes(bench.jpeg(10 * 10**9 + n))
            time.sleep(phases.uniform(0, 10))  # (a change comes at any moment of the interval)
            started = time.monotonic()
            client.upload(source, title=f"from_flickr_{n}")
            until((root / f"from_flickr_{n}.jpg").exists, 60)
            down.append(time.monotonic() - started)
        client.close()
        watch.stop()
    finally:
        emu.stop()
    results["latency_up"] = {
        "figure": "seconds from a new local file to the photo on Flickr (default --settle 2)",
        "measured": f"median {statistics.median(up):.1f} s, max {max(up):.1f} s over {len(up)}",
        "samples": [round(s, 2) for s in up],
    }
    results["latency_down"] = {
        "figure": "seconds from a photo added on Flickr to the file on disk (--interval 10)",
        "measured": f"median {statistics.median(down):.1f} s, max {max(down):.1f} s over {len(down)} changes at "
        "random moments (at most the interval plus one run; the default interval is 300 s)",
        "samples": [round(s, 2) for s in down],
    }


def bench_tree(work: Path, p: dict, results: dict) -> None:
    n, n_albums = p["tree_n"], p["tree_albums"]
    root = work / "big"
    bench.log(f"tree: writing {n} files in {n_albums} folders")
    files = bench.make_library(root, n_albums, n // n_albums, 0, seed=11 * 10**9)
    meta = [(key, hashlib.sha256(data).hexdigest(), len(data)) for key, data in files]
    del files
    bench.log("tree: seeding the emulator's store")
    bench.seed_emulator(work / "emu-big", meta, int(time.time()) - 3600)
    del meta
    emu = bench.Emulator(work / "emu-big")
    try:
        bench.log("tree: first sync (links every file to its photo)")
        bench.Runner(emu, work).sync(root, "--jobs", "4")
        time.sleep(2)
        interval = p["tree_interval"]
        watch = Watch(emu, root, work, "--interval", str(interval))
        started = time.monotonic()
        watch.runs(1)
        start_run = time.monotonic() - started
        after_start = watch.memory()
        bench.log(f"tree: the watch's first run took {start_run:.1f} s; idle until its first poll")
        # between polls: from just after the first run to just before the poll
        time.sleep(2)
        cpu0, t0 = watch.cpu(), time.monotonic()
        time.sleep(max(5.0, interval - 8))
        idle_cpu, idle_seconds = watch.cpu() - cpu0, time.monotonic() - t0
        idle_rss = watch.memory()["VmRSS"]
        bench.log("tree: through some polls")
        cpu1, t1 = watch.cpu(), time.monotonic()
        polls = watch.runs(1 + p["tree_polls"], timeout=interval * (p["tree_polls"] + 2))[1:]
        poll_cpu, poll_seconds = watch.cpu() - cpu1, time.monotonic() - t1
        peak = watch.memory()["VmHWM"]
        after_polls = watch.memory()["VmRSS"]
        watch.stop()
    finally:
        emu.stop()
    assert all(d["uploaded"] == d["downloaded"] == d["files_hashed"] == 0 for d in polls), polls
    per_poll = [d["seconds"] for d in polls]
    calls = sorted({d["api_calls_total"] for d in polls})
    results["tree"] = {
        "figure": f"an idle watch over {n} files in {n_albums} folders (--interval {interval})",
        "measured": f"CPU {idle_cpu / idle_seconds:.2%} between polls ({idle_cpu:.2f} s in {idle_seconds:.0f} s); "
        f"{poll_cpu / len(polls):.1f} CPU s per poll (each a full no-change sync: "
        f"{statistics.median(per_poll):.1f} s); "
        f"average {poll_cpu / poll_seconds:.1%} over the polls at --interval {interval}, "
        f"{poll_cpu / len(polls) / 300:.2%} at the default 300; RSS {bench.mb(idle_rss)} MB idle after the first "
        f"run, {bench.mb(after_polls)} MB after {len(polls)} polls, peak {bench.mb(peak)} MB; "
        f"API calls per poll: {', '.join(map(str, calls))}",
        "poll_api_calls": calls,
        "start_run_seconds": round(start_run, 1),
        "idle_cpu_seconds": round(idle_cpu, 3),
        "idle_seconds": round(idle_seconds, 1),
        "poll_cpu_seconds": round(poll_cpu / len(polls), 2),
        "poll_run_seconds": per_poll,
        "rss_after_first_run_mb": bench.mb(after_start["VmRSS"]),
        "rss_idle_mb": bench.mb(idle_rss),
        "rss_after_polls_mb": bench.mb(after_polls),
        "peak_rss_mb": bench.mb(peak),
    }


FULL = {
    "polls": 6,
    "budget_seconds": 60,
    "samples": 10,
    "tree_n": 100_000,
    "tree_albums": 200,
    "tree_interval": 60,
    "tree_polls": 3,
}
QUICK = {
    "polls": 4,
    "budget_seconds": 20,
    "samples": 4,
    "tree_n": 20_000,
    "tree_albums": 40,
    "tree_interval": 30,
    "tree_polls": 2,
}


def write_report(results: dict, params: dict, quick: bool, elapsed: float) -> None:
    """Writes what was measured now over what an earlier run measured (``--only`` runs a part)."""
    path = HERE / "watch-results.json"
    earlier = json.loads(path.read_text())["results"] if path.exists() else {}
    results = {**earlier, **results}
    doc = {"machine": bench.machine(), "date": time.strftime("%Y-%m-%d"), "params": params, "results": results}
    path.write_text(json.dumps(doc, indent=2) + "\n")
    lines = [
        "# `pycsync watch` benchmark results",
        "",
        f"`python bench/watch.py{' --quick' if quick else ''} [--only NAME]` on {doc['date']} (the last part "
        f"took {elapsed / 60:.1f} minutes); machine: {doc['machine']}, shared with other work while measured.",
        "",
        "| figure | measured |",
        "|---|---|",
        *(f"| {r['figure']} | {r['measured']} |" for r in results.values()),
        "",
    ]
    (HERE / "WATCH.md").write_text("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer samples and a 20,000-file tree")
    ap.add_argument("--only", default="", help="comma-separated: idle,latency,tree")
    ap.add_argument("--keep", default=None, help="work in this folder and keep it")
    args = ap.parse_args()
    params = QUICK if args.quick else FULL
    only = set(filter(None, args.only.split(","))) or {"idle", "latency", "tree"}
    work = Path(args.keep or tempfile.mkdtemp(prefix="pycsync-bench-watch-"))
    results: dict = {}
    started = time.monotonic()
    for name, fn in (("idle", bench_idle), ("latency", bench_latency), ("tree", bench_tree)):
        if name in only:
            bench.log(name)
            (work / name).mkdir(parents=True, exist_ok=True)
            fn(work / name, params, results)
    write_report(results, params, args.quick, time.monotonic() - started)
    for r in results.values():
        print(f"{r['figure']}: {r['measured']}")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
