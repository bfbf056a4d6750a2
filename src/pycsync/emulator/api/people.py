"""``flickr.people.*``: who a user is, their photos, their account's upload limits.

The shapes follow real answers (docs/flickr-behaviour.md, "People"): a user sees more of their
own ``people.getInfo`` (e-mail hash, views, and for a free account its upload count and limit)
than anyone else does. A deleted user still answers ``people.getInfo`` (``is_deleted="1"``);
their photos are error 5 "User deleted" on ``people.getPhotos`` and error 1 on
``people.getPublicPhotos``. The emulator has no buddy icons and no time zones beyond UTC.
"""

from __future__ import annotations

import calendar
import hashlib
import sqlite3
import time
from typing import Any

from ..accounts import Account
from ..errors import ApiError
from ..registry import method
from ..render import Node, Scalar, num, numstr, text_node
from .context import Ctx
from .listing import list_filters, select_photos
from .params import parse_extras
from .records import paginate, photos_node

# getUploadStatus' bandwidth as recorded (2014, a free account): "unlimited", with a legacy 2 GB
# ``max`` beside a 200 GB ``maxbytes``
_BANDWIDTH_MAX = 2147483648
_BANDWIDTH_MAXBYTES = 214748364800


def count_items(ctx: Ctx, nsid: str, *, media: str | None = None, visible_only: bool | None = None) -> int:
    """How many photos/videos a user has (only the public ones unless the caller is that user)."""
    sql = "SELECT COUNT(*) AS n FROM photos WHERE owner=?"
    args: list[Any] = [nsid]
    if visible_only if visible_only is not None else ctx.caller.nsid != nsid:
        sql += " AND is_public=1"
    if media:
        sql += " AND media=?"
        args.append(media)
    return int(ctx.store.one(sql, args)["n"])


def _size_limits(name: str, maxbytes: int, *, with_max: bool) -> Node:
    """``filesize`` / ``videosize``: the biggest file in bytes, kilobytes and megabytes (strings)."""
    attrs: dict[str, Scalar] = {"max": numstr(maxbytes)} if with_max else {}
    attrs.update(maxbytes=numstr(maxbytes), maxkb=numstr(maxbytes // 1024), maxmb=numstr(maxbytes // 2**20))
    return Node(name, attrs)


def _bandwidth(ctx: Ctx, nsid: str) -> Node:
    """This month's uploads against an unlimited allowance (Flickr no longer meters bandwidth)."""
    month = time.gmtime(ctx.store.now())
    start = calendar.timegm((month.tm_year, month.tm_mon, 1, 0, 0, 0))
    used = int(
        ctx.store.one("SELECT COALESCE(SUM(size),0) AS s FROM photos WHERE owner=? AND dateupload>=?", (nsid, start))[
            "s"
        ]
    )
    left = _BANDWIDTH_MAXBYTES - used
    attrs: dict[str, Scalar] = {"max": numstr(_BANDWIDTH_MAX), "used": num(used)}
    attrs.update(maxbytes=numstr(_BANDWIDTH_MAXBYTES), usedbytes=num(used), remainingbytes=numstr(left))
    attrs.update(maxkb=numstr(_BANDWIDTH_MAXBYTES // 1024), usedkb=num(used // 1024), remainingkb=numstr(left // 1024))
    attrs["unlimited"] = num(1)
    return Node("bandwidth", attrs)


@method("flickr.people.getUploadStatus", perm="read")
def people_upload_status(ctx: Ctx) -> list[Node]:
    """Returns information for the calling user related to photo uploads.

    The shape and JSON types of a real answer (recorded 2014): ``bandwidth`` (unlimited),
    ``filesize``, ``sets`` (remaining "lots" for all accounts), ``videosize``, ``videos``
    (remaining "lots", or what is left of a configured video count limit). Flickr reports no item
    or non-public limit here: a free account's show in its own ``people.getInfo``.
    """
    user = ctx.caller_row()
    nsid = user["nsid"]
    account = ctx.backend.account(nsid)
    sets = ctx.store.one("SELECT COUNT(*) AS n FROM sets WHERE owner=?", (nsid,))["n"]
    videos = count_items(ctx, nsid, media="video")
    node = Node("user", {"id": nsid, "ispro": num(int(account.is_pro))})
    node.add(text_node("username", user["username"]))
    node.add(_bandwidth(ctx, nsid))
    node.add(_size_limits("filesize", ctx.config.max_photo_bytes, with_max=True))
    node.add(Node("sets", {"created": num(int(sets)), "remaining": "lots"}))
    node.add(_size_limits("videosize", ctx.config.max_video_bytes, with_max=False))
    video_left: Scalar = "lots" if account.max_videos is None else num(max(0, account.max_videos - videos))
    node.add(Node("videos", {"uploaded": num(videos), "remaining": video_left}))
    return [node]


@method("flickr.people.getLimits", perm="read")
def people_limits(ctx: Ctx) -> list[Node]:
    """Returns the photo and video limits that apply to the calling user account.

    ``<person nsid><photos maxdisplaypx maxupload/><videos maxduration maxupload/></person>``, all
    strings (recorded 2014): the biggest photo and video file in bytes, the longest video in seconds
    (3 minutes free, 10 minutes pro) and the biggest size shown on the site (0: no limit).
    """
    cfg = ctx.config
    account = ctx.backend.account(ctx.caller_row()["nsid"])
    node = Node("person", {"nsid": ctx.caller.nsid})
    photos = {"maxdisplaypx": numstr(account.max_display_px), "maxupload": numstr(cfg.max_photo_bytes)}
    videos = {"maxduration": numstr(account.max_video_seconds), "maxupload": numstr(cfg.max_video_bytes)}
    node.add(Node("photos", dict(photos)))
    node.add(Node("videos", dict(videos)))
    return [node]


def _photos_summary(ctx: Ctx, nsid: str, owner_view: bool) -> Node:
    """``<photos>``: first taken and upload dates and the count of what the caller may see; the
    owner also sees their views."""
    photos = Node("photos")
    first = ctx.store.one(
        "SELECT MIN(datetaken) AS t, MIN(dateupload) AS u, COALESCE(SUM(views), 0) AS v "
        "FROM photos WHERE owner=?" + ("" if owner_view else " AND is_public=1"),
        (nsid,),
    )
    photos.add(text_node("firstdatetaken", first["t"] or ""))
    photos.add(text_node("firstdate", "" if first["u"] is None else str(first["u"])))
    photos.add(Node("count", text=num(count_items(ctx, nsid))))
    if owner_view:
        photos.add(Node("views", text=numstr(int(first["v"]))))
    return photos


def _person_attrs(user: sqlite3.Row, account: Account) -> dict[str, Scalar]:
    attrs: dict[str, Scalar] = {
        "id": user["nsid"],
        "nsid": user["nsid"],
        "ispro": int(account.is_pro),
        "is_deleted": int(bool(user["deleted"])),
        "iconserver": "0",
        "iconfarm": 0,
        "path_alias": user["path_alias"],
        "has_stats": num(0),
    }
    if account.is_pro:
        attrs.update(pro_badge="standard", expire="0")
    return attrs


def _own_upload_limits(ctx: Ctx, nsid: str, account: Account) -> dict[str, Scalar]:
    """What a free account's owner sees of its upload limit (people.getInfo)."""
    count = count_items(ctx, nsid)
    limit = account.max_items if account.max_items is not None else 0
    status = "below_limit" if count < limit else "at_limit"
    return {"upload_count": count, "upload_limit": num(limit), "upload_limit_status": status}


@method("flickr.people.getInfo", args="user_id", errors=((1, "User not found"),))
def people_info(ctx: Ctx) -> list[Node]:
    """Get information about a user.

    ``person`` with ``id``/``nsid``, ``ispro``, ``is_deleted``, ``iconserver``/``iconfarm``
    ("0"/0 = no buddy icon), ``path_alias`` (``null`` in JSON, ``""`` in XML when unset),
    ``has_stats``; ``_content`` wrappers for ``username``, ``realname``, ``location``,
    ``description``, ``photosurl``, ``profileurl``, ``mobileurl``; ``timezone``; ``photos``; and
    the ``has_*`` flags. Counts cover what the caller may see. URLs point at the emulator.
    """
    user = ctx.resolve_user(ctx.arg("user_id"))
    if user is None:
        raise ApiError(1, "User not found")
    nsid = user["nsid"]
    owner_view = ctx.caller.nsid == nsid
    account = ctx.backend.account(nsid)
    node = Node("person", _person_attrs(user, account))
    node.add(text_node("username", user["username"]))
    node.add(text_node("realname", user["fullname"]))
    if owner_view:
        address = f"mailto:{ctx.store.user_email(user)}".encode()
        node.add(text_node("mbox_sha1sum", hashlib.sha1(address).hexdigest()))
    node.add(text_node("location", user["location"]))
    zone: dict[str, Scalar] = {"label": "Coordinated Universal Time", "offset": "+00:00", "timezone_id": "UTC"}
    zone["timezone"] = 0
    node.add(Node("timezone", zone))
    node.add(text_node("description", ""))
    node.add(text_node("photosurl", ctx.user_photos_url(user)))
    node.add(text_node("profileurl", ctx.user_profile_url(user)))
    node.add(text_node("mobileurl", f"{ctx.base}/photostream.gne?id={user['internal_id']}"))
    node.add(_photos_summary(ctx, nsid, owner_view))
    if owner_view and not account.is_pro:
        node.attrs.update(_own_upload_limits(ctx, nsid, account))
    node.attrs.update(has_adfree=0, has_free_standard_shipping=0, has_free_educational_resources=0)
    return [node]


@method(
    "flickr.people.getPhotos",
    args="user_id min_upload_date? max_upload_date? min_taken_date? max_taken_date? "
    "privacy_filter? media? extras? per_page? page?",
    errors=((1, "Required arguments missing"), (2, "Unknown user"), (5, "User deleted")),
)
def people_photos(ctx: Ctx) -> list[Node]:
    uid = ctx.arg("user_id")
    if not uid:
        raise ApiError(1, "Required arguments missing")
    user = ctx.resolve_user(uid)
    if user is None:
        raise ApiError(2, "Unknown user")
    if user["deleted"]:
        raise ApiError(5, "User deleted")
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

    Only public photos, even when the owner asks; newest upload first. A deleted user is
    "User not found" here (as recorded).
    """
    user = ctx.resolve_user(ctx.arg("user_id"))
    if user is None or user["deleted"]:
        raise ApiError(1, "User not found")
    rows = select_photos(ctx, owner=user["nsid"], privacy_filter=1)
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100, max_page=10000)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]
