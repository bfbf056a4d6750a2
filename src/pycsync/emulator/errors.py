"""Exceptions that become Flickr API error envelopes."""

from __future__ import annotations

from .render import Node


class ApiError(Exception):
    """A Flickr ``stat="fail"`` answer (HTTP 200) with ``code`` and ``msg``."""

    def __init__(self, code: int, message: str, extra: list[Node] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.extra = extra or []


def photo_not_found(photo_id: object = None) -> ApiError:
    """Error 1 as Flickr words it today (2025) for getInfo, getExif and the other photo methods:
    "Photo not found" (older answers said ``Photo "<id>" not found (invalid ID)``)."""
    return ApiError(1, "Photo not found")
