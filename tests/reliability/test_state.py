"""The state DB: lost or corrupt, it is rebuilt from Flickr's machine tags without re-uploading;
the base only advances for confirmed actions; --dry-run has no side effect; no mass deletion."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pycsync.state import StateDB
from tests.support.calls import write_calls
from tests.support.convergence import assert_converged, assert_same_both_sides
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg


def _library(root, flickr, tmp_path, sync_json) -> dict[str, bytes]:
    for path, seed in (("A/a1.jpg", 1), ("A/a2.jpg", 2), ("B/b1.jpg", 3), ("r.jpg", 4)):
        write_jpeg(root / path, seed)
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "web.jpg").write_bytes(jpeg(5))
    flickr.upload(staging / "web.jpg", title="web")  # no pycsync tags: matched by name and hash
    sync_json(root)
    return tree(root)


def _files_and_meta(root: Path) -> dict[str, str]:
    """Every file under root, .pycsync included, with its content hash."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() or p.is_symlink():
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[p.relative_to(root).as_posix() + "/"] = ""
    return out


@pytest.mark.parametrize("damage", ["garbage", "deleted", "truncated", "rebuild-flag"])
def test_lost_or_corrupt_state_is_rebuilt_without_reuploading(damage, emulator, root, flickr, tmp_path, sync_json, cli):
    before = _library(root, flickr, tmp_path, sync_json)
    db = root / ".pycsync" / "state.db"
    args = []
    if damage == "garbage":
        db.write_bytes(os.urandom(8192))
    elif damage == "truncated":
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3] + b"\0garbage" * 100)
    elif damage == "deleted":
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    else:
        args = ["--rebuild-state"]
    emulator.reset_calls()
    result = cli("sync", str(root), *args)
    assert result.exit_code == 0, result.stderr
    if damage in ("garbage", "truncated"):
        assert "damaged" in result.stderr and "rebuilding the state from Flickr" in result.stderr
        assert list((root / ".pycsync").glob("state.db.corrupt-*")), "the damaged file is kept aside"
    if damage == "rebuild-flag":
        assert "rebuilding the state" in result.stderr
    calls = emulator.calls()
    assert calls.get("upload", 0) == 0 and calls.get("replace", 0) == 0, "nothing re-uploaded"
    assert tree(root) == before, "no file changed, no conflict copy"
    assert_same_both_sides(root, emulator, {k: sha(v) for k, v in before.items()})
    assert_converged(emulator, sync_json, root)


def test_base_advances_only_for_confirmed_actions(emulator, root, sync_json):
    write_jpeg(root / "A/ok.jpg", 1)
    write_jpeg(root / "A/fails.jpg", 2)
    emulator.set_faults([{"match": "upload", "after": 1, "max": 1, "action": {"reset": True}}])
    sync_json(root, "--jobs", "1", expect=1)
    state = StateDB(root / ".pycsync" / "state.db")
    try:
        base = state.load_base().items
    finally:
        state.close()
    uploaded = {p["sha256"] for p in emulator.state()["photos"]}
    for key, item in base.items():
        assert item.sha256 in uploaded, f"{key} is in the base but not on Flickr"
    assert len(base) == 1
    emulator.set_faults([])
    sync_json(root)
    assert_same_both_sides(root, emulator, {"A/ok.jpg": sha(jpeg(1)), "A/fails.jpg": sha(jpeg(2))})


def test_dry_run_has_no_side_effect(emulator, root, flickr, tmp_path, sync_json, cli):
    _library(root, flickr, tmp_path, sync_json)
    write_jpeg(root / "A/new.jpg", 10)
    write_jpeg(root / "A/a1.jpg", 11)
    os.unlink(root / "B/b1.jpg")
    (tmp_path / "staging" / "web2.jpg").write_bytes(jpeg(12))
    flickr.upload(tmp_path / "staging" / "web2.jpg", title="web2")
    files = _files_and_meta(root)
    remote = emulator.state()
    emulator.reset_calls()
    for args in (["sync", str(root), "--dry-run"], ["sync", str(root), "--dry-run", "--delete"], ["status", str(root)]):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
    assert "would upload" in cli("sync", str(root), "--dry-run").output
    assert _files_and_meta(root) == files, "the folder, .pycsync included, is untouched"
    assert emulator.state() == remote
    assert write_calls(emulator) == {}


def test_dry_run_on_a_never_synced_folder_creates_nothing(emulator, root, cli):
    write_jpeg(root / "a.jpg", 1)
    assert cli("sync", str(root), "--dry-run").exit_code == 0
    assert not (root / ".pycsync").exists()


def test_no_mass_deletion(emulator, root, sync_json, cli, flickr):
    for i in range(6):
        write_jpeg(root / f"A/{i}.jpg", i)
    sync_json(root)
    # the folder looks empty (an unmounted disk): --delete refuses, without --delete nothing happens
    for p in list((root / "A").iterdir()):
        p.rename(root.parent / p.name)
    result = cli("sync", str(root), "--delete")
    assert result.exit_code == 7 and "refusing" in result.stderr
    assert len(emulator.state()["photos"]) == 6
    assert cli("sync", str(root)).exit_code == 0
    assert len(emulator.state()["photos"]) == 6
    for i in range(6):
        (root.parent / f"{i}.jpg").rename(root / "A" / f"{i}.jpg")
    # more than --max-delete percent
    for i in range(4):
        (root / f"A/{i}.jpg").unlink()
    result = cli("sync", str(root), "--delete", "--max-delete", "50")
    assert result.exit_code == 7 and "--max-delete" in result.stderr
    assert len(emulator.state()["photos"]) == 6


def test_local_deletions_go_to_the_trash(emulator, root, sync_json, flickr):
    for i in range(4):
        write_jpeg(root / f"A/{i}.jpg", i)
    sync_json(root)
    photo = next(p for p in emulator.state()["photos"] if p["sha256"] == sha(jpeg(0)))
    flickr.delete_photo(photo["id"])
    summary = sync_json(root, "--delete")
    assert summary["deleted"] == 1
    assert not (root / "A/0.jpg").exists()
    trashed = list((root / ".pycsync" / "trash").rglob("0.jpg"))
    assert len(trashed) == 1 and trashed[0].read_bytes() == jpeg(0)


def test_an_upload_whose_body_never_left_is_not_looked_for(emulator, root, sync_json):
    """A crash before the last byte of an upload left: Flickr cannot have it, so the next run
    uploads at once instead of waiting for search to show it."""
    write_jpeg(root / "a.jpg", 1)
    (root / ".pycsync").mkdir()
    state = StateDB(root / ".pycsync" / "state.db")
    state.journal_begin("upload", "a.jpg", sha(jpeg(1)), sent=0.0)
    state.close()
    summary = sync_json(root)
    assert summary["uploaded"] == 1
    assert emulator.calls().get("flickr.photos.search", 0) == 0
    assert len(emulator.state()["photos"]) == 1


def test_an_upload_whose_body_left_is_found_not_repeated(emulator, root, sync_json, flickr):
    """A crash after the whole body left: the upload may have landed, so it is looked up."""
    write_jpeg(root / "a.jpg", 1)
    flickr.upload(root / "a.jpg", title="a", tags=[f"pycsync:sha256={sha(jpeg(1))}"])
    (root / ".pycsync").mkdir()
    state = StateDB(root / ".pycsync" / "state.db")
    entry = state.journal_begin("upload", "a.jpg", sha(jpeg(1)), sent=0.0)
    state.journal_note(entry, body_sent=0.0)
    state.close()
    summary = sync_json(root)
    assert summary["uploaded"] == 0
    assert len(emulator.state()["photos"]) == 1


def test_a_crashed_runs_partial_downloads_are_cleared(emulator, root, sync_json):
    write_jpeg(root / "a.jpg", 1)
    sync_json(root)
    partial = root / ".pycsync" / "tmp" / "123-456.part"
    partial.write_bytes(b"half a photo")
    sync_json(root)
    assert not partial.exists()


def test_a_lagging_listing_never_costs_a_file_its_place(emulator, root, sync_json, flickr):
    """--delete trashes a file whose photo Flickr's listing left out, but only once Flickr,
    asked directly, agrees: a listing that lags behind a fresh upload is not a deletion."""
    from pycsync.executor import Executor, Settings
    from pycsync.model import LocalItem, Plan, RemoteListing, TrashLocal

    write_jpeg(root / "A/x.jpg", 1)
    write_jpeg(root / "A/y.jpg", 2)
    sync_json(root)
    state = StateDB(root / ".pycsync" / "state.db")
    base = state.load_base()
    photo_id, album_id = base.items["A/x.jpg"].photo_id, base.albums["A"]
    st = (root / "A/x.jpg").stat()
    local = {"A/x.jpg": LocalItem("A/x.jpg", "A/x.jpg", st.st_size, st.st_mtime_ns, sha(jpeg(1)))}

    def trash():
        plan = Plan(actions=(TrashLocal("A/x.jpg", photo_id, album_id),))
        return Executor(root, flickr, state, dict(local), RemoteListing({}, {}), Settings()).run(plan)

    outcome = trash()
    assert (root / "A/x.jpg").exists() and "lags" in outcome.failed[0][1]
    flickr.remove_from_album(album_id, [photo_id])
    outcome = trash()
    assert not (root / "A/x.jpg").exists() and not outcome.failed
    assert list((root / ".pycsync" / "trash").rglob("x.jpg"))
    state.close()
