"""More photo methods: contexts, EXIF, licenses, counts, content type / safety level, ...

Shapes follow the contract (``/work/shared/flickr-api.md``) and, where it is
silent, Flickr's documented examples (R22); anything beyond both is marked
(inferred).  The emulator has no comments, favourites, geodata or
collections: those reads answer well-formed empty results.
"""

from __future__ import annotations

import sqlite3

from .errors import ApiError
from .media import HEAD_BYTES, exif_entries
from .photos import Ctx, paginate, parse_extras, photos_node
from .render import Node, text_node
from .rest import _visible_set, list_filters, method, parse_taken, parse_ts, select_photos

__all__ = ["LICENSES"]

# flickr.photos.licenses.getInfo as Flickr answers it (ids 0-10; names are matched verbatim by clients,
# e.g. flickr-photos-api maps them by name)
LICENSES: list[tuple[str, str, str]] = [
    ("0", "All Rights Reserved", ""),
    ("1", "Attribution-NonCommercial-ShareAlike License", "https://creativecommons.org/licenses/by-nc-sa/2.0/"),
    ("2", "Attribution-NonCommercial License", "https://creativecommons.org/licenses/by-nc/2.0/"),
    ("3", "Attribution-NonCommercial-NoDerivs License", "https://creativecommons.org/licenses/by-nc-nd/2.0/"),
    ("4", "Attribution License", "https://creativecommons.org/licenses/by/2.0/"),
    ("5", "Attribution-ShareAlike License", "https://creativecommons.org/licenses/by-sa/2.0/"),
    ("6", "Attribution-NoDerivs License", "https://creativecommons.org/licenses/by-nd/2.0/"),
    ("7", "No known copyright restrictions", "https://www.flickr.com/commons/usage/"),
    ("8", "United States Government Work", "https://www.usa.gov/government-copyright"),
    ("9", "Public Domain Dedication (CC0)", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("10", "Public Domain Mark", "https://creativecommons.org/publicdomain/mark/1.0/"),
]
_LICENSE_IDS = {lic[0] for lic in LICENSES}


# =============================================================================
# contexts


def _neighbour(ctx: Ctx, name: str, row: sqlite3.Row | None) -> Node:
    if row is None:
        return Node(name, {"id": 0})  # "the element is still returned, but contains id="0"" (R22)
    owner = ctx.user_row(row["owner"])
    alias = (owner["path_alias"] if owner else None) or row["owner"]
    return Node(
        name,
        {
            "id": str(row["id"]),
            "owner": row["owner"],
            "secret": row["secret"],
            "server": row["server"],
            "farm": int(row["farm"]),
            "title": row["title"],
            "url": f"/photos/{alias}/{row['id']}/",
            "thumb": ctx.size_url(row, "s"),
            "license": row["license"],
            "media": row["media"],
            "is_faved": 0,
        },
    )


def _context(ctx: Ctx, rows: list[sqlite3.Row], photo_id: int) -> list[Node]:
    ids = [r["id"] for r in rows]
    i = ids.index(photo_id)
    prev = rows[i - 1] if i > 0 else None
    nxt = rows[i + 1] if i + 1 < len(rows) else None
    return [
        Node("count", text=len(rows)),  # type: ignore[arg-type]
        _neighbour(ctx, "prevphoto", prev),
        _neighbour(ctx, "nextphoto", nxt),
    ]


@method("flickr.photos.getContext", args="photo_id", errors=((1, "Photo not found"),))
def photos_get_context(ctx: Ctx) -> list[Node]:
    """Returns next and previous photos for a photo in a photostream.

    The photostream is the owner's photos the caller may see, newest upload
    first (as ``flickr.people.getPhotos`` lists it): ``prevphoto`` is the next
    newer photo, ``nextphoto`` the next older one (inferred from that order).
    At either end the element is ``<prevphoto id="0"/>`` (JSON ``"id": 0``).
    A ``<count>`` element gives the stream's length (inferred).
    """
    row = ctx.visible_photo(ctx.arg("photo_id"))
    rows = select_photos(ctx, owner=row["owner"], lag=False)
    return _context(ctx, rows, row["id"])


@method(
    "flickr.photosets.getContext", args="photo_id photoset_id", errors=((1, "Photo not found"), (2, "Photo not in set"))
)
def photosets_get_context(ctx: Ctx) -> list[Node]:
    """Returns next and previous photos for a photo in a set (in set order).

    Same element shapes as ``flickr.photos.getContext``.  An unknown set, or a
    set the photo is not in, is error 2.
    """
    row = ctx.visible_photo(ctx.arg("photo_id"))
    try:
        s = _visible_set(ctx, ctx.arg("photoset_id"))
    except ApiError:
        raise ApiError(2, "Photo not in set") from None
    rows = ctx.store.q(
        "SELECT p.* FROM set_photos sp JOIN photos p ON p.id=sp.photo_id WHERE sp.set_id=? ORDER BY sp.pos", (s["id"],)
    )
    rows = [r for r in rows if ctx.can_see(r)]
    if row["id"] not in {r["id"] for r in rows}:
        raise ApiError(2, "Photo not in set")
    return _context(ctx, rows, row["id"])


# =============================================================================
# EXIF, favourites, comments


@method("flickr.photos.getExif", args="photo_id secret?", errors=((1, "Photo not found"),))
def photos_get_exif(ctx: Ctx) -> list[Node]:
    """Retrieves a list of EXIF/TIFF/GPS tags for a given photo.

    Lists what the emulator's EXIF reader finds in the stored original (Make,
    Model, dates, exposure, ...; JPEG/TIFF only) in Flickr's current shape:
    ``<photo id secret server farm camera><exif tagspace tagspaceid tag label>
    <raw>...</raw>[<clean>...</clean>]</exif>...</photo>``.  No EXIF gives an
    empty ``exif`` list (JSON ``"exif": []``).
    """
    row = ctx.visible_photo(ctx.arg("photo_id"), ctx.arg("secret"))
    entries = []
    if row["media"] == "photo":
        path = ctx.store.blob_path(row["sha256"])
        try:
            with open(path, "rb") as f:
                head = f.read(HEAD_BYTES)
        except OSError:
            head = b""
        entries = exif_entries(head, row["format"])
    found = {e.tag: e.raw for e in entries}
    make, model = found.get("Make", ""), found.get("Model", "")
    camera = model if make and model.lower().startswith(make.lower()) else " ".join(p for p in (make, model) if p)
    node = Node(
        "photo",
        {
            "id": str(row["id"]),
            "secret": row["secret"],
            "server": row["server"],
            "farm": int(row["farm"]),
            "camera": camera,
        },
        lists={"exif"},
    )
    for e in entries:
        ex = node.add(Node("exif", {"tagspace": e.tagspace, "tagspaceid": 0, "tag": e.tag, "label": e.label}))
        ex.add(text_node("raw", e.raw))
        if e.clean is not None:
            ex.add(text_node("clean", e.clean))
    return [node]


@method("flickr.photos.getFavorites", args="photo_id page? per_page?", errors=((1, "Photo not found"),))
def photos_get_favorites(ctx: Ctx) -> list[Node]:
    """Returns the list of people who have favorited a given photo (always nobody here).

    ``<photo id secret server farm page pages perpage total>`` with an empty
    ``person`` list (JSON ``"person": []``); ``per_page`` defaults to 10, max 50.
    """
    row = ctx.visible_photo(ctx.arg("photo_id"))
    pg = paginate([], ctx.arg("page"), ctx.arg("per_page"), 10)
    per_page = min(pg.per_page, 50)
    return [
        Node(
            "photo",
            {
                "id": str(row["id"]),
                "secret": row["secret"],
                "server": row["server"],
                "farm": int(row["farm"]),
                "page": pg.page,
                "pages": pg.pages,
                "perpage": per_page,
                "total": str(pg.total),
            },
            lists={"person"},
        )
    ]


@method("flickr.photos.comments.getList", args="photo_id", errors=((1, "Photo not found"),))
def photos_comments(ctx: Ctx) -> list[Node]:
    """Returns the comments for a photo (always none here): ``<comments photo_id="..."/>``.

    With no comments Flickr sends no ``comment`` key at all (clients guard for it).
    """
    row = ctx.visible_photo(ctx.arg("photo_id"))
    return [Node("comments", {"photo_id": str(row["id"])})]


@method("flickr.photosets.comments.getList", args="photoset_id", errors=((1, "Photoset not found"),))
def photoset_comments(ctx: Ctx) -> list[Node]:
    """Returns the comments for a photoset (always none here): ``<comments photoset_id="..."/>``."""
    s = _visible_set(ctx, ctx.arg("photoset_id"))
    return [Node("comments", {"photoset_id": s["id"]})]


# =============================================================================
# licenses, content type, safety level, perms


@method("flickr.photos.licenses.getInfo")
def licenses_get_info(ctx: Ctx) -> list[Node]:
    """Fetches a list of available photo licenses for Flickr.

    Ids 0-10 with Flickr's names and URLs (``url=""`` for All Rights Reserved).
    """
    node = Node("licenses", lists={"license"})
    for lid, name, url in LICENSES:
        node.add(Node("license", {"id": lid, "name": name, "url": url}))
    return [node]


@method(
    "flickr.photos.licenses.setLicense",
    perm="write",
    args="photo_id license_id",
    errors=((1, "Photo not found"), (2, "License not found")),
)
def licenses_set(ctx: Ctx) -> list[Node]:
    """Sets the license for a photo (empty answer)."""
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        lid = (ctx.arg("license_id") or "").strip()
        if lid not in _LICENSE_IDS:
            raise ApiError(2, "License not found")
        ctx.store.update_photo(row["id"], license=lid)
    return []


@method(
    "flickr.photos.setContentType",
    perm="write",
    args="photo_id content_type",
    errors=((1, "Photo not found"), (2, "Required arguments missing")),
)
def photos_set_content_type(ctx: Ctx) -> list[Node]:
    """Set the content type of a photo (1 photo, 2 screenshot, 3 other).

    Answer: ``<photo id="..." content_type="3"/>`` (R22 example).
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
    errors=((1, "Photo not found"), (2, "Invalid or missing arguments")),
)
def photos_set_safety_level(ctx: Ctx) -> list[Node]:
    """Set the safety level of a photo (1 safe, 2 moderate, 3 restricted) and/or hide it from search.

    Answer: ``<photo id="..." safety_level="..." hidden="0|1"/>`` (R22 example).
    ``safety_level`` there uses the same 0-based scale as ``getInfo``'s
    ``safety_level`` (0 safe ... 2 restricted) -- (inferred).
    """
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        level = (ctx.arg("safety_level") or "").strip()
        hidden = (ctx.arg("hidden") or "").strip()
        fields: dict = {}
        if level in ("1", "2", "3"):
            fields["safety_level"] = int(level) - 1
        if hidden in ("0", "1"):
            fields["hidden"] = 2 if hidden == "1" else 1
        if not fields:
            raise ApiError(2, "Invalid or missing arguments")
        ctx.store.update_photo(row["id"], **fields)
        row = ctx.store.photo(row["id"])
    return [
        Node(
            "photo",
            {"id": str(row["id"]), "safety_level": str(row["safety_level"]), "hidden": 1 if row["hidden"] == 2 else 0},
        )
    ]


# =============================================================================
# counts and simple listings


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
            n = ctx.store.q1(
                "SELECT COUNT(*) AS n FROM photos WHERE owner=? AND dateupload>=? AND dateupload<?", (owner, lo, hi)
            )["n"]
            node.add(Node("photocount", {"count": n, "fromdate": str(lo), "todate": str(hi)}))
    elif ctx.arg("taken_dates"):
        taken = sorted({t for t in (parse_taken(d) for d in (ctx.arg("taken_dates") or "").split(",")) if t})
        for lo, hi in zip(taken, taken[1:], strict=False):
            n = ctx.store.q1(
                "SELECT COUNT(*) AS n FROM photos WHERE owner=? AND datetaken>=? AND datetaken<?", (owner, lo, hi)
            )["n"]
            node.add(Node("photocount", {"count": n, "fromdate": lo, "todate": hi}))
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
    """Returns a list of your geo-tagged photos (always empty: the emulator stores no geodata)."""
    pg = paginate([], ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, [], parse_extras(ctx.arg("extras")))]


@method(
    "flickr.photos.getWithoutGeoData",
    perm="read",
    args="min_upload_date? max_upload_date? min_taken_date? max_taken_date? privacy_filter? media? "
    "extras? per_page? page?",
)
def photos_without_geo(ctx: Ctx) -> list[Node]:
    """Returns a list of your photos which haven't been geo-tagged (all of them here)."""
    rows = select_photos(ctx, owner=ctx.caller.nsid, **list_filters(ctx))
    pg = paginate(rows, ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, pg.items, parse_extras(ctx.arg("extras")))]


@method(
    "flickr.photos.geo.getLocation",
    args="photo_id",
    errors=((1, "Photo not found"), (2, "Photo has no location information.")),
)
def photos_geo_location(ctx: Ctx) -> list[Node]:
    """Get the geo data for a photo (the emulator has none: error 2 for any visible photo)."""
    ctx.visible_photo(ctx.arg("photo_id"))
    raise ApiError(2, "Photo has no location information.")


@method("flickr.test.null", perm="read")
def test_null(ctx: Ctx) -> list[Node]:
    """Null test: succeeds (empty answer) for any call with read permission."""
    return []


@method("flickr.collections.getTree", args="user_id?", errors=((1, "User not found"),))
def collections_get_tree(ctx: Ctx) -> list[Node]:
    """Returns a tree of collections (always empty: ``<collections/>``, JSON ``"collection": []``)."""
    uid = ctx.arg("user_id")
    if uid and ctx.resolve_user(uid) is None:
        raise ApiError(1, "User not found")
    return [Node("collections", lists={"collection"})]
