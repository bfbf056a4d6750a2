"""The base (last synced state), the action journal and small caches, in one SQLite file.

SQLite in WAL mode with one transaction per confirmed action: a crash at any moment leaves the
base at the last confirmed action, never ahead of what really happened. Upload intents are
journaled *before* the request goes out, so the next run knows which uploads may have landed
without an answer and looks for them by their content tag instead of uploading again.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pycsync.errors import LocalError, StateError, disk_full, is_disk_full
from pycsync.metamerge import PhotoMeta, dump_base, load_base
from pycsync.model import Base, BaseItem, new_base_item
from pycsync.safefs import SafeDir

SCHEMA_VERSION = 7

_MIGRATIONS = {
    1: """
    CREATE TABLE items (
        key TEXT PRIMARY KEY,
        photo_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        original_secret TEXT NOT NULL,
        placed INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX items_photo ON items(photo_id);
    CREATE TABLE albums (folder TEXT PRIMARY KEY, album_id TEXT NOT NULL);
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        sha256 TEXT,
        detail TEXT NOT NULL DEFAULT '{}',
        started REAL NOT NULL,
        finished REAL,
        outcome TEXT
    );
    CREATE TABLE remote_hashes (
        photo_id TEXT NOT NULL,
        original_secret TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (photo_id, original_secret)
    );
    CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE reported (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
    """,
    # the last remote listing, so the next run only re-reads what changed on Flickr
    2: """
    CREATE TABLE remote_albums (
        album_id TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        date_update INTEGER NOT NULL,
        members TEXT NOT NULL
    );
    CREATE TABLE remote_photos (
        photo_id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        media TEXT NOT NULL,
        original_format TEXT NOT NULL,
        original_secret TEXT NOT NULL,
        url_o TEXT NOT NULL,
        last_update INTEGER NOT NULL,
        tag_sha256 TEXT,
        file_name TEXT,
        date_taken TEXT NOT NULL
    );
    """,
    # the photo's name as last synced, so a rename made on another computer is followed here
    3: """
    ALTER TABLE items ADD COLUMN name TEXT;
    """,
    # files Flickr refused for good, not offered again until they change (a state of schema 1 to 3
    # may hold the table already: it used to be created beside these migrations, on every open)
    4: """
    CREATE TABLE IF NOT EXISTS refused (
        key TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # who may see each listed photo (the account's non-public count; per-folder privacy), and
    # the per-folder settings pycsync last gave each photo (a changed setting is applied once).
    # The listing snapshot predates privacy: it is dropped, and the next run lists everything.
    5: """
    ALTER TABLE remote_photos ADD COLUMN privacy TEXT;
    DELETE FROM remote_photos;
    DELETE FROM remote_albums;
    DELETE FROM meta WHERE name LIKE 'remote.%';
    CREATE TABLE applied (photo_id TEXT PRIMARY KEY, settings TEXT NOT NULL);
    """,
    # metadata both ways: each photo's metadata when both sides last agreed, each file's sidecar
    # then, and what Flickr's listing says of every photo; the last listing lacks the latter, so
    # the next one reads everything again
    6: """
    ALTER TABLE items ADD COLUMN meta_sig TEXT;
    CREATE TABLE photo_meta (
        photo_id TEXT PRIMARY KEY,
        base TEXT NOT NULL,
        complete INTEGER NOT NULL,
        last_update INTEGER,
        kept TEXT NOT NULL DEFAULT ''
    );
    ALTER TABLE remote_photos ADD COLUMN description TEXT NOT NULL DEFAULT '';
    ALTER TABLE remote_photos ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    ALTER TABLE remote_photos ADD COLUMN granularity INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE remote_photos ADD COLUMN taken_unknown INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE remote_photos ADD COLUMN latitude REAL;
    ALTER TABLE remote_photos ADD COLUMN longitude REAL;
    ALTER TABLE remote_photos ADD COLUMN accuracy INTEGER;
    DELETE FROM remote_photos;
    DELETE FROM remote_albums;
    DELETE FROM meta WHERE name LIKE 'remote.%';
    """,
    # album titles and descriptions both ways: each album's when both sides last agreed
    7: """
    CREATE TABLE album_meta (album_id TEXT PRIMARY KEY, base TEXT NOT NULL);
    """,
}

# meta names of the remote listing cache
_REMOTE_META = ("remote.account", "remote.web_base", "remote.since")


class StateCorrupt(StateError):
    """The file is not a readable SQLite database: set it aside and rebuild from Flickr."""


class StateDB:
    def __init__(self, path: Path | str, shown: Path | None = None):
        """``shown``: the path for messages when ``path`` is one only SQLite should use (a path
        through an open folder, /proc/self/fd/N/state.db)."""
        self.path = Path(shown or path)
        self._lock = threading.RLock()
        self._scratch: Path | None = None  # the temporary folder of a private copy
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout=5000")
            check = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise StateCorrupt(f"state database {self.path} is damaged: {check}")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "malformed" in text or "not a database" in text:
                raise StateCorrupt(f"state database {self.path} is damaged: {text}") from exc
            raise _state_error(exc, self.path) from exc

    @classmethod
    def private_copy(cls, folder: SafeDir | None, name: str) -> StateDB:
        """The state file ``name`` in ``folder``, copied (with what its write-ahead log holds) to
        a temporary folder, for a run that must leave it exactly as it is: opening SQLite's own
        file, even read-only, may create or change its -wal and -shm files, and a migration or a
        rebuild would write. Read by descriptor (never through a link); ``close`` deletes the
        copy. Raises as the constructor does. Without ``folder``: an empty state, as private."""
        scratch = Path(tempfile.mkdtemp(prefix="pycsync-state-"))
        try:
            copy = scratch / name
            shown = None
            if folder is not None:
                shown = folder.path / name
                for suffix in ("", "-wal"):  # the log: changes a killed run committed, not yet merged
                    try:
                        source = os.fdopen(folder.open_file(name + suffix), "rb")
                    except FileNotFoundError:
                        continue
                    with source, open(f"{copy}{suffix}", "xb") as target:
                        shutil.copyfileobj(source, target, 1 << 20)
            state = cls(copy, shown=shown)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        state._scratch = scratch
        return state

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(f"state database {self.path} was written by a newer pycsync (schema {version})")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._tx():
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={target}")

    def _tx(self):
        return _Transaction(self._db, self._lock, self.path)

    # ------------------------------------------------------------------ refused files

    def put_refused(self, key: str, size: int, mtime_ns: int, reason: str) -> None:
        """Flickr refused this version of the file for good (e.g. upload error 5 or 8)."""
        with self._tx():
            self._db.execute("INSERT OR REPLACE INTO refused VALUES (?, ?, ?, ?)", (key, size, mtime_ns, reason))

    def refused(self) -> dict[str, tuple[int, int, str]]:
        """key -> (size, mtime_ns, reason) of files not to offer Flickr again until they change."""
        with self._lock:
            return {r[0]: (r[1], r[2], r[3]) for r in self._db.execute("SELECT * FROM refused")}

    def drop_refused(self, keys) -> None:
        with self._tx():
            self._db.executemany("DELETE FROM refused WHERE key = ?", [(k,) for k in keys])

    # ------------------------------------------------------------------ per-folder settings given

    def applied_settings(self) -> dict[str, dict]:
        """photo id -> the per-folder settings pycsync last gave the photo (name -> value)."""
        with self._lock:
            return {r[0]: json.loads(r[1]) for r in self._db.execute("SELECT photo_id, settings FROM applied")}

    def put_applied(self, photo_id: str, settings: dict) -> None:
        """Record settings given to a photo (merged into what it was given before)."""
        with self._tx():
            row = self._db.execute("SELECT settings FROM applied WHERE photo_id = ?", (photo_id,)).fetchone()
            merged = {**(json.loads(row[0]) if row else {}), **settings}
            self._db.execute("INSERT OR REPLACE INTO applied VALUES (?, ?)", (photo_id, json.dumps(merged)))

    # ------------------------------------------------------------------ base

    def load_base(self) -> Base:
        with self._lock, _gc_paused():  # 100,000s of new objects: collections would only re-walk them
            items = {
                row[0]: new_base_item(row[0], row[1], row[2], row[3], row[4], row[5], row[6] == 1, row[7], row[8])
                for row in self._db.execute(
                    "SELECT key, photo_id, sha256, size, mtime_ns, original_secret, placed, name, meta_sig FROM items"
                )
            }
            albums = dict(self._db.execute("SELECT folder, album_id FROM albums"))
        return Base(items=items, albums=albums)

    def get_items(self, keys) -> dict[str, BaseItem]:
        """The base items of these keys (those it has), without loading the whole base."""
        rows = self._rows_where_in(
            "SELECT key, photo_id, sha256, size, mtime_ns, original_secret, placed, name, meta_sig FROM items",
            "key",
            keys,
        )
        return {r[0]: BaseItem(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8]) for r in rows}

    def _rows_where_in(self, select: str, column: str, values) -> list[tuple]:
        """``select`` restricted to rows whose ``column`` is one of ``values``, asked 500 at a time
        (SQLite caps the parameters of one statement)."""
        wanted = list(dict.fromkeys(values))
        rows: list[tuple] = []
        with self._lock:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows.extend(self._db.execute(f"{select} WHERE {column} IN ({marks})", chunk))
        return rows

    def get_item(self, key: str) -> BaseItem | None:
        return self.get_items((key,)).get(key)

    def photo_ids(self) -> dict[str, str]:
        """key -> photo id for every base item (lighter than load_base for 100,000s of them)."""
        with self._lock:
            return dict(self._db.execute("SELECT key, photo_id FROM items"))

    def put_item(self, item: BaseItem) -> None:
        with self._tx():
            self._put(item)

    def _put(self, item: BaseItem) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO items"
            " (key, photo_id, sha256, size, mtime_ns, original_secret, placed, name, meta_sig)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.key,
                item.photo_id,
                item.sha256,
                item.size,
                item.mtime_ns,
                item.original_secret,
                int(item.placed),
                item.name,
                item.meta_sig,
            ),
        )

    def put_items(self, items: list[BaseItem]) -> None:
        with self._tx():
            for item in items:
                self._put(item)

    def delete_item(self, key: str) -> None:
        with self._tx():
            self._db.execute("DELETE FROM items WHERE key = ?", (key,))

    def rekey(self, old_key: str, item: BaseItem) -> None:
        with self._tx():
            self._db.execute("DELETE FROM items WHERE key = ?", (old_key,))
            self._put(item)

    def set_album(self, folder: str, album_id: str) -> None:
        with self._tx():
            self._db.execute("INSERT OR REPLACE INTO albums VALUES (?, ?)", (folder, album_id))

    def set_albums(self, mapping: dict[str, str]) -> None:
        with self._tx():
            self._db.executemany("INSERT OR REPLACE INTO albums VALUES (?, ?)", mapping.items())

    def set_names(self, names: dict[str, str]) -> None:
        """Remember the photo names of these keys (those still in the base)."""
        with self._tx():
            self._db.executemany("UPDATE items SET name = ? WHERE key = ?", [(n, k) for k, n in names.items()])

    # ------------------------------------------------------------------ metadata (see metamerge)

    def meta_updates(self) -> dict[str, tuple[int | None, bool]]:
        """photo id -> (Flickr's last update when its metadata last synced, None: not known;
        whether every field's base is known), for every photo whose metadata ever synced."""
        with self._lock:
            return {
                r[0]: (r[1], bool(r[2]))
                for r in self._db.execute("SELECT photo_id, last_update, complete FROM photo_meta")
            }

    def photo_meta(self, photo_ids) -> dict[str, PhotoMeta]:
        """The metadata bases of these photos (those that have one)."""
        rows = self._rows_where_in("SELECT photo_id, base, last_update, kept FROM photo_meta", "photo_id", photo_ids)
        return {
            pid: PhotoMeta(load_base(base), last_update, frozenset(kept.split()))
            for pid, base, last_update, kept in rows
        }

    def put_photo_meta(self, photo_id: str, meta: PhotoMeta, sigs: dict[str, str] | None = None) -> None:
        """Record a photo's metadata base, and the sidecars of its files (key -> signature) it was
        read from or written to, in one transaction."""
        with self._tx():
            self._db.execute(
                "INSERT OR REPLACE INTO photo_meta VALUES (?, ?, ?, ?, ?)",
                (photo_id, dump_base(meta.base), int(meta.complete), meta.last_update, " ".join(sorted(meta.kept))),
            )
            if sigs:
                self._db.executemany("UPDATE items SET meta_sig = ? WHERE key = ?", [(s, k) for k, s in sigs.items()])

    def record_meta(self, records: dict[str, PhotoMeta], sigs: dict[str, str]) -> None:
        """What a run found agreed on both sides without writing anything (see Plan.meta_records)."""
        with self._tx():
            self._db.executemany(
                "INSERT OR REPLACE INTO photo_meta VALUES (?, ?, ?, ?, ?)",
                [
                    (pid, dump_base(m.base), int(m.complete), m.last_update, " ".join(sorted(m.kept)))
                    for pid, m in records.items()
                ],
            )
            self._db.executemany("UPDATE items SET meta_sig = ? WHERE key = ?", [(s, k) for k, s in sigs.items()])

    def prune_photo_meta(self) -> None:
        """Forget the metadata of photos no file here shows any more."""
        with self._tx():
            self._db.execute("DELETE FROM photo_meta WHERE photo_id NOT IN (SELECT photo_id FROM items)")

    def album_meta(self) -> dict[str, dict[str, Any]]:
        """album id -> its title and description when both sides last agreed (see
        :mod:`pycsync.albummeta`), for every album whose metadata ever synced."""
        with self._lock:
            return {r[0]: load_base(r[1]) for r in self._db.execute("SELECT album_id, base FROM album_meta")}

    def put_album_meta(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        with self._tx():
            self._db.executemany(
                "INSERT OR REPLACE INTO album_meta VALUES (?, ?)",
                [(album_id, dump_base(base)) for album_id, base in records.items()],
            )

    def prune_album_meta(self, album_ids) -> None:
        """Forget the metadata of albums that are gone from Flickr (``album_ids``: those left)."""
        left = set(album_ids)
        with self._tx():
            gone = [(a,) for (a,) in self._db.execute("SELECT album_id FROM album_meta") if a not in left]
            self._db.executemany("DELETE FROM album_meta WHERE album_id = ?", gone)

    def move_folder(self, pairs, folder: str, new_folder: str, album_id: str) -> None:
        """Re-key the base items of a folder renamed after its album, and remember the new pair."""
        with self._tx():
            self._db.executemany("UPDATE OR REPLACE items SET key = ? WHERE key = ?", [(n, o) for o, n in pairs])
            self._db.execute("DELETE FROM albums WHERE folder = ? OR album_id = ?", (folder, album_id))
            self._db.execute("INSERT OR REPLACE INTO albums VALUES (?, ?)", (new_folder, album_id))

    def clear_base(self) -> None:
        with self._tx():
            self._db.execute("DELETE FROM items")
            self._db.execute("DELETE FROM albums")

    # ------------------------------------------------------------------ journal

    def journal_begin(self, kind: str, key: str, sha256: str | None, **detail) -> int:
        with self._tx():
            cur = self._db.execute(
                "INSERT INTO journal (kind, key, sha256, detail, started) VALUES (?, ?, ?, ?, ?)",
                (kind, key, sha256, json.dumps(detail), time.time()),
            )
            assert cur.lastrowid is not None  # (an INSERT into a rowid table always has one)
            return cur.lastrowid

    def journal_note(self, entry_id: int, **detail) -> None:
        """Add facts to an open entry (e.g. when an upload's body was fully handed over)."""
        with self._tx():
            row = self._db.execute("SELECT detail FROM journal WHERE id = ?", (entry_id,)).fetchone()
            merged = {**json.loads(row[0]), **detail} if row else detail
            self._db.execute("UPDATE journal SET detail = ? WHERE id = ?", (json.dumps(merged), entry_id))

    def journal_end(self, entry_id: int, outcome: str) -> None:
        with self._tx():
            self._db.execute(
                "UPDATE journal SET finished = ?, outcome = ? WHERE id = ?",
                (time.time(), outcome, entry_id),
            )

    def unfinished(self, kind: str) -> list[tuple[int, str, str | None, dict]]:
        """Journal entries of this kind that started and never reported an outcome."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, key, sha256, detail FROM journal WHERE kind = ? AND finished IS NULL",
                (kind,),
            ).fetchall()
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def prune_journal(self, keep_seconds: float = 30 * 86400) -> None:
        """Drop entries finished more than ``keep_seconds`` ago (kept until then to tell what a
        run did); an open entry stays until a run settles it."""
        with self._tx():
            self._db.execute(
                "DELETE FROM journal WHERE finished IS NOT NULL AND finished < ?",
                (time.time() - keep_seconds,),
            )

    # ------------------------------------------------------------------ caches

    def remote_hash(self, photo_id: str, original_secret: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT sha256 FROM remote_hashes WHERE photo_id = ? AND original_secret = ?",
                (photo_id, original_secret),
            ).fetchone()
        return row[0] if row else None

    def remote_hash_lookup(self) -> _RemoteHashLookup:
        """``.get((photo_id, original_secret))`` against the remote-hash cache, one query each
        (a 100,000-photo account's cache is 40 MB as a dict)."""
        return _RemoteHashLookup(self)

    def remote_hashes(self) -> dict[tuple[str, str], str]:
        with self._lock:
            return {
                (r[0], r[1]): r[2]
                for r in self._db.execute("SELECT photo_id, original_secret, sha256 FROM remote_hashes")
            }

    def put_remote_hash(self, photo_id: str, original_secret: str, sha256: str) -> None:
        with self._tx():
            self._db.execute(
                "INSERT OR REPLACE INTO remote_hashes VALUES (?, ?, ?)",
                (photo_id, original_secret, sha256),
            )

    def get_meta(self, name: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else default

    def set_meta(self, name: str, value: str) -> None:
        with self._tx():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    # ------------------------------------------------------------------ remote listing cache

    def load_remote_cache(self, build=None) -> tuple[dict[str, str], dict, dict] | None:
        """The last remote listing: (info, albums, photos), or None when there is none.

        info: account, web_base, since, album_order and own_writes (see pycsync.remote); albums: album id ->
        (count, date_update, member ids in album order); photos: photo id -> the row remote.py
        keeps, its content hash already the remote-hash cache's when that knows the original.
        With ``build``, ``build(info, albums)`` returns a function that turns each row into what
        is kept instead (no row tuples for 100,000s of photos).
        """
        intern = sys.intern
        with self._lock, _gc_paused():
            info = {}
            for name in _REMOTE_META:
                row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
                if row is None:
                    return None
                info[name.partition(".")[2]] = row[0]
            for optional in ("album_order", "own_writes"):
                row = self._db.execute("SELECT value FROM meta WHERE name = ?", (f"remote.{optional}",)).fetchone()
                info[optional] = row[0] if row else ""
            albums = {
                r[0]: (r[1], r[2], tuple(r[3].split(",")) if r[3] else ())
                for r in self._db.execute("SELECT album_id, count, date_update, members FROM remote_albums")
            }
            make = build(info, albums) if build is not None else tuple
            photos = {
                r[0]: make(
                    (
                        r[0],
                        r[1],
                        intern(r[2]),
                        intern(r[3]),
                        r[4],
                        r[5],
                        r[6],
                        r[10] or r[7],
                        r[8],
                        r[9],
                        intern(r[11]),
                        *r[12:19],
                    )
                )
                for r in self._db.execute(
                    "SELECT p.photo_id, title, media, original_format, p.original_secret, url_o, last_update,"
                    " tag_sha256, file_name, date_taken, h.sha256, COALESCE(privacy, ''), description, tags,"
                    " granularity, taken_unknown, latitude, longitude, accuracy FROM remote_photos p"
                    " LEFT JOIN remote_hashes h ON h.photo_id = p.photo_id AND h.original_secret = p.original_secret"
                )
            }
        return info, albums, photos

    def save_remote_cache(
        self,
        info: dict[str, str],
        *,
        albums_put: dict[str, tuple[int, int, tuple[str, ...]]],
        albums_drop=(),
        photos_put=(),
        photos_drop=(),
        replace: bool = False,
    ) -> None:
        """Record a remote listing: all of it (``replace``) or what changed since the last one."""
        with self._tx():
            if replace:
                self._db.execute("DELETE FROM remote_albums")
                self._db.execute("DELETE FROM remote_photos")
            self._db.executemany("DELETE FROM remote_albums WHERE album_id = ?", [(a,) for a in albums_drop])
            self._db.executemany(
                "INSERT OR REPLACE INTO remote_albums VALUES (?, ?, ?, ?)",
                [(a, c, d, ",".join(m)) for a, (c, d, m) in albums_put.items()],
            )
            self._db.executemany("DELETE FROM remote_photos WHERE photo_id = ?", [(p,) for p in photos_drop])
            self._db.executemany(
                "INSERT OR REPLACE INTO remote_photos VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                photos_put,
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)", [(f"remote.{k}", str(v)) for k, v in info.items()]
            )

    def newly_reported(self, skipped: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Record skipped paths and return those not reported by an earlier run."""
        with self._tx():
            known = dict(self._db.execute("SELECT path, reason FROM reported"))
            fresh = [(p, r) for p, r in skipped if known.get(p) != r]
            self._db.executemany("INSERT OR REPLACE INTO reported VALUES (?, ?)", fresh)
            current = {p for p, _ in skipped}
            gone = [(p,) for p in known if p not in current]
            self._db.executemany("DELETE FROM reported WHERE path = ?", gone)
        return fresh


@contextlib.contextmanager
def _gc_paused():
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class _RemoteHashLookup:
    def __init__(self, state: StateDB):
        self._state = state

    def get(self, key: tuple[str, str], default: str | None = None) -> str | None:
        found = self._state.remote_hash(*key)
        return default if found is None else found


def _state_error(exc: sqlite3.Error, path: Path) -> LocalError:
    """SQLite's error as pycsync's: a full disk says so, anything else names the file."""
    if is_disk_full(exc) or (_io_error(exc) and _nearly_full(path.parent)):
        return disk_full(exc, str(path.parent.parent))
    return StateError(f"state database {path} cannot be used: {exc}")


def _io_error(exc: sqlite3.Error) -> bool:
    # SQLite reports a shared-memory or journal file it cannot grow as an I/O error, not "full"
    return (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN)


def _nearly_full(directory: Path) -> bool:
    try:
        st = os.statvfs(directory)
    except (OSError, AttributeError):  # (no statvfs on Windows)
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


class _Transaction:
    """BEGIN IMMEDIATE .. COMMIT under the connection lock (rolled back on error). SQLite's own
    errors (a full disk, an unwritable file) leave as :class:`StateError`."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock, path: Path):
        self._db, self._lock, self._path = db, lock, path
        self._depth = 0

    def __enter__(self):
        self._lock.acquire()
        try:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
                self._depth = 1
        except sqlite3.Error as exc:
            self._lock.release()
            raise _state_error(exc, self._path) from exc
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if self._depth:
                if exc_type is not None:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                else:
                    self._db.execute("COMMIT")
        except sqlite3.Error as failed:
            if self._db.in_transaction:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the connection rolls back what it cannot commit when it closes
            raise _state_error(failed, self._path) from failed
        finally:
            self._lock.release()
        if isinstance(exc, sqlite3.Error):
            raise _state_error(exc, self._path) from exc
        return False
