"""Persistent state of the emulator: SQLite metadata plus content-addressed blobs.

Layout of a data directory::

    emulator.db          SQLite: keys, users, tokens, photos, tags, sets, tickets
    blobs/ab/abcdef...   file bytes, named by their sha256
    tmp/                 upload spool files (moved into blobs/ once hashed)

One connection is shared by all server threads and every access goes through
``Store.lock`` (an RLock), so the store is correct under concurrent requests;
``with store.tx():`` groups several statements into one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["Store", "new_secret", "new_token", "HashingSpool", "sql_int"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    nsid TEXT PRIMARY KEY, internal_id INTEGER NOT NULL, username TEXT NOT NULL UNIQUE,
    fullname TEXT NOT NULL DEFAULT '', path_alias TEXT, created INTEGER NOT NULL, is_default INTEGER NOT NULL DEFAULT 0,
    email TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, secret TEXT NOT NULL, kind TEXT NOT NULL, consumer_key TEXT NOT NULL,
    nsid TEXT, perms TEXT, callback TEXT, verifier TEXT, state TEXT NOT NULL, created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS photos (
    id INTEGER PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',
    is_public INTEGER NOT NULL DEFAULT 0, is_friend INTEGER NOT NULL DEFAULT 0, is_family INTEGER NOT NULL DEFAULT 0,
    secret TEXT NOT NULL, originalsecret TEXT NOT NULL, server TEXT NOT NULL, farm INTEGER NOT NULL,
    format TEXT NOT NULL, mime TEXT NOT NULL, media TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
    width INTEGER, height INTEGER, dateupload INTEGER NOT NULL, datetaken TEXT NOT NULL,
    takengranularity INTEGER NOT NULL DEFAULT 0, takenunknown INTEGER NOT NULL DEFAULT 0,
    lastupdate INTEGER NOT NULL, license TEXT NOT NULL DEFAULT '0', views INTEGER NOT NULL DEFAULT 0,
    safety_level INTEGER NOT NULL DEFAULT 0, content_type INTEGER NOT NULL DEFAULT 1, hidden INTEGER NOT NULL DEFAULT 1,
    perm_comment INTEGER NOT NULL DEFAULT 3, perm_addmeta INTEGER NOT NULL DEFAULT 2,
    filename TEXT NOT NULL DEFAULT '', visible_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS photos_owner ON photos(owner, dateupload);
CREATE INDEX IF NOT EXISTS photos_sha ON photos(sha256);
CREATE TABLE IF NOT EXISTS tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT, photo_id INTEGER NOT NULL, author TEXT NOT NULL,
    raw TEXT NOT NULL, clean TEXT NOT NULL, machine INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tags_photo ON tags(photo_id);
CREATE INDEX IF NOT EXISTS tags_clean ON tags(clean);
CREATE TABLE IF NOT EXISTS tag_names (id INTEGER PRIMARY KEY AUTOINCREMENT, clean TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS sets (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
    primary_id INTEGER NOT NULL, date_create INTEGER NOT NULL, date_update INTEGER NOT NULL,
    sort REAL NOT NULL, views INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sets_owner ON sets(owner, sort);
CREATE TABLE IF NOT EXISTS set_photos (
    set_id TEXT NOT NULL, photo_id INTEGER NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (set_id, photo_id)
);
CREATE INDEX IF NOT EXISTS set_photos_photo ON set_photos(photo_id);
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, photo_id INTEGER, status INTEGER NOT NULL,
    created REAL NOT NULL, ready_at REAL NOT NULL, imported INTEGER
);
"""


# columns added since the first schema: table -> {column: declaration}. A user's account settings
# are NULL until set for that user (the emulator's configuration then applies).
_ADDED_COLUMNS = {
    "users": {
        "email": "TEXT",
        "location": "TEXT NOT NULL DEFAULT ''",
        "account": "TEXT",  # "free" | "pro"
        "max_items": "INTEGER",
        "max_nonpublic": "INTEGER",
        "max_videos": "INTEGER",
        "default_privacy": "TEXT",
        "geo_import": "INTEGER",
        "hide_exif": "INTEGER",
        "deleted": "INTEGER NOT NULL DEFAULT 0",
        # the prefs.* defaults (NULL: as configured)
        "geo_perms": "INTEGER",  # who sees a new location: 0 not set, 1 public ... 6 private
        "default_safety_level": "INTEGER",  # 1 safe, 2 moderate, 3 restricted
        "default_content_type": "INTEGER",  # 1 photo, 2 screenshot, 3 other
        "default_hidden": "INTEGER",  # 1 shown in public searches, 2 hidden
    },
    "tags": {
        "tag_id": "INTEGER",  # Flickr's id of the tag itself: the same for a clean form on every photo
    },
    "photos": {
        "latitude": "REAL",  # NULL: no location
        "longitude": "REAL",
        "accuracy": "INTEGER NOT NULL DEFAULT 0",
        "geo_is_public": "INTEGER NOT NULL DEFAULT 1",
        "geo_is_contact": "INTEGER NOT NULL DEFAULT 0",
        "geo_is_friend": "INTEGER NOT NULL DEFAULT 0",
        "geo_is_family": "INTEGER NOT NULL DEFAULT 0",
        "geo_context": "INTEGER NOT NULL DEFAULT 0",  # 0 not defined, 1 indoors, 2 outdoors
        "duration": "INTEGER",  # a video's length in seconds as played (NULL: not measured)
    },
}

#: the user columns :meth:`Store.update_user` may set
USER_SETTINGS = frozenset(_ADDED_COLUMNS["users"]) | {"path_alias", "fullname"}


_SQL_INT_MAX = 2**63 - 1


def sql_int(value: Any) -> int | None:
    """A whole number SQLite can store, from any text (None for anything else: a 20-digit "id"
    names nothing rather than failing the query)."""
    text = str(value).strip()
    if not text or not text.lstrip("-").isdigit() or not text.isascii():
        return None
    number = int(text)
    return number if -_SQL_INT_MAX <= number <= _SQL_INT_MAX else None


def new_secret(n_hex: int = 16) -> str:
    return secrets.token_hex((n_hex + 1) // 2)[:n_hex]


def new_token() -> str:
    """Flickr-style token: 17 digits, a dash, 16 hex digits."""
    return "72157" + "".join(str(secrets.randbelow(10)) for _ in range(12)) + "-" + new_secret(16)


class HashingSpool:
    """A write-once file that hashes what is written to it (upload spool).

    Werkzeug's multipart parser writes the file part into it chunk by chunk, so
    a large upload is never held in memory and is hashed on the fly.
    """

    def __init__(self, directory: Path) -> None:
        fd, name = tempfile.mkstemp(prefix="upload-", dir=directory)
        self.path = Path(name)
        self._f = os.fdopen(fd, "w+b")
        self._sha = hashlib.sha256()
        self.size = 0
        self._head = bytearray()

    def write(self, data: bytes) -> int:
        self._sha.update(data)
        self.size += len(data)
        if len(self._head) < 512 * 1024:
            self._head += data[: 512 * 1024 - len(self._head)]
        return self._f.write(data)

    @property
    def head(self) -> bytes:
        return bytes(self._head)

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()

    # file-ish API used by werkzeug.FileStorage
    def seek(self, *a: Any) -> int:
        return self._f.seek(*a)

    def tell(self) -> int:
        return self._f.tell()

    def read(self, *a: Any) -> bytes:
        return self._f.read(*a)

    def flush(self) -> None:
        self._f.flush()

    def close(self) -> None:
        if not self._f.closed:
            self._f.close()

    @property
    def closed(self) -> bool:
        return self._f.closed

    def discard(self) -> None:
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class Store:
    def __init__(
        self,
        data_dir: str | os.PathLike | None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        default_username: str = "emulator",
    ) -> None:
        self._tmp_root: str | None = None
        if data_dir is None:
            self._tmp_root = tempfile.mkdtemp(prefix="pycsync-emulator-")
            data_dir = self._tmp_root
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.blob_dir = self.dir / "blobs"
        self.blob_dir.mkdir(exist_ok=True)
        self.tmp_dir = self.dir / "tmp"
        self.tmp_dir.mkdir(exist_ok=True)
        for leftover in self.tmp_dir.iterdir():  # spools of a crashed run
            with contextlib.suppress(OSError):
                leftover.unlink()
        self.lock = threading.RLock()
        self._depth = 0
        self._last_now = 0
        self._keys: tuple[str, str] | None = None  # (api_key, api_secret), fixed after start-up
        self.db = sqlite3.connect(str(self.dir / "emulator.db"), check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        with self.lock:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            self._migrate()
            with self.tx():
                self._init_keys(api_key, api_secret)
                if not self.db.execute("SELECT 1 FROM users WHERE is_default=1").fetchone():
                    self.create_user(default_username, fullname="Emulator User", is_default=True)
                    self.db.execute("INSERT OR IGNORE INTO sqlite_sequence(name, seq) VALUES ('tags', 317354000)")
                    self.db.execute("INSERT OR IGNORE INTO sqlite_sequence(name, seq) VALUES ('tag_names', 1000)")
                self._number_tags()

    def _migrate(self) -> None:
        """Bring a data directory written by an older emulator up to the current schema."""
        for table, columns in _ADDED_COLUMNS.items():
            have = {r["name"] for r in self.db.execute(f"PRAGMA table_info({table})")}
            for name, decl in columns.items():
                if name not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")

    # ------------------------------------------------------------------ basics
    def close(self) -> None:
        with self.lock, contextlib.suppress(sqlite3.Error):
            self.db.close()
        if self._tmp_root:
            shutil.rmtree(self._tmp_root, ignore_errors=True)

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            outer = self._depth == 0
            if outer:
                self.db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self.db
            except BaseException:
                self._depth -= 1
                if outer:
                    self.db.execute("ROLLBACK")
                raise
            else:
                self._depth -= 1
                if outer:
                    self.db.execute("COMMIT")

    def q(self, sql: str, args: tuple | list = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    def q1(self, sql: str, args: tuple | list = ()) -> sqlite3.Row | None:
        with self.lock:
            return self.db.execute(sql, args).fetchone()

    def one(self, sql: str, args: tuple | list = ()) -> sqlite3.Row:
        """The row of a query that always has one (an aggregate such as ``COUNT(*)``)."""
        row = self.q1(sql, args)
        if row is None:
            raise LookupError(f"no row for {sql}")
        return row

    def x(self, sql: str, args: tuple | list = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.db.execute(sql, args)

    def now(self) -> int:
        """Unix seconds, never going backwards across calls."""
        with self.lock:
            t = max(int(time.time()), self._last_now)
            self._last_now = t
            return t

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.q1("SELECT value FROM meta WHERE key=?", (key,))
        return row["value"] if row else default

    def set_meta(self, key: str, value: Any) -> None:
        self.x(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, str(value)),
        )

    def _init_keys(self, api_key: str | None, api_secret: str | None) -> None:
        if api_key:
            self.set_meta("api_key", api_key)
        elif self.get_meta("api_key") is None:
            self.set_meta("api_key", new_secret(32))
        if api_secret:
            self.set_meta("api_secret", api_secret)
        elif self.get_meta("api_secret") is None:
            self.set_meta("api_secret", new_secret(16))
        if self.get_meta("next_photo_id") is None:
            self.set_meta("next_photo_id", 52000000000 + secrets.randbelow(10**9))
            self.set_meta("next_set_id", 72157700000000000 + secrets.randbelow(10**10))
            self.set_meta("next_ticket", 161000000 + secrets.randbelow(10**6))

    def _consumer(self) -> tuple[str, str]:
        if self._keys is None:
            self._keys = (self.get_meta("api_key") or "", self.get_meta("api_secret") or "")
        return self._keys

    @property
    def api_key(self) -> str:
        return self._consumer()[0]

    @property
    def api_secret(self) -> str:
        return self._consumer()[1]

    def next_id(self, key: str, step_max: int = 1) -> int:
        with self.tx():
            value = int(self.get_meta(key))  # type: ignore[arg-type]
            step = 1 if step_max <= 1 else 1 + secrets.randbelow(step_max)
            self.set_meta(key, value + step)
            return value

    # ------------------------------------------------------------------ users
    def create_user(
        self, username: str, fullname: str = "", is_default: bool = False, email: str | None = None
    ) -> dict:
        with self.tx():
            if self.q1("SELECT 1 FROM users WHERE username=?", (username,)):
                raise ValueError(f"username {username!r} already exists")
            while True:
                nsid = f"{secrets.randbelow(9 * 10**10) + 10**10}@N0{1 + secrets.randbelow(8)}"
                if not self.q1("SELECT 1 FROM users WHERE nsid=?", (nsid,)):
                    break
            internal = 10**7 + secrets.randbelow(9 * 10**7)
            self.x(
                "INSERT INTO users(nsid, internal_id, username, fullname, path_alias, created, is_default, email) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (nsid, internal, username, fullname, None, self.now(), int(is_default), email),
            )
            token = self.create_access_token(nsid, "delete")
            if is_default:
                self.set_meta("default_token", token["oauth_token"])
            return {"user_nsid": nsid, "username": username, **token}

    def user(self, nsid: str) -> sqlite3.Row | None:
        return self.q1("SELECT * FROM users WHERE nsid=?", (nsid,))

    def update_user(self, nsid: str, **settings: Any) -> None:
        """Change a user's settings (see :data:`USER_SETTINGS`); None restores the configured default."""
        unknown = set(settings) - USER_SETTINGS
        if unknown:
            raise ValueError(f"unknown user settings: {', '.join(sorted(unknown))}")
        if not settings:
            return
        with self.tx():
            if "path_alias" in settings and settings["path_alias"]:
                taken = self.q1("SELECT 1 FROM users WHERE path_alias=? AND nsid<>?", (settings["path_alias"], nsid))
                if taken:
                    raise ValueError(f"path alias {settings['path_alias']!r} is taken")
            cols = ", ".join(f"{k}=?" for k in settings)
            self.x(f"UPDATE users SET {cols} WHERE nsid=?", (*settings.values(), nsid))

    @staticmethod
    def user_email(row: sqlite3.Row) -> str:
        """The address ``flickr.people.findByEmail`` matches: the one given at creation,
        else ``<username>@example.com`` (the emulator's stand-in for a private address)."""
        return row["email"] or f"{row['username']}@example.com"

    def default_user(self) -> sqlite3.Row:
        return self.q1("SELECT * FROM users WHERE is_default=1")  # type: ignore[return-value]

    def default_token(self) -> sqlite3.Row:
        return self.q1("SELECT * FROM tokens WHERE token=?", (self.get_meta("default_token"),))  # type: ignore

    def users(self) -> list[sqlite3.Row]:
        return self.q("SELECT * FROM users ORDER BY created, nsid")

    # ------------------------------------------------------------------ tokens
    def create_access_token(self, nsid: str, perms: str, consumer_key: str | None = None) -> dict:
        token, secret = new_token(), new_secret(16)
        self.x(
            "INSERT INTO tokens(token, secret, kind, consumer_key, nsid, perms, state, created) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (token, secret, "access", consumer_key or self.api_key, nsid, perms, "active", self.now()),
        )
        return {"oauth_token": token, "oauth_token_secret": secret, "perms": perms}

    def create_request_token(self, consumer_key: str, callback: str) -> dict:
        token, secret = new_token(), new_secret(16)
        self.x(
            "INSERT INTO tokens(token, secret, kind, consumer_key, callback, state, created) VALUES (?,?,?,?,?,?,?)",
            (token, secret, "request", consumer_key, callback, "pending", self.now()),
        )
        return {"oauth_token": token, "oauth_token_secret": secret}

    def token(self, token: str) -> sqlite3.Row | None:
        return self.q1("SELECT * FROM tokens WHERE token=?", (token,))

    def update_token(self, token: str, **fields: Any) -> None:
        cols = ", ".join(f"{k}=?" for k in fields)
        self.x(f"UPDATE tokens SET {cols} WHERE token=?", (*fields.values(), token))

    # ------------------------------------------------------------------ blobs
    def blob_path(self, sha256: str) -> Path:
        return self.blob_dir / sha256[:2] / sha256

    def adopt_spool(self, spool: HashingSpool) -> tuple[str, int]:
        """Move a finished upload spool into the blob store; returns (sha256, size)."""
        spool.flush()
        spool.close()
        sha = spool.sha256
        dest = self.blob_path(sha)
        dest.parent.mkdir(exist_ok=True)
        if dest.exists():
            spool.discard()
        else:
            os.replace(spool.path, dest)
        return sha, spool.size

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        spool = HashingSpool(self.tmp_dir)
        spool.write(data)
        return self.adopt_spool(spool)

    def gc_blob(self, sha256: str) -> None:
        with self.lock:
            if not self.q1("SELECT 1 FROM photos WHERE sha256=? LIMIT 1", (sha256,)):
                with contextlib.suppress(FileNotFoundError):
                    self.blob_path(sha256).unlink()

    # ------------------------------------------------------------------ photos
    def photo(self, photo_id: Any) -> sqlite3.Row | None:
        """The photo with this id (any text: what is not an id, or one too big to be stored, is none)."""
        pid = sql_int(photo_id)
        return None if pid is None else self.q1("SELECT * FROM photos WHERE id=?", (pid,))

    def insert_photo(self, *, taken: str | None, **fields: Any) -> int:
        """Store a new photo (the ``photos`` columns in ``fields``) and return its new id.

        Stamped with the store's clock: ``dateupload`` and ``lastupdate``; ``taken`` (the date taken
        read from the file) else the upload time in local time, ``takenunknown`` then 1.
        """
        with self.tx():
            pid = self.next_id("next_photo_id", step_max=50)
            now = self.now()
            fields.update(id=pid, dateupload=now, lastupdate=now, takenunknown=0 if taken else 1)
            fields["datetaken"] = taken or time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
            cols = ", ".join(fields)
            marks = ",".join("?" * len(fields))
            self.x(f"INSERT INTO photos({cols}) VALUES ({marks})", tuple(fields.values()))
            return pid

    def update_photo(self, photo_id: int, **fields: Any) -> None:
        """Change some columns of a photo; its ``lastupdate`` moves on (never backwards)."""
        with self.tx():
            row = self.q1("SELECT lastupdate FROM photos WHERE id=?", (photo_id,))
            if row is not None:
                fields["lastupdate"] = max(self.now(), row["lastupdate"])
            if not fields:
                return
            cols = ", ".join(f"{k}=?" for k in fields)
            self.x(f"UPDATE photos SET {cols} WHERE id=?", (*fields.values(), photo_id))

    def delete_photo(self, photo_id: int) -> None:
        """A photo leaves its sets (an emptied set goes too), its tags and, unless shared, its bytes."""
        with self.tx():
            row = self.photo(photo_id)
            if row is None:
                return
            for s in self.sets_of_photo(photo_id):
                self.write_members(s["id"], [m for m in self.set_members(s["id"]) if m != photo_id])
            self.x("DELETE FROM tags WHERE photo_id=?", (photo_id,))
            self.x("DELETE FROM photos WHERE id=?", (photo_id,))
            self.gc_blob(row["sha256"])

    def tag_number(self, clean: str) -> int:
        """Flickr's id of a tag (its clean form): the last part of every full tag id that names it,
        whichever photo carries it (real ids: ``japan`` is 1038 on anyone's photo)."""
        with self.lock:
            self.db.execute("INSERT OR IGNORE INTO tag_names(clean) VALUES (?)", (clean,))
            return int(self.db.execute("SELECT id FROM tag_names WHERE clean=?", (clean,)).fetchone()[0])

    def _number_tags(self) -> None:
        """Give the tags of a data directory written before tag ids existed their ids."""
        for row in self.db.execute("SELECT id, clean FROM tags WHERE tag_id IS NULL").fetchall():
            self.db.execute("UPDATE tags SET tag_id=? WHERE id=?", (self.tag_number(row["clean"]), row["id"]))

    def insert_tags(self, photo_id: int, author: str | None, tags: Iterable[Any]) -> list[Any]:
        """Add tags (objects with ``raw``, ``clean``, ``machine``) by ``author``. A photo carries a
        clean form once: a tag it already has is skipped. Returns the tags added."""
        with self.lock:
            have = {r["clean"] for r in self.db.execute("SELECT clean FROM tags WHERE photo_id=?", (photo_id,))}
            added = []
            for t in tags:
                if t.clean in have:
                    continue
                have.add(t.clean)
                self.db.execute(
                    "INSERT INTO tags(photo_id, author, raw, clean, machine, tag_id) VALUES (?,?,?,?,?,?)",
                    (photo_id, author, t.raw, t.clean, int(t.machine), self.tag_number(t.clean)),
                )
                added.append(t)
            return added

    def tags_for(self, photo_ids: list[int]) -> dict[int, list[sqlite3.Row]]:
        out: dict[int, list[sqlite3.Row]] = {pid: [] for pid in photo_ids}
        if not photo_ids:
            return out
        with self.lock:
            for i in range(0, len(photo_ids), 500):
                chunk = photo_ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for row in self.db.execute(f"SELECT * FROM tags WHERE photo_id IN ({marks}) ORDER BY id", chunk):
                    out[row["photo_id"]].append(row)
        return out

    def sets_of_photo(self, photo_id: int) -> list[sqlite3.Row]:
        return self.q(
            "SELECT s.* FROM sets s JOIN set_photos sp ON sp.set_id=s.id WHERE sp.photo_id=? ORDER BY s.sort, s.id",
            (photo_id,),
        )

    # ------------------------------------------------------------------ sets
    def photoset(self, set_id: Any) -> sqlite3.Row | None:
        return self.q1("SELECT * FROM sets WHERE id=?", (str(set_id).strip(),))

    def set_members(self, set_id: str) -> list[int]:
        return [r["photo_id"] for r in self.q("SELECT photo_id FROM set_photos WHERE set_id=? ORDER BY pos", (set_id,))]

    def touch_set(self, set_id: str) -> None:
        with self.tx():
            row = self.q1("SELECT date_update FROM sets WHERE id=?", (set_id,))
            if row is not None:
                self.x("UPDATE sets SET date_update=? WHERE id=?", (max(self.now(), row["date_update"]), set_id))

    def write_members(self, set_id: str, members: list[int]) -> None:
        """Replace a set's member list; an empty list deletes the set."""
        with self.tx():
            self.x("DELETE FROM set_photos WHERE set_id=?", (set_id,))
            if not members:
                self.x("DELETE FROM sets WHERE id=?", (set_id,))
                return
            self.db.executemany(
                "INSERT INTO set_photos(set_id, photo_id, pos) VALUES (?,?,?)",
                [(set_id, pid, i) for i, pid in enumerate(members)],
            )
            row = self.q1("SELECT primary_id FROM sets WHERE id=?", (set_id,))
            if row is not None and row["primary_id"] not in members:
                self.x("UPDATE sets SET primary_id=? WHERE id=?", (members[0], set_id))
            self.touch_set(set_id)
