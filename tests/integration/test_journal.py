"""The journal keeps what runs sent for a while, not for ever: a completed run drops entries
finished more than 30 days ago and keeps the recent ones."""

from __future__ import annotations

import sqlite3
import time

from tests.support.convergence import assert_converged
from tests.support.files import sha, write_jpeg
from tests.support.media import jpeg


def test_a_run_drops_journal_entries_finished_long_ago(root, sync_json):
    write_jpeg(root / "A/old.jpg", 1)
    sync_json(root)
    db = sqlite3.connect(root / ".pycsync" / "state.db")
    (old,) = db.execute("SELECT id FROM journal WHERE finished IS NOT NULL").fetchone()
    db.execute("UPDATE journal SET finished = ? WHERE id = ?", (time.time() - 31 * 86400, old))
    db.commit()
    write_jpeg(root / "A/new.jpg", 2)
    assert sync_json(root)["uploaded"] == 1
    kept = [r[0] for r in db.execute("SELECT key FROM journal ORDER BY id")]
    db.close()
    assert kept == ["A/new.jpg"]


def test_an_upload_whose_answer_is_lost_after_it_landed_is_found_in_the_same_run(root, emulator, sync_json):
    """Flickr took the photo but its answer never arrived: the run looks it up by its content
    tag and records it, and nothing is sent twice (tests/reliability holds every fault; this is
    the run a user sees)."""
    write_jpeg(root / "A" / "x.jpg", 1)
    emulator.set_faults([{"match": "upload", "max": 1, "action": {"apply_then_drop": True}}])
    summary = sync_json(root)
    emulator.set_faults([])
    assert (summary["uploaded"], summary["failed"], emulator.calls()["upload"]) == (1, 0, 1)
    assert [p["sha256"] for p in emulator.state()["photos"]] == [sha(jpeg(1))]
    db = sqlite3.connect(root / ".pycsync" / "state.db")
    assert db.execute("SELECT count(*) FROM journal WHERE finished IS NULL").fetchone() == (0,)
    db.close()
    assert_converged(emulator, sync_json, root)
