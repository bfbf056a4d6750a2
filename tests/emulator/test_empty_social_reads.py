"""Reads of things the emulator never has -- favourites, comments, collections, geodata --
answer well-formed empty results that clients parse without special cases."""

from __future__ import annotations

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def test_photo_favorites_comments_geo(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1), is_public=0)
    fav = api.ok("flickr.photos.getFavorites", photo_id=pid)["photo"]
    assert fav["id"] == pid and fav["person"] == [] and fav["total"] == "0" and fav["perpage"] == 10
    assert api.ok("flickr.photos.comments.getList", photo_id=pid) == {"comments": {"photo_id": pid}, "stat": "ok"}
    root = api.xml("flickr.photos.comments.getList", photo_id=pid)
    assert root.find("comments").attrib == {"photo_id": pid} and list(root.find("comments")) == []
    api.fail("flickr.photos.geo.getLocation", 2, photo_id=pid)
    for m in ("flickr.photos.getFavorites", "flickr.photos.comments.getList", "flickr.photos.geo.getLocation"):
        Api(emulator, signed=False).fail(m, 1, photo_id=pid)  # private: looks like not found


def test_photoset_comments_and_collections(emulator):
    api = Api(emulator)
    sid = api.create_set("S", api.upload_id(make_jpeg_bytes(seed=1)))
    assert api.ok("flickr.photosets.comments.getList", photoset_id=sid) == {
        "comments": {"photoset_id": sid},
        "stat": "ok",
    }
    api.fail("flickr.photosets.comments.getList", 1, photoset_id="72157000000000000")
    assert api.ok("flickr.collections.getTree")["collections"] == {"collection": []}
    assert api.ok("flickr.collections.getTree", user_id=emulator.user_nsid)["collections"] == {"collection": []}
    api.fail("flickr.collections.getTree", 1, user_id="nobody")


def test_test_null(emulator):
    assert Api(emulator).call("flickr.test.null") == {"stat": "ok"}
    Api(emulator, signed=False).fail("flickr.test.null", 99)
