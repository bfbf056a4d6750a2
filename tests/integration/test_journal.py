"""The journal keeps what runs sent for a while, not for ever: a completed run drops entries
finished more than 30 days ago and keeps the recent ones."""

from __future__ import annotations

import sqlite3
import time

from tests.support.files import write_jpeg


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
