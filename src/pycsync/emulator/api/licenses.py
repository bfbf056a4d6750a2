"""``flickr.photos.licenses.*``: Flickr's license list and setting a photo's license."""

from __future__ import annotations

from ..errors import ApiError
from ..registry import method
from ..render import Node
from .context import Ctx

# flickr.photos.licenses.getInfo as Flickr answers it today (recorded 2025), in its order: the
# Creative Commons 2.0 licenses under their short names, then 7-10, then the CC 4.0 licenses 11-16
_CC = "https://creativecommons.org/licenses"
LICENSES: list[tuple[str, str, str]] = [
    (
        "0",
        "All Rights Reserved",
        "https://www.flickrhelp.com/hc/en-us/articles/10710266545556-Using-Flickr-images-shared-by-other-members",
    ),
    ("4", "CC BY 2.0", f"{_CC}/by/2.0/"),
    ("6", "CC BY-ND 2.0", f"{_CC}/by-nd/2.0/"),
    ("3", "CC BY-NC-ND 2.0", f"{_CC}/by-nc-nd/2.0/"),
    ("2", "CC BY-NC 2.0", f"{_CC}/by-nc/2.0/"),
    ("1", "CC BY-NC-SA 2.0", f"{_CC}/by-nc-sa/2.0/"),
    ("5", "CC BY-SA 2.0", f"{_CC}/by-sa/2.0/"),
    ("7", "No known copyright restrictions", "https://www.flickr.com/commons/usage/"),
    ("8", "United States Government Work", "https://www.usa.gov/government-copyright"),
    ("9", "Public Domain Dedication (CC0)", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("10", "Public Domain Mark", "https://creativecommons.org/publicdomain/mark/1.0/"),
    ("11", "CC BY 4.0", f"{_CC}/by/4.0/"),
    ("12", "CC BY-SA 4.0", f"{_CC}/by-sa/4.0/"),
    ("13", "CC BY-ND 4.0", f"{_CC}/by-nd/4.0/"),
    ("14", "CC BY-NC 4.0", f"{_CC}/by-nc/4.0/"),
    ("15", "CC BY-NC-SA 4.0", f"{_CC}/by-nc-sa/4.0/"),
    ("16", "CC BY-NC-ND 4.0", f"{_CC}/by-nc-nd/4.0/"),
]
_LICENSE_IDS = {lic[0] for lic in LICENSES}


@method("flickr.photos.licenses.getInfo")
def licenses_get_info(ctx: Ctx) -> list[Node]:
    """Fetches a list of available photo licenses for Flickr.

    Ids 0-16 with Flickr's current names and URLs, in Flickr's order.
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
