"""Flickr endpoint URLs (real Flickr or an emulator/base URL)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Endpoints", "is_loopback"]

_REAL_REST = "https://api.flickr.com/services/rest/"
_REAL_UPLOAD = "https://up.flickr.com/services/upload/"
_REAL_REPLACE = "https://up.flickr.com/services/replace/"
_REAL_OAUTH = "https://www.flickr.com/services/oauth/"


@dataclass(frozen=True)
class Endpoints:
    """The six URLs a client needs.

    ``Endpoints.for_base(None)`` gives real Flickr; ``Endpoints.for_base(url)`` puts every
    endpoint under ``url`` with Flickr's own paths (used for the emulator).
    """

    rest: str
    upload: str
    replace: str
    request_token: str
    authorize: str
    access_token: str

    @classmethod
    def for_base(cls, base: str | None) -> Endpoints:
        if base is None:
            return cls(
                rest=_REAL_REST,
                upload=_REAL_UPLOAD,
                replace=_REAL_REPLACE,
                request_token=_REAL_OAUTH + "request_token",
                authorize=_REAL_OAUTH + "authorize",
                access_token=_REAL_OAUTH + "access_token",
            )
        base = base.strip()
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"endpoint base must be an http(s) URL, got {base!r}")
        base = base.rstrip("/")
        return cls(
            rest=f"{base}/services/rest/",
            upload=f"{base}/services/upload/",
            replace=f"{base}/services/replace/",
            request_token=f"{base}/services/oauth/request_token",
            authorize=f"{base}/services/oauth/authorize",
            access_token=f"{base}/services/oauth/access_token",
        )

    @property
    def is_real_flickr(self) -> bool:
        return self.rest == _REAL_REST

    def origins(self) -> frozenset[str]:
        """scheme://host[:port] of all endpoints (lower-cased)."""
        return frozenset(
            f"{p.scheme}://{p.netloc}".lower()
            for p in map(
                urlsplit,
                (self.rest, self.upload, self.replace, self.request_token, self.authorize, self.access_token),
            )
        )


def is_loopback(url: str) -> bool:
    """Whether the URL's host is this computer by its very name: an address in 127.0.0.0/8,
    ``::1``, or ``localhost`` (and names under it, RFC 6761). Other names are not trusted to be
    local, whatever they resolve to: that answer can come from the network."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
