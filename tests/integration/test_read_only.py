"""`status` and `sync --dry-run` change nothing: not a byte or an mtime anywhere under the folder
(.pycsync and its state, lock and listing snapshot included), no file left elsewhere, no write
call to Flickr, in every combination of options and state: no state, a healthy one, a damaged
one, the leftovers of a killed run, a run in progress holding the lock; --rebuild-state, --full,
--delete, --json, one-way, exclusions."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pycsync.state import RootLock
from tests.support.calls import write_calls
from tests.support.files import on_disk, sha, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import photo_with_sha

READ_ONLY_RUNS = [
    ("sync", "--dry-run"),
    ("sync", "--dry-run", "--json"),
    ("sync", "--dry-run", "--rebuild-state"),
    ("sync", "--dry-run", "--full"),
    ("sync", "--dry-run", "--full", "--rebuild-state", "--delete", "--json"),
    ("sync", "--dry-run", "--delete", "--pull", "--max-delete", "100"),
    ("sync", "--dry-run", "--push", "--exclude", "B/"),
    ("status",),
    ("status", "--json", "--delete"),
    ("status", "-v", "--exclude", "*.png"),
]

STATES = ["never synced", "synced", "damaged", "killed run", "run in progress", "first run in progress"]


def pending_changes(root: Path, sync_json, web, emulator) -> None:
    """A synced library, then changes of every kind on both sides."""
    for i in range(1, 6):
        write_jpeg(root / "A" / f"a{i}.jpg", i)
    write_jpeg(root / "B" / "b.jpg", 6)
    sync_json(root)
    write_jpeg(root / "A" / "new.jpg", 10)
    write_jpeg(root / "A" / "a1.jpg", 11)
    (root / "A" / "a2.jpg").unlink()
    web.upload(jpeg(12), "from phone", "A")
    web.replace(photo_with_sha(emulator, sha(jpeg(3)))["id"], jpeg(13))
    web.delete(photo_with_sha(emulator, sha(jpeg(4)))["id"])


def kill_a_run_mid_transaction(db: Path, key: str) -> None:
    """What a killed run leaves: committed changes only in the write-ahead log (here: Flickr
    refused ``key``), and its lock behind."""
    st = (db.parent.parent / key).stat()
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from pycsync.state import StateDB\n"
        "state = StateDB(Path(sys.argv[1]))\n"
        "state.put_refused(sys.argv[2], int(sys.argv[4]), int(sys.argv[5]), 'Flickr refuses this file (code 5)')\n"
        'Path(sys.argv[1]).with_name(\'lock\').write_text(\'{"pid": %d, "host": "%s"}\' % (os.getpid(), sys.argv[3]))\n'
        "os._exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [str(db), key, socket.gethostname(), str(st.st_size), str(st.st_mtime_ns)]
    subprocess.run([sys.executable, "-c", script, *args], check=True, env=env)
    assert Path(f"{db}-wal").stat().st_size > 0, "the change is only in the write-ahead log"


@pytest.fixture
def scratch_tmp(tmp_path, monkeypatch) -> Path:
    """The temporary folder pycsync may use (it must leave nothing there)."""
    path = tmp_path / "tmp"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path


@pytest.mark.parametrize("state", STATES)
def test_status_and_dry_run_change_nothing(state, emulator, root, cli, sync_json, web, scratch_tmp):
    meta = root / ".pycsync"
    held = None
    if state == "never synced":
        write_jpeg(root / "A" / "x.jpg", 1)
        web.upload(jpeg(2), "remote", "B")
    else:
        pending_changes(root, sync_json, web, emulator)
    if state == "damaged":
        (meta / "state.db").write_bytes(os.urandom(8192))
    elif state == "killed run":
        kill_a_run_mid_transaction(meta / "state.db", "A/new.jpg")
    elif state in ("run in progress", "first run in progress"):
        if state == "first run in progress":
            shutil.rmtree(meta)
            meta.mkdir(mode=0o700)
        held = RootLock(meta / "lock")  # held as a running sync holds it (flock)
        held.acquire()
    make_png = (root / "A" / "shot.png").write_bytes
    make_png(b"\x89PNG\r\n\x1a\n" + bytes(200))
    before, remote = on_disk(root), emulator.state()
    emulator.reset_calls()

    for args in READ_ONLY_RUNS:
        result = cli(args[0], str(root), *args[1:])
        if state in ("run in progress", "first run in progress"):
            assert result.exit_code != 0 and "another pycsync run" in result.stderr, (args, result.output)
        elif "--pull" in args and state in ("never synced", "damaged"):
            # a mirror of Flickr would trash every local file: with no base to go by, refused
            assert result.exit_code == 7 and "safety abort" in result.stderr, (args, result.output)
        else:
            assert result.exit_code == 0, (args, result.output, result.stderr)
        if state == "damaged" and result.exit_code == 0:
            assert "damaged" in result.stderr and "a sync would move it aside" in result.stderr, args
        assert on_disk(root) == before, f"{' '.join(args)} changed the folder"
        assert list(scratch_tmp.iterdir()) == [], f"{' '.join(args)} left a file behind"
        assert write_calls(emulator) == {}, args
    assert emulator.state() == remote
    if held is not None:
        held.release()


def test_a_dry_run_plans_from_what_a_killed_run_committed(emulator, root, cli, sync_json, web, scratch_tmp):
    pending_changes(root, sync_json, web, emulator)
    kill_a_run_mid_transaction(root / ".pycsync" / "state.db", "A/new.jpg")
    result = cli("status", str(root), "--json")
    assert result.exit_code == 0, result.output
    unsynced = {u["path"]: u["reason"] for u in json.loads(result.stdout)["unsynced"]}
    assert "not retried until the file changes" in unsynced.get("A/new.jpg", ""), unsynced


def test_dry_run_rebuild_plans_a_rebuild_and_keeps_the_state(emulator, root, cli, sync_json, web):
    pending_changes(root, sync_json, web, emulator)
    planned = json.loads(cli("sync", str(root), "--dry-run", "--rebuild-state", "--json").stdout)
    assert planned["linked"] >= 3, planned  # matched by content tag, as a rebuild does
    # the state survives: a2 deleted here is not fetched again, a4 deleted on Flickr not sent again
    done = sync_json(root)
    assert not (root / "A" / "a2.jpg").exists()
    assert done["uploaded"] == 1 and done["downloaded"] == 1, done  # new.jpg, from phone.jpg
