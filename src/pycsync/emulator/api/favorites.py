"""``flickr.favorites.*``: nobody faves anything in the emulator; the lists are standard photos
responses, always empty."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx
from .params import parse_extras
from .records import paginate, photos_node


def _no_favorites(ctx: Ctx) -> list[Node]:
    pg = paginate([], ctx.arg("page"), ctx.arg("per_page"), 100)
    return [photos_node(ctx, pg, [], parse_extras(ctx.arg("extras")))]


@method("flickr.favorites.getList", args="user_id? extras? per_page? page?", errors=((1, "User not found"),))
def favorites_get_list(ctx: Ctx) -> list[Node]:
    """Return a list of the user's favorite photos (standard photos response; always empty).

    Without ``user_id`` the calling user's favourites are listed.
    """
    ctx.user_or_caller()
    return _no_favorites(ctx)


@method("flickr.favorites.getPublicList", args="user_id extras? per_page? page?", errors=((1, "User not found"),))
def favorites_get_public_list(ctx: Ctx) -> list[Node]:
    """Return a list of favorite public photos for the given user (always empty)."""
    if ctx.resolve_user(ctx.arg("user_id")) is None:
        raise ApiError(1, "User not found")
    return _no_favorites(ctx)
