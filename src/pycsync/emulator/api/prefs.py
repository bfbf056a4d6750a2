"""``flickr.prefs.*``: the calling user's defaults for new photos (docs/flickr-behaviour.md, "Prefs").

Each answers ``<person nsid="..." NAME="N"/>`` with ``N`` a JSON number (recorded 2014). The values
are what an upload that leaves the field out gets (privacy, safety level, content type, hidden) and
what a new location's visibility is (geo perms; 0 means the user never chose, and
``flickr.photos.geo.setLocation`` then fails with error 7).
"""

from __future__ import annotations

from ..accounts import PRIVACY_PREFS, Account
from ..registry import method
from ..render import Node
from .context import Ctx


def _person(ctx: Ctx, **values: int) -> list[Node]:
    return [Node("person", {"nsid": ctx.caller_row()["nsid"], **values})]


def _account(ctx: Ctx) -> Account:
    return ctx.backend.account(ctx.caller_row()["nsid"])


@method("flickr.prefs.getGeoPerms", perm="read")
def prefs_get_geo_perms(ctx: Ctx) -> list[Node]:
    """Returns the default privacy level for geographic information attached to the user's photos
    and whether or not the user has chosen to use geo-related EXIF information to automatically
    geotag their photos: ``geoperms`` 0 none set, 1 public, 2 contacts, 3 friends and family,
    4 friends, 5 family, 6 private; ``importgeoexif`` 0/1."""
    account = _account(ctx)
    return _person(ctx, geoperms=account.geo_perms, importgeoexif=int(account.geo_import))


@method("flickr.prefs.getPrivacy", perm="read")
def prefs_get_privacy(ctx: Ctx) -> list[Node]:
    """Returns the default privacy level preference for the user: 1 public, 2 friends only,
    3 family only, 4 friends and family, 5 private."""
    return _person(ctx, privacy=PRIVACY_PREFS[_account(ctx).default_privacy])


@method("flickr.prefs.getSafetyLevel", perm="read")
def prefs_get_safety_level(ctx: Ctx) -> list[Node]:
    """Returns the default safety level preference for the user: 1 safe, 2 moderate, 3 restricted."""
    return _person(ctx, safety_level=_account(ctx).safety_level)


@method("flickr.prefs.getContentType", perm="read")
def prefs_get_content_type(ctx: Ctx) -> list[Node]:
    """Returns the default content type preference for the user: 1 photo, 2 screenshot, 3 other."""
    return _person(ctx, content_type=_account(ctx).content_type)


@method("flickr.prefs.getHidden", perm="read")
def prefs_get_hidden(ctx: Ctx) -> list[Node]:
    """Returns the default hidden preference for the user: 1 shown in public searches, 2 hidden
    (the scale of the upload's ``hidden``)."""
    return _person(ctx, hidden=_account(ctx).hidden)
