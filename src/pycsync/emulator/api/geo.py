"""``flickr.photos.geo.*``: the emulator stores no geodata."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx


@method(
    "flickr.photos.geo.getLocation",
    args="photo_id",
    errors=((1, "Photo not found"), (2, "Photo has no location information.")),
)
def photos_geo_location(ctx: Ctx) -> list[Node]:
    """Get the geo data for a photo (the emulator has none: error 2 for any visible photo)."""
    ctx.visible_photo(ctx.arg("photo_id"))
    raise ApiError(2, "Photo has no location information.")
