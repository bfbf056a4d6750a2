"""flickr.photos.getCounts, getRecent, getUntagged, getWithGeoData / getWithoutGeoData."""

from __future__ import annotations

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes


def test_get_counts_by_upload_and_taken_dates(emulator):
    api = Api(emulator)
    a = api.upload_id(make_jpeg_bytes(seed=1, exif_datetime="2010:01:01 00:00:00"))
    b = api.upload_id(make_jpeg_bytes(seed=2, exif_datetime="2015:06:01 00:00:00"))
    api.ok("flickr.photos.setDates", photo_id=a, date_posted="1000000000")
    api.ok("flickr.photos.setDates", photo_id=b, date_posted="1500000000")
    counts = api.ok("flickr.photos.getCounts", dates="900000000,1200000000,2000000000")["photocounts"]["photocount"]
    assert counts == [
        {"count": 1, "fromdate": "900000000", "todate": "1200000000"},
        {"count": 1, "fromdate": "1200000000", "todate": "2000000000"},
    ]
    taken = api.ok("flickr.photos.getCounts", taken_dates="2000-01-01 00:00:00,2012-01-01 00:00:00")
    assert taken["photocounts"]["photocount"] == [
        {"count": 1, "fromdate": "2000-01-01 00:00:00", "todate": "2012-01-01 00:00:00"}
    ]
    root = api.xml("flickr.photos.getCounts", dates="0,2000000000")
    assert root.find("photocounts/photocount").get("count") == "2"
    api.fail("flickr.photos.getCounts", 1)
    Api(emulator, signed=False).fail("flickr.photos.getCounts", 99, dates="0,1")


def test_get_recent_is_public_only(emulator):
    api = Api(emulator)
    pub = api.upload_id(make_jpeg_bytes(seed=1), is_public=1)
    api.upload_id(make_jpeg_bytes(seed=2), is_public=0)
    for caller in (api, Api(emulator, signed=False)):
        photos = caller.ok("flickr.photos.getRecent", extras="owner_name")["photos"]
        assert [p["id"] for p in photos["photo"]] == [pub]
        assert photos["photo"][0]["ownername"] == emulator.username


def test_untagged_and_geo_listings(emulator):
    api = Api(emulator)
    tagged = api.upload_id(make_jpeg_bytes(seed=1), tags="x")
    plain = api.upload_id(make_jpeg_bytes(seed=2))
    assert [p["id"] for p in api.ok("flickr.photos.getUntagged")["photos"]["photo"]] == [plain]
    assert api.ok("flickr.photos.getWithGeoData")["photos"]["photo"] == []
    without = api.ok("flickr.photos.getWithoutGeoData")["photos"]
    assert sorted(p["id"] for p in without["photo"]) == sorted([tagged, plain]) and without["total"] == "2"
    Api(emulator, signed=False).fail("flickr.photos.getUntagged", 99)
