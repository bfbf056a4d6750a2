"""A full disk ends the run with one clear message and exit status 6, the --json document still
printed, nothing lost and nothing half-written; once there is space, the next run finishes.

The disk is real: a small tmpfs mounted in a user and mount namespace (`unshare -Urm`, no root
needed), which the real CLI syncs against the emulator on 127.0.0.1. Covered: downloads on a
disk already down to the free space they leave for the system (256 MiB: they stop before the
first byte), and the state database on a disk with a few pages left (ENOSPC on the lock,
SQLite's "database or disk is full", or the I/O error it gives when its journal cannot grow).
A download that meets ENOSPC itself is in test_bad_input.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.files import sha, tree
from tests.support.media import make_jpeg_bytes
from tests.support.remote import duplicates


def _small_disks() -> bool:
    """Whether this machine lets an unprivileged process mount a tmpfs of its own."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d"'],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _small_disks(), reason="cannot mount a small tmpfs in a user namespace here")

RUN = (
    f'{sys.executable} -m pycsync sync "$DISK/photos" --json > "$OUT/$1.json" 2> "$OUT/$1.err"; echo $? > "$OUT/$1.rc"'
)


def on_a_small_disk(tmp_path: Path, env: dict, size: str, before_first: str = "") -> Path:
    """In one namespace: mount a tmpfs of ``size`` at $DISK, copy tmp_path/seed into it, run
    ``before_first`` (shell), sync ($OUT/first.*), keep a copy of the disk ($OUT/first/), give
    the disk room, sync again ($OUT/second.*, $OUT/second/). Returns $OUT."""
    disk, out, seed = tmp_path / "disk", tmp_path / "out", tmp_path / "seed"
    disk.mkdir()
    out.mkdir()
    seed.mkdir(exist_ok=True)
    script = textwrap.dedent(
        f"""
        set -u
        run() {{ {RUN}; }}
        mount -t tmpfs -o size={size} tmpfs "$DISK"
        cp -a "$SEED/." "$DISK/"
        {before_first}
        run first
        cp -a "$DISK/photos" "$OUT/first"
        rm -f "$DISK/filler"
        mount -o remount,size=1g "$DISK"  # (a limit: tmpfs takes memory only for what is written)
        run second
        cp -a "$DISK/photos" "$OUT/second"
        """
    )
    full_env = {**os.environ, **env, "DISK": str(disk), "OUT": str(out), "SEED": str(seed)}
    done = subprocess.run(["unshare", "-Urm", "sh", "-c", script], env=full_env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def result(out: Path, run: str) -> tuple[int, str, dict]:
    return (
        int((out / f"{run}.rc").read_text()),
        (out / f"{run}.err").read_text(),
        json.loads((out / f"{run}.json").read_text()),
    )


def assert_stopped_for_a_full_disk(code: int, err: str, summary: dict, disk: Path) -> None:
    assert code == 6, (code, err)
    (line,) = [line for line in err.splitlines() if line.strip()]
    assert line.startswith(f"pycsync: the disk holding {disk}/photos is "), line
    assert line.endswith("the run stopped and nothing was lost: free some space and run again"), line
    assert summary["error"]["kind"] == "local" and summary["error"]["exit_status"] == 6


def test_downloads_on_a_disk_down_to_its_margin(emulator, flickr, tmp_path, cli_env):
    staging = tmp_path / "staging"
    staging.mkdir()
    photos = {}
    for i in range(8):
        data = make_jpeg_bytes(seed=i, size=(200, 150))  # about 28 kB each
        (staging / f"p{i}.jpg").write_bytes(data)
        flickr.upload(staging / f"p{i}.jpg", title=f"p{i}")
        photos[f"p{i}.jpg"] = data
    (tmp_path / "seed" / "photos").mkdir(parents=True)
    out = on_a_small_disk(tmp_path, cli_env, "300k")  # room for the state, far below the margin

    code, err, summary = result(out, "first")
    assert_stopped_for_a_full_disk(code, err, summary, tmp_path / "disk")
    assert "down to the free space" in err
    assert summary["downloaded"] == 0 and summary["failed"] == 0, "stopped at the first, not 8 failures"
    assert tree(out / "first") == {}
    assert list((out / "first" / ".pycsync" / "tmp").iterdir()) == [], "no partial download left"
    assert not (out / "first" / ".pycsync" / "lock").exists()

    code, err, summary = result(out, "second")
    assert code == 0, err
    assert summary["downloaded"] == 8 and summary["uploaded"] == 0
    assert tree(out / "second") == photos
    assert len(emulator.state()["photos"]) == 8


@pytest.mark.parametrize("pages_left", [1, 4, 9])
def test_a_state_database_that_cannot_grow(emulator, tmp_path, cli_env, pages_left):
    """A synced folder gains a photo on a disk with a few pages free: whichever write finds the
    disk full first (the lock, SQLite's journal or shared memory, a state row), the run stops
    cleanly, the state stays whole, and the next run uploads the photo once."""
    seed = tmp_path / "seed" / "photos" / "A"
    seed.mkdir(parents=True)
    old, new = make_jpeg_bytes(seed=1, size=(200, 150)), make_jpeg_bytes(seed=2, size=(200, 150))
    (seed / "old.jpg").write_bytes(old)
    sync = f'{sys.executable} -m pycsync sync "$DISK/photos" > /dev/null 2>&1 || exit 9'
    fill = f'dd if=/dev/zero of="$DISK/filler" bs=4k count=$(( $(stat -f -c %a "$DISK") - {pages_left} )) 2>/dev/null'
    before = f'{sync}\ncp "$SEED/../new.jpg" "$DISK/photos/A/new.jpg"\n{fill}'
    (tmp_path / "new.jpg").write_bytes(new)
    out = on_a_small_disk(tmp_path, cli_env, "640k", before_first=before)  # (room for the seed run's state and new.jpg)

    code, err, summary = result(out, "first")
    assert_stopped_for_a_full_disk(code, err, summary, tmp_path / "disk")
    assert tree(out / "first") == {"A/old.jpg": old, "A/new.jpg": new}, "no file touched"
    assert not (out / "first" / ".pycsync" / "lock").exists()

    code, err, summary = result(out, "second")
    assert code == 0, err
    assert summary["uploaded"] == 1 and summary["failed"] == 0, summary
    state = emulator.state()
    assert duplicates(state) == {} and sorted(p["sha256"] for p in state["photos"]) == sorted([sha(old), sha(new)])
