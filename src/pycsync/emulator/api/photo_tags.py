"""``flickr.photos.addTags`` / ``setTags`` / ``removeTag``: a photo's tags and who may change them.

Real behaviour modelled (docs/flickr-behaviour.md, "Tags"): a photo carries each clean form once,
at most 75 tags in all (by every author); the owner may add, set and remove; anyone else may add
tags when the photo's ``perm_addmeta`` lets them (the emulator has no contacts, so only
"everybody", 3) and remove the tags they added themselves; every change moves ``lastupdate``.
"""

from __future__ import annotations

import sqlite3

from ..errors import ApiError, photo_not_found
from ..registry import method
from ..render import Node
from ..store import sql_int
from ..tags import MAX_TAGS_PER_PHOTO, Tag, parse_tag_string, plain_clean
from .context import Ctx
from .records import tag_id

_PERM_EVERYBODY = 3


def _taggable_photo(ctx: Ctx, photo_id: str | None) -> sqlite3.Row:
    """The photo the caller may add tags to (error 1 "Photo not found" otherwise)."""
    row = ctx.store.photo(photo_id) if photo_id else None
    if row is None:
        raise photo_not_found()
    if ctx.is_owner(row) or (ctx.can_see(row) and int(row["perm_addmeta"]) >= _PERM_EVERYBODY):
        return row
    raise photo_not_found()


def _added_node(ctx: Ctx, photo: sqlite3.Row, tags: list[Tag]) -> Node:
    """addTags' answer: the request's tags as the photo now has them, each with its short ``id`` and
    ``full_tag_id``. As recorded (2014), the answer writes every tag in its plain clean form with
    ``machine_tag`` 0, even a machine tag (``location:country=Iceland`` -> ``locationcountryiceland``)."""
    stored = {t["clean"]: t for t in ctx.store.tags_for([photo["id"]])[photo["id"]]}
    node = Node("tags", lists={"tag"})
    for tag in tags:
        row = stored.get(tag.clean)
        if row is None:
            continue
        author = ctx.user_row(row["author"])
        attrs = {"author": row["author"], "authorname": author["username"] if author else "", "raw": row["raw"]}
        attrs.update(machine_tag=0, full_tag_id=tag_id(ctx, row, photo["owner"]), id=str(row["tag_id"]))
        node.add(Node("tag", dict(attrs), text=plain_clean(row["raw"])))
    return node


@method(
    "flickr.photos.addTags",
    perm="write",
    args="photo_id tags",
    errors=((1, "Photo not found"), (2, "Maximum number of tags reached")),
)
def photos_add_tags(ctx: Ctx) -> list[Node]:
    """Add tags to a photo: all or nothing (error 2 when they would pass 75 on the photo); a tag the
    photo already has (same clean form, whoever added it) is left as it is."""
    tags = parse_tag_string(ctx.arg("tags"))
    store = ctx.store
    with store.tx():
        row = _taggable_photo(ctx, ctx.arg("photo_id"))
        have = {t["clean"] for t in store.tags_for([row["id"]])[row["id"]]}
        new = [t for t in tags if t.clean not in have]
        if len(have) + len(new) > MAX_TAGS_PER_PHOTO:
            raise ApiError(2, "Maximum number of tags reached")
        if store.insert_tags(row["id"], ctx.caller.nsid, new):
            store.update_photo(row["id"])
        return [_added_node(ctx, row, tags)]


@method(
    "flickr.photos.setTags",
    perm="write",
    args="photo_id tags",
    errors=((1, "Photo not found"), (2, "Maximum number of tags reached")),
)
def photos_set_tags(ctx: Ctx) -> list[Node]:
    """Set the tags for a photo (its owner only): afterwards it has exactly the given tags, others'
    included (``set_tags_keeps_others``: tags other people added stay, *unverified* alternative).
    A tag kept from before keeps its author and raw form."""
    tags = parse_tag_string(ctx.arg("tags"))
    store = ctx.store
    with store.tx():
        row = ctx.own_photo(ctx.arg("photo_id"))
        wanted = {t.clean for t in tags}
        current = store.tags_for([row["id"]])[row["id"]]
        dropped = [t["id"] for t in current if t["clean"] not in wanted and _replaced(ctx, t, row)]
        after = {t["clean"] for t in current if t["id"] not in dropped} | wanted
        if len(after) > MAX_TAGS_PER_PHOTO:
            raise ApiError(2, "Maximum number of tags reached")
        store.x(f"DELETE FROM tags WHERE id IN ({','.join('?' * len(dropped))})", dropped)
        store.insert_tags(row["id"], ctx.caller.nsid, tags)
        store.update_photo(row["id"])
    return []


def _replaced(ctx: Ctx, tag: sqlite3.Row, photo: sqlite3.Row) -> bool:
    """Whether setTags by the owner takes this tag away when it is not in the new list."""
    return tag["author"] == photo["owner"] or not ctx.config.set_tags_keeps_others


def _tag_by_id(ctx: Ctx, full_id: str) -> sqlite3.Row | None:
    """The tag a full id (``<owner>-<photo>-<tag>``, as getInfo gives it) names on its photo."""
    parts = full_id.strip().split("-")
    if len(parts) != 3:
        return None
    photo, number = sql_int(parts[1]), sql_int(parts[2])
    if photo is None or number is None:
        return None
    return ctx.store.q1("SELECT * FROM tags WHERE photo_id=? AND tag_id=?", (photo, number))


@method("flickr.photos.removeTag", perm="write", args="tag_id", errors=((1, "Tag not found"),))
def photos_remove_tag(ctx: Ctx) -> list[Node]:
    """Remove a tag: the photo's owner may remove any, anyone else only a tag they added (error 1
    "Tag not found" otherwise, as for a tag that does not exist)."""
    with ctx.store.tx():
        t = _tag_by_id(ctx, ctx.arg("tag_id") or "")
        photo = ctx.store.photo(t["photo_id"]) if t is not None else None
        if t is None or photo is None or not (ctx.is_owner(photo) or t["author"] == ctx.caller.nsid):
            raise ApiError(1, "Tag not found")
        ctx.store.x("DELETE FROM tags WHERE id=?", (t["id"],))
        ctx.store.update_photo(photo["id"])
    return []
