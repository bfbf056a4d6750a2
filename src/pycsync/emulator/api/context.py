"""The request context every REST method receives: who calls, with which arguments, on what.

``Ctx`` is typed against the :class:`~pycsync.emulator.backend.Backend` (store, config, clock),
never against the WSGI application.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import ApiError, photo_not_found
from ..oauth_checks import Caller
from ..sizes import size_secret

if TYPE_CHECKING:  # pragma: no cover
    from ..backend import Backend
    from ..config import EmulatorConfig
    from ..store import Store

__all__ = ["Ctx"]


@dataclass
class Ctx:
    """One REST call: the backend, the caller, the request's arguments and the base URL it used."""

    backend: Backend
    caller: Caller
    params: dict[str, str]
    base: str  # scheme://host[:port] as the client addressed us (URLs we hand out use it)
    _users: dict[str, sqlite3.Row | None] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.backend.store

    @property
    def config(self) -> EmulatorConfig:
        return self.backend.config

    def arg(self, name: str, default: str | None = None) -> str | None:
        v = self.params.get(name)
        return default if v is None else v

    # ---- users -------------------------------------------------------------
    def user_row(self, nsid: str | None) -> sqlite3.Row | None:
        if not nsid:
            return None
        if nsid not in self._users:
            self._users[nsid] = self.store.user(nsid)
        return self._users[nsid]

    def caller_row(self) -> sqlite3.Row:
        """The calling user (methods that need a login have already checked there is one)."""
        row = self.user_row(self.caller.nsid)
        if row is None:
            raise ApiError(99, "Insufficient permissions. Method requires read privileges; none granted.")
        return row

    def resolve_user(self, value: str | None) -> sqlite3.Row | None:
        """``me`` (the caller), an NSID or a username; ``None`` if unknown."""
        if value is None:
            return None
        value = value.strip()
        if value == "me":
            return self.user_row(self.caller.nsid)
        row = self.user_row(value)
        if row is None:
            row = self.store.q1("SELECT * FROM users WHERE username=? OR path_alias=?", (value, value))
        return row

    def user_or_caller(self) -> sqlite3.Row:
        """The user named by the ``user_id`` argument, else the caller (error 1 if neither)."""
        uid = self.arg("user_id")
        user = self.resolve_user(uid) if uid else self.user_row(self.caller.nsid)
        if user is None:
            raise ApiError(1, "User not found")
        return user

    # ---- visibility ---------------------------------------------------------
    def is_owner(self, row: sqlite3.Row) -> bool:
        return self.caller.nsid is not None and row["owner"] == self.caller.nsid

    def can_see(self, row: sqlite3.Row) -> bool:
        """Whether the caller may see the photo (and so its original: the emulator has no
        per-photo download setting)."""
        return self.is_owner(row) or bool(row["is_public"])

    def location_visible(self, row: sqlite3.Row) -> bool:
        """Whether the photo has a position the caller may see (the owner always; others when the
        owner lets anyone see it)."""
        if row["latitude"] is None:
            return False
        return self.is_owner(row) or bool(row["geo_is_public"])

    def visible_photo(self, photo_id: str | None, secret: str | None = None) -> sqlite3.Row:
        if not photo_id:
            raise photo_not_found()
        row = self.store.photo(photo_id)
        if row is None:
            raise photo_not_found()
        if not self.can_see(row) and not (secret and secret in (row["secret"], row["originalsecret"])):
            raise photo_not_found()
        return row

    def own_photo(self, photo_id: str | None, code: int = 1, message: str | None = None) -> sqlite3.Row:
        row = self.store.photo(photo_id) if photo_id else None
        if row is None or not self.is_owner(row):
            if message:
                raise ApiError(code, message)
            raise photo_not_found()
        return row

    # ---- URLs ----------------------------------------------------------------
    def original_format(self, row: sqlite3.Row) -> str:
        """A video's original format is its poster frame's: ``jpg``."""
        return "jpg" if row["media"] == "video" else str(row["format"])

    def static_original_url(self, row: sqlite3.Row) -> str:
        return f"{self.base}/static/{row['server']}/{row['id']}_{row['originalsecret']}_o.{self.original_format(row)}"

    def size_url(self, row: sqlite3.Row, suffix: str) -> str:
        """A static file URL: ``o`` is the original (a video's is its poster JPEG, as ``url_o``
        and getSizes' "Original" are on Flickr); the big sizes carry secrets of their own."""
        if suffix == "o":
            return self.static_original_url(row)
        tail = f"_{suffix}" if suffix else ""
        return f"{self.base}/static/{row['server']}/{row['id']}_{size_secret(row['secret'], suffix)}{tail}.jpg"

    def user_path(self, nsid: str) -> str:
        """How Flickr's web URLs name a user: the path alias when there is one, else the NSID."""
        user = self.user_row(nsid)
        return str(user["path_alias"]) if user is not None and user["path_alias"] else nsid

    def page_url(self, row: sqlite3.Row) -> str:
        return f"{self.base}/photos/{self.user_path(row['owner'])}/{row['id']}/"

    def play_url(self, row: sqlite3.Row, kind: str) -> str:
        """A video rendition's URL (``kind`` 700, iphone_wifi, ...; ``orig``: the owner's original)."""
        secret = row["originalsecret"] if kind == "orig" else row["secret"]
        return f"{self.base}/photos/{self.user_path(row['owner'])}/{row['id']}/play/{kind}/{secret}/"

    def user_photos_url(self, user: sqlite3.Row) -> str:
        return f"{self.base}/photos/{user['path_alias'] or user['nsid']}/"

    def user_profile_url(self, user: sqlite3.Row) -> str:
        return f"{self.base}/people/{user['path_alias'] or user['nsid']}/"
