"""The base (last synced state), the action journal and small caches, in one SQLite file.

SQLite in WAL mode with one transaction per confirmed action: a crash at any moment leaves the
base at the last confirmed action, never ahead of what really happened. Upload intents are
journaled *before* the request goes out, so the next run knows which uploads may have landed
without an answer and looks for them by their content tag instead of uploading again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path


from pycsync.model import Base, BaseItem

SCHEMA_VERSION = 1

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
}


class StateError(Exception):
    """The state database cannot be used (corrupt, or from a newer pycsync)."""


class StateCorrupt(StateError):
    """The file is not a readable SQLite database: set it aside and rebuild from Flickr."""


class StateDB:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
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
            raise StateError(f"state database {self.path} cannot be used: {text}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"state database {self.path} was written by a newer pycsync (schema {version})"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._tx():
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={target}")

    def _tx(self):
        return _Transaction(self._db, self._lock)

    # ------------------------------------------------------------------ base

    def load_base(self) -> Base:
        with self._lock:
            items = {
                row[0]: BaseItem(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))
                for row in self._db.execute(
                    "SELECT key, photo_id, sha256, size, mtime_ns, original_secret, placed FROM items"
                )
            }
            albums = dict(self._db.execute("SELECT folder, album_id FROM albums"))
        return Base(items=items, albums=albums)

    def put_item(self, item: BaseItem) -> None:
        with self._tx():
            self._put(item)

    def _put(self, item: BaseItem) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item.key, item.photo_id, item.sha256, item.size, item.mtime_ns,
             item.original_secret, int(item.placed)),
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
            return cur.lastrowid

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


class _Transaction:
    """BEGIN IMMEDIATE .. COMMIT under the connection lock (rolled back on error)."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock):
        self._db, self._lock = db, lock
        self._depth = 0

    def __enter__(self):
        self._lock.acquire()
        if not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if self._depth:
                self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()
        return False


