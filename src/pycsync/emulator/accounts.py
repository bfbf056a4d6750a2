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

__all__ = ["Account", "account_of", "PRIVACY_FLAGS"]

#: a default privacy setting -> (is_public, is_friend, is_family)
PRIVACY_FLAGS = {
    "public": (1, 0, 0),
    "friends": (0, 1, 0),
    "family": (0, 0, 1),
    "friends+family": (0, 1, 1),
    "private": (0, 0, 0),
}


@dataclass(frozen=True)
class Account:
    kind: str  # "pro" | "free"
    max_items: int | None  # None: no limit
    max_nonpublic: int | None
    max_videos: int | None
    default_privacy: str
    geo_import: bool  # read GPS positions from uploaded files
    hide_exif: bool  # others get getExif error 2

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
    )


def _limit(row: sqlite3.Row | None, name: str, default: int | None) -> int | None:
    value = _setting(row, name)
    if value is None:
        return default
    return None if int(str(value)) < 0 else int(str(value))  # a negative limit lifts it
