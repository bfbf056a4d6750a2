"""``flickr.photos.comments.*`` / ``flickr.photosets.comments.*``: nobody comments in the emulator."""

from __future__ import annotations

from ..registry import method
from ..render import Node
from .context import Ctx
from .set_access import visible_set


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
    s = visible_set(ctx, ctx.arg("photoset_id"))
    return [Node("comments", {"photoset_id": s["id"]})]
