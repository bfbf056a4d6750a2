"""An older state DB is migrated in place: nothing it holds is lost, new columns start unknown."""

from __future__ import annotations

import re
import sqlite3

from pycsync.metamerge import PhotoMeta
from pycsync.model import BaseItem
from pycsync.state import StateDB
from pycsync.state.db import _MIGRATIONS, SCHEMA_VERSION


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


def _schema_3(path, refused: bool) -> None:
    db = sqlite3.connect(path)
    for version in (1, 2, 3):
        db.executescript(_MIGRATIONS[version])
    if refused:  # as pycsync made it before it was migration 4: beside the migrations
        db.execute(
            "CREATE TABLE refused (key TEXT PRIMARY KEY, size INTEGER NOT NULL,"
            " mtime_ns INTEGER NOT NULL, reason TEXT NOT NULL)"
        )
        db.execute("INSERT INTO refused VALUES ('A/big.mov', 9, 8, 'too big')")
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()


def test_a_schema_3_state_keeps_the_refused_files_it_holds(tmp_path):
    _schema_3(tmp_path / "state.db", refused=True)
    state = StateDB(tmp_path / "state.db")
    assert state.refused() == {"A/big.mov": (9, 8, "too big")}
    state.close()
    assert _version(tmp_path / "state.db") == SCHEMA_VERSION


def test_a_schema_3_state_without_the_refused_table_gains_it(tmp_path):
    _schema_3(tmp_path / "state.db", refused=False)
    state = StateDB(tmp_path / "state.db")
    assert state.refused() == {}
    state.put_refused("A/big.mov", 9, 8, "too big")
    assert state.refused() == {"A/big.mov": (9, 8, "too big")}
    state.close()


def test_every_table_comes_from_a_numbered_migration(tmp_path):
    """One way to change the schema: a new state holds exactly the tables the migrations make."""
    created = {
        m.group(1)
        for script in _MIGRATIONS.values()
        for m in re.finditer(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", script)
    }
    StateDB(tmp_path / "state.db").close()
    db = sqlite3.connect(tmp_path / "state.db")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert tables == created and "refused" in tables
    assert sorted(_MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))


def _version(path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def test_a_schema_4_state_drops_its_listing_snapshot_and_gains_the_applied_settings(tmp_path):
    """The snapshot has no privacy: it is dropped (the next run lists everything); nothing else
    is lost."""
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    for version in (1, 2, 3, 4):
        db.executescript(_MIGRATIONS[version])
    db.execute("PRAGMA user_version=4")
    db.execute("INSERT INTO items VALUES ('A/x.jpg', 'p1', 'ab', 3, 4, 's1', 1, 'x.jpg')")
    db.execute("INSERT INTO remote_albums VALUES ('7215', 1, 5, 'p1')")
    db.execute("INSERT INTO remote_photos VALUES ('p1', 'x', 'photo', 'jpg', 's1', 'u', 5, 'ab', 'x.jpg', '')")
    for name in ("remote.account", "remote.web_base", "remote.since", "remote.album_order", "last_sync"):
        db.execute("INSERT INTO meta VALUES (?, '1')", (name,))
    db.commit()
    db.close()

    state = StateDB(path)
    assert state.load_base().items["A/x.jpg"].name == "x.jpg"
    assert state.load_remote_cache() is None, "no snapshot: the next listing is a full one"
    assert state.get_meta("last_sync") == "1"
    assert state.applied_settings() == {}
    state.put_applied("p1", {"privacy": "public"})
    state.put_applied("p1", {"license": "cc0"})
    assert state.applied_settings() == {"p1": {"privacy": "public", "license": "cc0"}}
    state.close()


def test_a_schema_5_state_gains_metadata_and_lists_flickr_again(tmp_path):
    path = tmp_path / "state.db"
    db = sqlite3.connect(path)
    for version in (1, 2, 3, 4, 5):
        db.executescript(_MIGRATIONS[version])
    db.execute("PRAGMA user_version=5")
    db.execute("INSERT INTO items VALUES ('A/x.jpg', 'p1', 'ab', 3, 4, 's1', 1, 'x.jpg')")
    db.execute("INSERT INTO remote_photos VALUES ('p1', 'x', 'photo', 'jpg', 's1', 'u', 9, 'ab', 'x.jpg', '', '')")
    db.execute("INSERT INTO remote_albums VALUES ('7215', 1, 9, 'p1')")
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("remote.account", "me"), ("remote.web_base", "w"), ("remote.since", "9"), ("account", "me")],
    )
    db.commit()
    db.close()

    state = StateDB(path)
    assert state.load_base().items == {"A/x.jpg": BaseItem("A/x.jpg", "p1", "ab", 3, 4, "s1", True, "x.jpg", None)}
    # the last listing says nothing of the photos' metadata: the next run lists everything again
    assert state.load_remote_cache() is None and state.get_meta("account") == "me"
    assert state.meta_updates() == {}
    state.put_photo_meta("p1", PhotoMeta({"title": None}, 12, frozenset({"theirs"})), {"A/x.jpg": "x.jpg.xmp|5|6"})
    assert state.meta_updates() == {"p1": (12, False)}
    assert state.photo_meta(["p1", "p2"]) == {"p1": PhotoMeta({"title": None}, 12, frozenset({"theirs"}))}
    assert state.get_item("A/x.jpg").meta_sig == "x.jpg.xmp|5|6"
    state.record_meta({"p1": PhotoMeta({"title": None}, 15, frozenset({"theirs"}))}, {"A/x.jpg": ""})
    assert state.meta_updates() == {"p1": (15, False)} and state.get_item("A/x.jpg").meta_sig == ""
    state.delete_item("A/x.jpg")
    state.prune_photo_meta()
    assert state.meta_updates() == {}
    state.close()
