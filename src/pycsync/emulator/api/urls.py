"""``flickr.urls.*``: a user's photos and profile URLs, and the user a URL names."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import unquote, urlsplit

from ..errors import ApiError
from ..registry import method
from ..render import Node, text_node
from .context import Ctx

_USER_PATH = re.compile(r"/(?:photos|people)/([^/?#]+)")


def user_from_url(ctx: Ctx, url: str) -> sqlite3.Row | None:
    """The user a Flickr (or emulator) ``/photos/<x>/`` or ``/people/<x>/`` URL names.

    ``<x>`` may be an NSID (``%40`` for ``@`` is fine), a path alias or -- more
    lenient than Flickr -- a username.  The host is ignored, so both
    ``https://www.flickr.com/photos/alias/`` and the emulator's own URLs work.
    """
    url = url.strip()
    try:
        path = url if url.startswith("/") else urlsplit(url if "://" in url else "https://" + url).path
    except ValueError:  # not a URL at all (e.g. an unbalanced "[" host)
        return None
    m = _USER_PATH.search(path)
    if not m:
        return None
    key = unquote(m.group(1)).strip()
    if not key or key == "me":
        return None
    row = ctx.user_row(key)
    if row is None:
        row = ctx.store.q1("SELECT * FROM users WHERE path_alias=? OR username=? COLLATE NOCASE", (key, key))
    return row


@method("flickr.urls.lookupUser", args="url", errors=((1, "User not found"),))
def urls_lookup_user(ctx: Ctx) -> list[Node]:
    """Return a user NSID, given the URL of a user's photos or profile.

    Answer: ``<user id="..."><username>...</username></user>``.
    """
    user = user_from_url(ctx, ctx.arg("url") or "")
    if user is None:
        raise ApiError(1, "User not found")
    node = Node("user", {"id": user["nsid"]})
    node.add(text_node("username", user["username"]))
    return [node]


@method("flickr.urls.getUserPhotos", args="user_id?", errors=((1, "User not found"),))
def urls_user_photos(ctx: Ctx) -> list[Node]:
    """Return the URL of a user's photos (``<user nsid="..." url="..."/>``).

    Without ``user_id`` the calling user's URL is returned.  The URL is on the
    emulator's host.
    """
    user = ctx.user_or_caller()
    return [Node("user", {"nsid": user["nsid"], "url": ctx.user_photos_url(user)})]


@method("flickr.urls.getUserProfile", args="user_id?", errors=((1, "User not found"),))
def urls_user_profile(ctx: Ctx) -> list[Node]:
    """Return the URL of a user's profile (``<user nsid="..." url="..."/>``)."""
    user = ctx.user_or_caller()
    return [Node("user", {"nsid": user["nsid"], "url": ctx.user_profile_url(user)})]
