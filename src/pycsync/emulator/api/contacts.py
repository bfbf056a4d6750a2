"""``flickr.contacts.*``: the emulator has no social graph, so contact lists are always empty,
but well-formed and paged."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx
from .records import paginate


def _empty_list(ctx: Ctx, name: str, item: str, default_pp: int) -> Node:
    pg = paginate([], ctx.arg("page"), ctx.arg("per_page"), default_pp)
    return Node(
        name,
        {"page": pg.page, "pages": pg.pages, "per_page": pg.per_page, "perpage": pg.per_page, "total": str(pg.total)},
        lists={item},
    )


@method("flickr.contacts.getList", perm="read", args="page? per_page?")
def contacts_get_list(ctx: Ctx) -> list[Node]:
    """Get a list of contacts for the calling user (always empty in the emulator).

    ``<contacts page="1" pages="0" per_page="..." perpage="..." total="0"/>``;
    the JSON carries ``"contact": []``.  (flickrapi's ``walk_contacts`` reads
    ``pages`` off this element.)  ``per_page`` is capped at 500 like every
    emulator list.
    """
    return [_empty_list(ctx, "contacts", "contact", 1000)]


@method("flickr.contacts.getPublicList", args="user_id page? per_page?", errors=((1, "User not found"),))
def contacts_get_public_list(ctx: Ctx) -> list[Node]:
    """Get the contact list for a user (always empty in the emulator)."""
    if ctx.resolve_user(ctx.arg("user_id")) is None:
        raise ApiError(1, "User not found")
    return [_empty_list(ctx, "contacts", "contact", 1000)]
