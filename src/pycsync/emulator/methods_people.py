"""People and URL reads: ``flickr.people.*``, ``flickr.urls.*``, contacts, favourites.

Response shapes follow Flickr's documented examples (R22) where the contract
(``/work/shared/flickr-api.md``) is silent; choices that go beyond both are
marked (inferred) in the docstrings.  The emulator has no social graph:
contact and favourite lists are always empty, but well-formed and paged.
"""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import unquote, urlsplit

from .errors import ApiError
from .photos import Ctx, paginate, parse_extras, photos_node
from .render import Node, text_node
from .rest import method, select_photos, user_photos_url, user_profile_url

__all__: list[str] = []


def _user_node(user: sqlite3.Row) -> Node:
    node = Node("user", {"id": user["nsid"], "nsid": user["nsid"]})
    node.add(text_node("username", user["username"]))
    return node


@method("flickr.people.findByUsername", args="username", errors=((1, "User not found"),))
def people_find_by_username(ctx: Ctx) -> list[Node]:
    """Return a user's NSID, given their username.

    Answer: ``<user id="..." nsid="..."><username>...</username></user>``; the
    match ignores case.
    """
    name = (ctx.arg("username") or "").strip()
    row = ctx.store.q1("SELECT * FROM users WHERE username=? COLLATE NOCASE", (name,)) if name else None
    if row is None:
        raise ApiError(1, "User not found")
    return [_user_node(row)]


@method("flickr.people.findByEmail", args="find_email", errors=((1, "User not found"),))
def people_find_by_email(ctx: Ctx) -> list[Node]:
    """Return a user's NSID, given their email address.

    Only an exact (case-insensitive) match of the user's address counts; a
    user created without one has ``<username>@example.com`` (see
    :meth:`Store.user_email`).
    """
    wanted = (ctx.arg("find_email") or "").strip().lower()
    if wanted:
        for row in ctx.store.users():
            if ctx.store.user_email(row).lower() == wanted:
                return [_user_node(row)]
    raise ApiError(1, "User not found")


@method("flickr.people.getPublicPhotos", args="user_id extras? per_page? page?", errors=((1, "User not found"),))
def people_public_photos(ctx: Ctx) -> list[Node]:
    """Get a list of public photos for the given user (standard photos response).

    Only public photos, even when the owner asks; newest upload first.
    """
    user = ctx.resolve_user(ctx.arg("user_id"))
    if user is None:
        raise ApiError(1, "User not found")
    rows = select_photos(ctx, owner=user["nsid"], privacy_filter=1)
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100, max_page=10000)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]


# =============================================================================
# flickr.urls.*

_USER_PATH = re.compile(r"/(?:photos|people)/([^/?#]+)")


def user_from_url(ctx: Ctx, url: str) -> sqlite3.Row | None:
    """The user a Flickr (or emulator) ``/photos/<x>/`` or ``/people/<x>/`` URL names.

    ``<x>`` may be an NSID (``%40`` for ``@`` is fine), a path alias or -- more
    lenient than Flickr -- a username.  The host is ignored, so both
    ``https://www.flickr.com/photos/alias/`` and the emulator's own URLs work.
    """
    url = url.strip()
    path = url if url.startswith("/") else urlsplit(url if "://" in url else "https://" + url).path
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
    return [Node("user", {"nsid": user["nsid"], "url": user_photos_url(ctx, user)})]


@method("flickr.urls.getUserProfile", args="user_id?", errors=((1, "User not found"),))
def urls_user_profile(ctx: Ctx) -> list[Node]:
    """Return the URL of a user's profile (``<user nsid="..." url="..."/>``)."""
    user = ctx.user_or_caller()
    return [Node("user", {"nsid": user["nsid"], "url": user_profile_url(ctx, user)})]


# =============================================================================
# contacts & favourites (always empty here)


def _empty_list(ctx: Ctx, name: str, item: str, default_pp: int) -> Node:
    pg = paginate([], ctx.arg("page"), ctx.arg("per_page"), default_pp)
    return Node(
        name,
        {"page": pg.page, "pages": pg.pages, "per_page": pg.per_page, "perpage": pg.per_page, "total": str(pg.total)},
        lists={item},
    )


@method("flickr.contacts.getList", perm="read", args="page? per_page?")
def contacts_get_list(ctx: Ctx) -> list[Node]:
    """Get a list of contacts for the calling user (always empty in the emulator).

    ``<contacts page="1" pages="0" per_page="..." perpage="..." total="0"/>``;
    the JSON carries ``"contact": []``.  (flickrapi's ``walk_contacts`` reads
    ``pages`` off this element.)  ``per_page`` is capped at 500 like every
    emulator list.
    """
    return [_empty_list(ctx, "contacts", "contact", 1000)]


@method("flickr.contacts.getPublicList", args="user_id page? per_page?", errors=((1, "User not found"),))
def contacts_get_public_list(ctx: Ctx) -> list[Node]:
    """Get the contact list for a user (always empty in the emulator)."""
    if ctx.resolve_user(ctx.arg("user_id")) is None:
        raise ApiError(1, "User not found")
    return [_empty_list(ctx, "contacts", "contact", 1000)]


def _no_favorites(ctx: Ctx) -> list[Node]:
    pg = paginate([], ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, [], parse_extras(ctx.arg("extras")))]


@method("flickr.favorites.getList", args="user_id? extras? per_page? page?", errors=((1, "User not found"),))
def favorites_get_list(ctx: Ctx) -> list[Node]:
    """Return a list of the user's favorite photos (standard photos response; always empty).

    Without ``user_id`` the calling user's favourites are listed.
    """
    ctx.user_or_caller()
    return _no_favorites(ctx)


@method("flickr.favorites.getPublicList", args="user_id extras? per_page? page?", errors=((1, "User not found"),))
def favorites_get_public_list(ctx: Ctx) -> list[Node]:
    """Return a list of favorite public photos for the given user (always empty)."""
    if ctx.resolve_user(ctx.arg("user_id")) is None:
        raise ApiError(1, "User not found")
    return _no_favorites(ctx)
