"""Selecting photos for the list methods: visibility, date/media/privacy filters, sort orders and
the search index lag."""

from __future__ import annotations

import sqlite3
from typing import Any

from .context import Ctx
from .params import int_arg, parse_taken, parse_ts

__all__ = ["select_photos", "list_filters"]

_PRIVACY = {
    1: "is_public=1",
    2: "is_public=0 AND is_friend=1 AND is_family=0",
    3: "is_public=0 AND is_friend=0 AND is_family=1",
    4: "is_public=0 AND is_friend=1 AND is_family=1",
    5: "is_public=0 AND is_friend=0 AND is_family=0",
}

_SORTS = {
    "date-posted-desc": "dateupload DESC, id DESC",
    "date-posted-asc": "dateupload ASC, id ASC",
    "date-taken-desc": "datetaken DESC, id DESC",
    "date-taken-asc": "datetaken ASC, id ASC",
    "interestingness-desc": "views DESC, dateupload DESC, id DESC",
    "interestingness-asc": "views ASC, dateupload ASC, id ASC",
    "relevance": "dateupload DESC, id DESC",
    "lastupdate-desc": "lastupdate DESC, id DESC",
}

# filter -> (column comparison); None values are not filtered on
_RANGES = {
    "min_upload": "dateupload>=?",
    "max_upload": "dateupload<=?",
    "min_taken": "datetaken>=?",
    "max_taken": "datetaken<=?",
    "min_lastupdate": "lastupdate>=?",
}


class _Where:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.args: list[Any] = []

    def add(self, clause: str, *args: Any) -> None:
        self.clauses.append(clause)
        self.args.extend(args)


def _visibility(ctx: Ctx, where: _Where, privacy_filter: int | None) -> None:
    """What the caller may see: public photos and their own; ``privacy_filter`` only narrows the
    caller's own photos (for anyone else's, only public ones are visible anyway)."""
    me = ctx.caller.nsid
    if me:
        where.add("(is_public=1 OR owner=?)", me)
    else:
        where.add("is_public=1")
    clause = _PRIVACY.get(privacy_filter or 0)
    if clause:
        if me:
            where.add(f"(owner IS NOT ? OR ({clause}))", me)
        else:
            where.add(clause)


def select_photos(
    ctx: Ctx,
    *,
    owner: str | None = None,
    media: str | None = None,
    privacy_filter: int | None = None,
    not_in_set: bool = False,
    lag: bool = True,
    sort: str = "date-posted-desc",
    **ranges: int | str | None,
) -> list[sqlite3.Row]:
    """Photos the caller may see, filtered and sorted. ``ranges``: ``min_upload``/``max_upload``
    (unix seconds), ``min_taken``/``max_taken`` (``YYYY-MM-DD HH:MM:SS``), ``min_lastupdate``.
    ``lag``: leave out uploads the search index has not caught up with yet."""
    where = _Where()
    if owner is not None:
        where.add("owner=?", owner)
    _visibility(ctx, where, privacy_filter)
    for name, value in ranges.items():
        if value is not None:
            where.add(_RANGES[name], value)
    if media in ("photos", "photo"):
        where.add("media='photo'")
    elif media in ("videos", "video"):
        where.add("media='video'")
    if not_in_set:
        where.add("id NOT IN (SELECT photo_id FROM set_photos)")
    if lag:  # search_lag_seconds: fresh uploads are not indexed yet
        where.add("visible_at<=?", ctx.backend.clock())
    sql = "SELECT * FROM photos WHERE " + " AND ".join(where.clauses)
    sql += " ORDER BY " + _SORTS.get(sort, _SORTS["date-posted-desc"])
    return ctx.store.q(sql, where.args)


def list_filters(ctx: Ctx) -> dict[str, Any]:
    """The date, media and privacy filters the list methods share."""
    pf = int_arg(ctx.arg("privacy_filter"), 0)
    return {
        "min_upload": parse_ts(ctx.arg("min_upload_date")),
        "max_upload": parse_ts(ctx.arg("max_upload_date")),
        "min_taken": parse_taken(ctx.arg("min_taken_date")),
        "max_taken": parse_taken(ctx.arg("max_taken_date")),
        "media": (ctx.arg("media") or "all").strip().lower(),
        "privacy_filter": pf or None,
    }
