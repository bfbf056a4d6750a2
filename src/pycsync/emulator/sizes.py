"""The sizes Flickr derives from a photo: labels, URL suffixes, the pages that show them, and the
secrets in their URLs (docs/flickr-behaviour.md, "Sizes and URLs")."""

from __future__ import annotations

import hashlib

__all__ = ["SIZES", "PAGE_SUFFIX", "OWN_SECRET_SUFFIXES", "size_secret"]

# (label, file suffix, longest edge, square)
SIZES: list[tuple[str, str, int, bool]] = [
    ("Square", "s", 75, True),
    ("Large Square", "q", 150, True),
    ("Thumbnail", "t", 100, False),
    ("Small", "m", 240, False),
    ("Small 320", "n", 320, False),
    ("Small 400", "w", 400, False),
    ("Medium", "", 500, False),
    ("Medium 640", "z", 640, False),
    ("Medium 800", "c", 800, False),
    ("Large", "b", 1024, False),
    ("Large 1600", "h", 1600, False),
    ("Large 2048", "k", 2048, False),
    ("X-Large 3K", "3k", 3072, False),
    ("X-Large 4K", "4k", 4096, False),
    ("X-Large 5K", "5k", 5120, False),
    ("X-Large 6K", "6k", 6144, False),
]

#: file suffix -> the suffix of the size's page (``/photos/<user>/<id>/sizes/<page>/``)
PAGE_SUFFIX = {"s": "sq", "m": "s", "": "m", "b": "l", "o": "o"}

#: the sizes whose files carry a secret of their own instead of the photo's
OWN_SECRET_SUFFIXES = frozenset({"h", "k", "3k", "4k", "5k", "6k"})


def page_suffix(suffix: str) -> str:
    return PAGE_SUFFIX.get(suffix, suffix)


def size_secret(secret: str, suffix: str) -> str:
    """The secret in the URL of one size: the photo's, or for the big sizes one of their own
    (derived from the photo's secret, so it changes when a replace changes that)."""
    if suffix not in OWN_SECRET_SUFFIXES:
        return secret
    return hashlib.sha256(f"{secret}:{suffix}".encode()).hexdigest()[:10]
