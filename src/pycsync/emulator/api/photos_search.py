"""``flickr.photos.*`` lists: search, photos not in a set, recently updated, recent, untagged,
with/without geodata, counts. All standard photos responses (see records.py)."""

from __future__ import annotations

import sqlite3

from ..errors import ApiError
from ..registry import method
from ..render import Node
from ..tags import parse_machine_tag_query, split_tag_query
from .context import Ctx
from .listing import list_filters, select_photos
from .params import parse_extras, parse_taken, parse_ts
from .records import paginate, photos_node


def _tag_filter(ctx: Ctx, rows: list[sqlite3.Row]) -> list[sqlite3.Row]:
    include, exclude = split_tag_query(ctx.arg("tags"))
    mtq = parse_machine_tag_query(ctx.arg("machine_tags"))
    text = (ctx.arg("text") or "").strip().lower()
    tag_mode = (ctx.arg("tag_mode") or "any").strip().lower()
    mt_mode = (ctx.arg("machine_tag_mode") or "any").strip().lower()
    if ctx.arg("machine_tags") and not mtq:
        raise ApiError(11, "No valid machine tags")
    if len(mtq) > (16 if mt_mode == "all" else 8):
        raise ApiError(12, "Exceeded maximum allowable machine tags")
    if tag_mode == "all" and len(include) > 20:
        raise ApiError(1, "Too many tags in ALL query")
    if not (include or exclude or mtq or text):
        return rows
    tags = ctx.store.tags_for([r["id"] for r in rows])
    out = []
    words = [w for w in text.split() if w]
    for r in rows:
        ptags = tags.get(r["id"], [])
        cleans = {t["clean"] for t in ptags}
        if include:
            hits = [c in cleans for c in include]
            if tag_mode == "all" and not all(hits):
                continue
            if tag_mode != "all" and not any(hits):
                continue
        if exclude and any(c in cleans for c in exclude):
            continue
        if mtq:
            mts = []
            for t in ptags:
                if t["machine"]:
                    ns_pred, _, value = t["clean"].partition("=")
                    ns, _, pred = ns_pred.partition(":")
                    mts.append((ns, pred, value))
            hits = [any(q.matches(*m) for m in mts) for q in mtq]
            if mt_mode == "all" and not all(hits):
                continue
            if mt_mode != "all" and not any(hits):
                continue
        if words:
            hay = " ".join([r["title"], r["description"], " ".join(t["raw"] for t in ptags)]).lower()
            if not all(w in hay for w in words):
                continue
        out.append(r)
    return out


@method(
    "flickr.photos.search",
    args="user_id? tags? tag_mode? text? machine_tags? machine_tag_mode? sort? min_upload_date? "
    "max_upload_date? min_taken_date? max_taken_date? privacy_filter? media? extras? "
    "per_page? page?",
    errors=(
        (1, "Too many tags in ALL query"),
        (2, "Unknown user"),
        (3, "Parameterless searches have been disabled"),
        (5, "User deleted"),
        (11, "No valid machine tags"),
        (12, "Exceeded maximum allowable machine tags"),
    ),
)
def photos_search(ctx: Ctx) -> list[Node]:
    owner = None
    uid = ctx.arg("user_id")
    if uid:
        user = ctx.resolve_user(uid)
        if user is None:
            raise ApiError(2, "Unknown user")
        if user["deleted"]:
            raise ApiError(5, "User deleted")
        owner = user["nsid"]
    filters = list_filters(ctx)
    has_filter = owner or any(
        ctx.arg(k)
        for k in (
            "tags",
            "machine_tags",
            "text",
            "min_upload_date",
            "max_upload_date",
            "min_taken_date",
            "max_taken_date",
            "bbox",
            "group_id",
            "place_id",
            "woe_id",
            "has_geo",
        )
    )
    if not has_filter:
        raise ApiError(3, "Parameterless searches have been disabled. Please use flickr.photos.getRecent instead.")
    sort = (ctx.arg("sort") or "date-posted-desc").strip().lower()
    rows = select_photos(ctx, owner=owner, sort=sort, **filters)
    rows = _tag_filter(ctx, rows)
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100, cap=ctx.config.search_result_cap)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]


@method(
    "flickr.photos.getNotInSet",
    perm="read",
    args="min_upload_date? max_upload_date? min_taken_date? max_taken_date? privacy_filter? media? "
    "extras? per_page? page?",
)
def photos_not_in_set(ctx: Ctx) -> list[Node]:
    rows = select_photos(ctx, owner=ctx.caller.nsid, not_in_set=True, **list_filters(ctx))
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]


@method(
    "flickr.photos.recentlyUpdated",
    perm="read",
    args="min_date extras? per_page? page?",
    errors=((1, "Required argument missing"), (2, "Not a valid date")),
)
def photos_recently_updated(ctx: Ctx) -> list[Node]:
    raw = ctx.arg("min_date")
    if raw is None or not raw.strip():
        raise ApiError(1, "Required argument missing")
    min_date = parse_ts(raw)
    if min_date is None:
        raise ApiError(2, "Not a valid date")
    rows = select_photos(ctx, owner=ctx.caller.nsid, min_lastupdate=min_date, sort="lastupdate-desc")
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")), always=("last_update",))]


@method("flickr.photos.getCounts", perm="read", args="dates? taken_dates?", errors=((1, "No dates specified"),))
def photos_get_counts(ctx: Ctx) -> list[Node]:
    """Gets a list of photo counts for the given date ranges for the calling user.

    ``dates`` (unix timestamps) count by upload date, ``taken_dates`` (MySQL
    datetimes) by taken date; n dates give n-1 ranges ``[from, to)``.
    Answer: ``<photocounts><photocount count fromdate todate/>...</photocounts>``
    with ``count`` a JSON number and the dates as given (strings).
    """
    owner = ctx.caller.nsid
    node = Node("photocounts", lists={"photocount"})
    if ctx.arg("dates"):
        points = sorted({t for t in (parse_ts(d) for d in (ctx.arg("dates") or "").split(",")) if t is not None})
        for lo, hi in zip(points, points[1:], strict=False):
            n = ctx.store.one(
                "SELECT COUNT(*) AS n FROM photos WHERE owner=? AND dateupload>=? AND dateupload<?", (owner, lo, hi)
            )["n"]
            node.add(Node("photocount", {"count": n, "fromdate": str(lo), "todate": str(hi)}))
    elif ctx.arg("taken_dates"):
        taken = sorted({t for t in (parse_taken(d) for d in (ctx.arg("taken_dates") or "").split(",")) if t})
        for lo_taken, hi_taken in zip(taken, taken[1:], strict=False):
            n = ctx.store.one(
                "SELECT COUNT(*) AS n FROM photos WHERE owner=? AND datetaken>=? AND datetaken<?",
                (owner, lo_taken, hi_taken),
            )["n"]
            node.add(Node("photocount", {"count": n, "fromdate": lo_taken, "todate": hi_taken}))
    else:
        raise ApiError(1, "No dates specified")
    return [node]


@method("flickr.photos.getRecent", args="extras? per_page? page?")
def photos_get_recent(ctx: Ctx) -> list[Node]:
    """Returns a list of the latest public photos uploaded (standard photos response)."""
    rows = select_photos(ctx, privacy_filter=1)
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]


@method(
    "flickr.photos.getUntagged",
    perm="read",
    args="min_upload_date? max_upload_date? min_taken_date? max_taken_date? privacy_filter? media? "
    "extras? per_page? page?",
)
def photos_get_untagged(ctx: Ctx) -> list[Node]:
    """Returns a list of your photos with no tags (standard photos response)."""
    rows = select_photos(ctx, owner=ctx.caller.nsid, **list_filters(ctx))
    tagged = ctx.store.tags_for([r["id"] for r in rows])
    rows = [r for r in rows if not tagged.get(r["id"])]
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]


@method("flickr.photos.getWithGeoData", perm="read", args="extras? per_page? page?")
def photos_with_geo(ctx: Ctx) -> list[Node]:
    """Returns a list of your geo-tagged photos."""
    rows = [r for r in select_photos(ctx, owner=ctx.caller.nsid) if r["latitude"] is not None]
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]


@method(
    "flickr.photos.getWithoutGeoData",
    perm="read",
    args="min_upload_date? max_upload_date? min_taken_date? max_taken_date? privacy_filter? media? "
    "extras? per_page? page?",
)
def photos_without_geo(ctx: Ctx) -> list[Node]:
    """Returns a list of your photos which haven't been geo-tagged."""
    rows = [r for r in select_photos(ctx, owner=ctx.caller.nsid, **list_filters(ctx)) if r["latitude"] is None]
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]
