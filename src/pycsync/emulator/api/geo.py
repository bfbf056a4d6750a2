"""``flickr.photos.geo.*``: a photo's location and who may see it (docs/flickr-behaviour.md, "Geo").

A location set by the owner (or read from an upload's EXIF GPS) is seen by whom the owner's
default geo privacy says (``flickr.prefs.getGeoPerms``); an owner who never chose one cannot set a
location at all (error 7). Coordinates keep six decimals, cut rather than rounded. Flickr adds
place names (locality, region, ``place_id``, ``woeid``) the emulator does not know.
"""

from __future__ import annotations

import sqlite3
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from ..accounts import GEO_FLAGS, geo_fields
from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx
from .params import bool01
from .records import geo_perm_flags, location_attrs

_MICRO = Decimal("0.000001")
_NO_LOCATION = "Photo has no location information"


def _degrees(value: str | None, limit: int) -> float | None:
    """A latitude (limit 90) or longitude (180) cut to six decimals; None if it is not one."""
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) > limit:
        return None
    return float(number.quantize(_MICRO, rounding=ROUND_DOWN))


def _accuracy(value: str | None) -> int:
    """1 (world) ... 16 (street), 16 when not given."""
    if value is None or not value.strip():
        return 16
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= 16:
        raise ApiError(5, "Not a valid accuracy.")
    return int(text)


def _context(value: str | None) -> int:
    """0 not defined, 1 indoors, 2 outdoors (anything else: not defined)."""
    text = (value or "").strip()
    return int(text) if text in ("0", "1", "2") else 0


def _located(row: sqlite3.Row) -> sqlite3.Row:
    """The caller's photo, when it has a location (error 2 otherwise)."""
    if row["latitude"] is None:
        raise ApiError(2, _NO_LOCATION)
    return row


@method(
    "flickr.photos.geo.setLocation",
    perm="write",
    args="photo_id lat lon accuracy? context?",
    errors=(
        (1, "Photo not found"),
        (2, "Required arguments missing."),
        (3, "Not a valid latitude."),
        (4, "Not a valid longitude."),
        (5, "Not a valid accuracy."),
        (7, "User has not configured default viewing settings for location data."),
    ),
)
def photos_geo_set_location(ctx: Ctx) -> list[Node]:
    """Sets the geo data (latitude and longitude and, optionally, the accuracy level) for a photo.

    Who may see it: a photo that had no location takes its owner's default geo privacy; one that
    had keeps its own (*inferred*). Empty answer.
    """
    with ctx.store.tx():
        row = ctx.own_photo(ctx.arg("photo_id"))
        if not (ctx.arg("lat") or "").strip() or not (ctx.arg("lon") or "").strip():
            raise ApiError(2, "Required arguments missing.")
        lat, lon = _degrees(ctx.arg("lat"), 90), _degrees(ctx.arg("lon"), 180)
        if lat is None:
            raise ApiError(3, "Not a valid latitude.")
        if lon is None:
            raise ApiError(4, "Not a valid longitude.")
        accuracy = _accuracy(ctx.arg("accuracy"))
        geo_perms = ctx.backend.account(row["owner"]).geo_perms
        if geo_perms not in GEO_FLAGS:
            raise ApiError(7, "User has not configured default viewing settings for location data.")
        fields = {"latitude": lat, "longitude": lon, "accuracy": accuracy, "geo_context": _context(ctx.arg("context"))}
        if row["latitude"] is None:
            fields.update(geo_fields(geo_perms))
        ctx.store.update_photo(row["id"], **fields)
    return []


@method(
    "flickr.photos.geo.getLocation",
    args="photo_id extras?",
    errors=((1, "Photo not found."), (2, "Photo has no location information.")),
)
def photos_geo_location(ctx: Ctx) -> list[Node]:
    """Get the geo data (latitude and longitude and the accuracy level) for a photo:
    ``<photo id><location latitude longitude accuracy context/></photo>``; error 2 when it has none
    the caller may see. (``extras`` asks for place data, which the emulator does not have.)"""
    ctx.arg("extras")
    row = ctx.visible_photo(ctx.arg("photo_id"))
    if not ctx.location_visible(row):
        raise ApiError(2, "Photo has no location information.")
    node = Node("photo", {"id": str(row["id"])})
    node.add(Node("location", location_attrs(row)))
    return [node]


@method(
    "flickr.photos.geo.removeLocation",
    perm="write",
    args="photo_id",
    errors=((1, "Photo not found"), (2, _NO_LOCATION)),
)
def photos_geo_remove_location(ctx: Ctx) -> list[Node]:
    """Removes the geo data associated with a photo (empty answer)."""
    with ctx.store.tx():
        row = _located(ctx.own_photo(ctx.arg("photo_id")))
        ctx.store.update_photo(row["id"], latitude=None, longitude=None, accuracy=0, geo_context=0)
    return []


@method(
    "flickr.photos.geo.getPerms",
    perm="read",
    args="photo_id",
    errors=((1, "Photo not found"), (2, _NO_LOCATION)),
)
def photos_geo_get_perms(ctx: Ctx) -> list[Node]:
    """Get permissions for who may view geo data for a photo:
    ``<perms id ispublic iscontact isfriend isfamily/>`` (its owner only)."""
    row = _located(ctx.own_photo(ctx.arg("photo_id")))
    return [Node("perms", {"id": str(row["id"]), **geo_perm_flags(row, prefix="is")})]


@method(
    "flickr.photos.geo.setPerms",
    perm="write",
    args="is_public is_contact is_friend is_family photo_id",
    errors=((1, "Photo not found"), (2, _NO_LOCATION), (3, "Required arguments missing.")),
)
def photos_geo_set_perms(ctx: Ctx) -> list[Node]:
    """Set the permission for who may view the geo data associated with a photo (empty answer)."""
    with ctx.store.tx():
        row = _located(ctx.own_photo(ctx.arg("photo_id")))
        flags = {}
        for k in ("is_public", "is_contact", "is_friend", "is_family"):
            flag = bool01(ctx.arg(k))
            if flag is None:
                raise ApiError(3, "Required arguments missing.")
            flags[f"geo_{k}"] = flag
        ctx.store.update_photo(row["id"], **flags)
    return []


@method(
    "flickr.photos.geo.setContext",
    perm="write",
    args="photo_id context",
    errors=((1, "Photo not found"), (2, "Not a valid context")),
)
def photos_geo_set_context(ctx: Ctx) -> list[Node]:
    """Indicate the state of a photo's geotagginess beyond latitude and longitude: 0 not defined,
    1 indoors, 2 outdoors (empty answer)."""
    with ctx.store.tx():
        row = ctx.own_photo(ctx.arg("photo_id"))
        value = (ctx.arg("context") or "").strip()
        if value not in ("0", "1", "2"):
            raise ApiError(2, "Not a valid context")
        ctx.store.update_photo(row["id"], geo_context=int(value))
    return []
