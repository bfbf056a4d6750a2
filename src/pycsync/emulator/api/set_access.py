"""Which photosets a caller may see or change, their visible counts and their primary photo."""

from __future__ import annotations

import sqlite3

from ..errors import ApiError
from .context import Ctx


def set_counts(ctx: Ctx, set_id: str, visible_only: bool) -> tuple[int, int]:
    """(photos, videos) in the set; ``visible_only``: only the public ones (what others see)."""
    sql = (
        "SELECT SUM(p.media='photo') AS ph, SUM(p.media='video') AS vi FROM set_photos sp "
        "JOIN photos p ON p.id=sp.photo_id WHERE sp.set_id=?"
    )
    if visible_only:
        sql += " AND p.is_public=1"
    r = ctx.store.one(sql, (set_id,))
    return int(r["ph"] or 0), int(r["vi"] or 0)


def visible_set(ctx: Ctx, set_id: str | None, user_id: str | None = None) -> sqlite3.Row:
    """A set the caller may see (error 1), of ``user_id`` when given (error 2 for an unknown
    user). Someone else's set with no public photo does not exist for the caller."""
    s = ctx.store.photoset(set_id) if set_id else None
    if user_id:
        user = ctx.resolve_user(user_id)
        if user is None:
            raise ApiError(2, "User not found")
        if s is not None and s["owner"] != user["nsid"]:
            s = None
    if s is None:
        raise ApiError(1, "Photoset not found")
    if s["owner"] != ctx.caller.nsid:
        ph, vi = set_counts(ctx, s["id"], True)
        if ph + vi == 0:
            raise ApiError(1, "Photoset not found")
    return s


def own_set(ctx: Ctx, set_id: str | None) -> sqlite3.Row:
    """One of the caller's own sets (error 1 otherwise)."""
    s = ctx.store.photoset(set_id) if set_id else None
    if s is None or s["owner"] != ctx.caller.nsid:
        raise ApiError(1, "Photoset not found")
    return s


def primary_for(ctx: Ctx, s: sqlite3.Row, visible_only: bool) -> sqlite3.Row | None:
    """The set's cover as the caller sees it: the primary, else the first member they may see."""
    prim = ctx.store.photo(s["primary_id"])
    if prim is not None and (not visible_only or prim["is_public"]):
        return prim
    for pid in ctx.store.set_members(s["id"]):
        p = ctx.store.photo(pid)
        if p is not None and (not visible_only or p["is_public"]):
            return p
    return None
