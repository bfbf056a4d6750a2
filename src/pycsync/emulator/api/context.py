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

    def visible_photo(self, photo_id: str | None, secret: str | None = None) -> sqlite3.Row:
        if not photo_id:
            raise photo_not_found(photo_id or "")
        row = self.store.photo(photo_id)
        if row is None:
            raise photo_not_found(photo_id)
        if not self.can_see(row) and not (secret and secret in (row["secret"], row["originalsecret"])):
            raise photo_not_found(photo_id)
        return row

    def own_photo(self, photo_id: str | None, code: int = 1, message: str | None = None) -> sqlite3.Row:
        row = self.store.photo(photo_id) if photo_id else None
        if row is None or not self.is_owner(row):
            if message:
                raise ApiError(code, message)
            raise photo_not_found(photo_id or "")
        return row

    # ---- URLs ----------------------------------------------------------------
    def original_format(self, row: sqlite3.Row) -> str:
        if row["media"] == "video" and self.config.video_original_format == "jpg":
            return "jpg"
        return str(row["format"])

    def static_original_url(self, row: sqlite3.Row) -> str:
        return f"{self.base}/static/{row['server']}/{row['id']}_{row['originalsecret']}_o.{self.original_format(row)}"

    def play_orig_url(self, row: sqlite3.Row) -> str:
        return f"{self.base}/photos/{row['owner']}/{row['id']}/play/orig/{row['originalsecret']}/"

    def url_o(self, row: sqlite3.Row) -> str:
        """The ``url_o`` extra.

        For videos this deliberately points at the *playable original*
        (``/photos/<nsid>/<id>/play/orig/<originalsecret>/``, which answers 302
        to the video file) instead of the poster-frame JPEG that the static
        ``_o.jpg`` URL would give, because pycsync downloads originals by
        ``url_o``.  Real Flickr hands out the poster JPEG here.
        """
        if row["media"] == "video":
            return self.play_orig_url(row)
        return self.static_original_url(row)

    def size_url(self, row: sqlite3.Row, suffix: str) -> str:
        if suffix == "o":
            return self.url_o(row)
        tail = f"_{suffix}" if suffix else ""
        return f"{self.base}/static/{row['server']}/{row['id']}_{row['secret']}{tail}.jpg"

    def page_url(self, row: sqlite3.Row) -> str:
        return f"{self.base}/photos/{row['owner']}/{row['id']}/"

    def user_photos_url(self, user: sqlite3.Row) -> str:
        return f"{self.base}/photos/{user['path_alias'] or user['nsid']}/"

    def user_profile_url(self, user: sqlite3.Row) -> str:
        return f"{self.base}/people/{user['path_alias'] or user['nsid']}/"
