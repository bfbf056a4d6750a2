"""``flickr.photosets.*`` writes: create, add/remove photos, edit, reorder, delete, order the sets."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx
from .params import id_list
from .set_access import own_set


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
        n = store.one("SELECT COUNT(*) AS n, MIN(sort) AS lo FROM sets WHERE owner=?", (ctx.caller.nsid,))
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
        s = own_set(ctx, ctx.arg("photoset_id"))
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
                (store.one("SELECT MAX(pos) AS m FROM set_photos WHERE set_id=?", (s["id"],))["m"] or 0) + 1,
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
        s = own_set(ctx, ctx.arg("photoset_id"))
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
        s = own_set(ctx, ctx.arg("photoset_id"))
        ids = id_list(ctx.arg("photo_ids"))
        if not ids:
            raise ApiError(2, "Photo not found")
        drop = {ctx.own_photo(i, 2, "Photo not found")["id"] for i in ids}
        store.write_members(s["id"], [m for m in store.set_members(s["id"]) if m not in drop])
    return []


@method("flickr.photosets.delete", perm="write", args="photoset_id", errors=((1, "Photoset not found"),))
def photosets_delete(ctx: Ctx) -> list[Node]:
    with ctx.store.tx():
        s = own_set(ctx, ctx.arg("photoset_id"))
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
        s = own_set(ctx, ctx.arg("photoset_id"))
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
        s = own_set(ctx, ctx.arg("photoset_id"))
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
        s = own_set(ctx, ctx.arg("photoset_id"))
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
        s = own_set(ctx, ctx.arg("photoset_id"))
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
            own_set(ctx, i)
        ids_set = set(ids)
        others = [
            r["id"]
            for r in ctx.store.q("SELECT id FROM sets WHERE owner=? ORDER BY id", (ctx.caller.nsid,))
            if r["id"] not in ids_set
        ]
        for pos, sid in enumerate(ids + others):
            ctx.store.x("UPDATE sets SET sort=? WHERE id=?", (pos, sid))
    return []
