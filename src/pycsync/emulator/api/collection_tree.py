"""``flickr.collections.*``: the emulator has no collections."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx


@method("flickr.collections.getTree", args="user_id?", errors=((1, "User not found"),))
def collections_get_tree(ctx: Ctx) -> list[Node]:
    """Returns a tree of collections (always empty: ``<collections/>``, JSON ``"collection": []``)."""
    uid = ctx.arg("user_id")
    if uid and ctx.resolve_user(uid) is None:
        raise ApiError(1, "User not found")
    return [Node("collections", lists={"collection"})]
