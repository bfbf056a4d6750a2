"""``flickr.photos.geo.*``: a photo's position (read from its EXIF GPS on upload)."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx
from .records import coordinate


@method(
    "flickr.photos.geo.getLocation",
    args="photo_id",
    errors=((1, "Photo not found"), (2, "Photo has no location information.")),
)
def photos_geo_location(ctx: Ctx) -> list[Node]:
    """Get the geo data for a photo: ``<photo id><location latitude longitude accuracy context/></photo>``
    (error 2 when it has none the caller may see; Flickr adds place names the emulator does not know)."""
    row = ctx.visible_photo(ctx.arg("photo_id"))
    if not ctx.location_visible(row):
        raise ApiError(2, "Photo has no location information.")
    node = Node("photo", {"id": str(row["id"])})
    position = {
        "latitude": coordinate(row["latitude"]),
        "longitude": coordinate(row["longitude"]),
        "accuracy": str(row["accuracy"]),
        "context": "0",
    }
    node.add(Node("location", dict(position)))
    return [node]
