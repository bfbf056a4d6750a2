"""Benchmark `pycsync verify`: what it costs in API calls, and `--deep`'s download throughput.

A library of N photos (random-noise JPEGs of about ``--kb`` kB each, in ``--albums`` albums) is
synced to an emulator (in this process, optionally with a ``--bandwidth-mbps`` link), then
`pycsync verify` and `pycsync verify --deep --jobs J` run as real subprocesses. Reported: the
API calls each made (by method), the seconds, and --deep's throughput in MB/s and photos/s.

    python bench/verify.py [--photos 200] [--albums 4] [--kb 400] [--jobs 4] [--bandwidth-mbps 0]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from pycsync.emulator import EmulatorServer


def noise_jpeg(seed: int, kb: int) -> bytes:
    """A JPEG of random noise, about ``kb`` kB (noise does not compress)."""
    rng = random.Random(seed)
    side = max(16, int((kb * 1024 / 3 * 2.2) ** 0.5))
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def run(env: dict[str, str], *args: str) -> tuple[dict, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pycsync", *args, "--json"], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"pycsync {' '.join(args)}: exit {proc.returncode}\n{proc.stderr}")
    return json.loads(proc.stdout), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--albums", type=int, default=4)
    parser.add_argument("--kb", type=int, default=400)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--bandwidth-mbps", type=float, default=0.0)
    options = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorServer(
            host="127.0.0.1", port=0, data_dir=Path(tmp) / "emulator", bandwidth_mbps=options.bandwidth_mbps
        ) as emulator,
    ):
        root = Path(tmp) / "photos"
        size = 0
        for i in range(options.photos):
            path = root / f"Album{i % options.albums}" / f"{i:05d}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(noise_jpeg(i, options.kb))
            size += path.stat().st_size
        env = {
            **os.environ,
            "PYCSYNC_ENDPOINT": emulator.endpoint,
            "FLICKR_API_KEY": emulator.api_key,
            "FLICKR_API_SECRET": emulator.api_secret,
            "FLICKR_OAUTH_TOKEN": emulator.oauth_token,
            "FLICKR_OAUTH_TOKEN_SECRET": emulator.oauth_token_secret,
            "PYCSYNC_CONFIG_DIR": str(Path(tmp) / "config"),
            "PYCSYNC_RATE_LIMIT": "0",
        }
        summary, _ = run(env, "sync", str(root))
        assert summary["uploaded"] == options.photos, summary
        results: dict = {
            "photos": options.photos,
            "albums": options.albums,
            "bytes": size,
            "bandwidth_mbps": options.bandwidth_mbps or None,
        }
        for name, args in (("verify", ()), ("verify --deep", ("--deep", "--jobs", str(options.jobs)))):
            emulator.reset_calls()
            doc, seconds = run(env, "verify", str(root), *args)
            assert doc["ok"] is True, doc
            calls = emulator.calls()
            static = calls.pop("static", 0)
            row = {"seconds": round(seconds, 2), "api_calls": sum(calls.values()), "by_method": calls}
            if args:
                row |= {
                    "jobs": options.jobs,
                    "downloads": static,
                    "bytes_downloaded": doc["checked"]["bytes_downloaded"],
                    "mb_per_second": round(doc["checked"]["bytes_downloaded"] / seconds / 1e6, 1),
                    "photos_per_second": round(options.photos / seconds, 1),
                }
            results[name] = row
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
