"""Small typed results returned by the client, plus JSON coercion helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Login",
    "AccessToken",
    "UploadResult",
    "DownloadResult",
    "DownloadLimits",
    "as_int",
    "content",
]


@dataclass(frozen=True)
class Login:
    user_nsid: str
    username: str


@dataclass(frozen=True)
class AccessToken:
    token: str
    token_secret: str
    user_nsid: str
    username: str
    fullname: str = ""

    def __repr__(self) -> str:  # never show the secret
        return (
            f"AccessToken(token='***', token_secret='***', user_nsid={self.user_nsid!r}, "
            f"username={self.username!r}, fullname={self.fullname!r})"
        )


@dataclass(frozen=True)
class UploadResult:
    """Answer of upload/replace. ``secret``/``original_secret`` are ``None`` when Flickr
    answered the documented bare ``<photoid>123</photoid>``. ``ticket_id`` is set (and
    ``photo_id`` is ``""``) only for an asynchronous upload answer (``<ticketid>``)."""

    photo_id: str
    secret: str | None = None
    original_secret: str | None = None
    ticket_id: str | None = None


@dataclass(frozen=True)
class DownloadResult:
    bytes_written: int
    content_type: str | None
    content_disposition_filename: str | None


@dataclass(frozen=True)
class DownloadLimits:
    """What one download may take; breaking a limit raises :class:`LimitExceeded` (a stall is a
    :class:`TransientError`).

    ``max_bytes``: the most the file can be (Flickr's upload limit for its kind, ``kind`` names
    it in messages). ``room``: how many bytes may still be written (the free disk space less a
    margin), asked before the first byte and every few MiB. ``stall_seconds``: the longest wait
    for the next byte (None: the client's read timeout). The whole download may take
    ``base_seconds`` plus its size (declared, else ``max_bytes``) at ``min_rate`` bytes/s.
    """

    max_bytes: int | None = None
    kind: str = "file"
    room: Callable[[], int] | None = None
    stall_seconds: float | None = None
    base_seconds: float = 300.0
    min_rate: float = 16 * 1024

    def deadline(self, started: float, size: int | None) -> float | None:
        """When the download must be done (monotonic clock), or None when its size is unknown."""
        size = size if size is not None else self.max_bytes
        return None if size is None else started + self.base_seconds + size / self.min_rate


def as_int(value: Any, default: int | None = None) -> int | None:
    """Coerce a Flickr number that may be an int, a numeric string, ``""`` or missing."""
    if value is None or isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, dict) and "_content" in value:
        return as_int(value["_content"], default)
    try:
        s = str(value).strip()
        return int(float(s)) if s else default
    except (TypeError, ValueError):
        return default


def content(value: Any, default: str = "") -> str:
    """Unwrap Flickr's ``{"_content": "..."}`` wrapper; plain strings pass through."""
    if value is None:
        return default
    if isinstance(value, dict):
        v = value.get("_content", default)
        return default if v is None else str(v)
    return str(value)
