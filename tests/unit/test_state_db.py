"""The state DB on its own: each write is one transaction, all or nothing, and a failed one
leaves the file as it was and the connection ready for the next."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from pycsync.errors import DiskFull, StateError
from pycsync.metadata import Location
from pycsync.metamerge import PhotoMeta
from pycsync.model import Base, BaseItem
from pycsync.safefs import SafeDir
from pycsync.state import StateDB
from pycsync.state import db as db_module


def item(key: str, photo_id: object = "1") -> BaseItem:
    return BaseItem(key, photo_id, "sha-" + key, 10, 20, "secret", True)  # type: ignore[arg-type]


def unbindable(key: str) -> BaseItem:
    """An item SQLite cannot store (its insert fails inside the transaction)."""
    return item(key, photo_id=object())


@pytest.fixture
def path(tmp_path):
    return tmp_path / "state.db"


def keys_on_disk(path) -> set[str]:
    """What another connection sees: only what was committed."""
    other = StateDB(path)
    try:
        return set(other.load_base().items)
    finally:
        other.close()


def test_a_failed_batch_leaves_nothing_of_itself(path):
    db = StateDB(path)
    db.put_item(item("a.jpg"))
    with pytest.raises(StateError, match="cannot be used"):
        db.put_items([item("b.jpg"), item("c.jpg"), unbindable("d.jpg")])
    assert set(db.load_base().items) == {"a.jpg"}
    assert keys_on_disk(path) == {"a.jpg"}
    db.close()


def test_a_failed_rekey_keeps_the_old_key(path):
    db = StateDB(path)
    db.put_item(item("old.jpg"))
    with pytest.raises(StateError, match="cannot be used"):
        db.rekey("old.jpg", unbindable("new.jpg"))  # the delete ran, the insert failed
    assert set(db.load_base().items) == {"old.jpg"}
    assert keys_on_disk(path) == {"old.jpg"}
    db.close()


def test_the_connection_works_after_a_failed_transaction(path):
    db = StateDB(path)
    with pytest.raises(StateError, match="cannot be used"):
        db.put_items([item("a.jpg"), unbindable("b.jpg")])
    db.put_item(item("c.jpg"))  # no transaction left open, the lock released
    db.set_album("A", "7215")
    db.close()
    again = StateDB(path)
    assert set(again.load_base().items) == {"c.jpg"} and again.load_base().albums == {"A": "7215"}
    again.close()


# ---------------------------------------------------------------------------- every record kept
# Each kind of record the state keeps, written and read back through a second connection (what
# the next run sees): a field lost, swapped or misread on the way is a run deciding on a wrong base.


@pytest.fixture
def db(path):
    state = StateDB(path)
    yield state
    state.close()


def reopened(path) -> StateDB:
    return StateDB(path)


def test_an_item_comes_back_with_every_field_as_it_was_put(db, path):
    full = BaseItem("A/x.jpg", "11", "sha-x", 123, 456, "sec", False, "x", "x.xmp|9|8")
    bare = BaseItem("A/y.jpg", "12", "sha-y", 7, 8, "sec2")
    db.put_items([full, bare])
    again = reopened(path)
    assert again.load_base().items == {"A/x.jpg": full, "A/y.jpg": bare}
    assert again.get_items(["A/y.jpg", "A/x.jpg", "A/x.jpg", "gone.jpg"]) == {"A/x.jpg": full, "A/y.jpg": bare}
    assert again.get_item("A/x.jpg") == full and again.get_item("gone.jpg") is None
    assert again.photo_ids() == {"A/x.jpg": "11", "A/y.jpg": "12"}
    again.close()


def test_items_are_read_back_past_sqlites_limit_on_parameters(db):
    """get_items asks 500 keys at a time: every chunk is read, the last partial one too."""
    items = [item(f"{i:04}.jpg", str(i)) for i in range(1201)]
    db.put_items(items)
    wanted = [it.key for it in items] + ["none.jpg"]
    assert db.get_items(wanted) == {it.key: it for it in items}


def test_deleting_rekeying_and_naming_change_only_their_own_item(db, path):
    db.put_items([item("a.jpg", "1"), item("b.jpg", "2"), item("c.jpg", "3")])
    db.delete_item("a.jpg")
    db.rekey("b.jpg", item("B.jpg", "2"))
    db.set_names({"c.jpg": "cee", "gone.jpg": "nobody"})
    again = reopened(path)
    assert again.load_base().items == {"B.jpg": item("B.jpg", "2"), "c.jpg": replace(item("c.jpg", "3"), name="cee")}
    again.close()


def test_album_pairs_follow_a_folder_renamed_after_its_album(db, path):
    db.put_items([item("Old/a.jpg", "1"), item("Old/b.jpg", "2"), item("Other/c.jpg", "3")])
    db.set_albums({"Old": "71", "Other": "72", "Stale": "71"})
    db.set_album("Solo", "73")
    db.move_folder([("Old/a.jpg", "New/a.jpg"), ("Old/b.jpg", "New/b.jpg")], "Old", "New", "71")
    again = reopened(path)
    base = again.load_base()
    assert set(base.items) == {"New/a.jpg", "New/b.jpg", "Other/c.jpg"}
    assert base.items["New/a.jpg"] == replace(item("Old/a.jpg", "1"), key="New/a.jpg")
    assert base.albums == {"New": "71", "Other": "72", "Solo": "73"}  # "Stale" named album 71 too
    again.clear_base()
    assert again.load_base() == Base()
    again.close()


def test_album_titles_are_kept_replaced_and_forgotten_with_their_albums(db, path):
    db.put_album_meta({"71": {"title": "Trips", "description": "Summer"}, "72": {"title": "Été"}})
    db.put_album_meta({"72": {"title": "Été 2019", "description": ""}, "73": {}})
    db.prune_album_meta(["72", "73", "74"])  # 71 is gone from Flickr; 74 never had a title here
    again = reopened(path)
    assert again.album_meta() == {"72": {"title": "Été 2019", "description": ""}, "73": {}}
    again.prune_album_meta(iter(["73"]))
    assert again.album_meta() == {"73": {}}
    again.close()


def test_the_journal_keeps_open_entries_until_settled_and_finished_ones_for_a_while(db, path, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(db_module.time, "time", lambda: now[0])
    first = db.journal_begin("upload", "a.jpg", "sha-a", title="a", size=3)
    second = db.journal_begin("upload", "b.jpg", None)
    other = db.journal_begin("replace", "c.jpg", "sha-c")
    assert second == first + 1 and other == second + 1
    db.journal_note(first, sent=True, size=4)
    db.journal_note(99, sent=True)  # no such entry: nothing to add to
    now[0] += 10
    db.journal_end(second, "done")
    again = reopened(path)
    assert again.unfinished("upload") == [(first, "a.jpg", "sha-a", {"title": "a", "size": 4, "sent": True})]
    assert again.unfinished("replace") == [(other, "c.jpg", "sha-c", {})]
    rows = {r[0]: r[1:] for r in again._db.execute("SELECT id, finished, outcome FROM journal")}
    assert rows == {first: (None, None), second: (1_000_010.0, "done"), other: (None, None)}
    now[0] += 100
    again.prune_journal(keep_seconds=100)  # finished exactly 100 s ago: kept
    assert {r[0] for r in again._db.execute("SELECT id FROM journal")} == {first, second, other}
    now[0] += 1
    again.prune_journal(keep_seconds=100)
    assert {r[0] for r in again._db.execute("SELECT id FROM journal")} == {first, other}
    again.close()


def test_the_journal_is_kept_thirty_days_by_default(db, monkeypatch):
    now = [5_000_000.0]
    monkeypatch.setattr(db_module.time, "time", lambda: now[0])
    db.journal_end(db.journal_begin("upload", "a.jpg", None), "done")
    now[0] += 30 * 86400
    db.prune_journal()
    assert db._db.execute("SELECT COUNT(*) FROM journal").fetchone() == (1,)
    now[0] += 1
    db.prune_journal()
    assert db._db.execute("SELECT COUNT(*) FROM journal").fetchone() == (0,)


def test_caches_meta_refused_files_and_settings_given(db, path):
    db.put_remote_hash("1", "s1", "h1")
    db.put_remote_hash("1", "s2", "h2")
    db.put_remote_hash("1", "s1", "h1b")
    db.set_meta("token", "t1")
    db.set_meta("token", "t2")
    db.put_refused("a.jpg", 10, 20, "too big")
    db.put_refused("b.jpg", 11, 21, "bad")
    db.drop_refused(["b.jpg", "none.jpg"])
    db.put_applied("1", {"privacy": "friends", "license": 4})
    db.put_applied("1", {"privacy": "public"})
    db.put_applied("2", {"license": 1})
    again = reopened(path)
    assert again.remote_hash("1", "s1") == "h1b" and again.remote_hash("1", "s3") is None
    assert again.remote_hashes() == {("1", "s1"): "h1b", ("1", "s2"): "h2"}
    lookup = again.remote_hash_lookup()
    assert lookup.get(("1", "s2")) == "h2" and lookup.get(("2", "s1")) is None
    assert lookup.get(("2", "s1"), "default") == "default"
    assert again.get_meta("token") == "t2"
    assert again.get_meta("nothing") is None and again.get_meta("nothing", "d") == "d"
    assert again.refused() == {"a.jpg": (10, 20, "too big")}
    assert again.applied_settings() == {"1": {"privacy": "public", "license": 4}, "2": {"license": 1}}
    again.close()


def test_metadata_bases_and_sidecar_signatures(db, path):
    db.put_items([item("a.jpg", "1"), item("b.jpg", "2"), item("c.jpg", "3")])
    complete = PhotoMeta(
        {"title": "T", "description": "", "tags": frozenset({"x", "y"}), "taken": ("2020-01-02 03:04:05", 0)}
        | {"location": Location(1.5, 2.5, 16)},
        1234,
        frozenset({"z", "w"}),
    )
    partial = PhotoMeta({"title": "P"})
    assert complete.complete and not partial.complete
    db.put_photo_meta("1", complete, {"a.jpg": "a.xmp|1|2"})
    db.put_photo_meta("2", partial)
    db.record_meta({"3": PhotoMeta({"title": "C"}, 9)}, {"c.jpg": "", "b.jpg": "b.xmp|3|4"})
    again = reopened(path)
    assert again.photo_meta(["1", "2", "2", "9"]) == {"1": complete, "2": partial}
    assert again.photo_meta(["3"]) == {"3": PhotoMeta({"title": "C"}, 9)}
    assert again.meta_updates() == {"1": (1234, True), "2": (None, False), "3": (9, False)}
    sigs = {k: v.meta_sig for k, v in again.load_base().items.items()}
    assert sigs == {"a.jpg": "a.xmp|1|2", "b.jpg": "b.xmp|3|4", "c.jpg": ""}
    again.delete_item("b.jpg")
    again.prune_photo_meta()
    assert set(again.meta_updates()) == {"1", "3"}
    again.close()


def test_metadata_bases_are_read_past_sqlites_limit_on_parameters(db):
    metas = {str(i): PhotoMeta({"title": f"t{i}"}, i) for i in range(1001)}
    db.record_meta(metas, {})
    assert db.photo_meta(list(metas)) == metas


INFO = {"account": "12@N01", "web_base": "https://www.flickr.com/", "since": "100"}


def row(pid: str, tag_sha: str | None = None, secret: str = "os") -> tuple:
    """A remote_photos row as remote.py writes it (18 columns)."""
    return (pid, f"title {pid}", "photo", "jpg", secret, f"https://x/{pid}_o.jpg", 77, tag_sha, f"{pid}.jpg") + (
        "2020-01-01 00:00:00",
        "friends",
        "desc",
        "a b",
        8,
        1,
        48.5,
        2.25,
        11,
    )


def test_the_remote_listing_is_kept_and_changed_in_place(db, path):
    assert db.load_remote_cache() is None
    db.save_remote_cache(
        INFO | {"album_order": "71,72"},
        albums_put={"71": (2, 50, ("1", "2")), "72": (0, 51, ())},
        photos_put=[row("1", "tag1"), row("2")],
        replace=True,
    )
    db.put_remote_hash("2", "os", "content2")  # the original's hash, once downloaded, wins
    again = reopened(path)
    info, albums, photos = again.load_remote_cache()
    assert info == {"account": "12@N01", "web_base": "https://www.flickr.com/", "since": "100"} | {
        "album_order": "71,72",
        "own_writes": "",
    }
    assert albums == {"71": (2, 50, ("1", "2")), "72": (0, 51, ())}
    assert photos == {
        "1": (*row("1")[:7], "tag1", *row("1")[8:]),
        "2": (*row("2")[:7], "content2", *row("2")[8:]),
    }
    again.save_remote_cache(
        {"since": "200", "own_writes": "{}"},
        albums_put={"73": (1, 52, ("3",))},
        albums_drop=["72"],
        photos_put=[row("3")],
        photos_drop=["1"],
    )
    info, albums, photos = again.load_remote_cache(build=lambda info, albums: lambda r: (r[0], info["since"]))
    assert (info["since"], info["own_writes"], info["album_order"]) == ("200", "{}", "71,72")
    assert albums == {"71": (2, 50, ("1", "2")), "73": (1, 52, ("3",))}
    assert photos == {"2": ("2", "200"), "3": ("3", "200")}
    again.save_remote_cache(INFO, albums_put={}, photos_put=[row("4")], replace=True)
    _, albums, photos = again.load_remote_cache()
    assert albums == {} and set(photos) == {"4"}
    again.close()


@pytest.mark.parametrize("missing", ["remote.account", "remote.web_base", "remote.since"])
def test_a_listing_without_its_account_server_or_time_is_no_listing(db, missing):
    db.save_remote_cache(INFO, albums_put={}, replace=True)
    db._db.execute("DELETE FROM meta WHERE name = ?", (missing,))
    assert db.load_remote_cache() is None


def test_a_skipped_path_is_reported_once_until_its_reason_changes(db, path):
    assert db.newly_reported([("a.jpg", "unreadable"), ("b.jpg", "too big")]) == [
        ("a.jpg", "unreadable"),
        ("b.jpg", "too big"),
    ]
    assert db.newly_reported([("a.jpg", "unreadable"), ("b.jpg", "still too big")]) == [("b.jpg", "still too big")]
    assert db.newly_reported([("b.jpg", "still too big")]) == []
    again = reopened(path)
    assert again.newly_reported([("a.jpg", "unreadable"), ("b.jpg", "still too big")]) == [("a.jpg", "unreadable")]
    again.close()


# ---------------------------------------------------------------------------- opening a state


def test_a_new_state_has_the_current_schema_in_wal_mode(db, path):
    assert db._db.execute("PRAGMA user_version").fetchone() == (db_module.SCHEMA_VERSION,)
    assert db._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db._db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    assert db._db.execute("PRAGMA busy_timeout").fetchone() == (5000,)


def test_a_file_that_is_no_database_is_damaged(path):
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(
        db_module.StateCorrupt, match=f"^state database {re.escape(str(path))} is damaged: file is not a database$"
    ):
        StateDB(path)


@pytest.mark.parametrize(
    "where, says",
    [
        (slice(100, 4096), "database disk image is malformed"),  # the schema page: SQLite cannot open it
        (slice(8192, 8392), "Page 3: btreeInitPage() returns error code 11"),  # a table's page: quick_check finds it
    ],
)
def test_a_damaged_state_is_damaged(path, where, says):
    db = StateDB(path)
    db.put_items([item(f"{i:03}.jpg", str(i)) for i in range(300)])
    db._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    data[where] = b"\xab" * (where.stop - where.start)
    path.write_bytes(bytes(data))
    with pytest.raises(
        db_module.StateCorrupt, match=f"(?s)^state database {re.escape(str(path))} is damaged: .*{re.escape(says)}"
    ):
        StateDB(path)


def test_a_state_written_by_a_newer_pycsync_is_left_alone(path):
    sqlite3.connect(path).execute(f"PRAGMA user_version={db_module.SCHEMA_VERSION + 1}").connection.close()
    with pytest.raises(StateError) as raised:
        StateDB(path)
    assert not isinstance(raised.value, db_module.StateCorrupt)
    assert str(raised.value) == (
        f"state database {path} was written by a newer pycsync (schema {db_module.SCHEMA_VERSION + 1})"
    )


def test_a_private_copy_holds_what_the_log_holds_and_leaves_the_file_as_it_is(db, path):
    """`pycsync status` and --dry-run read the state without touching it, a killed run's
    uncheckpointed log included."""
    db.put_item(item("a.jpg"))  # in the -wal file only, while this connection is open
    wal = path.with_name("state.db-wal")
    assert wal.stat().st_size > 0
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    with SafeDir.open(path.parent) as folder:
        copy = StateDB.private_copy(folder, "state.db")
    assert set(copy.load_base().items) == {"a.jpg"}
    assert copy.path == path  # what messages name
    copy.put_item(item("b.jpg"))
    scratch = copy._scratch
    assert scratch is not None and scratch.is_dir() and not scratch.is_relative_to(path.parent)
    copy.close()
    assert not scratch.exists()
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before


def test_a_private_copy_of_nothing_is_an_empty_state_deleted_on_close():
    copy = StateDB.private_copy(None, "state.db")
    assert copy.load_base() == Base() and copy.path.name == "state.db"
    scratch = copy._scratch
    copy.close()
    assert scratch is not None and not scratch.exists()


def test_a_private_copy_of_a_damaged_file_leaves_no_copy_behind(path, monkeypatch, tmp_path):
    path.write_bytes(b"garbage" * 1000)
    made = []
    real = db_module.tempfile.mkdtemp
    monkeypatch.setattr(db_module.tempfile, "mkdtemp", lambda **kw: made.append(real(**kw)) or made[-1])
    with SafeDir.open(path.parent) as folder, pytest.raises(db_module.StateCorrupt, match=str(path)):
        StateDB.private_copy(folder, "state.db")
    assert len(made) == 1 and not Path(made[0]).exists()


# ---------------------------------------------------------------------------- transactions, errors


def test_any_failure_inside_a_transaction_rolls_it_back_and_leaves_as_it_came(db, path):
    with pytest.raises(KeyError), db._tx():
        db._put(item("a.jpg"))
        raise KeyError("not SQLite's")
    assert not db._db.in_transaction
    assert keys_on_disk(path) == set()
    db.put_item(item("b.jpg"))
    assert keys_on_disk(path) == {"b.jpg"}


def sqlite_error(code: int, text: str) -> sqlite3.Error:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    return exc


class Statvfs:
    def __init__(self, free: int):
        self.f_bavail, self.f_frsize = divmod(free, 4096)[0], 4096  # blocks free, block size


@pytest.mark.parametrize(
    "code, free, full",
    [
        (sqlite3.SQLITE_FULL, 10**9, True),  # SQLite says so
        (sqlite3.SQLITE_IOERR | (3 << 8), (1 << 20) - 4096, True),  # an I/O error (a write) on a full disk
        (sqlite3.SQLITE_CANTOPEN, 0, True),  # a -shm or journal file it cannot create there
        (sqlite3.SQLITE_IOERR | (3 << 8), 1 << 20, False),  # a megabyte is left: some other I/O error
        (sqlite3.SQLITE_READONLY, 0, False),
    ],
)
def test_a_full_disk_is_said_so_and_any_other_error_names_the_file(tmp_path, monkeypatch, code, free, full):
    monkeypatch.setattr(db_module.os, "statvfs", lambda d: Statvfs(free) if d == tmp_path / ".pycsync" else None)
    error = db_module._state_error(sqlite_error(code, "some trouble"), tmp_path / ".pycsync" / "state.db")
    if full:
        assert isinstance(error, DiskFull)
        assert str(error).startswith(f"the disk holding {tmp_path} is full")
    else:
        assert str(error) == f"state database {tmp_path / '.pycsync' / 'state.db'} cannot be used: some trouble"


def test_without_statvfs_an_io_error_is_not_taken_for_a_full_disk(tmp_path, monkeypatch):
    def no_statvfs(directory):
        raise OSError("not here")

    monkeypatch.setattr(db_module.os, "statvfs", no_statvfs)
    error = db_module._state_error(sqlite_error(sqlite3.SQLITE_IOERR, "disk I/O error"), tmp_path / "state.db")
    assert str(error) == f"state database {tmp_path / 'state.db'} cannot be used: disk I/O error"


# ---------------------------------------------------------------------------- transactions' edges


class _FailingConnection:
    """The state's connection, but ``statement`` fails as SQLite fails it (``code``); what SQLite
    does then (a failed COMMIT keeps the transaction open) is left to the real connection."""

    def __init__(self, real: sqlite3.Connection, statement: str, code: int, text: str) -> None:
        self._real, self._statement, self._error = real, statement, (code, text)

    def execute(self, sql, *args):
        if sql == self._statement:
            raise sqlite_error(*self._error)
        return self._real.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_a_commit_that_fails_is_rolled_back_and_said_so(db, path):
    real = db._db
    db._db = _FailingConnection(real, "COMMIT", sqlite3.SQLITE_FULL, "database or disk is full")
    with pytest.raises(DiskFull, match=f"^the disk holding {re.escape(str(path.parent.parent))} is full"):
        db.put_item(item("a.jpg"))
    db._db = real
    assert not real.in_transaction, "left open, every later write would be lost with it"
    db.put_item(item("b.jpg"))
    assert keys_on_disk(path) == {"b.jpg"}


def test_a_transaction_that_cannot_begin_says_why_and_holds_nothing(db, path):
    real = db._db
    db._db = _FailingConnection(real, "BEGIN IMMEDIATE", sqlite3.SQLITE_BUSY, "database is locked")
    with pytest.raises(StateError) as refused:
        db.put_item(item("a.jpg"))
    assert str(refused.value) == f"state database {path} cannot be used: database is locked"
    db._db = real
    db.put_item(item("b.jpg"))  # (the lock was released)
    assert keys_on_disk(path) == {"b.jpg"}


def test_a_failed_write_names_the_file_and_what_sqlite_said(db, path):
    with pytest.raises(StateError) as failed:
        db.put_items([item("a.jpg"), unbindable("b.jpg")])
    assert str(failed.value) == f"state database {path} cannot be used: {failed.value.__cause__}"


def test_a_write_inside_another_transaction_is_part_of_it(db, path):
    with pytest.raises(KeyError), db._tx():
        db.put_item(item("a.jpg"))  # (a transaction of its own, inside this one)
        raise KeyError("the outer one fails")
    assert keys_on_disk(path) == set()


def test_the_state_is_written_from_other_threads(db, path):
    import threading

    worker = threading.Thread(target=db.put_item, args=(item("a.jpg"),))
    worker.start()
    worker.join()
    assert keys_on_disk(path) == {"a.jpg"}


def test_a_state_that_cannot_be_opened_names_the_file(tmp_path):
    folder = tmp_path / "state.db"
    folder.mkdir()  # (a folder where the file should be)
    with pytest.raises(StateError) as refused:
        StateDB(folder)
    assert str(refused.value) == f"state database {folder} cannot be used: {refused.value.__cause__}"


def test_the_tags_others_added_are_recorded_with_a_metadata_base(db, path):
    db.put_items([item("a.jpg", "1")])
    db.record_meta({"1": PhotoMeta({"title": "T"}, 9, frozenset({"z", "w"}))}, {})
    again = reopened(path)
    assert again.photo_meta(["1"]) == {"1": PhotoMeta({"title": "T"}, 9, frozenset({"z", "w"}))}
    again.close()
