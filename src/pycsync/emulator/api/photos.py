"""``flickr.photos.*`` single-photo reads: info, sizes, contexts, EXIF, favourites, permissions."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import ApiError
from ..metadata import ExifEntry, read_embedded
from ..registry import method
from ..render import Flex, Node, Payload, Scalar, numstr, text_node
from ..sizes import page_suffix
from .context import Ctx
from .listing import select_photos
from .records import available_sizes, context_nodes, dims, geo_perm_flags, location_attrs, paginate, tag_node
from .set_access import set_counts


def _info_attrs(ctx: Ctx, row: sqlite3.Row) -> dict[str, Any]:
    a: dict[str, Any] = {
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
    if ctx.can_see(row):
        a["originalsecret"] = row["originalsecret"]
        a["originalformat"] = ctx.original_format(row)
    a["views"] = numstr(row["views"])
    a["media"] = row["media"]
    return a


def _owner_node(owner: sqlite3.Row | None) -> Node:
    return Node(
        "owner",
        {
            "nsid": owner["nsid"] if owner else "",
            "username": owner["username"] if owner else "",
            "realname": owner["fullname"] if owner else "",
            "location": owner["location"] if owner else "",
            "iconserver": "0",
            "iconfarm": 0,
            "path_alias": owner["path_alias"] if owner else None,
        },
    )


def _rights_nodes(ctx: Ctx, row: sqlite3.Row) -> list[Node]:
    """permissions (owner only), editability, publiceditability, usage."""
    is_owner = ctx.is_owner(row)
    out = []
    if is_owner:
        out.append(
            Node("permissions", {"permcomment": int(row["perm_comment"]), "permaddmeta": int(row["perm_addmeta"])})
        )
    out.append(Node("editability", {"cancomment": int(is_owner), "canaddmeta": int(is_owner)}))
    out.append(Node("publiceditability", {"cancomment": 1, "canaddmeta": 0}))
    usage: dict[str, Scalar] = {
        "candownload": int(ctx.can_see(row)),
        "canblog": int(is_owner),
        "canprint": int(is_owner),
        "canshare": 1,
    }
    out.append(Node("usage", usage))
    return out


def _location_nodes(ctx: Ctx, row: sqlite3.Row) -> list[Node]:
    """``<location>`` and ``<geoperms>`` for a photo with a location the caller may see (Flickr adds
    the place names it looks up; the emulator knows no places)."""
    if not ctx.location_visible(row):
        return []
    perms = geo_perm_flags(row, prefix="is")
    return [Node("location", location_attrs(row)), Node("geoperms", perms)]


@method("flickr.photos.getInfo", args="photo_id secret?", errors=((1, "Photo not found"),))
def photos_get_info(ctx: Ctx) -> list[Node]:
    row = ctx.visible_photo(ctx.arg("photo_id"), ctx.arg("secret"))
    node = Node("photo", _info_attrs(ctx, row))
    node.add(_owner_node(ctx.user_row(row["owner"])))
    node.add(text_node("title", row["title"]))
    node.add(text_node("description", row["description"]))
    flags: dict[str, Scalar] = {
        "ispublic": int(row["is_public"]),
        "isfriend": int(row["is_friend"]),
        "isfamily": int(row["is_family"]),
    }
    node.add(Node("visibility", flags))
    dates: dict[str, Scalar] = {
        "posted": str(row["dateupload"]),
        "taken": row["datetaken"],
        "takengranularity": numstr(int(row["takengranularity"])),
        "takenunknown": numstr(int(row["takenunknown"])),
        "lastupdate": str(row["lastupdate"]),
    }
    node.add(Node("dates", dates))
    for child in _rights_nodes(ctx, row):
        node.add(child)
    node.add(text_node("comments", "0"))
    node.add(Node("notes", lists={"note"}))
    node.add(Node("people", {"haspeople": 0}))
    tags_node = node.add(Node("tags", lists={"tag"}))
    for t in ctx.store.tags_for([row["id"]])[row["id"]]:
        tags_node.add(tag_node(ctx, t, row["owner"]))
    for child in _location_nodes(ctx, row):
        node.add(child)
    urls = node.add(Node("urls", lists={"url"}))
    urls.add(text_node("url", ctx.page_url(row), type="photopage"))
    if row["media"] == "video":
        w, h = (row["width"] or 0, row["height"] or 0)
        duration = int(row["duration"] or 0)  # as it plays: cut to the owner's limit
        node.add(Node("video", {"ready": 1, "failed": 0, "pending": 0, "duration": duration, "width": w, "height": h}))
    return [node]


# How real Flickr types the width and height of each size in JSON (mixed within one answer);
# sizes not listed are strings. (The typing option can override this: render.Typing.)
_REAL_SIZE_TYPES = {
    "Square": ("number", "number"),
    "Small 320": ("string", "number"),
    "Medium 800": ("string", "number"),
    "Large 1600": ("string", "number"),
    "Large 2048": ("string", "number"),
    "Video Player": ("number", "number"),
}


def _size(label: str, wh: tuple[int, int] | None, source: str, url: str, media: str = "photo") -> Node:
    w_type, h_type = _REAL_SIZE_TYPES.get(label, ("string", "string"))
    attrs: dict[str, Scalar] = {
        "label": label,
        "width": Flex(wh[0] if wh else None, w_type),
        "height": Flex(wh[1] if wh else None, h_type),
        "source": source,
        "url": url,
        "media": media,
    }
    return Node("size", attrs)


def _video_sizes(ctx: Ctx, row: sqlite3.Row) -> list[Node]:
    """The video renditions real Flickr lists after the poster's sizes: the player, the site and
    mobile MP4s (no dimensions), and for the owner only the original video."""
    page = ctx.page_url(row)
    player = f"{ctx.base}/apps/video/stewart.swf?v=1&photo_id={row['id']}&photo_secret={row['secret']}"
    out = [
        _size("Video Player", dims(row), player, page, "video"),
        _size("700", None, ctx.play_url(row, "700"), page, "video"),
        _size("iphone_wifi", None, ctx.play_url(row, "iphone_wifi"), page, "video"),
    ]
    if ctx.is_owner(row):
        orig = ctx.play_url(row, "orig")
        out.append(_size("Video Original", dims(row), orig, orig, "video"))
    return out


@method("flickr.photos.getSizes", args="photo_id", errors=((1, "Photo not found"),))
def photos_get_sizes(ctx: Ctx) -> list[Node]:
    """Returns the available sizes for a photo.

    A video's "Original" is its poster frame (a JPEG), as on Flickr; its renditions follow, and
    the original video file ("Video Original") is listed for its owner only. Unknown dimensions
    are ``null`` in JSON and ``""`` in XML, as Flickr sends for video renditions.
    """
    row = ctx.visible_photo(ctx.arg("photo_id"))
    is_owner = ctx.is_owner(row)
    node = Node(
        "sizes",
        {"canblog": int(is_owner), "canprint": int(is_owner), "candownload": int(ctx.can_see(row))},
        lists={"size"},
    )
    for label, suffix, wh in available_sizes(row):
        node.add(_size(label, wh, ctx.size_url(row, suffix), f"{ctx.page_url(row)}sizes/{page_suffix(suffix)}/"))
    if ctx.can_see(row):
        node.add(_size("Original", dims(row), ctx.size_url(row, "o"), f"{ctx.page_url(row)}sizes/o/"))
    if row["media"] == "video":
        for size in _video_sizes(ctx, row):
            node.add(size)
    return [node]


@method("flickr.photos.getAllContexts", args="photo_id", errors=((1, "Photo not found"),))
def photos_all_contexts(ctx: Ctx) -> list[Node]:
    row = ctx.visible_photo(ctx.arg("photo_id"))
    out = Payload(lists=("set", "pool"))
    for s in ctx.store.sets_of_photo(row["id"]):
        prim = ctx.store.photo(s["primary_id"])
        ph, vi = set_counts(ctx, s["id"], s["owner"] != ctx.caller.nsid)
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
    return context_nodes(ctx, rows, row["id"])


@method("flickr.photos.getExif", args="photo_id secret?", errors=((1, "Photo not found"), (2, "Permission denied")))
def photos_get_exif(ctx: Ctx) -> list[Node]:
    """Retrieves a list of EXIF/TIFF/GPS tags for a given photo.

    The EXIF fields of the stored original (read with exiv2) in Flickr's current shape:
    ``<photo id secret server farm camera><exif tagspace tagspaceid tag label>
    <raw>...</raw>[<clean>...</clean>]</exif>...</photo>``. No EXIF gives an empty ``exif``
    list (JSON ``"exif": []``). When the owner hides EXIF data, others get error 2.
    """
    row = ctx.visible_photo(ctx.arg("photo_id"), ctx.arg("secret"))
    if not ctx.is_owner(row) and ctx.backend.account(row["owner"]).hide_exif:
        raise ApiError(2, "Permission denied")
    entries: tuple[ExifEntry, ...] = ()
    if row["media"] == "photo":
        entries = read_embedded(ctx.store.blob_path(row["sha256"])).exif
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
