"""``flickr.people.*``: who a user is, their photos, their account's upload limits.

People reads follow Flickr's documented examples (R22) where the recordings are silent; the
emulator has no buddy icons, locations or time zones beyond UTC.
"""

from __future__ import annotations

import sqlite3

from ..errors import ApiError
from ..registry import method
from ..render import Node, text_node
from .context import Ctx
from .listing import list_filters, select_photos
from .params import parse_extras
from .records import paginate, photos_node


def _count_photos(ctx: Ctx, nsid: str, media: str | None = None) -> int:
    sql = "SELECT COUNT(*) AS n FROM photos WHERE owner=?"
    args: list = [nsid]
    if ctx.caller.nsid != nsid:
        sql += " AND is_public=1"
    if media:
        sql += " AND media=?"
        args.append(media)
    return int(ctx.store.one(sql, args)["n"])


@method("flickr.people.getUploadStatus", perm="read")
def people_upload_status(ctx: Ctx) -> list[Node]:
    user = ctx.caller_row()
    cfg = ctx.config
    used = ctx.store.one("SELECT COALESCE(SUM(size),0) AS s FROM photos WHERE owner=?", (user["nsid"],))["s"]
    sets = ctx.store.one("SELECT COUNT(*) AS n FROM sets WHERE owner=?", (user["nsid"],))["n"]
    videos = _count_photos(ctx, user["nsid"], "video")
    node = Node("user", {"id": user["nsid"], "ispro": 1})
    node.add(text_node("username", user["username"]))
    maxbytes = 2**40
    node.add(
        Node(
            "bandwidth",
            {
                "maxbytes": maxbytes,
                "maxkb": maxbytes // 1024,
                "usedbytes": used,
                "usedkb": used // 1024,
                "remainingbytes": maxbytes - used,
                "remainingkb": (maxbytes - used) // 1024,
                "unlimited": 1,
            },
        )
    )
    node.add(
        Node(
            "filesize",
            {
                "maxbytes": cfg.max_photo_bytes,
                "maxkb": cfg.max_photo_bytes // 1024,
                "maxgb": round(cfg.max_photo_bytes / 2**30, 2),
            },
        )
    )
    node.add(
        Node(
            "videosize",
            {
                "maxbytes": cfg.max_video_bytes,
                "maxkb": cfg.max_video_bytes // 1024,
                "maxgb": round(cfg.max_video_bytes / 2**30, 2),
            },
        )
    )
    node.add(Node("sets", {"created": sets, "remaining": "lots"}))
    node.add(Node("videos", {"uploaded": videos, "remaining": "lots"}))
    return [node]


@method("flickr.people.getLimits", perm="read")
def people_limits(ctx: Ctx) -> list[Node]:
    cfg = ctx.config
    node = Node("person", {"nsid": ctx.caller.nsid})
    node.add(Node("photos", {"maxdisplaypx": "0", "maxupload": str(cfg.max_photo_bytes)}))
    node.add(Node("videos", {"maxduration": "900", "maxupload": str(cfg.max_video_bytes)}))
    return [node]


def _photos_summary(ctx: Ctx, nsid: str) -> Node:
    """``<photos>``: first taken and upload dates, count and views of what the caller may see."""
    photos = Node("photos")
    first = ctx.store.one(
        "SELECT MIN(datetaken) AS t, MIN(dateupload) AS u, COALESCE(SUM(views), 0) AS v "
        "FROM photos WHERE owner=?" + ("" if ctx.caller.nsid == nsid else " AND is_public=1"),
        (nsid,),
    )
    photos.add(text_node("firstdatetaken", first["t"] or ""))
    photos.add(text_node("firstdate", "" if first["u"] is None else str(first["u"])))
    photos.add(Node("count", text=_count_photos(ctx, nsid)))
    photos.add(text_node("views", str(first["v"])))
    return photos


@method("flickr.people.getInfo", args="user_id", errors=((1, "User not found"),))
def people_info(ctx: Ctx) -> list[Node]:
    """Get information about a user.

    Shape as Flickr's current answer: ``person`` with ``id``/``nsid``, ``ispro``,
    ``is_deleted``, ``iconserver``/``iconfarm`` ("0"/0 = no buddy icon), ``path_alias``
    (``null`` in JSON, ``""`` in XML when unset), ``has_stats``; ``_content``
    wrappers for ``username``, ``realname``, ``location``, ``description``,
    ``photosurl``, ``profileurl``, ``mobileurl``; ``timezone``; and ``photos`` with
    ``firstdatetaken``, ``firstdate`` (unix seconds), ``count`` (a JSON number) and
    ``views``.  Counts cover what the caller may see.  URLs point at the emulator.
    """
    user = ctx.resolve_user(ctx.arg("user_id"))
    if user is None:
        raise ApiError(1, "User not found")
    nsid = user["nsid"]
    node = Node(
        "person",
        {
            "id": nsid,
            "nsid": nsid,
            "ispro": 1,
            "is_deleted": 0,
            "iconserver": "0",
            "iconfarm": 0,
            "path_alias": user["path_alias"],
            "has_stats": 0,
        },
    )
    node.add(text_node("username", user["username"]))
    node.add(text_node("realname", user["fullname"]))
    node.add(text_node("location", ""))
    node.add(
        Node(
            "timezone", {"label": "Coordinated Universal Time", "offset": "+00:00", "timezone_id": "UTC", "timezone": 0}
        )
    )
    node.add(text_node("description", ""))
    node.add(text_node("photosurl", ctx.user_photos_url(user)))
    node.add(text_node("profileurl", ctx.user_profile_url(user)))
    node.add(text_node("mobileurl", f"{ctx.base}/photostream.gne?id={user['internal_id']}"))
    node.add(_photos_summary(ctx, nsid))
    return [node]


@method(
    "flickr.people.getPhotos",
    args="user_id min_upload_date? max_upload_date? min_taken_date? max_taken_date? "
    "privacy_filter? media? extras? per_page? page?",
    errors=((1, "Required arguments missing"), (2, "Unknown user")),
)
def people_photos(ctx: Ctx) -> list[Node]:
    uid = ctx.arg("user_id")
    if not uid:
        raise ApiError(1, "Required arguments missing")
    user = ctx.resolve_user(uid)
    if user is None:
        raise ApiError(2, "Unknown user")
    rows = select_photos(ctx, owner=user["nsid"], **list_filters(ctx))
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100, max_page=10000)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]


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
