"""``flickr.photos.licenses.*``: Flickr's license list and setting a photo's license."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx

# flickr.photos.licenses.getInfo as Flickr answers it (ids 0-10; names are matched verbatim by clients,
# e.g. flickr-photos-api maps them by name)
LICENSES: list[tuple[str, str, str]] = [
    ("0", "All Rights Reserved", ""),
    ("1", "Attribution-NonCommercial-ShareAlike License", "https://creativecommons.org/licenses/by-nc-sa/2.0/"),
    ("2", "Attribution-NonCommercial License", "https://creativecommons.org/licenses/by-nc/2.0/"),
    ("3", "Attribution-NonCommercial-NoDerivs License", "https://creativecommons.org/licenses/by-nc-nd/2.0/"),
    ("4", "Attribution License", "https://creativecommons.org/licenses/by/2.0/"),
    ("5", "Attribution-ShareAlike License", "https://creativecommons.org/licenses/by-sa/2.0/"),
    ("6", "Attribution-NoDerivs License", "https://creativecommons.org/licenses/by-nd/2.0/"),
    ("7", "No known copyright restrictions", "https://www.flickr.com/commons/usage/"),
    ("8", "United States Government Work", "https://www.usa.gov/government-copyright"),
    ("9", "Public Domain Dedication (CC0)", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("10", "Public Domain Mark", "https://creativecommons.org/publicdomain/mark/1.0/"),
]
_LICENSE_IDS = {lic[0] for lic in LICENSES}


@method("flickr.photos.licenses.getInfo")
def licenses_get_info(ctx: Ctx) -> list[Node]:
    """Fetches a list of available photo licenses for Flickr.

    Ids 0-10 with Flickr's names and URLs (``url=""`` for All Rights Reserved).
    """
    node = Node("licenses", lists={"license"})
    for lid, name, url in LICENSES:
        node.add(Node("license", {"id": lid, "name": name, "url": url}))
    return [node]


@method(
    "flickr.photos.licenses.setLicense",
    perm="write",
    args="photo_id license_id",
    errors=((1, "Photo not found"), (2, "License not found")),
)
def licenses_set(ctx: Ctx) -> list[Node]:
    """Sets the license for a photo (empty answer)."""
    with ctx.store.lock:
        row = ctx.own_photo(ctx.arg("photo_id"))
        lid = (ctx.arg("license_id") or "").strip()
        if lid not in _LICENSE_IDS:
            raise ApiError(2, "License not found")
        ctx.store.update_photo(row["id"], license=lid)
    return []
