"""flickr.photos.getContext (photostream) and flickr.photosets.getContext (set order)."""

from __future__ import annotations

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def _three(api, **kw):
    return [api.upload_id(make_jpeg_bytes(seed=i), title=f"p{i}", **kw) for i in range(3)]


def test_photostream_context(emulator):
    api = Api(emulator)
    old, mid, new = _three(api)  # uploaded in this order: the stream lists newest first
    ctx = api.ok("flickr.photos.getContext", photo_id=mid)
    assert ctx["count"] == {"_content": 3}
    assert ctx["prevphoto"]["id"] == new and ctx["nextphoto"]["id"] == old
    prev = ctx["prevphoto"]
    assert prev["title"] == "p2" and prev["url"] == f"/photos/{emulator.user_nsid}/{new}/"
    assert prev["thumb"].endswith(f"/{new}_{prev['secret']}_s.jpg") and prev["farm"] == 66
    # at the ends the element is still there, with id 0
    assert api.ok("flickr.photos.getContext", photo_id=new)["prevphoto"] == {"id": 0}
    assert api.ok("flickr.photos.getContext", photo_id=old)["nextphoto"] == {"id": 0}
    root = api.xml("flickr.photos.getContext", photo_id=old)
    assert root.find("nextphoto").attrib == {"id": "0"} and root.find("prevphoto").get("id") == mid
    api.fail("flickr.photos.getContext", 1, photo_id="123")


def test_photostream_context_only_counts_visible_photos(emulator):
    api = Api(emulator)
    a = api.upload_id(make_jpeg_bytes(seed=1), is_public=1)
    api.upload_id(make_jpeg_bytes(seed=2), is_public=0)  # private, between the two public ones
    c = api.upload_id(make_jpeg_bytes(seed=3), is_public=1)
    anon = Api(emulator, signed=False)
    ctx = anon.ok("flickr.photos.getContext", photo_id=a)
    assert ctx["count"]["_content"] == 2 and ctx["prevphoto"]["id"] == c


def test_set_context(emulator):
    api = Api(emulator)
    a, b, c = _three(api)
    sid = api.create_set("S", b)
    for p in (c, a):
        api.ok("flickr.photosets.addPhoto", photoset_id=sid, photo_id=p)  # set order: b, c, a
    ctx = api.ok("flickr.photosets.getContext", photo_id=c, photoset_id=sid)
    assert ctx["prevphoto"]["id"] == b and ctx["nextphoto"]["id"] == a and ctx["count"]["_content"] == 3
    assert api.ok("flickr.photosets.getContext", photo_id=b, photoset_id=sid)["prevphoto"] == {"id": 0}
    assert api.ok("flickr.photosets.getContext", photo_id=a, photoset_id=sid)["nextphoto"] == {"id": 0}
    lone = api.upload_id(make_jpeg_bytes(seed=9))
    api.fail("flickr.photosets.getContext", 2, photo_id=lone, photoset_id=sid)
    api.fail("flickr.photosets.getContext", 2, photo_id=a, photoset_id="72157000000000000")
    api.fail("flickr.photosets.getContext", 1, photo_id="1", photoset_id=sid)
