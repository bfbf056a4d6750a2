"""On upload, the emulator takes what Flickr takes from the file itself when the request does not
give it: title, description and keywords (IPTC/XMP) and the GPS position (if the owner imports it)."""

from __future__ import annotations

import pytest

from pycsync.emulator import EmulatorServer
from tests.support.api import Api

from .test_metadata import tagged_jpeg

GPS = {
    "Exif_GPSInfo_GPSLatitudeRef": "N",
    "Exif_GPSInfo_GPSLatitude": "52/1 5/1 2760/100",
    "Exif_GPSInfo_GPSLongitudeRef": "E",
    "Exif_GPSInfo_GPSLongitude": "1/1 31/1 3360/100",
}


@pytest.fixture
def annotated(tmp_path) -> bytes:
    return tagged_jpeg(
        tmp_path,
        Xmp_dc_title='lang="x-default" Orford Castle',
        Iptc_Application2_Caption="The keep, from the east.",
        Iptc_Application2_Keywords="castle",
        Xmp_dc_subject="english heritage",
        **GPS,
    ).read_bytes()


def test_title_description_keywords_and_position_come_from_the_file(emulator, annotated):
    api = Api(emulator)
    pid = api.upload_id(annotated, "IMG_0001.jpg", is_public=1)
    info = api.info(pid)
    assert info["title"]["_content"] == "Orford Castle"
    assert info["description"]["_content"] == "The keep, from the east."
    assert [t["raw"] for t in info["tags"]["tag"]] == ["castle", "english heritage"]
    # JSON numbers (as recorded in 2014), six decimals in XML (as recorded in 2024)
    assert info["location"]["latitude"] == 52.091 and info["location"]["longitude"] == 1.526
    loc = api.ok("flickr.photos.geo.getLocation", photo_id=pid)["photo"]["location"]
    assert (loc["latitude"], loc["longitude"], loc["accuracy"], loc["context"]) == (52.091, 1.526, 16, 0)
    found = api.ok("flickr.photos.search", user_id="me", extras="geo")["photos"]["photo"][0]
    assert (found["latitude"], found["longitude"], found["geo_is_public"]) == (52.091, 1.526, 1)
    xml = api.xml("flickr.photos.geo.getLocation", photo_id=pid).find("photo/location")
    assert (xml.get("latitude"), xml.get("longitude")) == ("52.091000", "1.526000")
    assert [p["id"] for p in api.ok("flickr.photos.getWithGeoData")["photos"]["photo"]] == [pid]


def test_what_the_request_gives_wins(emulator, annotated):
    api = Api(emulator)
    pid = api.upload_id(annotated, title="Mine", description="", tags="mine")
    info = api.info(pid)
    assert info["title"]["_content"] == "Mine" and info["description"]["_content"] == ""
    assert [t["raw"] for t in info["tags"]["tag"]] == ["mine"]


def test_positions_are_not_imported_when_the_owner_says_no(emulator, annotated):
    emulator.set_account(geo_import=False)
    api = Api(emulator)
    pid = api.upload_id(annotated, is_public=1)
    assert "location" not in api.info(pid)
    api.fail("flickr.photos.geo.getLocation", 2, photo_id=pid)
    assert api.info(pid)["title"]["_content"] == "Orford Castle"  # the rest is still read


def test_reading_metadata_can_be_turned_off(annotated):
    with EmulatorServer(read_metadata=False) as emu:
        api = Api(emu)
        info = api.info(api.upload_id(annotated, "IMG_7.jpg"))
        assert info["title"]["_content"] == "IMG_7" and info["tags"]["tag"] == [] and "location" not in info
