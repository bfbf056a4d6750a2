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


def photo_not_found(photo_id: object) -> ApiError:
    """Error 1 as Flickr words it for getInfo and the other photo reads."""
    return ApiError(1, f'Photo "{photo_id}" not found (invalid ID)')
