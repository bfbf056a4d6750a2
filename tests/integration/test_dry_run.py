"""--dry-run (and `status`) change nothing anywhere: no Flickr write call, no byte downloaded, the
local tree and pycsync's own state byte-identical; and what they announce is what a real run does."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.calls import static_calls, write_calls
from tests.support.convergence import SUMMARY_COUNTS, assert_converged
from tests.support.files import sha, tree, write_jpeg
from tests.support.media import jpeg
from tests.support.remote import photo_with_sha


def meta_snapshot(root: Path) -> dict[str, bytes]:
    """Every file pycsync keeps under .pycsync/ (state.db and its WAL, trash, ...), with bytes."""
    meta = root / ".pycsync"
    return {p.relative_to(meta).as_posix(): p.read_bytes() for p in sorted(meta.rglob("*")) if p.is_file()}


def pending_changes_everywhere(root, sync_json, web, emulator) -> None:
    for i in range(1, 9):
        write_jpeg(root / "A" / f"p{i}.jpg", i)
    write_jpeg(root / "B" / "b.jpg", 9)
    sync_json(root)
    ids = {i: photo_with_sha(emulator, sha(jpeg(i)))["id"] for i in range(1, 10)}
    write_jpeg(root / "A" / "new.jpg", 20)  # upload
    write_jpeg(root / "A" / "p1.jpg", 21)  # replace on Flickr
    (root / "A" / "p2.jpg").unlink()  # deleted here (--delete: deleted on Flickr)
    (root / "A" / "p3.jpg").rename(root / "B" / "p3 moved.jpg")  # move on Flickr
    write_jpeg(root / "A" / "p4.jpg", 22)  # conflict with ...
    web.replace(ids[4], jpeg(23))  # ... this
    web.upload(jpeg(30), "from phone", "A")  # download
    web.replace(ids[5], jpeg(31))  # download over p5
    web.delete(ids[6])  # trash (with --delete)
    web.move(ids[7], "A", "C")  # local move


def test_dry_run_changes_nothing_and_announces_what_a_real_run_does(emulator, root, cli, sync_json, web):
    pending_changes_everywhere(root, sync_json, web, emulator)
    local, meta, remote = tree(root), meta_snapshot(root), emulator.state()
    db_mtime = (root / ".pycsync" / "state.db").stat().st_mtime_ns
    emulator.reset_calls()

    text = cli("sync", str(root), "--delete", "--dry-run")
    assert text.exit_code == 0, text.output
    for phrase in (
        "would upload",
        "would replace",
        "would download",
        "would move",
        "would trash",
        "would delete on Flickr",
        "A/new.jpg",
        "A/p3.jpg -> B/p3 moved.jpg",
    ):
        assert phrase in text.stdout, (phrase, text.stdout)
    planned = sync_json(root, "--delete", "--dry-run")
    status = cli("status", str(root), "--json")
    assert status.exit_code == 0, status.output

    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert tree(root) == local
    assert meta_snapshot(root) == meta, "state.db must be byte-identical after a dry run"
    assert (root / ".pycsync" / "state.db").stat().st_mtime_ns == db_mtime
    assert emulator.state() == remote

    assert planned["dry_run"] is True
    counts = {k: planned[k] for k in SUMMARY_COUNTS}
    # (a conflict counts its rename as a move and Flickr's version as a download)
    assert counts == {
        "uploaded": 2,
        "downloaded": 2,
        "replaced": 2,
        "moved": 3,
        "deleted": 2,
        "linked": 0,
        "metadata": 0,
        "conflicts": 1,
        "metadata_conflicts": 0,
        "failed": 0,
    }
    # `status` is a dry run of a plain two-way sync (no --delete)
    plain = json.loads(status.stdout)
    assert plain["delete"] is False and plain["in_sync"] is False
    assert plain["totals"]["delete_local"] == plain["totals"]["delete_remote"] == 0
    assert "A/new.jpg" in plain["albums"]["A"]["only_local"]

    done = sync_json(root, "--delete")
    assert {k: done[k] for k in SUMMARY_COUNTS} == counts, "a real run does what the dry run announced"
    assert tree(root) == {
        "A/new.jpg": jpeg(20),
        "A/p1.jpg": jpeg(21),
        "B/p3 moved.jpg": jpeg(3),
        "A/p4.jpg": jpeg(23),
        f"A/p4 (conflict {sha(jpeg(22))[:8]}).jpg": jpeg(22),
        "A/from phone.jpg": jpeg(30),
        "A/p5.jpg": jpeg(31),
        "C/p7.jpg": jpeg(7),
        "A/p8.jpg": jpeg(8),
        "B/b.jpg": jpeg(9),
    }
    assert sorted(p["sha256"] for p in emulator.state()["photos"]) == sorted(sha(v) for v in tree(root).values())
    assert_converged(emulator, sync_json, root, "--delete")


def test_dry_run_of_a_folder_never_synced_creates_nothing(emulator, root, sync_json, cli, web):
    write_jpeg(root / "A" / "x.jpg", 1)
    web.upload(jpeg(2), "remote", "B")
    remote = emulator.state()
    emulator.reset_calls()
    planned = sync_json(root, "--dry-run")
    assert planned["uploaded"] == 1 and planned["downloaded"] == 1
    assert not (root / ".pycsync").exists(), "a dry run leaves no trace in the folder"
    assert tree(root) == {"A/x.jpg": jpeg(1)}
    assert write_calls(emulator) == {} and static_calls(emulator) == 0
    assert emulator.state() == remote
    status = cli("status", str(root))
    assert status.exit_code == 0 and "A/x.jpg" in status.stdout
    assert not (root / ".pycsync").exists()


def test_dry_run_with_a_first_sync_match_by_name_does_not_download_to_hash(emulator, root, sync_json, web):
    # an untagged photo with the same album and title as a local file needs hashing to decide;
    # a dry run only announces the match and never fetches the original
    write_jpeg(root / "A" / "x.jpg", 1)
    web.upload(jpeg(1), "x", "A")
    emulator.reset_calls()
    planned = sync_json(root, "--dry-run")
    assert planned["linked"] == 1 and planned["uploaded"] == 0
    assert static_calls(emulator) == 0 and write_calls(emulator) == {}
    assert not (root / ".pycsync").exists()
