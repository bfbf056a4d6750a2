"""Account kinds and per-user preferences: what a user's uploads may do and default to.

Flickr Pro accounts have no item limit; free accounts (since 2022-05) hold at most 1,000 photos
and videos, at most 50 of them non-public, and safe content only (docs/flickr-behaviour.md,
"Account kinds"). Each user has these settings in the store; a NULL setting means "as the
emulator is configured" (``EmulatorConfig``), so ``--account free`` makes every user free
unless a user was set otherwise through the control surface.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .config import EmulatorConfig

__all__ = ["Account", "account_of", "PRIVACY_FLAGS", "PRIVACY_PREFS", "GEO_FLAGS", "GEO_COLUMNS", "geo_fields"]

#: a default privacy setting -> (is_public, is_friend, is_family)
PRIVACY_FLAGS = {
    "public": (1, 0, 0),
    "friends": (0, 1, 0),
    "family": (0, 0, 1),
    "friends+family": (0, 1, 1),
    "private": (0, 0, 0),
}

#: a default privacy setting -> its flickr.prefs.getPrivacy value
PRIVACY_PREFS = {"public": 1, "friends": 2, "family": 3, "friends+family": 4, "private": 5}

#: flickr.prefs.getGeoPerms value -> who sees a new location (public, contact, friend, family);
#: 0 ("no default set") has none: photos.geo.setLocation then fails with error 7
GEO_FLAGS = {
    1: (1, 0, 0, 0),
    2: (0, 1, 0, 0),
    3: (0, 0, 1, 1),
    4: (0, 0, 1, 0),
    5: (0, 0, 0, 1),
    6: (0, 0, 0, 0),
}

#: the photo columns GEO_FLAGS set, in that order
GEO_COLUMNS = ("geo_is_public", "geo_is_contact", "geo_is_friend", "geo_is_family")


def geo_fields(geo_perms: int) -> dict[str, int]:
    """The photo columns that make a new location visible as a geo privacy default says."""
    return dict(zip(GEO_COLUMNS, GEO_FLAGS[geo_perms], strict=True))


@dataclass(frozen=True)
class Account:
    kind: str  # "pro" | "free"
    max_items: int | None  # None: no limit
    max_nonpublic: int | None
    max_videos: int | None
    default_privacy: str
    geo_import: bool  # read GPS positions from uploaded files
    hide_exif: bool  # others get getExif error 2
    geo_perms: int = 1  # prefs.getGeoPerms: 0 none set, 1 public ... 6 private
    safety_level: int = 1  # prefs.getSafetyLevel (1 safe): an upload's default
    content_type: int = 1  # prefs.getContentType (1 photo)
    hidden: int = 1  # prefs.getHidden: 1 shown in public searches, 2 hidden
    max_video_seconds: int = 600  # people.getLimits videos/@maxduration
    max_display_px: int = 0  # people.getLimits photos/@maxdisplaypx (0: no limit)

    @property
    def is_pro(self) -> bool:
        return self.kind == "pro"

    @property
    def safe_only(self) -> bool:
        return not self.is_pro

    @property
    def privacy_flags(self) -> tuple[int, int, int]:
        return PRIVACY_FLAGS[self.default_privacy]


def _setting(row: sqlite3.Row | None, name: str) -> object:
    return row[name] if row is not None else None


def _pick(row: sqlite3.Row | None, name: str, default: object) -> object:
    value = _setting(row, name)
    return default if value is None else value


def account_of(config: EmulatorConfig, row: sqlite3.Row | None) -> Account:
    """The effective account of a user (its own settings, else the emulator's configuration)."""
    kind = str(_pick(row, "account", config.account))
    free = kind == "free"
    return Account(
        kind=kind,
        max_items=_limit(row, "max_items", config.free_max_items if free else None),
        max_nonpublic=_limit(row, "max_nonpublic", config.free_max_nonpublic if free else None),
        max_videos=_limit(row, "max_videos", config.free_max_videos if free else None),
        default_privacy=str(_pick(row, "default_privacy", config.default_privacy)),
        geo_import=bool(_pick(row, "geo_import", config.geo_import)),
        hide_exif=bool(_pick(row, "hide_exif", False)),
        geo_perms=int(str(_pick(row, "geo_perms", config.geo_perms))),
        safety_level=1 if free else int(str(_pick(row, "default_safety_level", 1))),
        content_type=int(str(_pick(row, "default_content_type", 1))),
        hidden=int(str(_pick(row, "default_hidden", 1))),
        max_video_seconds=config.free_max_video_seconds if free else config.pro_max_video_seconds,
        max_display_px=config.free_max_display_px if free else 0,
    )


def _limit(row: sqlite3.Row | None, name: str, default: int | None) -> int | None:
    value = _setting(row, name)
    if value is None:
        return default
    return None if int(str(value)) < 0 else int(str(value))  # a negative limit lifts it
