"""``flickr.photosets.*`` reads: the list of sets, one set's info, its photos, a photo's context."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import ApiError
from ..registry import method
from ..render import Node, num, numstr, text_node
from .context import Ctx
from .params import id_list, int_arg, parse_extras
from .records import add_extras, context_nodes, paginate, photo_record
from .set_access import primary_for, set_counts, visible_set


def _cover(prim: sqlite3.Row | None, s: sqlite3.Row) -> dict[str, Any]:
    """primary, secret, server, farm of a set's cover photo."""
    return {
        "primary": str(prim["id"] if prim else s["primary_id"]),
        "secret": prim["secret"] if prim else "",
        "server": prim["server"] if prim else "",
        "farm": int(prim["farm"]) if prim else 0,
    }


def _list_entry(
    ctx: Ctx, s: sqlite3.Row, counts: tuple[int, int], owner_view: bool, requested: set[int], extras: list[str]
) -> Node:
    ph, vi = counts
    prim = primary_for(ctx, s, not owner_view)
    a: dict[str, Any] = {"id": s["id"], **_cover(prim, s)}
    a.update(
        {
            "photos": num(ph),
            "videos": num(vi),
            "needs_interstitial": 0,
            "visibility_can_see_set": 1,
            "count_views": numstr(s["views"]),
            "count_comments": numstr(0),
            "can_comment": int(owner_view),
            "date_create": str(s["date_create"]),
            "date_update": str(s["date_update"]),
        }
    )
    if requested:
        a["has_requested_photos"] = len(set(ctx.store.set_members(s["id"])) & requested)
    sn = Node("photoset", a)
    sn.add(text_node("title", s["title"]))
    sn.add(text_node("description", s["description"]))
    if extras and prim is not None:
        pe = sn.add(Node("primary_photo_extras"))
        add_extras(ctx, pe, prim, extras, ctx.store.tags_for([prim["id"]])[prim["id"]])
    return sn


@method(
    "flickr.photosets.getList",
    args="user_id? page? per_page? primary_photo_extras? photo_ids?",
    errors=((1, "User not found"),),
)
def photosets_get_list(ctx: Ctx) -> list[Node]:
    user = ctx.user_or_caller()
    owner_view = user["nsid"] == ctx.caller.nsid
    sets = ctx.store.q("SELECT * FROM sets WHERE owner=? ORDER BY sort, id", (user["nsid"],))
    entries = []
    for s in sets:
        ph, vi = set_counts(ctx, s["id"], not owner_view)
        if not owner_view and ph + vi == 0:
            continue
        entries.append((s, (ph, vi)))
    pg = paginate(entries, ctx.arg("page"), ctx.arg("per_page"), 500)
    attrs = pg.attrs("number")  # all four are numbers in getList's answer
    if owner_view:  # only the owner may create sets
        attrs["cancreate"] = 1
    node = Node("photosets", attrs, lists={"photoset"})
    requested = {int(p) for p in id_list(ctx.arg("photo_ids")) if p.isdigit()}
    extras = parse_extras(ctx.arg("primary_photo_extras"))
    for s, counts in pg.items:
        node.add(_list_entry(ctx, s, counts, owner_view, requested, extras))
    return [node]


@method(
    "flickr.photosets.getInfo", args="photoset_id user_id?", errors=((1, "Photoset not found"), (2, "User not found"))
)
def photosets_get_info(ctx: Ctx) -> list[Node]:
    s = visible_set(ctx, ctx.arg("photoset_id"), ctx.arg("user_id"))
    owner_view = s["owner"] == ctx.caller.nsid
    ph, vi = set_counts(ctx, s["id"], not owner_view)
    prim = primary_for(ctx, s, not owner_view)
    owner = ctx.user_row(s["owner"])
    a: dict[str, Any] = {"id": s["id"], "owner": s["owner"], "username": owner["username"] if owner else ""}
    a.update(_cover(prim, s))
    a.update(
        {
            "photos": num(ph + vi),
            "needs_interstitial": 0,
            "visibility_can_see_set": 1,
            "count_views": numstr(s["views"]),
            "count_comments": numstr(0),
            "count_photos": num(ph),
            "count_videos": num(vi),
            "can_comment": int(owner_view),
            "date_create": str(s["date_create"]),
            "date_update": str(s["date_update"]),
        }
    )
    node = Node("photoset", a)
    node.add(text_node("title", s["title"]))
    node.add(text_node("description", s["description"]))
    return [node]


# privacy_filter -> (is_public, is_friend, is_family) it selects (1: any public photo)
_PRIVACY_FLAGS = {2: (0, 1, 0), 3: (0, 0, 1), 4: (0, 1, 1), 5: (0, 0, 0)}


def _listed(r: sqlite3.Row, owner_view: bool, media: str, pf: int) -> bool:
    """Whether a member is listed: visible, of the asked media, matching ``privacy_filter``
    (which only the owner may use)."""
    if not owner_view and not r["is_public"]:
        return False
    if media in ("photos", "photo") and r["media"] != "photo":
        return False
    if media in ("videos", "video") and r["media"] != "video":
        return False
    if not (pf and owner_view):
        return True
    flags = (r["is_public"], r["is_friend"], r["is_family"])
    return flags[0] == 1 if pf == 1 else flags == _PRIVACY_FLAGS.get(pf, flags)


@method(
    "flickr.photosets.getPhotos",
    args="photoset_id user_id? extras? privacy_filter? media? per_page? page?",
    errors=((1, "Photoset not found"), (2, "User not found")),
)
def photosets_get_photos(ctx: Ctx) -> list[Node]:
    s = visible_set(ctx, ctx.arg("photoset_id"), ctx.arg("user_id"))
    owner = ctx.user_row(s["owner"])
    owner_view = s["owner"] == ctx.caller.nsid
    media = (ctx.arg("media") or "all").strip().lower()
    pf = int_arg(ctx.arg("privacy_filter"), 0)
    rows = ctx.store.q(
        "SELECT p.* FROM set_photos sp JOIN photos p ON p.id=sp.photo_id WHERE sp.set_id=? ORDER BY sp.pos", (s["id"],)
    )
    pg = paginate([r for r in rows if _listed(r, owner_view, media, pf)], ctx.arg("page"), ctx.arg("per_page"), 500)
    extras = parse_extras(ctx.arg("extras"))
    tags = ctx.store.tags_for([r["id"] for r in pg.items]) if ({"tags", "machine_tags"} & set(extras)) else {}
    node = Node(
        "photoset",
        {
            "id": s["id"],
            "primary": str(s["primary_id"]),
            "owner": s["owner"],
            "ownername": owner["username"] if owner else "",
            **pg.attrs(per_page=True),
            "title": s["title"],
        },
        lists={"photo"},
    )
    for r in pg.items:
        isprimary = "1" if r["id"] == s["primary_id"] else "0"
        node.add(photo_record(ctx, r, extras, tags.get(r["id"], []), with_owner=False, isprimary=isprimary))
    return [node]


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
        s = visible_set(ctx, ctx.arg("photoset_id"))
    except ApiError:
        raise ApiError(2, "Photo not in set") from None
    rows = ctx.store.q(
        "SELECT p.* FROM set_photos sp JOIN photos p ON p.id=sp.photo_id WHERE sp.set_id=? ORDER BY sp.pos", (s["id"],)
    )
    rows = [r for r in rows if ctx.can_see(r)]
    if row["id"] not in {r["id"] for r in rows}:
        raise ApiError(2, "Photo not in set")
    return context_nodes(ctx, rows, row["id"])
