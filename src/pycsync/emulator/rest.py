"""The REST methods (``/services/rest/``).

Each method is a function ``(ctx) -> list[Node]`` registered with the
permission level it needs; :func:`dispatch` runs the permission checks and the
method.  Photo/set semantics follow ``/work/shared/flickr-api.md`` sections 3
and 6.
"""

from __future__ import annotations

import calendar
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from .auth import PERM_LEVELS
from .errors import ApiError
from .photos import (
    Ctx,
    add_extras,
    available_sizes,
    can_see_original,
    int_arg,
    paginate,
    parse_extras,
    photo_record,
    photos_node,
)
from .render import Node, Payload, text_node
from .tags import MAX_TAGS_PER_PHOTO, parse_machine_tag_query, parse_tag_string, split_tag_query

__all__ = ["REGISTRY", "dispatch", "lookup", "method", "MethodSpec", "Arg", "set_tags_from_upload"]

_LEVEL_NAMES = {v: k for k, v in PERM_LEVELS.items()}


@dataclass(frozen=True)
class Arg:
    """One documented argument of a method (what ``flickr.reflection.getMethodInfo`` reports)."""

    name: str
    optional: bool
    text: str


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fn: Callable[[Ctx], list[Node]]
    perm: int
    signed: bool = False
    args: tuple[Arg, ...] = ()
    errors: tuple[tuple[int, str], ...] = ()

    @property
    def description(self) -> str:
        doc = (self.fn.__doc__ or "").strip()
        return " ".join(doc.split("\n\n", 1)[0].split())


REGISTRY: dict[str, MethodSpec] = {}
_BY_LOWER: dict[str, MethodSpec] = {}

# Descriptions of argument names shared by many methods (reflection output).
ARG_TEXT = {
    "photo_id": "The id of the photo.",
    "photoset_id": "The id of the photoset (album).",
    "user_id": "The NSID of the user (or 'me' for the calling user when authenticated).",
    "extras": "A comma-delimited list of extra information to fetch for each returned record.",
    "per_page": "Number of items to return per page (maximum 500).",
    "page": "The page of results to return (default 1).",
    "privacy_filter": "Return only photos matching a privacy level (1 public ... 5 private); owner only.",
    "media": "Filter results by media type: all (default), photos or videos.",
    "min_upload_date": "Minimum upload date (unix timestamp or MySQL datetime), inclusive.",
    "max_upload_date": "Maximum upload date (unix timestamp or MySQL datetime), inclusive.",
    "min_taken_date": "Minimum taken date (MySQL datetime or unix timestamp), inclusive.",
    "max_taken_date": "Maximum taken date (MySQL datetime or unix timestamp), inclusive.",
    "title": "The title.",
    "description": "The description.",
    "tags": "Space-separated tags; multi-word tags in double quotes.",
    "photo_ids": "A comma-delimited list of photo ids.",
    "primary_photo_id": "The id of the photo to use as the primary (cover) photo.",
    "secret": "The secret of the photo; when correct, the permission check is skipped.",
}


def _parse_args(spec: str) -> tuple[Arg, ...]:
    """``"photo_id secret?"`` -> required photo_id, optional secret (plus the implicit api_key)."""
    out = [Arg("api_key", False, "Your API application key (or the OAuth consumer key when signing).")]
    for word in spec.split():
        optional = word.endswith("?")
        name = word.rstrip("?")
        out.append(Arg(name, optional, ARG_TEXT.get(name, f"The {name.replace('_', ' ')}.")))
    return tuple(out)


def method(
    name: str, perm: str = "none", signed: bool = False, *, args: str = "", errors: tuple[tuple[int, str], ...] = ()
):  # noqa: ANN201
    """Register a REST method: its permission level, documented arguments and method errors."""

    def deco(fn: Callable[[Ctx], list[Node]]) -> Callable[[Ctx], list[Node]]:
        spec = MethodSpec(name, fn, PERM_LEVELS[perm], signed, _parse_args(args), tuple(errors))
        REGISTRY[name] = spec
        _BY_LOWER[name.lower()] = spec
        return fn

    return deco


def lookup(name: str) -> MethodSpec | None:
    """Method names are matched case-insensitively (``flickr.photos.setdates`` works).

    (inferred) Flickr's dispatcher accepts other casings -- e.g. the
    flickr-uploader tool calls ``flickr.photos.setdates`` -- so the emulator
    does too; error 112 still quotes the name as sent.
    """
    return REGISTRY.get(name) or _BY_LOWER.get(name.lower())


def dispatch(ctx: Ctx, name: str) -> list[Node]:
    spec = lookup(name)
    if spec is None:
        raise ApiError(112, f'Method "{name}" not found')
    if spec.signed and not ctx.caller.signed:
        raise ApiError(97, "Missing signature")
    if ctx.caller.level < spec.perm:
        raise ApiError(
            99,
            f"Insufficient permissions. Method requires {_LEVEL_NAMES[spec.perm]} privileges; "
            f"{ctx.caller.perms} granted.",
        )
    return spec.fn(ctx)


# =============================================================================
# helpers

_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2})(?:[ T](\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?)?)?$")


def parse_datetime_parts(value: str) -> tuple[int, int, int, int, int, int] | None:
    m = _DATETIME.match(value.strip())
    if not m:
        return None
    y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
    return y, mo, d or 1, hh, mm, ss


def valid_parts(p: tuple[int, int, int, int, int, int]) -> bool:
    y, mo, d, hh, mm, ss = p
    if not (1 <= mo <= 12) or hh > 23 or mm > 59 or ss > 59:
        return False
    return 1 <= d <= calendar.monthrange(y, mo)[1] if y >= 1 else False


def fmt_parts(p: tuple[int, int, int, int, int, int]) -> str:
    return "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*p)


def parse_ts(value: str | None) -> int | None:
    """Unix timestamp or MySQL datetime (local time) -> unix seconds."""
    if value is None or not value.strip():
        return None
    v = value.strip()
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    p = parse_datetime_parts(v)
    if p is None or not valid_parts(p):
        return None
    return int(time.mktime((*p, 0, 0, -1)))


def parse_taken(value: str | None) -> str | None:
    """MySQL datetime or unix timestamp -> ``YYYY-MM-DD HH:MM:SS`` (local)."""
    if value is None or not value.strip():
        return None
    v = value.strip()
    if re.fullmatch(r"-?\d+", v):
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(v)))
    p = parse_datetime_parts(v)
    if p is None or not valid_parts(p):
        return None
    return fmt_parts(p)


def bool01(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return 1 if int(value) == 1 else 0
    except ValueError:
        return None


def id_list(value: str | None) -> list[str]:
    if not value:
        return []
    out: list[str] = []
    for part in value.split(","):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def require_caller(ctx: Ctx) -> str:
    if not ctx.caller.nsid:
        raise ApiError(99, "Insufficient permissions. Method requires read privileges; none granted.")
    return ctx.caller.nsid


def _privacy_sql(pf: int) -> str | None:
    return {
        1: "is_public=1",
        2: "is_public=0 AND is_friend=1 AND is_family=0",
        3: "is_public=0 AND is_friend=0 AND is_family=1",
        4: "is_public=0 AND is_friend=1 AND is_family=1",
        5: "is_public=0 AND is_friend=0 AND is_family=0",
    }.get(pf)


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


def select_photos(
    ctx: Ctx,
    *,
    owner: str | None = None,
    min_upload: int | None = None,
    max_upload: int | None = None,
    min_taken: str | None = None,
    max_taken: str | None = None,
    media: str | None = None,
    privacy_filter: int | None = None,
    not_in_set: bool = False,
    min_lastupdate: int | None = None,
    lag: bool = True,
    sort: str = "date-posted-desc",
) -> list[sqlite3.Row]:
    where: list[str] = []
    args: list = []
    if owner is not None:
        where.append("owner=?")
        args.append(owner)
    if ctx.caller.nsid:
        where.append("(is_public=1 OR owner=?)")
        args.append(ctx.caller.nsid)
    else:
        where.append("is_public=1")
    if min_upload is not None:
        where.append("dateupload>=?")
        args.append(min_upload)
    if max_upload is not None:
        where.append("dateupload<=?")
        args.append(max_upload)
    if min_taken is not None:
        where.append("datetaken>=?")
        args.append(min_taken)
    if max_taken is not None:
        where.append("datetaken<=?")
        args.append(max_taken)
    if media in ("photos", "photo"):
        where.append("media='photo'")
    elif media in ("videos", "video"):
        where.append("media='video'")
    if privacy_filter:
        clause = _privacy_sql(privacy_filter)
        if clause:
            # privacy_filter only narrows the caller's own photos
            where.append(f"(owner IS NOT ? OR ({clause}))" if ctx.caller.nsid else clause)
            if ctx.caller.nsid:
                args.append(ctx.caller.nsid)
    if not_in_set:
        where.append("id NOT IN (SELECT photo_id FROM set_photos)")
    if min_lastupdate is not None:
        where.append("lastupdate>=?")
        args.append(min_lastupdate)
    if lag:  # search_lag_seconds: fresh uploads are not indexed yet
        where.append("visible_at<=?")
        args.append(time.time())
    sql = "SELECT * FROM photos"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY " + _SORTS.get(sort, _SORTS["date-posted-desc"])
    return ctx.store.q(sql, args)


def list_filters(ctx: Ctx) -> dict:
    pf = int_arg(ctx.arg("privacy_filter"), 0)
    return {
        "min_upload": parse_ts(ctx.arg("min_upload_date")),
        "max_upload": parse_ts(ctx.arg("max_upload_date")),
        "min_taken": parse_taken(ctx.arg("min_taken_date")),
        "max_taken": parse_taken(ctx.arg("max_taken_date")),
        "media": (ctx.arg("media") or "all").strip().lower(),
        "privacy_filter": pf or None,
    }


# =============================================================================
# test / auth / people


@method("flickr.test.echo")
def test_echo(ctx: Ctx) -> list[Node]:
    return [text_node(k, v) for k, v in ctx.params.items()]


@method("flickr.test.login", perm="read")
def test_login(ctx: Ctx) -> list[Node]:
    user = ctx.user_row(ctx.caller.nsid)
    node = Node("user", {"id": user["nsid"], "path_alias": user["path_alias"]})
    node.add(text_node("username", user["username"]))
    return [node]


@method("flickr.auth.oauth.checkToken", signed=True, args="oauth_token")
def check_token(ctx: Ctx) -> list[Node]:
    token = ctx.arg("oauth_token")
    row = ctx.store.token(token) if token else None
    if row is None or row["kind"] != "access" or row["state"] != "active":
        raise ApiError(98, "Invalid token")
    user = ctx.user_row(row["nsid"])
    node = Node("oauth")
    node.add(text_node("token", row["token"]))
    node.add(text_node("perms", row["perms"]))
    node.add(Node("user", {"nsid": user["nsid"], "username": user["username"], "fullname": user["fullname"]}))
    return [node]


def _count_photos(ctx: Ctx, nsid: str, media: str | None = None) -> int:
    sql = "SELECT COUNT(*) AS n FROM photos WHERE owner=?"
    args: list = [nsid]
    if ctx.caller.nsid != nsid:
        sql += " AND is_public=1"
    if media:
        sql += " AND media=?"
        args.append(media)
    return ctx.store.q1(sql, args)["n"]


@method("flickr.people.getUploadStatus", perm="read")
def people_upload_status(ctx: Ctx) -> list[Node]:
    user = ctx.user_row(ctx.caller.nsid)
    cfg = ctx.config
    used = ctx.store.q1("SELECT COALESCE(SUM(size),0) AS s FROM photos WHERE owner=?", (user["nsid"],))["s"]
    sets = ctx.store.q1("SELECT COUNT(*) AS n FROM sets WHERE owner=?", (user["nsid"],))["n"]
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
    node.add(text_node("photosurl", user_photos_url(ctx, user)))
    node.add(text_node("profileurl", user_profile_url(ctx, user)))
    node.add(text_node("mobileurl", f"{ctx.base}/photostream.gne?id={user['internal_id']}"))
    photos = node.add(Node("photos"))
    first = ctx.store.q1(
        "SELECT MIN(datetaken) AS t, MIN(dateupload) AS u, COALESCE(SUM(views), 0) AS v "
        "FROM photos WHERE owner=?" + ("" if ctx.caller.nsid == nsid else " AND is_public=1"),
        (nsid,),
    )
    photos.add(text_node("firstdatetaken", first["t"] or ""))
    photos.add(text_node("firstdate", "" if first["u"] is None else str(first["u"])))
    photos.add(Node("count", text=_count_photos(ctx, nsid)))  # type: ignore[arg-type]
    photos.add(text_node("views", str(first["v"])))
    return [node]


def user_photos_url(ctx: Ctx, user: sqlite3.Row) -> str:
    return f"{ctx.base}/photos/{user['path_alias'] or user['nsid']}/"


def user_profile_url(ctx: Ctx, user: sqlite3.Row) -> str:
    return f"{ctx.base}/people/{user['path_alias'] or user['nsid']}/"


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


# =============================================================================
# photos: search & listings


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


# =============================================================================
# photos: single-photo reads


def tag_id(ctx: Ctx, t: sqlite3.Row) -> str:
    author = ctx.user_row(t["author"])
    internal = author["internal_id"] if author else 0
    return f"{internal}-{t['photo_id']}-{t['id']}"


@method("flickr.photos.getInfo", args="photo_id secret?", errors=((1, "Photo not found"),))
def photos_get_info(ctx: Ctx) -> list[Node]:
    row = ctx.visible_photo(ctx.arg("photo_id"), ctx.arg("secret"))
    owner = ctx.user_row(row["owner"])
    is_owner = ctx.is_owner(row)
    a: dict = {
        "id": str(row["id"]),
        "secret": row["secret"],
        "server": row["server"],
        "farm": int(row["farm"]),
        "dateuploaded": str(row["dateupload"]),
        "isfavorite": 0,
        "license": row["license"],
        "safety_level": str(row["safety_level"]),
        "rotation": 0,
    }
    if can_see_original(ctx, row):
        a["originalsecret"] = row["originalsecret"]
        a["originalformat"] = ctx.original_format(row)
    a["views"] = str(row["views"])
    a["media"] = row["media"]
    node = Node("photo", a)
    node.add(
        Node(
            "owner",
            {
                "nsid": owner["nsid"],
                "username": owner["username"],
                "realname": owner["fullname"],
                "location": "",
                "iconserver": "0",
                "iconfarm": 0,
                "path_alias": owner["path_alias"],
            },
        )
    )
    node.add(text_node("title", row["title"]))
    node.add(text_node("description", row["description"]))
    node.add(
        Node(
            "visibility",
            {"ispublic": int(row["is_public"]), "isfriend": int(row["is_friend"]), "isfamily": int(row["is_family"])},
        )
    )
    node.add(
        Node(
            "dates",
            {
                "posted": str(row["dateupload"]),
                "taken": row["datetaken"],
                "takengranularity": str(row["takengranularity"]),
                "takenunknown": str(row["takenunknown"]),
                "lastupdate": str(row["lastupdate"]),
            },
        )
    )
    if is_owner:
        node.add(
            Node("permissions", {"permcomment": int(row["perm_comment"]), "permaddmeta": int(row["perm_addmeta"])})
        )
    node.add(Node("editability", {"cancomment": int(is_owner), "canaddmeta": int(is_owner)}))
    node.add(Node("publiceditability", {"cancomment": 1, "canaddmeta": 0}))
    node.add(
        Node(
            "usage",
            {
                "candownload": int(can_see_original(ctx, row)),
                "canblog": int(is_owner),
                "canprint": int(is_owner),
                "canshare": 1,
            },
        )
    )
    node.add(text_node("comments", "0"))
    node.add(Node("notes", lists={"note"}))
    node.add(Node("people", {"haspeople": 0}))
    tags_node = node.add(Node("tags", lists={"tag"}))
    for t in ctx.store.tags_for([row["id"]])[row["id"]]:
        author = ctx.user_row(t["author"])
        tags_node.add(
            Node(
                "tag",
                {
                    "id": tag_id(ctx, t),
                    "author": t["author"],
                    "authorname": author["username"] if author else "",
                    "raw": t["raw"],
                    "machine_tag": int(t["machine"]),
                },
                text=t["clean"],
            )
        )
    urls = node.add(Node("urls", lists={"url"}))
    urls.add(text_node("url", ctx.page_url(row), type="photopage"))
    if row["media"] == "video":
        w, h = (row["width"] or 0, row["height"] or 0)
        node.add(Node("video", {"ready": 1, "failed": 0, "pending": 0, "duration": 0, "width": w, "height": h}))
    return [node]


@method("flickr.photos.getSizes", args="photo_id", errors=((1, "Photo not found"),))
def photos_get_sizes(ctx: Ctx) -> list[Node]:
    """Returns the available sizes for a photo.

    Unknown dimensions (a format whose header the emulator cannot measure, a
    video's real size) are ``null`` in JSON and ``""`` in XML, as Flickr sends
    for some video renditions (contract 3.12).
    """
    row = ctx.visible_photo(ctx.arg("photo_id"))
    is_owner = ctx.is_owner(row)
    node = Node(
        "sizes",
        {"canblog": int(is_owner), "canprint": int(is_owner), "candownload": int(can_see_original(ctx, row))},
        lists={"size"},
    )
    is_video = row["media"] == "video"
    for label, suffix, wh in available_sizes(row):
        node.add(
            Node(
                "size",
                {
                    "label": label,
                    "width": wh[0] if wh else None,
                    "height": wh[1] if wh else None,
                    "source": ctx.size_url(row, suffix),
                    "url": f"{ctx.page_url(row)}sizes/{suffix or 'm'}/",
                    "media": "photo",
                },
            )
        )
    w = int(row["width"]) if row["width"] else None
    h = int(row["height"]) if row["height"] else None
    if can_see_original(ctx, row):
        ow, oh = (w or 640, h or 360) if is_video else (w, h)
        node.add(
            Node(
                "size",
                {
                    "label": "Original",
                    "width": ow,
                    "height": oh,
                    "source": ctx.static_original_url(row),
                    "url": f"{ctx.page_url(row)}sizes/o/",
                    "media": "photo",
                },
            )
        )
    if is_video:
        site = f"{ctx.base}/photos/{row['owner']}/{row['id']}/play/site/{row['secret']}/"
        node.add(
            Node(
                "size",
                {
                    "label": "Site MP4",
                    "width": w or 640,
                    "height": h or 360,
                    "source": site,
                    "url": site,
                    "media": "video",
                },
            )
        )
        if is_owner:
            node.add(
                Node(
                    "size",
                    {
                        "label": "Video Original",
                        "width": w,
                        "height": h,
                        "source": ctx.play_orig_url(row),
                        "url": ctx.play_orig_url(row),
                        "media": "video",
                    },
                )
            )
    return [node]


def _set_counts(ctx: Ctx, set_id: str, visible_only: bool) -> tuple[int, int]:
    sql = (
        "SELECT SUM(p.media='photo') AS ph, SUM(p.media='video') AS vi FROM set_photos sp "
        "JOIN photos p ON p.id=sp.photo_id WHERE sp.set_id=?"
    )
    if visible_only:
        sql += " AND p.is_public=1"
    r = ctx.store.q1(sql, (set_id,))
    return int(r["ph"] or 0), int(r["vi"] or 0)


@method("flickr.photos.getAllContexts", args="photo_id", errors=((1, "Photo not found"),))
def photos_all_contexts(ctx: Ctx) -> list[Node]:
    row = ctx.visible_photo(ctx.arg("photo_id"))
    out = Payload(lists=("set", "pool"))
    for s in ctx.store.sets_of_photo(row["id"]):
        prim = ctx.store.photo(s["primary_id"])
        ph, vi = _set_counts(ctx, s["id"], s["owner"] != ctx.caller.nsid)
        out.append(
            Node(
                "set",
                {
                    "title": s["title"],
                    "id": s["id"],
                    "primary": str(s["primary_id"]),
                    "secret": prim["secret"] if prim else "",
                    "server": prim["server"] if prim else "",
                    "farm": int(prim["farm"]) if prim else 0,
                    "view_count": str(s["views"]),
                    "comment_count": "0",
                    "count_photo": str(ph),
                    "count_video": str(vi),
                },
            )
        )
    return out


# =============================================================================
# photos: writes


def _delete_photo(ctx: Ctx, row: sqlite3.Row) -> None:
    store = ctx.store
    with store.tx():
        for s in store.sets_of_photo(row["id"]):
            members = [m for m in store.set_members(s["id"]) if m != row["id"]]
            store.write_members(s["id"], members)
        store.x("DELETE FROM tags WHERE photo_id=?", (row["id"],))
        store.x("DELETE FROM photos WHERE id=?", (row["id"],))
        store.gc_blob(row["sha256"])


@method("flickr.photos.delete", perm="delete", args="photo_id", errors=((1, "Photo not found"),))
def photos_delete(ctx: Ctx) -> list[Node]:
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        _delete_photo(ctx, row)
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
        fields: dict = {}
        g = row["takengranularity"]
        if gran not in (None, ""):
            try:
                g = int(gran)
            except ValueError:
                raise ApiError(3, "Invalid granularity") from None
            if g not in _GRANULARITIES:
                raise ApiError(3, "Invalid granularity")
            fields["takengranularity"] = g
        if posted:
            if not re.fullmatch(r"\d+", posted.strip()) or int(posted) > time.time() + 86400:
                raise ApiError(4, "Invalid date_posted")
            fields["dateupload"] = int(posted)
        if taken:
            p = parse_datetime_parts(taken)
            if p is None:
                raise ApiError(5, "Invalid Date Taken Format")
            if not valid_parts(p):
                raise ApiError(6, "Invalid Date Taken")
            fields["datetaken"] = fmt_parts(p)
            fields["takenunknown"] = 0
        if "takengranularity" in fields or "datetaken" in fields:
            y, mo, d, hh, mm, ss = parse_datetime_parts(fields.get("datetaken", row["datetaken"])) or (
                1970,
                1,
                1,
                0,
                0,
                0,
            )
            if g == 4:
                d, hh, mm, ss = 1, 0, 0, 0
            elif g in (6, 8):
                mo, d, hh, mm, ss = 1, 1, 0, 0, 0
            fields["datetaken"] = fmt_parts((y, mo, d, hh, mm, ss))
        ctx.store.update_photo(row["id"], **fields)
    return []


def _insert_tags(ctx: Ctx, photo_id: int, tags: list) -> None:
    ctx.store.db.executemany(
        "INSERT INTO tags(photo_id, author, raw, clean, machine) VALUES (?,?,?,?,?)",
        [(photo_id, ctx.caller.nsid, t.raw, t.clean, int(t.machine)) for t in tags],
    )


def add_tags(ctx: Ctx, photo_id: int, text: str | None, *, bump: bool = True) -> None:
    store = ctx.store
    with store.tx():
        existing = {t["clean"] for t in store.tags_for([photo_id])[photo_id]}
        new = [t for t in parse_tag_string(text) if t.clean not in existing]
        if len(existing) + len(new) > MAX_TAGS_PER_PHOTO:
            raise ApiError(2, "Maximum number of tags reached")
        _insert_tags(ctx, photo_id, new)
        if bump:
            store.update_photo(photo_id)


@method(
    "flickr.photos.addTags",
    perm="write",
    args="photo_id tags",
    errors=((1, "Photo not found"), (2, "Maximum number of tags reached")),
)
def photos_add_tags(ctx: Ctx) -> list[Node]:
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        add_tags(ctx, row["id"], ctx.arg("tags"))
    return []


@method(
    "flickr.photos.setTags",
    perm="write",
    args="photo_id tags",
    errors=((1, "Photo not found"), (2, "Maximum number of tags reached")),
)
def photos_set_tags(ctx: Ctx) -> list[Node]:
    with ctx.store.tx():
        row = ctx.own_photo(ctx.arg("photo_id"))
        new = parse_tag_string(ctx.arg("tags"))
        if len(new) > MAX_TAGS_PER_PHOTO:
            raise ApiError(2, "Maximum number of tags reached")
        ctx.store.x("DELETE FROM tags WHERE photo_id=?", (row["id"],))
        _insert_tags(ctx, row["id"], new)
        ctx.store.update_photo(row["id"])
    return []


@method("flickr.photos.removeTag", perm="write", args="tag_id", errors=((1, "Tag not found"),))
def photos_remove_tag(ctx: Ctx) -> list[Node]:
    raw = (ctx.arg("tag_id") or "").strip()
    parts = raw.split("-")
    if not raw or not parts[-1].isdigit():
        raise ApiError(1, "Tag not found")
    with ctx.store.tx():
        t = ctx.store.q1("SELECT * FROM tags WHERE id=?", (int(parts[-1]),))
        if t is None or (len(parts) == 3 and parts[1] != str(t["photo_id"])):
            raise ApiError(1, "Tag not found")
        photo = ctx.store.photo(t["photo_id"])
        if photo is None or (not ctx.is_owner(photo) and t["author"] != ctx.caller.nsid):
            raise ApiError(1, "Tag not found")
        ctx.store.x("DELETE FROM tags WHERE id=?", (t["id"],))
        ctx.store.update_photo(photo["id"])
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
        row = ctx.store.photo(row["id"])
    return [Node("photoid", {"secret": row["secret"], "originalsecret": row["originalsecret"]}, text=str(row["id"]))]


@method("flickr.photos.getPerms", perm="read", args="photo_id", errors=((1, "Photo not found"),))
def photos_get_perms(ctx: Ctx) -> list[Node]:
    row = ctx.own_photo(ctx.arg("photo_id"))
    return [
        Node(
            "perms",
            {
                "id": str(row["id"]),
                "ispublic": int(row["is_public"]),
                "isfriend": int(row["is_friend"]),
                "isfamily": int(row["is_family"]),
                "permcomment": int(row["perm_comment"]),
                "permaddmeta": int(row["perm_addmeta"]),
            },
        )
    ]


@method("flickr.photos.upload.checkTickets", args="tickets")
def check_tickets(ctx: Ctx) -> list[Node]:
    node = Node("uploader", lists={"ticket"})
    now = time.time()
    for tid in id_list(ctx.arg("tickets")):
        t = ctx.store.q1("SELECT * FROM tickets WHERE id=?", (tid,))
        if t is None:
            node.add(Node("ticket", {"id": tid, "invalid": 1}))
            continue
        if now < t["ready_at"]:
            node.add(Node("ticket", {"id": tid, "complete": 0}))
        elif t["status"] == 1 and t["photo_id"] is not None:
            node.add(
                Node(
                    "ticket",
                    {
                        "id": tid,
                        "complete": 1,
                        "photoid": str(t["photo_id"]),
                        "imported": str(t["imported"] or int(t["ready_at"])),
                    },
                )
            )
        else:
            node.add(Node("ticket", {"id": tid, "complete": 2}))
    return [node]


# =============================================================================
# photosets


def _visible_set(ctx: Ctx, set_id: str | None, user_id: str | None = None) -> sqlite3.Row:
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
        ph, vi = _set_counts(ctx, s["id"], True)
        if ph + vi == 0:
            raise ApiError(1, "Photoset not found")
    return s


def _own_set(ctx: Ctx, set_id: str | None) -> sqlite3.Row:
    s = ctx.store.photoset(set_id) if set_id else None
    if s is None or s["owner"] != ctx.caller.nsid:
        raise ApiError(1, "Photoset not found")
    return s


def _primary_for(ctx: Ctx, s: sqlite3.Row, visible_only: bool) -> sqlite3.Row | None:
    prim = ctx.store.photo(s["primary_id"])
    if prim is not None and (not visible_only or prim["is_public"]):
        return prim
    for pid in ctx.store.set_members(s["id"]):
        p = ctx.store.photo(pid)
        if p is not None and (not visible_only or p["is_public"]):
            return p
    return None


@method(
    "flickr.photosets.getList",
    args="user_id? page? per_page? primary_photo_extras? photo_ids?",
    errors=((1, "User not found"),),
)
def photosets_get_list(ctx: Ctx) -> list[Node]:
    uid = ctx.arg("user_id")
    user = ctx.resolve_user(uid) if uid else ctx.user_row(ctx.caller.nsid) if ctx.caller.nsid else None
    if user is None:
        raise ApiError(1, "User not found")
    owner_view = user["nsid"] == ctx.caller.nsid
    sets = ctx.store.q("SELECT * FROM sets WHERE owner=? ORDER BY sort, id", (user["nsid"],))
    entries = []
    for s in sets:
        ph, vi = _set_counts(ctx, s["id"], not owner_view)
        if not owner_view and ph + vi == 0:
            continue
        entries.append((s, ph, vi))
    pg = paginate(entries, ctx.arg("page"), ctx.arg("per_page"), 500)
    node = Node(
        "photosets",
        {"page": pg.page, "pages": pg.pages, "perpage": pg.per_page, "total": str(pg.total), "cancreate": 1},
        lists={"photoset"},
    )
    extras = parse_extras(ctx.arg("primary_photo_extras"))
    requested = {int(p) for p in id_list(ctx.arg("photo_ids")) if p.isdigit()}
    for s, ph, vi in pg.items:
        prim = _primary_for(ctx, s, not owner_view)
        a: dict = {
            "id": s["id"],
            "primary": str(prim["id"] if prim else s["primary_id"]),
            "secret": prim["secret"] if prim else "",
            "server": prim["server"] if prim else "",
            "farm": int(prim["farm"]) if prim else 0,
            "photos": ph,
            "videos": vi,
            "needs_interstitial": 0,
            "visibility_can_see_set": 1,
            "count_views": str(s["views"]),
            "count_comments": "0",
            "can_comment": int(owner_view),
            "date_create": str(s["date_create"]),
            "date_update": str(s["date_update"]),
        }
        if requested:
            members = set(ctx.store.set_members(s["id"]))
            a["has_requested_photos"] = len(members & requested)
        sn = node.add(Node("photoset", a))
        sn.add(text_node("title", s["title"]))
        sn.add(text_node("description", s["description"]))
        if extras and prim is not None:
            pe = Node("primary_photo_extras")
            add_extras(ctx, pe, prim, extras, ctx.store.tags_for([prim["id"]])[prim["id"]])
            sn.add(pe)
    return [node]


@method(
    "flickr.photosets.getInfo", args="photoset_id user_id?", errors=((1, "Photoset not found"), (2, "User not found"))
)
def photosets_get_info(ctx: Ctx) -> list[Node]:
    s = _visible_set(ctx, ctx.arg("photoset_id"), ctx.arg("user_id"))
    owner_view = s["owner"] == ctx.caller.nsid
    ph, vi = _set_counts(ctx, s["id"], not owner_view)
    prim = _primary_for(ctx, s, not owner_view)
    owner = ctx.user_row(s["owner"])
    node = Node(
        "photoset",
        {
            "id": s["id"],
            "owner": s["owner"],
            "username": owner["username"],
            "primary": str(prim["id"] if prim else s["primary_id"]),
            "secret": prim["secret"] if prim else "",
            "server": prim["server"] if prim else "",
            "farm": int(prim["farm"]) if prim else 0,
            "photos": ph + vi,
            "count_views": str(s["views"]),
            "count_comments": "0",
            "count_photos": ph,
            "count_videos": vi,
            "can_comment": int(owner_view),
            "date_create": str(s["date_create"]),
            "date_update": str(s["date_update"]),
        },
    )
    node.add(text_node("title", s["title"]))
    node.add(text_node("description", s["description"]))
    return [node]


@method(
    "flickr.photosets.getPhotos",
    args="photoset_id user_id? extras? privacy_filter? media? per_page? page?",
    errors=((1, "Photoset not found"), (2, "User not found")),
)
def photosets_get_photos(ctx: Ctx) -> list[Node]:
    s = _visible_set(ctx, ctx.arg("photoset_id"), ctx.arg("user_id"))
    owner = ctx.user_row(s["owner"])
    owner_view = s["owner"] == ctx.caller.nsid
    media = (ctx.arg("media") or "all").strip().lower()
    pf = int_arg(ctx.arg("privacy_filter"), 0)
    rows = ctx.store.q(
        "SELECT p.* FROM set_photos sp JOIN photos p ON p.id=sp.photo_id WHERE sp.set_id=? ORDER BY sp.pos", (s["id"],)
    )
    out = []
    for r in rows:
        if not owner_view and not r["is_public"]:
            continue
        if media in ("photos", "photo") and r["media"] != "photo":
            continue
        if media in ("videos", "video") and r["media"] != "video":
            continue
        if pf and owner_view:
            flags = (r["is_public"], r["is_friend"], r["is_family"])
            ok = {
                1: flags[0] == 1,
                2: flags == (0, 1, 0),
                3: flags == (0, 0, 1),
                4: flags == (0, 1, 1),
                5: flags == (0, 0, 0),
            }.get(pf, True)
            if not ok:
                continue
        out.append(r)
    pg = paginate(out, ctx.arg("page"), ctx.arg("per_page"), 500)
    extras = parse_extras(ctx.arg("extras"))
    tags = ctx.store.tags_for([r["id"] for r in pg.items]) if ({"tags", "machine_tags"} & set(extras)) else {}
    node = Node(
        "photoset",
        {
            "id": s["id"],
            "primary": str(s["primary_id"]),
            "owner": s["owner"],
            "ownername": owner["username"],
            "page": pg.page,
            "per_page": pg.per_page,
            "perpage": pg.per_page,
            "pages": pg.pages,
            "total": str(pg.total),
            "title": s["title"],
        },
        lists={"photo"},
    )
    for r in pg.items:
        node.add(
            photo_record(
                ctx,
                r,
                extras,
                tags.get(r["id"], []),
                with_owner=False,
                isprimary="1" if r["id"] == s["primary_id"] else "0",
            )
        )
    return [node]


def _new_set_id(ctx: Ctx) -> str:
    return str(ctx.store.next_id("next_set_id", step_max=1000))


@method(
    "flickr.photosets.create",
    perm="write",
    args="title description? primary_photo_id",
    errors=((1, "No title specified"), (2, "Photo not found"), (3, "Can't create any more sets")),
)
def photosets_create(ctx: Ctx) -> list[Node]:
    title = ctx.arg("title")
    if title is None or not title.strip():
        raise ApiError(1, "No title specified")
    store = ctx.store
    with store.tx():
        prim = ctx.own_photo(ctx.arg("primary_photo_id"), 2, "Photo not found")
        n = store.q1("SELECT COUNT(*) AS n, MIN(sort) AS lo FROM sets WHERE owner=?", (ctx.caller.nsid,))
        if ctx.config.max_sets is not None and n["n"] >= ctx.config.max_sets:
            raise ApiError(3, "Can't create any more sets")
        set_id = _new_set_id(ctx)
        now = store.now()
        store.x(
            "INSERT INTO sets(id, owner, title, description, primary_id, date_create, date_update, sort) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (
                set_id,
                ctx.caller.nsid,
                title,
                ctx.arg("description") or "",
                prim["id"],
                now,
                now,
                (n["lo"] if n["lo"] is not None else 0) - 1,
            ),
        )
        store.x("INSERT INTO set_photos(set_id, photo_id, pos) VALUES (?,?,0)", (set_id, prim["id"]))
    return [Node("photoset", {"id": set_id, "url": f"{ctx.base}/photos/{ctx.caller.nsid}/sets/{set_id}/"})]


@method(
    "flickr.photosets.addPhoto",
    perm="write",
    args="photoset_id photo_id",
    errors=(
        (1, "Photoset not found"),
        (2, "Photo not found"),
        (3, "Photo already in set"),
        (10, "Maximum number of photos in set"),
    ),
)
def photosets_add_photo(ctx: Ctx) -> list[Node]:
    store = ctx.store
    with store.tx():
        s = _own_set(ctx, ctx.arg("photoset_id"))
        p = ctx.own_photo(ctx.arg("photo_id"), 2, "Photo not found")
        members = store.set_members(s["id"])
        if p["id"] in members:
            raise ApiError(3, "Photo already in set")
        if ctx.config.max_set_photos is not None and len(members) >= ctx.config.max_set_photos:
            raise ApiError(10, "Maximum number of photos in set")
        store.x(
            "INSERT INTO set_photos(set_id, photo_id, pos) VALUES (?,?,?)",
            (
                s["id"],
                p["id"],
                (store.q1("SELECT MAX(pos) AS m FROM set_photos WHERE set_id=?", (s["id"],))["m"] or 0) + 1,
            ),
        )
        store.touch_set(s["id"])
    return []


@method(
    "flickr.photosets.removePhoto",
    perm="write",
    args="photoset_id photo_id",
    errors=((1, "Photoset not found"), (2, "Photo not found"), (3, "Photo not in set")),
)
def photosets_remove_photo(ctx: Ctx) -> list[Node]:
    store = ctx.store
    with store.tx():
        s = _own_set(ctx, ctx.arg("photoset_id"))
        p = ctx.own_photo(ctx.arg("photo_id"), 2, "Photo not found")
        members = store.set_members(s["id"])
        if p["id"] not in members:
            raise ApiError(3, "Photo not in set")
        store.write_members(s["id"], [m for m in members if m != p["id"]])
    return []


@method(
    "flickr.photosets.removePhotos",
    perm="write",
    args="photoset_id photo_ids",
    errors=((1, "Photoset not found"), (2, "Photo not found")),
)
def photosets_remove_photos(ctx: Ctx) -> list[Node]:
    store = ctx.store
    with store.tx():
        s = _own_set(ctx, ctx.arg("photoset_id"))
        ids = id_list(ctx.arg("photo_ids"))
        if not ids:
            raise ApiError(2, "Photo not found")
        drop = {ctx.own_photo(i, 2, "Photo not found")["id"] for i in ids}
        store.write_members(s["id"], [m for m in store.set_members(s["id"]) if m not in drop])
    return []


@method("flickr.photosets.delete", perm="write", args="photoset_id", errors=((1, "Photoset not found"),))
def photosets_delete(ctx: Ctx) -> list[Node]:
    with ctx.store.tx():
        s = _own_set(ctx, ctx.arg("photoset_id"))
        ctx.store.write_members(s["id"], [])
    return []


@method(
    "flickr.photosets.editMeta",
    perm="write",
    args="photoset_id title description?",
    errors=((1, "Photoset not found"), (2, "No title specified")),
)
def photosets_edit_meta(ctx: Ctx) -> list[Node]:
    with ctx.store.tx():
        s = _own_set(ctx, ctx.arg("photoset_id"))
        title = ctx.arg("title")
        if title is None or not title.strip():
            raise ApiError(2, "No title specified")
        desc = ctx.arg("description")
        ctx.store.x(
            "UPDATE sets SET title=?, description=? WHERE id=?",
            (title, s["description"] if desc is None else desc, s["id"]),
        )
        ctx.store.touch_set(s["id"])
    return []


@method(
    "flickr.photosets.editPhotos",
    perm="write",
    args="photoset_id primary_photo_id photo_ids",
    errors=(
        (1, "Photoset not found"),
        (2, "Photo not found"),
        (3, "Primary photo not found"),
        (4, "Primary photo not in list"),
        (5, "Empty photos list"),
        (10, "Maximum number of photos in set"),
    ),
)
def photosets_edit_photos(ctx: Ctx) -> list[Node]:
    with ctx.store.tx():
        s = _own_set(ctx, ctx.arg("photoset_id"))
        ids = id_list(ctx.arg("photo_ids"))
        if not ids:
            raise ApiError(5, "Empty photos list")
        members = [ctx.own_photo(i, 2, "Photo not found")["id"] for i in ids]
        prim = ctx.own_photo(ctx.arg("primary_photo_id"), 3, "Primary photo not found")
        if prim["id"] not in members:
            raise ApiError(4, "Primary photo not in list")
        if ctx.config.max_set_photos is not None and len(members) > ctx.config.max_set_photos:
            raise ApiError(10, "Maximum number of photos in set")
        ctx.store.x("UPDATE sets SET primary_id=? WHERE id=?", (prim["id"], s["id"]))
        ctx.store.write_members(s["id"], members)
    return []


@method(
    "flickr.photosets.reorderPhotos",
    perm="write",
    args="photoset_id photo_ids",
    errors=((1, "Photoset not found"), (2, "Photo not found")),
)
def photosets_reorder_photos(ctx: Ctx) -> list[Node]:
    """Listed photos move to the front in the given order; the rest keep their relative order."""
    with ctx.store.tx():
        s = _own_set(ctx, ctx.arg("photoset_id"))
        members = ctx.store.set_members(s["id"])
        listed: list[int] = []
        for i in id_list(ctx.arg("photo_ids")):
            if not i.isdigit() or int(i) not in members:
                raise ApiError(2, "Photo not found")
            listed.append(int(i))
        rest = [m for m in members if m not in set(listed)]
        ctx.store.write_members(s["id"], listed + rest)
    return []


@method(
    "flickr.photosets.setPrimaryPhoto",
    perm="write",
    args="photoset_id photo_id",
    errors=((1, "Photoset not found"), (2, "Photo not found")),
)
def photosets_set_primary(ctx: Ctx) -> list[Node]:
    with ctx.store.tx():
        s = _own_set(ctx, ctx.arg("photoset_id"))
        p = ctx.own_photo(ctx.arg("photo_id"), 2, "Photo not found")
        if p["id"] not in ctx.store.set_members(s["id"]):
            raise ApiError(2, "Photo not found")
        ctx.store.x("UPDATE sets SET primary_id=? WHERE id=?", (p["id"], s["id"]))
        ctx.store.touch_set(s["id"])
    return []


@method("flickr.photosets.orderSets", perm="write", args="photoset_ids", errors=((1, "Photoset not found"),))
def photosets_order_sets(ctx: Ctx) -> list[Node]:
    with ctx.store.tx():
        ids = id_list(ctx.arg("photoset_ids"))
        for i in ids:
            _own_set(ctx, i)
        ids_set = set(ids)
        others = [
            r["id"]
            for r in ctx.store.q("SELECT id FROM sets WHERE owner=? ORDER BY id", (ctx.caller.nsid,))
            if r["id"] not in ids_set
        ]
        for pos, sid in enumerate(ids + others):
            ctx.store.x("UPDATE sets SET sort=? WHERE id=?", (pos, sid))
    return []


def set_tags_from_upload(ctx: Ctx, photo_id: int, text: str | None) -> None:
    """Tags given with an upload, parsed exactly like flickr.photos.addTags."""
    tags = parse_tag_string(text)[:MAX_TAGS_PER_PHOTO]
    _insert_tags(ctx, photo_id, tags)


# The methods registered by the other method modules (imported for their ``@method`` side effect).
from . import methods_people, methods_photos, methods_reflection, methods_tags  # noqa: E402,F401
