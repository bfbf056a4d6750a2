"""An older state DB is migrated in place: nothing it holds is lost, new columns start unknown."""

from __future__ import annotations

import sqlite3

from pycsync.model import BaseItem
from pycsync.state import StateDB
from pycsync.state.db import _MIGRATIONS


def test_a_schema_2_state_gains_photo_names_as_unknown(tmp_path):
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    for version in (1, 2):
        db.executescript(_MIGRATIONS[version])
    db.execute("PRAGMA user_version=2")
    db.execute("INSERT INTO items VALUES ('A/x.jpg', 'p1', 'ab', 3, 4, 's1', 1)")
    db.execute("INSERT INTO albums VALUES ('A', '7215')")
    db.commit()
    db.close()

    state = StateDB(path)
    base = state.load_base()
    assert base.items == {"A/x.jpg": BaseItem("A/x.jpg", "p1", "ab", 3, 4, "s1", True, None)}
    assert base.albums == {"A": "7215"}
    state.set_names({"A/x.jpg": "x.jpg", "gone.jpg": "y.jpg"})
    assert state.get_item("A/x.jpg") == BaseItem("A/x.jpg", "p1", "ab", 3, 4, "s1", True, "x.jpg")
    state.close()
