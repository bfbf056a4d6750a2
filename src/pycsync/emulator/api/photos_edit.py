"""``flickr.photos.*`` writes: delete, title/description, dates, permissions, content type, safety
level (tags: photo_tags.py)."""

from __future__ import annotations

import re
import time
from typing import Any

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx
from .params import bool01, fmt_parts, parse_datetime_parts, valid_parts


@method("flickr.photos.delete", perm="delete", args="photo_id", errors=((1, "Photo not found"),))
def photos_delete(ctx: Ctx) -> list[Node]:
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        ctx.store.delete_photo(row["id"])
    return []


@method(
    "flickr.photos.setMeta",
    perm="write",
    args="photo_id title? description?",
    errors=((1, "Photo not found"), (2, "At least one of title or description must be set")),
)
def photos_set_meta(ctx: Ctx) -> list[Node]:
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        title, desc = ctx.arg("title"), ctx.arg("description")
        if title is None and desc is None:
            raise ApiError(2, "At least one of title or description must be set")
        fields = {}
        if title is not None:
            fields["title"] = title
        if desc is not None:
            fields["description"] = desc
        ctx.store.update_photo(row["id"], **fields)
    return []


_GRANULARITIES = {0, 4, 6, 8}


def _granularity(value: str) -> int:
    try:
        g = int(value)
    except ValueError:
        raise ApiError(3, "Invalid granularity") from None
    if g not in _GRANULARITIES:
        raise ApiError(3, "Invalid granularity")
    return g


def _taken_date(value: str) -> str:
    """A MySQL datetime (``YYYY-MM-DD HH:MM:SS``, or cut short: ``YYYY-MM``); error 6 for a date
    that does not exist or lies in the future ("It may be in the future or way in the past")."""
    p = parse_datetime_parts(value)
    if p is None:
        raise ApiError(5, "Invalid Date Taken Format")
    tomorrow = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() + 86400))
    if not valid_parts(p) or fmt_parts(p) > tomorrow:
        raise ApiError(6, "Invalid Date Taken")
    return fmt_parts(p)


def _coarsened(taken: str, granularity: int) -> str:
    """A taken date cut to its granularity: 4 month, 6 year, 8 circa (a year)."""
    y, mo, d, hh, mm, ss = parse_datetime_parts(taken) or (1970, 1, 1, 0, 0, 0)
    if granularity == 4:
        d, hh, mm, ss = 1, 0, 0, 0
    elif granularity in (6, 8):
        mo, d, hh, mm, ss = 1, 1, 0, 0, 0
    return fmt_parts((y, mo, d, hh, mm, ss))


@method(
    "flickr.photos.setDates",
    perm="write",
    args="photo_id date_posted? date_taken? date_taken_granularity?",
    errors=(
        (1, "Photo not found"),
        (2, "Not enough arguments"),
        (3, "Invalid granularity"),
        (4, "Invalid date_posted"),
        (5, "Invalid Date Taken Format"),
        (6, "Invalid Date Taken"),
    ),
)
def photos_set_dates(ctx: Ctx) -> list[Node]:
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        posted, taken, gran = ctx.arg("date_posted"), ctx.arg("date_taken"), ctx.arg("date_taken_granularity")
        if not posted and not taken and gran in (None, ""):
            raise ApiError(2, "Not enough arguments")
        fields: dict[str, Any] = {}
        g = row["takengranularity"]
        if gran:
            g = fields["takengranularity"] = _granularity(gran)
        if posted:
            if not re.fullmatch(r"\d+", posted.strip()) or int(posted) > time.time() + 86400:
                raise ApiError(4, "Invalid date_posted")
            fields["dateupload"] = int(posted)
        if taken:
            fields["datetaken"] = _taken_date(taken)
            fields["takenunknown"] = 0
        if "takengranularity" in fields or "datetaken" in fields:
            fields["datetaken"] = _coarsened(fields.get("datetaken", row["datetaken"]), g)
        ctx.store.update_photo(row["id"], **fields)
    return []


@method(
    "flickr.photos.setPerms",
    perm="write",
    args="photo_id is_public is_friend is_family perm_comment? perm_addmeta?",
    errors=((1, "Photo not found"), (2, "Required arguments missing")),
)
def photos_set_perms(ctx: Ctx) -> list[Node]:
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        vals = [bool01(ctx.arg(k)) for k in ("is_public", "is_friend", "is_family")]
        if any(v is None for v in vals):
            raise ApiError(2, "Required arguments missing")
        fields = dict(zip(("is_public", "is_friend", "is_family"), vals, strict=False))
        for k in ("perm_comment", "perm_addmeta"):
            v = ctx.arg(k)
            if v not in (None, "") and v.strip().isdigit() and 0 <= int(v) <= 3:
                fields[k] = int(v)
        ctx.store.update_photo(row["id"], **fields)
        row = ctx.store.photo(row["id"]) or row
    return [Node("photoid", {"secret": row["secret"], "originalsecret": row["originalsecret"]}, text=str(row["id"]))]


@method(
    "flickr.photos.setContentType",
    perm="write",
    args="photo_id content_type",
    errors=((1, "Photo not found"), (2, "Required arguments missing")),
)
def photos_set_content_type(ctx: Ctx) -> list[Node]:
    """Set the content type of a photo (1 photo, 2 screenshot, 3 other).

    Answer: ``<photo id="..." content_type="3"/>`` (Flickr's documented example).
    """
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        value = (ctx.arg("content_type") or "").strip()
        if value not in ("1", "2", "3"):
            raise ApiError(2, "Required arguments missing")
        ctx.store.update_photo(row["id"], content_type=int(value))
    return [Node("photo", {"id": str(row["id"]), "content_type": value})]


@method(
    "flickr.photos.setSafetyLevel",
    perm="write",
    args="photo_id safety_level? hidden?",
    errors=((1, "Photo not found"), (2, "Invalid or missing arguments"), (3, "Change not allowed")),
)
def photos_set_safety_level(ctx: Ctx) -> list[Node]:
    """Set the safety level of a photo (1 safe, 2 moderate, 3 restricted) and/or hide it from search.

    Answer: ``<photo id="..." safety_level="..." hidden="0|1"/>`` (Flickr's documented example).
    ``safety_level`` there uses the same 0-based scale as ``getInfo``'s
    ``safety_level`` (0 safe ... 2 restricted) -- (inferred).
    """
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        level = (ctx.arg("safety_level") or "").strip()
        hidden = (ctx.arg("hidden") or "").strip()
        fields: dict[str, int] = {}
        if level in ("1", "2", "3"):
            if level != "1" and ctx.backend.account(ctx.caller.nsid).safe_only:
                raise ApiError(3, "Change not allowed")  # a free account holds safe content only
            fields["safety_level"] = int(level) - 1
        if hidden in ("0", "1"):
            fields["hidden"] = 2 if hidden == "1" else 1
        if not fields:
            raise ApiError(2, "Invalid or missing arguments")
        ctx.store.update_photo(row["id"], **fields)
        row = ctx.store.photo(row["id"]) or row
    return [
        Node(
            "photo",
            {"id": str(row["id"]), "safety_level": str(row["safety_level"]), "hidden": 1 if row["hidden"] == 2 else 0},
        )
    ]
